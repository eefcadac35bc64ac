"""`tocsin serve` as a user runs it: a real process, a real port, a clear refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner
from tests.serve.conftest import CASE

from tocsin.cli import main

TOCSIN = [sys.executable, "-m", "tocsin.cli"]


def test_serve_refuses_a_public_address_without_a_token(desk_db: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(desk_db), "--host", "0.0.0.0"])
    assert result.exit_code == 6
    assert "without a token" in result.output


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no store" in result.output


def test_serve_serves_the_store_on_the_port_it_prints(desk_db: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*TOCSIN, "serve", "--db", str(desk_db), "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed before it serves; the test's deadline is pytest's
        where = json.loads(line)
        assert where["url"].startswith("http://127.0.0.1:")
        assert not where["url"].endswith(":0/")
        for _ in range(100):  # the socket is bound already: uvicorn accepts once it runs
            try:
                page = httpx.get(where["url"], timeout=5)
                break
            except httpx.ConnectError:
                proc.poll()
                assert proc.returncode is None, proc.stderr.read() if proc.stderr else ""
        assert page.status_code == 200
        assert f"/cases/{CASE}" in page.text
    finally:
        proc.terminate()
        proc.communicate(timeout=20)  # waits, and closes the pipes
