"""The case editor and the case file's versions, through the application (no browser)."""

from __future__ import annotations

import difflib
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.serve.conftest import CASE, DeskClient, csrf_of

from tocsin.assess.case import bundled_case_path, parse_case
from tocsin.errors import InvalidInput
from tocsin.serve.pages.casefile import diff_lines, faults
from tocsin.store import assessment as stored
from tocsin.store import desk as kept
from tocsin.store.db import Store

EDIT = f"/cases/{CASE}/edit"
QUESTION = (
    "question: >-\n  Will Belarus's armed forces take part in ground combat against Ukraine by\n"
    "  31 December 2023?\n"
)
OLD_PATTERN = "      - '\\bregional (force )?group(ing)?\\b'\n"
NEW_PATTERN = "      - '\\bunion state army\\b'\n"


@pytest.fixture
def original() -> str:
    """The bundled case file: the store's version 1 of the case."""
    return bundled_case_path().read_text(encoding="utf-8")


def _save(client: DeskClient, text: str, base: int, note: str = "", **form: str) -> object:
    data = {"csrf": csrf_of(client), "text": text, "base_version": str(base), "note": note}
    return client.post(EDIT, data={**data, **form}, follow_redirects=False)


def _versions(db: Path) -> list[kept.CaseVersion]:
    with Store.open(db) as store:
        return kept.case_versions(store, CASE)


