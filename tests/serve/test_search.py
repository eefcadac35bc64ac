"""Search through the application: every filter narrows the hits to what the store says,
hits are marked after escaping, pages follow each other, a bad query is a clear 422."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import make_article_html, make_paragraphs
from tests.serve.conftest import DeskClient

from tocsin.config import Config
from tocsin.ingest.pipeline import ingest
from tocsin.serve.app import Settings, create_app
from tocsin.serve.pages import search
from tocsin.store.db import Store

# name: (outlet, published, language, mentions the word 'caravan')
ARTICLES = {
    "first": ("Alpha Daily", "2022-01-10", "en", True),
    "second": ("Alpha Daily", "2022-03-05", "en", True),
    "third": ("Beta News", "2022-03-20", "en", True),
    "fourth": ("Beta News", "2022-06-01", "fr", True),
    "fifth": ("Gamma Wire", "2022-07-01", "en", False),
}


@pytest.fixture(scope="module")
def search_master(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Five generated articles from three outlets; the word 'caravan' in four of them."""
    folder = tmp_path_factory.mktemp("search")
    pages = folder / "pages"
    pages.mkdir()
    for n, (name, (outlet, day, _, caravan)) in enumerate(ARTICLES.items()):
        paras = make_paragraphs(100 + n, n=3)
        if caravan:
            paras.append(f"The {name} caravan of trucks crossed the border at dawn.")
        (pages / f"{n}.html").write_text(
            make_article_html(f"The {name} report", paras, published=day, site=outlet)
        )
    db = folder / "search.db"
    with Store.open(db) as store:
        ingest([pages], store=store, config=Config.load(workers=1))
        ids = {a.title.split()[1]: a.id for a in store.articles() if a.title}
        with store.transaction() as conn:
            for name, (*_, language, _) in ARTICLES.items():
                conn.execute("UPDATE articles SET language = ? WHERE id = ?", (language, ids[name]))
    return db, ids


@pytest.fixture
def searcher(search_master: tuple[Path, dict[str, int]]) -> Iterator[DeskClient]:
    db, _ = search_master
    with DeskClient(create_app(Settings(db=db)), base_url="http://127.0.0.1") as c:
        yield c


def hit_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="hit" data-article-id="(\d+)"', html)]


def named(ids: dict[str, int], *names: str) -> set[int]:
    return {ids[n] for n in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"first", "second", "third", "fourth"}),
        ("&outlet=Beta+News", {"third", "fourth"}),
        ("&from=2022-03-01", {"second", "third", "fourth"}),
        ("&to=2022-03-05", {"first", "second"}),
        ("&from=2022-03-01&to=2022-03-31", {"second", "third"}),
        ("&lang=fr", {"fourth"}),
        ("&lang=en&outlet=Alpha+Daily&from=2022-02-01", {"second"}),
        ("&outlet=Nobody", set()),
    ],
)
def test_each_filter_narrows_the_hits(
    searcher: DeskClient, search_master: tuple[Path, dict[str, int]], query: str, expected: set[str]
) -> None:
    _, ids = search_master
    page = searcher.get(f"/search?q=caravan{query}")
    assert page.status_code == 200
    assert set(hit_ids(page.text)) == named(ids, *expected)


def test_filters_without_words_list_the_newest_first(
    searcher: DeskClient, search_master: tuple[Path, dict[str, int]]
) -> None:
    _, ids = search_master
    listed = hit_ids(searcher.get("/search?outlet=Alpha+Daily").text)
    assert listed == [ids["second"], ids["first"]]
    everything = hit_ids(searcher.get("/search").text)
    assert everything[0] == ids["fifth"]
    assert len(everything) == len(ARTICLES)


def test_hits_are_marked_and_the_rest_escaped(searcher: DeskClient) -> None:
    html = searcher.get("/search?q=caravan").text
    assert html.count("<mark>caravan</mark>") >= 4
    assert "\ue000" not in html
    assert "\ue001" not in html
    assert "<mark>report</mark>" in searcher.get("/search?q=report").text  # in titles too


