"""The bell, end to end: `tocsin watch` over a folder, a case with alert rules, and the
channels of the sources file. Alerts go out once on each channel; one a channel failed to
send goes out at the next cycle, and the others are not sent twice."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import feedparser  # type: ignore[import-untyped, unused-ignore]
import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tocsin.assess.case import bundled_case_path
from tocsin.cli import main
from tocsin.store import alerts as kept
from tocsin.store.db import Store

from .conftest import RULES, copy_articles, demo_articles

SECRET = "a-shared-secret-for-the-test"


def _case(tmp_path: Path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(bundled_case_path().read_text(encoding="utf-8") + RULES, encoding="utf-8")
    return path


def _sources(tmp_path: Path, hook: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        f"""sources:
  - {{name: drop, kind: folder, path: in, every: 10s}}
channels:
  - {{type: jsonl, path: alerts.jsonl}}
  - {{type: atom, path: alerts.xml, keep: 50}}
  - {{type: webhook, url: '{hook}', secret_env: TOCSIN_TEST_HOOK, attempts: 1,
      backoff_base: 0, timeout: 5, max_total: 20}}
""",
        encoding="utf-8",
    )
    return path


def _watch(tmp_path: Path, *extra: str) -> dict[str, object]:
    args = ["watch", "--sources", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "w.db"),
            "--once", "--json", "--no-embeddings", "--workers", "1", *extra]  # fmt: skip
    result = CliRunner().invoke(main, args, env={"TOCSIN_TEST_HOOK": SECRET})
    assert result.exit_code == 0, result.output
    line: dict[str, object] = json.loads(result.output.strip().splitlines()[-1])
    return line


def _jsonl(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "alerts.jsonl"
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


@pytest.mark.slow
def test_alerts_go_out_once_on_every_channel_and_a_failed_one_later(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    received: list[dict[str, object]] = []
    down = {"now": True}

    def hook(request: Request) -> Response:
        if down["now"]:
            return Response("down", status=503)
        body = request.get_data()
        stamp = request.headers["X-Tocsin-Timestamp"]
        mac = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        assert request.headers["X-Tocsin-Signature"] == "sha256=" + mac.hexdigest()
        received.extend(json.loads(body)["alerts"])
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(hook)
    copy_articles(tmp_path / "in", demo_articles())
    _sources(tmp_path, httpserver.url_for("/hook"))

    first = _watch(tmp_path, "--case", str(_case(tmp_path)), "--allow-address", "127.0.0.1",
                   "--briefs", str(tmp_path / "briefs"))  # fmt: skip
    rung = first["alerts"]
    assert isinstance(rung, dict)
    made = rung["new"]
    assert isinstance(made, int)
    assert made >= 2  # both indicators are reported in the demo's articles
    lines = _jsonl(tmp_path)
    assert len(lines) == made
    assert {x["rule"] for x in lines} == {"troops", "grouping"}
    assert all(x["evidence"] for x in lines)  # each with the sentences behind it
    feed = feedparser.parse(str(tmp_path / "alerts.xml"))
    assert not feed.bozo
    assert len(feed.entries) == made
    assert rung["sent"] == {"jsonl": made, "atom": made}
    assert rung["failed"] == {"webhook": made}
    assert received == []
    (brief,) = (tmp_path / "briefs").iterdir()
    assert "# What changed" in brief.read_text("utf-8")

    # The receiver is back: the next cycle (nothing new) sends it what it missed, and the
    # other channels nothing again.
    down["now"] = False
    second = _watch(tmp_path, "--allow-address", "127.0.0.1")
    assert second["alerts"] == {"fired": 0, "new": 0, "repeated": 0, "held": 0,
                                "sent": {"webhook": made}, "failed": {}, "briefs": []}  # fmt: skip
    assert sorted(str(x["key"]) for x in received) == sorted(str(x["key"]) for x in lines)
    assert len(_jsonl(tmp_path)) == made
    with Store.open(tmp_path / "w.db") as store:
        stored = kept.alerts(store)
        assert len(stored) == made
        for alert in stored:
            channels = {d.channel: d.status for d in kept.deliveries(store, alert.id)}
            assert channels == {"jsonl": "sent", "atom": "sent", "webhook": "sent"}


def test_a_channel_whose_secret_is_missing_stops_the_watcher_at_once(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _sources(tmp_path, "http://127.0.0.1:9/hook")
    args = ["watch", "--sources", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "w.db"),
            "--once", "--no-embeddings"]  # fmt: skip
    result = CliRunner().invoke(main, args, env={"TOCSIN_TEST_HOOK": ""})
    assert result.exit_code == 6, result.output
    assert "TOCSIN_TEST_HOOK" in result.output
    assert not (tmp_path / "w.db").exists()  # refused before anything was done
