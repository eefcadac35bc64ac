"""The entity pages, and the analysts' merges and splits: applied to the stored records at
once, kept as spelling overrides, logged, and kept by a re-extraction."""

from __future__ import annotations

import re
from pathlib import Path

from tests.serve.conftest import DeskClient, csrf_of

from tocsin.extract.run import extract
from tocsin.store import desk as kept
from tocsin.store.db import Store


def _one(db: Path, sql: str, *args: object) -> object:
    with Store.open(db) as store:
        row = store.conn.execute(sql, args).fetchone()
    return None if row is None else row[0]


def _all(db: Path, sql: str, *args: object) -> set[object]:
    with Store.open(db) as store:
        return {r[0] for r in store.conn.execute(sql, args).fetchall()}


def _entity(db: Path, canonical: str) -> int:
    found = _one(db, "SELECT id FROM entities WHERE canonical = ?", canonical)
    assert isinstance(found, int), f"no entity {canonical!r}"
    return found


def test_the_list_counts_spellings_mentions_and_quotes(client: DeskClient, desk_db: Path) -> None:
    luka = _entity(desk_db, "Alexander Lukashenko")
    html = client.get("/entities").text
    row = re.search(rf'<tr data-entity-id="{luka}">(.*?)</tr>', html, re.S)
    assert row is not None
    numbers = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row.group(1))]
    assert numbers == [
        luka,
        _one(desk_db, "SELECT count(*) FROM entity_spellings WHERE entity_id = ?", luka),
        _one(desk_db, "SELECT count(*) FROM mentions WHERE entity_id = ?", luka),
        _one(desk_db, "SELECT count(*) FROM quotes WHERE speaker_entity_id = ?", luka),
    ]
    first = re.search(r'<tr data-entity-id="(\d+)">', html)
    assert first is not None
    assert int(first.group(1)) == luka  # the most mentioned first


def test_the_list_is_searchable_by_spelling_and_label(client: DeskClient, desk_db: Path) -> None:
    found = client.get("/entities?q=LUKASHENKA").text  # any spelling, any case
    assert re.findall(r'<tr data-entity-id="(\d+)">', found) == [
        str(_entity(desk_db, "Alexander Lukashenko"))
    ]
    places = client.get("/entities?label=GPE").text
    labels = set(re.findall(r"</a></td><td>([A-Z]+)</td>", places))
    assert labels == {"GPE"}
    assert "No entity matches" in client.get("/entities?q=zzzqqq").text


def test_an_entity_page_shows_spellings_mentions_and_quotes(
    client: DeskClient, desk_db: Path
) -> None:
    luka = _entity(desk_db, "Alexander Lukashenko")
    page = client.get(f"/entities/{luka}")
    assert page.status_code == 200
    html = page.text
    for spelling in _all(
        desk_db, "SELECT spelling FROM entity_spellings WHERE entity_id = ?", luka
    ):
        assert f"<td>{spelling}</td>" in html
    assert (
        html.count('class="inline split-form"')
        == len(_all(desk_db, "SELECT spelling FROM entity_spellings WHERE entity_id = ?", luka)) - 1
    )  # every spelling but the canonical name can be split off
    assert html.count("<mark>") >= 2 * 50  # a page of mentions and one of quotes
    assert 'rel="next"' in html  # 94 mentions: more than one page
    assert client.get("/entities/99999").status_code == 404