def _textarea(page: str) -> str:
    found = re.search(r'<textarea id="case-text"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert found, "the editor has its textarea"
    return html.unescape(found.group(1))


def _set_analyst(client: DeskClient, name: str) -> None:
    reply = client.post("/analyst", data={"csrf": csrf_of(client), "analyst": name})
    assert reply.status_code == 200


def test_the_editor_shows_the_newest_version(client: DeskClient, original: str) -> None:
    page = client.get(EDIT)
    assert page.status_code == 200
    assert _textarea(page.text) == original
    assert "case file v1, saved" in page.text
    assert 'name="base_version" value="1"' in page.text
    assert 'id="save"' in page.text
    assert 'id="link-notice"' not in page.text  # the links were made from this very file
    assert client.get("/cases/no-such-case/edit").status_code == 404


def test_faults_name_key_and_line_and_keep_the_text(
    client: DeskClient, desk_db: Path, original: str
) -> None:
    bad = original.replace("question:", "questionn:", 1).replace(
        "deadline: 2022-12-31", "deadline: 2022-13-45", 1
    )
    assert bad.count("questionn:") == 1
    assert "2022-13-45" in bad
    reply = _save(client, bad, 1)
    assert reply.status_code == 422
    with pytest.raises(InvalidInput) as printed:  # what `tocsin case check` prints
        parse_case(bad, "case file")
    lines = str(printed.value).splitlines()
    assert html.escape(lines[0], quote=False) in reply.text
    listed = re.findall(r'<ul id="faults">(.*?)</ul>', reply.text, re.S)[0]
    for fault in lines[1:]:
        assert html.escape(fault.strip()) in listed
    key_line = bad.splitlines().index(next(x for x in bad.splitlines() if "questionn" in x)) + 1
    assert f'<a href="#L{key_line}" data-line="{key_line}">' in listed
    assert f"questionn (line {key_line}): Extra inputs are not permitted" in listed
    assert "is not a valid date" in listed
    assert f'<tr id="L{key_line}" class="faulty">' in reply.text
    assert _textarea(reply.text) == bad  # nothing the analyst wrote is lost
    assert len(_versions(desk_db)) == 1


def test_a_yaml_error_is_a_fault_with_its_line(client: DeskClient, desk_db: Path) -> None:
    reply = _save(client, "id: belarus-2022\nquestion: [unclosed\n", 1)
    assert reply.status_code == 422
    fault = re.findall(r'<ul id="faults">(.*?)</ul>', reply.text, re.S)[0]
    assert "not valid YAML" in fault
    assert re.search(r'href="#L\d+"', fault)
    assert _textarea(reply.text) == "id: belarus-2022\nquestion: [unclosed\n"
    assert len(_versions(desk_db)) == 1


def test_a_file_naming_another_case_is_refused(client: DeskClient, original: str) -> None:
    renamed = original.replace(f"id: {CASE}", "id: another-case", 1)
    reply = _save(client, renamed, 1)
    assert reply.status_code == 422
    line = renamed.splitlines().index("id: another-case") + 1
    assert f"id (line {line}): this file is case &#39;another-case&#39;" in reply.text
    assert client.get("/cases/another-case").status_code == 404


def test_a_good_save_makes_the_next_version_and_its_diff(
    client: DeskClient, desk_db: Path, original: str
) -> None:
    _set_analyst(client, "Dana")
    edited = original.replace(OLD_PATTERN, OLD_PATTERN + NEW_PATTERN, 1)
    edited = edited.replace("  Will Belarus's armed", "  Shall Belarus's armed", 1)
    assert edited.count("Shall Belarus") == 1
    # A browser sends the textarea's lines ended by CR LF: the file keeps LF.
    reply = _save(client, edited.replace("\n", "\r\n"), 1, note="a pattern for the army")
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/cases/{CASE}/versions/2?saved=1"
    newest = _versions(desk_db)[0]
    assert (newest.version, newest.text, newest.analyst) == (2, edited, "Dana")
    assert (newest.origin, newest.note) == ("desk", "a pattern for the army")

    page = client.get(reply.headers["location"])
    assert page.status_code == 200
    assert "Saved as version 2." in page.text
    table = re.findall(r'<table class="diff" id="diff">(.*?)</table>', page.text, re.S)[0]
    assert re.search(r'<tr class="add">.*union state army', table)
    assert re.search(r'<tr class="del">.*Will Belarus', table)
    assert re.search(r'<tr class="add">.*Shall Belarus', table)
    assert "Indicators changed: relink to apply" in page.text
    listing = client.get(f"/cases/{CASE}/versions")
    assert re.search(r">v2</a>.*?Dana.*?a pattern for the army", listing.text, re.S)
    assert "Shall Belarus" in client.get(f"/cases/{CASE}").text  # the desk reads it at once


def test_saving_the_same_text_adds_no_version(
    client: DeskClient, desk_db: Path, original: str
) -> None:
    reply = _save(client, original, 1, note="no change")
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/cases/{CASE}/versions/1?unchanged=1"
    assert "no version was added" in client.get(reply.headers["location"]).text
    assert len(_versions(desk_db)) == 1
    with Store.open(desk_db) as store:
        assert len(kept.audit_entries(store, action="case.save")) == 1


def test_a_stale_base_version_is_refused_with_the_diff(
    client: DeskClient, desk_db: Path, original: str
) -> None:
    theirs = original.replace("  Will Belarus's armed", "  THEIRS Will Belarus's armed", 1)
    mine = original.replace(OLD_PATTERN, OLD_PATTERN + NEW_PATTERN, 1)
    assert _save(client, theirs, 1).status_code == 303
    reply = _save(client, mine, 1, note="mine")
    assert reply.status_code == 409
    assert "someone saved version 2 since you opened version 1" in reply.text
    table = re.findall(r'<table class="diff" id="diff">(.*?)</table>', reply.text, re.S)[0]
    assert re.search(r'<tr class="del">.*THEIRS Will Belarus', table)
    assert re.search(r'<tr class="add">.*union state army', table)
    assert _textarea(reply.text) == mine
    assert 'name="base_version" value="2"' in reply.text  # saving again is a choice
    assert [v.version for v in _versions(desk_db)] == [2, 1]
    assert _save(client, mine, 2).headers["location"] == f"/cases/{CASE}/versions/3?saved=1"


def test_the_store_refuses_a_stale_base_in_the_same_transaction(desk_db: Path) -> None:
    with Store.open(desk_db) as store:
        first = kept.case_file(store, CASE)
        assert first is not None
        ours = kept.save_case_file(store, CASE, first.text + "# ours\n", origin="desk", base=1)
        assert ours.version == 2
        late = kept.save_case_file(store, CASE, first.text + "# late\n", origin="desk", base=1)
        assert (late.version, late.text) == (2, ours.text)
        assert (
            kept.save_case_file(store, "fresh", "id: fresh\n", origin="desk", base=0).version == 1
        )


def test_forms_without_the_csrf_token_are_refused(
    client: DeskClient, desk_db: Path, original: str
) -> None:
    edited = original + "# more\n"
    refused = client.post(EDIT, data={"text": edited, "base_version": "1"})
    assert refused.status_code == 403
    assert client.post(f"/cases/{CASE}/relink", data={}).status_code == 403
    assert client.post("/new-case", data={"text": edited, "base_version": "0"}).status_code == 403
    assert len(_versions(desk_db)) == 1


def test_changed_patterns_ask_for_a_relink_and_likelihoods_do_not(
    client: DeskClient, desk_db: Path, original: str
) -> None:
    with Store.open(desk_db) as store:  # a decision after linking: the linker learns it
        link = stored.link_rows(store, CASE)[0]
        stored.decide(store, CASE, link.id, "reject", analyst="ben")
    likelihoods = original.replace("{H1: 0.85, H2: 0.60, H3: 0.03}", "{H1: 0.8, H2: 0.6, H3: 0.05}")
    assert likelihoods != original
    assert _save(client, likelihoods, 1).status_code == 303
    assert 'id="link-notice"' not in client.get(EDIT).text

    patterns = likelihoods.replace(OLD_PATTERN, OLD_PATTERN + NEW_PATTERN, 1)
    assert _save(client, patterns, 2).status_code == 303
    page = client.get(EDIT)
    assert "Indicators changed: relink to apply" in page.text
    assert "joint-grouping (changed)" in page.text
    assert "With patterns only" in page.text
    relinked = client.post(
        f"/cases/{CASE}/relink", data={"csrf": csrf_of(client)}, follow_redirects=False
    )
    assert relinked.status_code == 303
    after = client.get(relinked.headers["location"])
    assert 'id="relinked"' in after.text
    assert 'id="link-notice"' not in after.text
    with Store.open(desk_db) as store:
        (entry,) = kept.audit_entries(store, action="case.relink")
        assert stored.link_rows(store, CASE)  # the links are back, from version 3
    assert (entry.analyst, entry.target, entry.detail["embedder"]) == ("analyst", "case:v3", "none")


def test_versions_download_and_compare(client: DeskClient, original: str) -> None:
    edited = original + "# a comment\n"
    assert _save(client, edited, 1).status_code == 303
    download = client.get(f"/cases/{CASE}/versions/2.yaml")
    assert download.status_code == 200
    assert download.text == edited
    assert 'filename="belarus-2022-v2.yaml"' in download.headers["content-disposition"]
    first = client.get(f"/cases/{CASE}/versions/1")
    assert "The first version" in first.text
    against = client.get(f"/cases/{CASE}/versions/1?against=2")
    assert re.search(r'<tr class="del">.*# a comment', against.text)
    assert client.get(f"/cases/{CASE}/versions/9").status_code == 404
    assert client.get(f"/cases/{CASE}/versions/2?against=9").status_code == 404
    assert client.get(f"/cases/{CASE}/versions/2?against=x").status_code == 422


def test_a_new_case_starts_from_the_template(client: DeskClient, desk_db: Path) -> None:
    blank = client.get("/new-case")
    assert blank.status_code == 200
    text = _textarea(blank.text)
    assert "id: my-case" in text
    data = {"csrf": csrf_of(client), "text": text, "base_version": "0"}
    made = client.post("/new-case", data=data, follow_redirects=False)
    assert made.status_code == 303
    assert made.headers["location"] == "/cases/my-case/versions/1?saved=1"
    again = client.post("/new-case", data=data, follow_redirects=False)
    assert again.status_code == 409
    assert "the store has a case &#39;my-case&#39; already" in again.text
    assert 'href="/cases/my-case"' in client.get("/").text
    assert "This case has no links yet" in client.get("/cases/my-case/edit").text


HOSTILE = ("<script>alert(1)</script>", '" onerror="alert(1)', "javascript:alert(1)")


def test_hostile_strings_in_a_case_file_are_escaped(client: DeskClient, original: str) -> None:
    question = f"{HOSTILE[0]} {HOSTILE[1]} {HOSTILE[2]}"
    assert QUESTION in original
    hostile = original.replace(QUESTION, f"question: {question!r}\n", 1)
    hostile = hostile.replace("title: ", f"title: {HOSTILE[1]!r} # ", 1)
    parsed = parse_case(hostile)
    assert parsed.question == question
    assert parsed.hypotheses[0].title == HOSTILE[1]
    saved = _save(client, hostile, 1, note=HOSTILE[0])
    assert saved.status_code == 303
    pages = [
        EDIT,
        f"/cases/{CASE}/versions",
        f"/cases/{CASE}/versions/2",
        f"/cases/{CASE}",
        "/",
        "/audit",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert HOSTILE[0] not in page.text, url
        assert 'onerror="alert' not in page.text, url
        assert 'href="javascript:' not in page.text.lower(), url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, url


def test_faults_parses_what_case_check_prints() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_case("id: x\nquestion: q\nbogus: 1\nhypotheses: []\n", "case file")
    header, found = faults(str(caught.value))
    assert header.endswith("error(s)")
    by_key = {f.key: f.line for f in found}
    assert by_key["bogus"] == 3
    assert all(f.text in str(caught.value) for f in found)


lines = st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(lines, lines)
def test_the_diff_rows_are_difflibs_unified_diff(old: list[str], new: list[str]) -> None:
    a, b = "\n".join(old), "\n".join(new)
    rows = diff_lines(a, b)
    sign = {"hunk": "", "add": "+", "del": "-", "same": " "}
    ours = [sign[r.kind] + r.text for r in rows]
    theirs = list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))[2:]
    assert ours == theirs
    for r in rows:  # every row's line numbers point at its line
        if r.old is not None:
            assert a.splitlines()[r.old - 1] == r.text
        if r.new is not None:
            assert b.splitlines()[r.new - 1] == r.text


