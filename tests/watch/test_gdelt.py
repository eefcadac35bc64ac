"""GDELT 2.0 exports as article URLs: the codebook's columns, the filters, zips."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from tests.watch.conftest import LOOPBACK

from tocsin.config import Config
from tocsin.errors import InputError
from tocsin.store.watch import SourceState
from tocsin.watch.expand import Clients, expand
from tocsin.watch.gdelt import Filters, article_urls, latest_export
from tocsin.watch.sources import parse_sources

DATA = Path(__file__).resolve().parents[1] / "data" / "gdelt"
EVENTS = (DATA / "20221013.export.CSV").read_bytes()
MENTIONS = (DATA / "20221013.mentions.CSV").read_bytes()
URL = "https://news.example/"


def test_every_row_with_a_url_once_without_filters() -> None:
    found = article_urls(EVENTS, Filters())
    assert found.table == "events"
    assert found.urls == [
        URL + "minsk-drills", URL + "kyiv-border", URL + "old-news", URL + "trade-talks",
        URL + "paris-aid",
    ]  # fmt: skip
    assert (found.rows, found.skipped) == (7, 1)  # the row of 5 columns


def test_actor_codes_match_either_actor_by_prefix() -> None:
    found = article_urls(EVENTS, Filters(actors=("BLR",)))
    assert found.urls == [URL + "minsk-drills", URL + "old-news"]  # BLRGOV, BLR, BLRMIL
    assert article_urls(EVENTS, Filters(actors=("CHN",))).urls == [URL + "trade-talks"]


def test_country_codes_match_actors_or_geography() -> None:
    # BO and UP are FIPS codes of the geography; RUS the CAMEO code of an actor's country.
    found = article_urls(EVENTS, Filters(countries=("BO", "UP")))
    assert found.urls == [
        URL + "minsk-drills",
        URL + "kyiv-border",
        URL + "old-news",
        URL + "paris-aid",
    ]
    assert article_urls(EVENTS, Filters(countries=("RUS",))).urls == [URL + "minsk-drills"]


def test_filters_combine_with_since() -> None:
    filters = Filters(actors=("BLR", "UKR"), countries=("BO", "UP"), since=date(2022, 10, 1))
    assert article_urls(EVENTS, filters).urls == [URL + "minsk-drills", URL + "kyiv-border"]


def test_mentions_give_web_urls_since_a_date() -> None:
    found = article_urls(MENTIONS, Filters(since=date(2022, 10, 10)))
    assert found.table == "mentions"
    assert found.urls == [URL + "minsk-drills", "https://other.example/report"]
    assert found.skipped == 1  # the broadcast mention has no URL
    with pytest.raises(InputError, match="mentions export has no actor or country codes"):
        article_urls(MENTIONS, Filters(actors=("BLR",)))


def test_a_file_of_another_shape_is_refused() -> None:
    with pytest.raises(InputError, match=r"not a GDELT 2\.0 export: a row of 3"):
        article_urls(b"a\tb\tc\n", Filters())
    assert article_urls(b"", Filters()).urls == []


def test_a_zipped_export_at_a_path_expands_to_its_urls(tmp_path: Path) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("20221013.export.CSV", EVENTS)
    path = tmp_path / "20221013.export.CSV.zip"
    path.write_bytes(packed.getvalue())
    text = f"sources:\n  - {{name: g, kind: gdelt, path: {path}, every: 15m, actors: [UKR]}}\n"
    source = parse_sources(text).sources[0]
    clients = Clients(Config.load(**LOOPBACK))
    try:
        got = expand(source, SourceState("g", "gdelt", str(path)), clients)
    finally:
        clients.close()
    assert got.targets == [URL + "kyiv-border"]
    assert got.note == "1 URLs from 7 events rows (1 malformed rows skipped)"


@pytest.mark.network
def test_lastupdate_names_the_newest_export_which_is_read_once(httpserver: HTTPServer) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("20221013000000.export.CSV", EVENTS)
    export = httpserver.url_for("/gdeltv2/20221013000000.export.CSV.zip")
    httpserver.expect_request("/gdeltv2/20221013000000.export.CSV.zip").respond_with_data(
        packed.getvalue(), content_type="application/zip"
    )
    listing = (
        f"{len(packed.getvalue())} 0123456789abcdef0123456789abcdef {export}\n"
        f"1234 0123456789abcdef0123456789abcdef {export.replace('export', 'mentions')}\n"
        f"5678 0123456789abcdef0123456789abcdef {export.replace('export.CSV', 'gkg.csv')}\n"
    )
    httpserver.expect_request("/gdeltv2/lastupdate.txt").respond_with_data(listing)
    url = httpserver.url_for("/gdeltv2/lastupdate.txt")
    text = f"sources:\n  - {{name: g, kind: gdelt, url: '{url}', every: 15m, countries: [UP]}}\n"
    source = parse_sources(text).sources[0]
    clients = Clients(Config.load(**LOOPBACK))
    try:
        first = expand(source, None, clients)
        assert first.targets == [URL + "kyiv-border", URL + "paris-aid"]
        assert first.seen_until == export
        kept = SourceState("g", "gdelt", url, seen_until=first.seen_until)
        again = expand(source, kept, clients)
    finally:
        clients.close()
    assert (again.targets, again.note) == ([], "no new export")
    assert [r.path for r, _ in httpserver.log].count("/gdeltv2/20221013000000.export.CSV.zip") == 1


def test_lastupdate_is_told_from_an_export() -> None:
    assert latest_export(EVENTS) is None
    assert latest_export(b"") is None
    assert latest_export(b"1 x http://h/a.export.CSV.zip\n") == "http://h/a.export.CSV.zip"
    assert latest_export(b"1 x http://h/a.mentions.CSV.zip\n") is None