def test_merge_moves_everything_and_is_kept_and_logged(client: DeskClient, desk_db: Path) -> None:
    kremlin, russia = _entity(desk_db, "Kremlin"), _entity(desk_db, "Russia")
    moved = _all(desk_db, "SELECT id FROM mentions WHERE entity_id = ?", kremlin)
    assert moved
    reply = client.post(
        f"/entities/{kremlin}/merge",
        data={"csrf": csrf_of(client), "into": str(russia)},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/entities/{russia}"
    assert client.get(f"/entities/{kremlin}").status_code == 404
    assert moved <= _all(desk_db, "SELECT id FROM mentions WHERE entity_id = ?", russia)
    assert "kremlin" in _all(
        desk_db, "SELECT normal FROM entity_spellings WHERE entity_id = ?", russia
    )
    with Store.open(desk_db) as store:
        overrides = kept.spelling_overrides(store)
        log = kept.audit_entries(store)
    assert ("kremlin", "ORG", "Russia", "merge", "analyst") in {
        (o.spelling, o.label, o.canonical, o.kind, o.analyst) for o in overrides
    }
    assert any(e.action == "entity.merge" and e.analyst == "analyst" for e in log)


def test_split_makes_an_entity_of_one_spelling(client: DeskClient, desk_db: Path) -> None:
    luka = _entity(desk_db, "Alexander Lukashenko")
    written = _all(
        desk_db, "SELECT id FROM mentions WHERE entity_id = ? AND text = ?", luka, "Lukashenka"
    )
    assert written
    reply = client.post_json(f"/entities/{luka}/split", {"spelling": "Lukashenka"})
    assert reply.status_code == 200
    found = reply.json()["entity"]
    assert found["canonical"] == "Lukashenka"
    assert found["label"] == "PERSON"
    assert written == _all(desk_db, "SELECT id FROM mentions WHERE entity_id = ?", found["id"])
    assert "lukashenka" not in _all(
        desk_db, "SELECT normal FROM entity_spellings WHERE entity_id = ?", luka
    )
    assert (
        _one(desk_db, "SELECT kind FROM spelling_overrides WHERE spelling = 'lukashenka'")
        == "split"
    )


def test_merges_and_splits_survive_a_re_extraction(client: DeskClient, desk_db: Path) -> None:
    kremlin, russia = _entity(desk_db, "Kremlin"), _entity(desk_db, "Russia")
    luka = _entity(desk_db, "Alexander Lukashenko")
    assert client.post_json(f"/entities/{kremlin}/merge", {"into": russia}).status_code == 200
    split = client.post_json(f"/entities/{luka}/split", {"spelling": "Lukashenka"})
    lukashenka = split.json()["entity"]["id"]
    with Store.open(desk_db) as store:
        assert extract(store, workers=1, redo=True).processed == 5
    # The rules alone would give 'Kremlin' (ORG) an entity of its own again, and put
    # 'Lukashenka' back with the 'Alexander Lukashenka' of the same article.
    assert _all(desk_db, "SELECT entity_id FROM mentions WHERE text = 'Kremlin'") == {russia}
    assert _one(desk_db, "SELECT count(*) FROM entities WHERE canonical = 'Kremlin'") == 0
    assert _all(desk_db, "SELECT entity_id FROM mentions WHERE text = 'Lukashenka'") == {lukashenka}
    assert "lukashenka" not in _all(
        desk_db, "SELECT normal FROM entity_spellings WHERE entity_id = ?", luka
    )
    assert _one(desk_db, "SELECT canonical FROM entities WHERE id = ?", lukashenka) == "Lukashenka"
    assert _all(
        desk_db, "SELECT speaker_entity_id FROM quotes WHERE speaker_text = 'Lukashenka'"
    ) == {lukashenka}
    assert _all(desk_db, "SELECT entity_id FROM mentions WHERE text = 'Alexander Lukashenko'") == {
        luka
    }


def test_a_wrong_merge_or_split_is_refused_with_the_reason(
    client: DeskClient, desk_db: Path
) -> None:
    luka = _entity(desk_db, "Alexander Lukashenko")
    cases = [
        (f"/entities/{luka}/merge", {"into": luka}, 422, "into itself"),
        (f"/entities/{luka}/merge", {"into": 99999}, 404, "no entity 99999"),
        (f"/entities/{luka}/merge", {"into": "Putin"}, 422, "must be an entity id"),
        (f"/entities/{luka}/split", {"spelling": "Alexander Lukashenko"}, 422, "canonical name"),
        (f"/entities/{luka}/split", {"spelling": "Putin"}, 422, "is not a spelling"),
        (f"/entities/{luka}/split", {}, 422, "spelling is required"),
        ("/entities/99999/split", {"spelling": "x"}, 404, "no entity 99999"),
    ]
    for url, data, status, words in cases:
        reply = client.post_json(url, data)
        assert reply.status_code == status, url
        assert words in reply.json()["error"]
    assert _one(desk_db, "SELECT count(*) FROM spelling_overrides") == 0
    unsigned = client.post(f"/entities/{luka}/merge", data={"into": "1"})
    assert unsigned.status_code == 403
