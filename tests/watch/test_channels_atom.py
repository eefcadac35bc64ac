"""The Atom channel: a valid feed that feedparser reads back, newest first and capped, one
entry per alert key, hostile text kept as text, written atomically, a damaged file moved
aside with a warning."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.watch.test_channels_jsonl import make_alert

from tocsin.models.alerts import AlertEvidence
from tocsin.watch.atom import AtomChannel, entry_id, read_entries
from tocsin.watch.delivery import one_line, xml_safe


def read(path: Path) -> Any:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_a_valid_feed_newest_first_with_what_an_alert_carries(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    deliveries = AtomChannel(path).send([make_alert(1), make_alert(3), make_alert(2)])
    assert [(d.channel, d.status, d.attempts) for d in deliveries] == [("atom", "sent", 1)] * 3
    feed = read(path)
    assert feed.version == "atom10"
    assert feed.feed.title == "tocsin alerts"
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.updated == "2022-02-01T03:00:00Z"
    assert [e.id for e in feed.entries] == [entry_id(make_alert(n).key) for n in (3, 2, 1)]
    entry = feed.entries[0]
    assert entry.title == "Invasion crosses 50% (3)"
    assert entry.updated == "2022-02-01T03:00:00Z"
    assert entry.author == "tocsin"
    assert [t.term for t in entry.tags] == ["threshold"]
    assert entry.summary == make_alert(3).detail
    content = entry.content[0].value
    assert "Troops moved to within 20 km of the border." in content
    assert "Ministry of Defence, Reuters, 2022-01-31, source graded B" in content
    assert [link.href for link in entry.links if link.rel == "related"] == [
        "https://example.org/a/12"
    ]


def test_capped_at_keep_across_sends(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    channel = AtomChannel(path, keep=5)
    for start in range(0, 12, 4):
        channel.send([make_alert(n) for n in range(start, start + 4)])
    feed = read(path)
    assert [e.title for e in feed.entries] == [
        f"Invasion crosses 50% ({n})" for n in (11, 10, 9, 8, 7)
    ]


def test_the_same_key_twice_is_one_entry(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    channel = AtomChannel(path)
    channel.send([make_alert(1), make_alert(2)])
    channel.send([make_alert(1, title="Invasion crosses 50% (resent)")])
    channel.send([make_alert(2), make_alert(2)])
    feed = read(path)
    assert len(feed.entries) == 2
    assert sorted(e.title for e in feed.entries) == [
        "Invasion crosses 50% (2)",
        "Invasion crosses 50% (resent)",
    ]


def test_the_feed_id_stays_across_writes(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    AtomChannel(path).send([make_alert(1)])
    first = read(path).feed.id
    AtomChannel(path, title="other title").send([make_alert(2)])
    assert read(path).feed.id == first
    AtomChannel(path, feed_id="tag:example.org,2022:alerts").send([make_alert(3)])
    assert read(path).feed.id == "tag:example.org,2022:alerts"


def test_a_self_link_when_given(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    AtomChannel(path, self_url="https://example.org/alerts.xml").send([make_alert(1)])
    links = read(path).feed.links
    assert [(link.rel, link.href) for link in links] == [("self", "https://example.org/alerts.xml")]


HOSTILE = "<script>alert('x')</script> ]]> <![CDATA[ & &amp; \x00\x01\x08\x0b\x0c\x1f\ufffe end"


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    alert = make_alert(
        1,
        title="Title " + HOSTILE,
        detail="Detail " + HOSTILE,
        kind="threshold",
        evidence=(
            AlertEvidence("L1", "Said " + HOSTILE, url="javascript:alert(1)"),
            AlertEvidence("L2", "fine", url="https://example.org/ok?a=1&b=<2>"),
        ),
    )
    AtomChannel(path).send([alert])
    raw = path.read_text("utf-8")
    assert "<script>" not in raw
    assert "\x00" not in raw
    assert "\x0b" not in raw
    entry = read(path).entries[0]
    clean = "<script>alert('x')</script> ]]> <![CDATA[ & &amp;  end"
    assert entry.title == one_line("Title " + clean)
    assert entry.summary == "Detail " + clean
    assert "Said " + clean in entry.content[0].value
    # A javascript: URL is not offered as a link; a web one is, its query intact.
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related == ["https://example.org/ok?a=1&b=<2>"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(max_size=40), detail=st.text(max_size=80))
def test_any_text_makes_a_well_formed_feed(tmp_path: Path, title: str, detail: str) -> None:
    path = tmp_path / "prop.xml"
    path.unlink(missing_ok=True)
    AtomChannel(path).send([make_alert(1, title=title, detail=detail)])
    _, entries = read_entries(path)  # defusedxml: well-formed, an Atom feed
    assert entries[0].findtext("title") == one_line(title)
    # An XML parser reads a carriage return (alone or before a line feed) as a line feed.
    expected = xml_safe(detail).replace("\r\n", "\n").replace("\r", "\n")
    assert entries[0].findtext("summary") == expected


def test_a_damaged_file_is_moved_aside_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "alerts.xml"
    path.write_text("<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x</id>", "utf-8")
    with caplog.at_level(logging.WARNING, logger="tocsin.watch"):
        deliveries = AtomChannel(path).send([make_alert(1)])
    assert deliveries[0].status == "sent"
    asides = sorted(tmp_path.glob("alerts.xml.damaged-*"))
    assert len(asides) == 1
    assert asides[0].read_text("utf-8").endswith("<id>x</id>")
    assert "is damaged" in caplog.text
    assert str(asides[0]) in caplog.text
    assert [e.title for e in read(path).entries] == ["Invasion crosses 50% (1)"]


@pytest.mark.parametrize(
    "text",
    [
        "<rss version='2.0'><channel/></rss>",
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>no id</title></entry></feed>",
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>a</id>"
        "<updated>yesterday</updated></entry></feed>",
        "<!DOCTYPE feed [<!ENTITY x 'boom'>]><feed xmlns='http://www.w3.org/2005/Atom'/>",
    ],
)
def test_a_file_that_is_not_our_feed_counts_as_damaged(tmp_path: Path, text: str) -> None:
    path = tmp_path / "alerts.xml"
    path.write_text(text, "utf-8")
    AtomChannel(path).send([make_alert(1)])
    assert len(list(tmp_path.glob("alerts.xml.damaged-*"))) == 1
    assert len(read(path).entries) == 1


def test_the_write_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    AtomChannel(path).send([make_alert(1)])
    path.chmod(0o640)
    AtomChannel(path).send([make_alert(2)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.xml"]
    assert path.stat().st_mode & 0o777 == 0o640  # the file's mode is kept


def test_a_feed_that_cannot_be_written_fails_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    deliveries = AtomChannel(blocker / "alerts.xml").send([make_alert(1), make_alert(2)])
    assert [d.status for d in deliveries] == ["failed", "failed"]
    assert "cannot write the feed" in (deliveries[0].error or "")


def test_a_naive_fired_at_is_taken_as_utc(tmp_path: Path) -> None:
    path = tmp_path / "alerts.xml"
    AtomChannel(path).send([make_alert(1, fired_at=datetime(2022, 2, 1, 5, 30))])
    assert read(path).entries[0].updated == "2022-02-01T05:30:00Z"


def test_keep_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        AtomChannel(tmp_path / "a.xml", keep=0)


def test_the_entry_id_depends_on_the_key_only() -> None:
    assert entry_id("k") == entry_id("k")
    assert entry_id("k") != entry_id("k2")
    assert entry_id("k").startswith("urn:uuid:")
