"""The sources file: every kind read, intervals, and faults named by key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.errors import InvalidInput
from tocsin.watch.sources import (
    FolderSource,
    GdeltSource,
    interval_seconds,
    load_sources,
    parse_sources,
)

EVERY_KIND = """\
sources:
  - name: world-feed
    kind: feed
    url: https://news.example/world/rss.xml
    every: 15m
    cases: [belarus-2022]
  - name: drop
    kind: folder
    path: incoming
    every: 30s
  - name: reading-list
    kind: urls
    path: lists/today.txt
    every: 1h
  - name: site
    kind: sitemap
    url: https://news.example/sitemap_index.xml
    every: 2h
  - name: gdelt
    kind: gdelt
    url: http://data.gdeltproject.org/gdeltv2/20221013000000.export.CSV.zip
    every: 15m
    actors: [blr, RUS]
    countries: [BO, UP]
    since: 2022-10-01
channels:
  - kind: jsonl
"""


def test_every_kind_is_read_with_its_options(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(EVERY_KIND, encoding="utf-8")
    parsed = load_sources(path)
    assert [s.kind for s in parsed.sources] == ["feed", "folder", "urls", "sitemap", "gdelt"]
    assert [s.every for s in parsed.sources] == [900, 30, 3600, 7200, 900]
    assert parsed.sources[0].cases == ["belarus-2022"]
    assert parsed.sources[1].cases is None  # every case in the store
    folder = parsed.sources[1]
    assert isinstance(folder, FolderSource)
    assert folder.locator == str(tmp_path.resolve() / "incoming")  # read from the file's folder
    gdelt = parsed.sources[4]
    assert isinstance(gdelt, GdeltSource)
    assert gdelt.actors == ["BLR", "RUS"]
    assert gdelt.since is not None
    assert gdelt.since.isoformat() == "2022-10-01"
    assert parsed.channels == [{"kind": "jsonl"}]  # kept as written for the channels


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("10s", 10), ("15m", 900), ("1h", 3600), ("1d", 86400), (45, 45), ("1.5h", 5400)],
)
def test_intervals(value: object, seconds: float) -> None:
    assert interval_seconds(value) == seconds


@pytest.mark.parametrize("value", ["9s", "0", "fortnightly", "10 parsecs", True, [10], "2000d"])
def test_bad_intervals_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="interval"):
        interval_seconds(value)


BAD = """\
sources:
  - name: a
    kind: folder
    url: https://news.example/
    every: 30s
  - name: b
    kind: gdelt
    path: x.csv
    every: 5s
    actors: [BL$]
  - name: c
    kind: carrier-pigeon
    path: x
    every: 1m
  - name: a
    kind: feed
    url: https://news.example/feed
    path: feed.xml
    every: 1m
  - name: e
    kind: feed
    url: https://news.example/feed
    every: 1m
    colour: red
extra: 1
"""


def test_faults_name_the_key_and_the_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_sources(BAD, "bad.yaml")
    message = str(caught.value)
    assert "sources[0] (line 2): a folder source has a path, not a url" in message
    assert "sources[1].every (line 9): an interval is 10 s at least" in message
    assert "sources[1].actors (line 10): 'BL$' is not a code" in message
    assert "sources[2].kind (line 12): kind is one of feed, urls, folder, sitemap, gdelt" in message
    assert "sources[3] (line 15): give either url or path" in message
    assert "sources[4].colour (line 24): Extra inputs are not permitted" in message
    assert "extra (line 25): Extra inputs are not permitted" in message


def test_names_are_unique_and_a_file_is_a_mapping() -> None:
    twice = "sources:\n" + "  - {name: a, kind: folder, path: x, every: 1m}\n" * 2
    with pytest.raises(InvalidInput, match="two sources are named 'a'"):
        parse_sources(twice)
    with pytest.raises(InvalidInput, match="a sources file is a mapping"):
        parse_sources("- just a list\n")
    with pytest.raises(InvalidInput, match="line 1"):
        parse_sources("sources: [unclosed\n")
    with pytest.raises(InvalidInput, match="sources \\(line 1\\): List should have at least 1"):
        parse_sources("sources: []\n")


def test_an_unreadable_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read sources file"):
        load_sources(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"sources: []\n# caf\xe9\n")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_sources(latin)