def test_pages_follow_each_other(searcher: DeskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGE", 3)
    first = searcher.get("/search?q=caravan")
    assert len(hit_ids(first.text)) == 3
    following = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert following is not None
    second = searcher.get(following.group(1).replace("&amp;", "&"))
    assert len(hit_ids(second.text)) == 1
    assert not set(hit_ids(first.text)) & set(hit_ids(second.text))
    assert 'rel="next"' not in second.text
    assert 'rel="prev"' in second.text
    assert searcher.get("/search?q=caravan&page=0").status_code == 422
    assert searcher.get("/search?q=caravan&page=two").status_code == 422


@pytest.mark.parametrize("bad", ['"unbalanced', "title:caravan OR", "nosuchcolumn:caravan", "AND"])
def test_a_malformed_query_is_a_clear_422(searcher: DeskClient, bad: str) -> None:
    page = searcher.get("/search", params={"q": bad})
    assert page.status_code == 422
    problem = re.search(r'id="search-problem">([^<]+)<', page.text)
    assert problem is not None
    assert "cannot search for" in problem.group(1)
    assert 'id="search-form"' in page.text  # the form is there to mend it


def test_a_bad_date_or_an_empty_range_is_a_clear_422(searcher: DeskClient) -> None:
    bad = searcher.get("/search?q=caravan&from=2022-13-01")
    assert bad.status_code == 422
    assert "from must be a date" in bad.text
    empty = searcher.get("/search?q=caravan&from=2022-05-01&to=2022-04-01")
    assert empty.status_code == 422
    assert "the date range is empty" in empty.text


# -- entity and speaker filters, over the extracted demo store ----------------------------


def _with(desk_db: Path, sql: str, *args: object) -> set[int]:
    with Store.open(desk_db) as store:
        return {int(r[0]) for r in store.conn.execute(sql, args).fetchall()}


def test_the_entity_filter_keeps_the_articles_that_mention_it(
    client: DeskClient, desk_db: Path
) -> None:
    everything = set(hit_ids(client.get("/search?q=Belarus").text))
    kremlin = _with(desk_db, "SELECT id FROM entities WHERE canonical = 'Kremlin'").pop()
    mentioning = _with(desk_db, "SELECT article_id FROM mentions WHERE entity_id = ?", kremlin)
    assert mentioning < everything  # the filter has something to remove
    by_id = client.get(f"/search?q=Belarus&entity={kremlin}").text
    assert set(hit_ids(by_id)) == mentioning
    by_name = client.get("/search?q=Belarus&entity=kremlin").text  # a spelling, any case
    assert set(hit_ids(by_name)) == mentioning
    assert "Kremlin (ORG)" in by_name


def test_the_speaker_filter_keeps_the_articles_that_quote_it(
    client: DeskClient, desk_db: Path
) -> None:
    makei = _with(desk_db, "SELECT id FROM entities WHERE canonical = 'Vladimir Makei'").pop()
    quoting = _with(desk_db, "SELECT article_id FROM quotes WHERE speaker_entity_id = ?", makei)
    mentioning = _with(desk_db, "SELECT article_id FROM mentions WHERE entity_id = ?", makei)
    assert quoting
    assert quoting <= mentioning
    page = client.get("/search?speaker=Vladimir+Makei").text
    assert set(hit_ids(page)) == quoting
    both = client.get(f"/search?q=Belarus&speaker={makei}&entity={makei}").text
    assert set(hit_ids(both)) == quoting


def test_an_unknown_name_matches_nothing_and_says_so(client: DeskClient) -> None:
    page = client.get("/search?q=Belarus&speaker=Nobody+Atall")
    assert page.status_code == 200
    assert hit_ids(page.text) == []
    assert "no entity has that name or id" in page.text


def test_search_is_reached_from_every_page(client: DeskClient) -> None:
    assert 'href="/search"' in client.get("/").text
    assert 'id="search-form"' in client.get("/search").text