def test_the_desks_own_posts_carry_their_origin(client: DeskClient) -> None:
    # Under "no-referrer" a browser sends "Origin: null" with a same-origin form post or
    # fetch, and the CSRF check refuses it: the editor's forms would never save.
    assert client.get(EDIT).headers["referrer-policy"] == "same-origin"


@pytest.mark.slow
def test_a_desk_with_the_embedding_model_relinks_as_tocsin_assess_does(
    desk_db: Path, tmp_path: Path
) -> None:
    from tocsin.assess.embed import MODEL_ID, Embedder
    from tocsin.assess.relink import relink
    from tocsin.serve.app import Settings, create_app

    other = tmp_path / "cli.db"
    other.write_bytes(desk_db.read_bytes())
    app = create_app(Settings(db=desk_db, embeddings=True))
    with DeskClient(app, base_url="http://127.0.0.1") as client:
        done = client.post(
            f"/cases/{CASE}/relink", data={"csrf": csrf_of(client)}, follow_redirects=False
        )
        assert done.status_code == 303
    case = parse_case(bundled_case_path().read_text(encoding="utf-8"), CASE)
    with Store.open(other) as store:
        relink(store, case, Embedder(threads=1))
        expected = {(r.key, r.fields) for r in stored.link_rows(store, CASE)}
    with Store.open(desk_db) as store:
        made = {(r.key, r.fields) for r in stored.link_rows(store, CASE)}
        (entry,) = kept.audit_entries(store, action="case.relink")
    assert made == expected
    assert any(r[1].method == "embedding" for r in made)  # linked by meaning too
    assert entry.detail["embedder"] == MODEL_ID
