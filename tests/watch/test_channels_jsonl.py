"""The JSON-lines channel, the plain-text rendering of an alert, and send_all's promise that
one broken channel fails only its own deliveries. ``make_alert`` serves the other channel
tests too."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tocsin.models.alerts import Alert, AlertEvidence
from tocsin.watch.channels import JsonLinesChannel, send_all
from tocsin.watch.delivery import Channel, Delivery, alert_text, one_line, xml_safe


def make_alert(n: int = 1, **changes: Any) -> Alert:
    """Alert number ``n``: fired ``n`` hours into 1 Feb 2022, with two sentences behind it."""
    fields: dict[str, Any] = {
        "case_id": "belarus-2022",
        "rule_id": "h-invasion-50",
        "kind": "threshold",
        "title": f"Invasion crosses 50% ({n})",
        "detail": "The invasion hypothesis rose from 41% to 53% on two new reports.",
        "key": f"belarus-2022:h-invasion-50:{n}",
        "as_of": date(2022, 2, 1),
        "fired_at": datetime(2022, 2, 1, n % 24, n // 24 % 60, tzinfo=UTC),
        "probabilities": {"invasion": 0.53, "exercise": 0.47},
        "evidence": (
            AlertEvidence(
                "L12",
                "Troops moved to within 20 km of the border.",
                source="Ministry of Defence",
                outlet="Reuters",
                url="https://example.org/a/12",
                published=date(2022, 1, 31),
                reliability="B",
            ),
            AlertEvidence("H3", "Field hospitals were set up near Gomel.", outlet="Meduza"),
        ),
    }
    fields.update(changes)
    return Alert(**fields)


def test_one_line_of_json_per_alert_flushed_and_readable() -> None:
    stream = io.StringIO()
    alerts = [make_alert(1), make_alert(2, title="Лидер сменился: «вторжение»")]
    deliveries = JsonLinesChannel(stream).send(alerts)
    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert [d.key for d in deliveries] == [a.key for a in alerts]
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [a.as_json() for a in alerts]
    assert "«вторжение»" in lines[1]  # ensure_ascii=False: the words, not \\u escapes


def test_stdout_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    JsonLinesChannel().send([make_alert(3)])
    assert json.loads(capsys.readouterr().out)["key"] == make_alert(3).key


def test_a_line_break_in_the_text_stays_inside_its_line() -> None:
    stream = io.StringIO()
    JsonLinesChannel(stream).send([make_alert(1, title="one\ntwo\u2028three")])
    assert len(stream.getvalue().split("\n")) == 2  # one line and the final newline


def test_a_file_path_is_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    channel = JsonLinesChannel(path=path)
    channel.send([make_alert(1)])
    channel.send([make_alert(2)])
    keys = [json.loads(line)["key"] for line in path.read_text("utf-8").splitlines()]
    assert keys == [make_alert(1).key, make_alert(2).key]


def test_an_alert_that_is_not_json_fails_alone() -> None:
    stream = io.StringIO()
    bad = make_alert(2, probabilities={"invasion": math.nan})
    deliveries = JsonLinesChannel(stream).send([make_alert(1), bad, make_alert(3)])
    assert [d.status for d in deliveries] == ["sent", "failed", "sent"]
    assert deliveries[1].error is not None
    assert "not written" in deliveries[1].error
    assert len(stream.getvalue().splitlines()) == 2


def test_a_closed_stream_fails_every_alert_with_the_reason() -> None:
    stream = io.StringIO()
    stream.close()
    deliveries = JsonLinesChannel(stream).send([make_alert(1), make_alert(2)])
    assert [d.status for d in deliveries] == ["failed", "failed"]
    assert all("closed file" in (d.error or "") for d in deliveries)


def test_an_unwritable_path_fails_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    deliveries = JsonLinesChannel(path=blocker / "alerts.jsonl").send([make_alert(1)])
    assert deliveries[0].status == "failed"
    assert str(blocker) in (deliveries[0].error or "")


class _Broken:
    name = "broken"

    def send(self, alerts: Sequence[Alert]) -> list[Delivery]:
        raise RuntimeError("a bug in the channel")


def test_a_channel_that_raises_fails_only_its_own_deliveries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before, after = io.StringIO(), io.StringIO()
    alerts = [make_alert(1), make_alert(2)]
    channels: list[Channel] = [
        JsonLinesChannel(before, name="a"),
        _Broken(),
        JsonLinesChannel(after, name="b"),
    ]
    deliveries = send_all(channels, alerts)
    assert [(d.channel, d.status) for d in deliveries] == [
        ("a", "sent"),
        ("a", "sent"),
        ("broken", "failed"),
        ("broken", "failed"),
        ("b", "sent"),
        ("b", "sent"),
    ]
    assert "RuntimeError: a bug in the channel" in (deliveries[2].error or "")
    assert len(after.getvalue().splitlines()) == 2
    assert "alert channel broken failed" in caplog.text


def test_no_alerts_no_deliveries() -> None:
    assert send_all([JsonLinesChannel(io.StringIO())], []) == []


def test_the_text_of_an_alert_carries_its_evidence_and_sources() -> None:
    text = alert_text(make_alert(1))
    assert text.startswith("The invasion hypothesis rose")
    assert "Probabilities: invasion 53%, exercise 47%" in text
    assert "[L12] \u201cTroops moved to within 20 km of the border.\u201d" in text
    assert "Ministry of Defence, Reuters, 2022-01-31, source graded B" in text
    assert "https://example.org/a/12" in text
    assert "[H3] \u201cField hospitals were set up near Gomel.\u201d\n    \u2014 Meduza" in text


def test_one_line_and_xml_safe_remove_what_they_must() -> None:
    assert one_line("a\r\nBcc: x@y\u2028z\x00  w") == "a Bcc: x@y z w"
    assert one_line("\u202egnp.exe\u202c \x80\x9fok") == "gnp.exe ok"
    assert xml_safe("ok\x00\x08\x0b\ufffe\ttab\nline") == "ok\ttab\nline"
