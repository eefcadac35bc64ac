"""The systemd units shipped in docs/examples run: the service's command line and environment,
moved from /srv/tocsin to a temporary folder, make one real cycle of `tocsin watch`."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from tocsin.cli import main

from .conftest import CASE, copy_articles, demo_articles

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HOME = "/srv/tocsin"


def unit(path: Path) -> dict[str, list[str]]:
    """A unit file's keys with every value each takes (systemd lets a key repeat)."""
    keys: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def test_the_service_s_command_and_environment_run_one_cycle(tmp_path: Path) -> None:
    service = unit(EXAMPLES / "tocsin-watch.service")
    assert service["Type"] == ["oneshot"]
    here = str(tmp_path)
    argv = shlex.split(service["ExecStart"][0].replace(HOME, here))
    assert Path(argv[0]).name == "tocsin"
    env = dict(value.replace(HOME, here).split("=", 1) for value in service["Environment"])
    assert set(env) == {"TOCSIN_DB", "TOCSIN_WORKERS"}
    articles = demo_articles()
    sources = Path(argv[argv.index("--sources") + 1])

    def watch_folder(name: str, article: Path) -> None:
        copy_articles(tmp_path / name, [article])
        line = f"sources:\n  - {{name: {name}, kind: folder, path: {name}, every: 5m}}\n"
        sources.write_text(line, encoding="utf-8")

    # The first cycle is run by hand with the case, as docs/watch.md says: the store keeps it.
    watch_folder("first", articles[0])
    first = CliRunner().invoke(main, [*argv[1:], "--case", CASE, "--no-embeddings"], env=env)
    assert first.exit_code == 0, first.output
    watch_folder("second", articles[1])  # a source added since: due at once
    # The unit's own arguments; only the model-free linker is added, as every watch test does.
    result = CliRunner().invoke(main, [*argv[1:], "--no-embeddings"], env=env)
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)  # --once --json: one cycle, one JSON line
    assert (line["cycle"], line["new_articles"], line["failures"]) == (2, 1, [])
    assert line["cases"][CASE]["before"]["leader"]  # the case the first cycle kept
    with sqlite3.connect(env["TOCSIN_DB"]) as conn:  # the store is where TOCSIN_DB says
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone() == (2,)
    # An exit of 1 (inputs failed and recorded) is not counted as the unit failing.
    assert service["SuccessExitStatus"] == ["1"]
    assert service["ReadWritePaths"] == [HOME]


def test_the_timer_starts_the_service_of_its_name_and_installs() -> None:
    timer = unit(EXAMPLES / "tocsin-watch.timer")
    assert "Unit" not in timer  # so it starts tocsin-watch.service, the unit of its own name
    assert (EXAMPLES / "tocsin-watch.service").exists()
    assert timer["OnUnitActiveSec"] == ["5min"]
    assert timer["WantedBy"] == ["timers.target"]
    assert timer["Persistent"] == ["true"]
