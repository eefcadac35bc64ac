"""The audit log page and the analysts' disagreements on the desk (no browser)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.serve.conftest import CASE, DeskClient, csrf_of

from tocsin.assess.case import bundled_case_path
from tocsin.serve.pages.audit import PAGE, target_href
from tocsin.store import assessment as stored
from tocsin.store import desk as kept
from tocsin.store.db import Store


def _rows(page: str) -> list[str]:
    table = re.findall(r'<table class="grid" id="audit">(.*?)</table>', page, re.S)
    return re.findall(r"<tr data-entry=.*?</tr>", table[0], re.S) if table else []


def _as(client: DeskClient, name: str) -> None:
    reply = client.post("/analyst", data={"csrf": csrf_of(client), "analyst": name})
    assert reply.status_code == 200


def _save_as(client: DeskClient, name: str, text: str, base: int) -> None:
    _as(client, name)
    data = {"csrf": csrf_of(client), "text": text, "base_version": str(base), "note": "n"}
    reply = client.post(f"/cases/{CASE}/edit", data=data, follow_redirects=False)
    assert reply.status_code == 303


def _decide_as(db: Path, name: str, decision: str = "reject") -> stored.LinkRow:
    with Store.open(db) as store:
        link = stored.link_rows(store, CASE)[0]
        stored.decide(store, CASE, link.id, decision, analyst=name)
    return link


def test_the_log_lists_saves_and_decisions_by_analyst(client: DeskClient, desk_db: Path) -> None:
    original = bundled_case_path().read_text(encoding="utf-8")
    _save_as(client, "anna", original + "# anna\n", 1)
    link = _decide_as(desk_db, "ben")
    page = client.get("/audit")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert len(rows) == 3  # the demo's save, anna's save, ben's decision: newest first
    assert "ben" in rows[0]
    assert "link.reject" in rows[0]
    href = f"/articles/{link.key.article_id}#s{link.key.start}"
    assert f'href="{href}"' in rows[0]
    assert "anna" in rows[1]
    assert "case.save" in rows[1]
    assert f'href="/cases/{CASE}/versions/2"' in rows[1]
    assert "<dt>note</dt><dd>n</dd>" in rows[1]


def test_the_filters_narrow_the_log(client: DeskClient, desk_db: Path) -> None:
    original = bundled_case_path().read_text(encoding="utf-8")
    _save_as(client, "anna", original + "# anna\n", 1)
    _decide_as(desk_db, "ben")

    def count(query: str) -> int:
        page = client.get(f"/audit?{query}")
        assert page.status_code == 200, query
        return len(_rows(page.text))

    assert count("analyst=ben") == 1
    assert count("analyst=anna") == 1
    assert count("action=case.") == 2
    assert count("action=link.") == 1
    assert count("action=case.save&analyst=anna") == 1
    assert count(f"case={CASE}") == 3
    assert count("case=no-such-case") == 0
    assert count("from=2999-01-01") == 0
    assert count("to=2000-01-01") == 0
    assert count("from=2000-01-01&to=2999-12-31") == 3
    assert count("action=%25") == 0  # a LIKE wildcard is taken literally
    assert client.get("/audit?from=yesterday").status_code == 422


def test_the_log_pages_back_with_before_id(client: DeskClient, desk_db: Path) -> None:
    with Store.open(desk_db) as store:
        for n in range(PAGE + 20):
            kept.log(store, "carol", "entity.merge", target=f"spelling:PERSON:x{n}")
    first = client.get("/audit")
    assert len(_rows(first.text)) == PAGE
    older = re.search(r'<a href="(/audit\?[^"]+)" id="older">', first.text)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&"))
    rest = _rows(second.text)
    assert len(rest) == 21  # the 20 left and the demo's case.save
    first_ids = set(re.findall(r'data-entry="(\d+)"', first.text))
    assert not first_ids & set(re.findall(r'data-entry="(\d+)"', second.text))
    assert 'id="older"' not in second.text
    assert 'id="newer"' in second.text
    filtered = client.get("/audit?analyst=carol")
    kept_filter = re.search(r'<a href="(/audit\?[^"]+)" id="older">', filtered.text)
    assert kept_filter is not None
    assert "analyst=carol" in kept_filter.group(1)


def test_hostile_details_are_escaped(client: DeskClient, desk_db: Path) -> None:
    with Store.open(desk_db) as store:
        kept.log(store, "eve", "link.note", case_id=CASE, target="<b>x</b>",
                 detail={"note": "<script>alert(1)</script>", '" onerror="x': 1})  # fmt: skip
    page = client.get("/audit").text
    assert "<script>alert(1)</script>" not in page
    assert "<b>x</b>" not in page
    assert 'onerror="x' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_targets_link_to_what_they_acted_on() -> None:
    assert target_href("c", "link:12:340:402:I3") == "/articles/12#s340"
    assert target_href("c", "case:v4") == "/cases/c/versions/4"
    assert target_href(None, "case:v4") is None
    assert target_href("c", "spelling:PERSON:x") is None


def test_the_desk_shows_who_rated_an_ach_cell_apart(client: DeskClient) -> None:
    page = client.get(f"/cases/{CASE}")
    assert page.status_code == 200
    ach = re.findall(r'<section id="ach">(.*?)</section>', page.text, re.S)[0]
    assert "±" in ach
    listed = re.findall(r'<ul class="ach-disagreements".*?</ul>', ach, re.S)[0]
    # The bundled file: anna rates M1 against H2 CC, ben C.
    m1_h2 = re.search(r"<li[^>]*>M1[^<]*× <strong>H2</strong>.*?</li>", listed, re.S)
    assert m1_h2 is not None
    assert "anna: CC" in m1_h2.group(0)
    assert "ben: C<" in m1_h2.group(0)


def test_ratings_saved_through_the_editor_are_attributed(client: DeskClient) -> None:
    original = bundled_case_path().read_text(encoding="utf-8")
    agreed = original.replace("ben: {H1: C, H2: C, H3: II}", "ben: {H1: C, H2: CC, H3: I}", 1)
    assert agreed != original
    with_dora = agreed.replace(
        "      ben: {H1: N, H2: C, H3: II}",
        "      ben: {H1: N, H2: C, H3: II}\n      dora: {H1: CC}",
    )
    assert with_dora != agreed
    _save_as(client, "anna", with_dora, 1)
    listed = re.findall(
        r'<ul class="ach-disagreements".*?</ul>', client.get(f"/cases/{CASE}").text, re.S
    )[0]
    assert not re.search(r"M1[^<]*× <strong>H2</strong>", listed)  # anna and ben agree now
    m2_h1 = re.search(r"<li[^>]*>M2[^<]*× <strong>H1</strong>.*?</li>", listed, re.S)
    assert m2_h1 is not None
    assert "dora: CC" in m2_h1.group(0)
