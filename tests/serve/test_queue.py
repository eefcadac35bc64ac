"""The review queue, through the application (no browser): the page, each kind of
decision, the analyst's own evidence, and what outlives relinking."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pytest
from markupsafe import escape
from tests.serve.conftest import CASE, DeskClient, csrf_of

from tocsin.assess.assessment import assess, load
from tocsin.assess.case import Case, bundled_case_path, load_case
from tocsin.assess.relink import relink
from tocsin.assess.score import Assessment, actor_model, score
from tocsin.models.assessment import LinkRow
from tocsin.serve import state
from tocsin.serve.pages.queue import marked_paragraph, span
from tocsin.serve.pages.queue_order import certainty
from tocsin.store import assessment as stored
from tocsin.store.db import Store
from tocsin.store.desk import audit_entries

QUEUE = f"/cases/{CASE}/queue"


def decision_url(link_id: int) -> str:
    return f"/cases/{CASE}/links/{link_id}/decision"


def case() -> Case:
    return load_case(bundled_case_path())


def links(db: Path) -> list[LinkRow]:
    with Store.open(db) as store:
        return stored.link_rows(store, CASE)


def fresh(db: Path) -> Assessment:
    """The case assessed by the library from what the store holds now."""
    with Store.open(db) as store:
        return assess(store, case())


def item_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-link-id="(\d+)"', html)]


def impacts_of(html: str) -> list[float]:
    return [float(found) for found in re.findall(r'data-impact="([^"]+)"', html)]


def post(client: DeskClient, url: str, data: object) -> Any:
    return client.post_json(url, data)


def set_analyst(client: DeskClient, name: str) -> None:
    reply = client.post(
        "/analyst", data={"analyst": name, "csrf": csrf_of(client)}, follow_redirects=False
    )
    assert reply.status_code == 303


def leader_support(a: Assessment) -> list[int]:
    """The links of the group of evidence that most supports the leader (the group the
    leader's probability drops most without), all pending."""
    group = next(g for g in a.sensitivity.tornado if g.delta > 0)
    pending = {r.id for r in a.evidence if r.kind == "link" and r.decision is None}
    assert set(group.members) <= pending
    return [int(m.removeprefix("L")) for m in group.members]


# -- the page ---------------------------------------------------------------------------------


def test_the_queue_lists_pending_links_with_their_whole_sentences(
    client: DeskClient, desk_db: Path
) -> None:
    page = client.get(QUEUE)
    assert page.status_code == 200
    stored_links = {r.id: r for r in links(desk_db)}
    pending = [r for r in stored_links.values() if r.decision is None]
    assert sorted(item_ids(page.text)) == sorted(r.id for r in pending)
    assert f'<span id="pending-count">{len(pending)}</span>' in page.text
    for link in pending[:10]:
        assert f"<mark>{escape(link.fields.text)}</mark>" in page.text
        assert f'href="/articles/{link.key.article_id}#s{link.key.start}"' in page.text
    assert 'id="bottom-sentence"' in page.text
    assert 'src="/static/queue.js"' in page.text
    assert "<kbd>a</kbd> accept" in page.text


def test_a_paragraph_is_escaped_around_its_mark() -> None:
    text = "First <b>para</b>.\n\nSay <script>x</script> now. Then more & more."
    start = text.index("Say")
    end = text.index(" Then")
    html = marked_paragraph(text, start, end)
    assert html == ("<mark>Say &lt;script&gt;x&lt;/script&gt; now.</mark> Then more &amp; more.")
    assert span(" ab ", 0, 4) == (1, 3)


def test_ordering_by_impact_puts_first_the_link_whose_rejection_moves_the_leader_most(
    client: DeskClient, desk_db: Path
) -> None:
    first = item_ids(client.get(QUEUE).text)[0]
    the_case = case()
    with Store.open(desk_db) as store:
        data = load(store, the_case)
    actors = actor_model(the_case)
    now = score(the_case, data, None, actors)
    leader = now.leader
    moved = {}
    for link in data.links:
        if link.decision is not None:
            continue
        rejected = [replace(r, decision="reject") if r.id == link.id else r for r in data.links]
        without = score(the_case, replace(data, links=rejected), None, actors)
        moved[link.id] = abs(
            now.posterior.probabilities[leader] - without.posterior.probabilities[leader]
        )
    assert first == max(moved, key=lambda k: moved[k])
    assert moved[first] > 0.01


def test_other_orders_and_views(client: DeskClient, desk_db: Path) -> None:
    by_id = {r.id: r for r in links(desk_db)}
    page = client.get(f"{QUEUE}?order=uncertainty").text
    unsure = item_ids(page)
    assert {by_id[i].fields.method for i in unsure} <= {"pattern", "pattern+embedding"}
    impacts = dict(zip(unsure, impacts_of(page), strict=True))
    # A pattern's certainty is its score; ties go to the larger impact.
    keys = [(by_id[i].fields.score, -abs(impacts[i])) for i in unsure]
    assert keys == sorted(keys)
    newest = item_ids(client.get(f"{QUEUE}?order=date").text)
    dates = [by_id[i].fields.published or "" for i in newest]
    assert dates == sorted(dates, reverse=True)
    assert client.get(f"{QUEUE}?order=loudness").status_code == 422
    assert client.get("/cases/no-such-case/queue").status_code == 404
    assert item_ids(client.get(f"{QUEUE}?show=decided").text) == []
    post(client, decision_url(newest[0]), {"decision": "reject"})
    assert item_ids(client.get(f"{QUEUE}?show=decided").text) == [newest[0]]
    assert newest[0] not in item_ids(client.get(QUEUE).text)
    assert len(item_ids(client.get(f"{QUEUE}?show=all").text)) == len(by_id)


def test_certainty_is_the_share_of_the_room_above_the_methods_bar(desk_db: Path) -> None:
    link = links(desk_db)[0]

    def scored(value: float, method: str) -> LinkRow:
        return replace(link, fields=replace(link.fields, score=value, method=method))

    bars = {link.key.indicator_id: 0.25}
    assert certainty(scored(0.85, "pattern"), bars) == pytest.approx(0.85)
    assert certainty(scored(0.70, "embedding"), bars) == pytest.approx(0.0)
    assert certainty(scored(0.85, "embedding"), bars) == pytest.approx(0.5)
    assert certainty(scored(0.625, "model"), bars) == pytest.approx(0.5)
    assert certainty(scored(1.0, "analyst"), bars) == pytest.approx(1.0)


# -- decisions ----------------------------------------------------------------------------------


def test_rejecting_the_leaders_support_lowers_it_as_the_library_says(
    client: DeskClient, desk_db: Path
) -> None:
    before = fresh(desk_db)
    support = leader_support(before)
    reply: Any = None
    for link_id in support:
        reply = post(client, decision_url(link_id), {"decision": "reject"})
        assert reply.status_code == 200, reply.text
    body = reply.json()
    after = fresh(desk_db)
    leader = before.leader
    assert body["summary"]["posterior"][leader] < before.posterior.probabilities[leader]
    assert body["summary"]["posterior"] == pytest.approx(after.posterior.probabilities)
    assert (
        body["summary"]["bottom_line"]
        == client.get(f"/cases/{CASE}/summary.json").json()["bottom_line"]
    )
    assert body["link"]["decision"] == "reject"
    assert body["link"]["in_force"]["counted"] is False
    assert body["pending"] == len([r for r in links(desk_db) if r.decision is None])
    assert {r.id: r.decision for r in links(desk_db)}[support[0]] == "reject"


def test_a_decision_and_the_queue_after_it_score_the_last_day_only(
    client: DeskClient, desk_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bottom line a decision's reply, summary.json and the queue show needs the
    trajectory's last day only; the desk page scores the whole, and agrees with them."""
    asked: list[str] = []

    def recorded(*args: Any, days: Literal["all", "last"] = "all", **kwargs: Any) -> Assessment:
        asked.append(days)
        kwargs["days"] = days
        return score(*args, **kwargs)

    monkeypatch.setattr(state, "score", recorded)
    target = leader_support(fresh(desk_db))[0]
    reply = post(client, decision_url(target), {"decision": "reject"})
    assert reply.status_code == 200, reply.text
    assert client.get(QUEUE).status_code == 200
    summary = client.get(f"/cases/{CASE}/summary.json").json()
    assert set(asked) == {"last"}
    assert summary == reply.json()["summary"]
    assert client.get(f"/cases/{CASE}").status_code == 200
    assert asked[-1] == "all"
    assert client.get(f"/cases/{CASE}/summary.json").json() == summary  # the whole agrees


def test_a_decisions_reply_brings_every_impact_up_to_date(
    client: DeskClient, desk_db: Path
) -> None:
    target = leader_support(fresh(desk_db))[0]
    reply = post(client, decision_url(target), {"decision": "reject"}).json()
    impacts = reply["impacts"]
    assert f"L{target}" not in impacts  # rejected: it moves nothing now
    html = client.get(QUEUE + "?show=all&limit=500").text
    shown = dict(zip(item_ids(html), impacts_of(html), strict=True))
    assert shown[target] == 0.0
    for link_id, impact in shown.items():
        assert impacts.get(f"L{link_id}", 0.0) == pytest.approx(impact, abs=1e-6)
    assert any(v != 0.0 for v in impacts.values())


def test_a_decision_withdrawn_leaves_the_link_pending_as_before(
    client: DeskClient, desk_db: Path
) -> None:
    before = fresh(desk_db)
    target = leader_support(before)[0]
    first = post(client, decision_url(target), {"decision": "reject"}).json()
    back = post(client, decision_url(target), {"decision": "withdraw"})
    assert back.status_code == 200, back.text
    body = back.json()
    assert body["link"]["decision"] is None
    assert body["pending"] == first["pending"] + 1
    assert body["summary"]["posterior"] == pytest.approx(before.posterior.probabilities)
    assert {r.id: r.decision for r in links(desk_db)}[target] is None
    with Store.open(desk_db) as store:
        actions = [e.action for e in audit_entries(store, case_id=CASE)]
    assert "link.withdraw" in actions
    again = post(client, decision_url(target), {"decision": "withdraw"})
    assert again.status_code == 422
    assert "no decision to withdraw" in again.json()["error"]


def test_accept_relink_flip_and_a_note(client: DeskClient, desk_db: Path) -> None:
    pending = [r for r in links(desk_db) if r.decision is None]
    one, two, three = pending[0], pending[1], pending[2]
    other = next(i.id for i in case().indicators if i.id != two.key.indicator_id)

    accepted = post(client, decision_url(one.id), {"decision": "accept", "note": "read it"})
    assert accepted.status_code == 200
    assert accepted.json()["link"]["state"] == "accepted"

    relinked = post(client, decision_url(two.id), {"decision": "relink", "new_indicator": other})
    assert relinked.json()["link"]["in_force"]["indicator"] == other

    flipped = post(client, decision_url(three.id), {"decision": "flip"})
    opposite = "seen" if three.fields.polarity == "negated" else "negated"
    assert flipped.json()["link"]["in_force"]["polarity"] == opposite
    again = post(client, decision_url(two.id), {"decision": "flip"})
    assert again.json()["link"]["decision"] == "relink"  # a flip keeps the relink

    noted = post(client, decision_url(one.id), {"note": "read it twice"})
    assert noted.status_code == 200
    now = {r.id: r for r in links(desk_db)}
    assert (now[one.id].decision, now[one.id].note) == ("accept", "read it twice")
    assert (now[two.id].decision, now[two.id].new_indicator) == ("relink", other)
    assert now[two.id].decided_polarity is not None
    assert (now[three.id].decision, now[three.id].decided_polarity) == ("accept", opposite)
    after = fresh(desk_db)
    assert noted.json()["summary"]["posterior"] == pytest.approx(after.posterior.probabilities)
    rows = {r.id: r for r in after.evidence}
    assert rows[f"L{two.id}"].indicator == other
    assert rows[f"L{three.id}"].polarity == opposite


def test_impossible_decisions_are_refused_clearly(client: DeskClient, desk_db: Path) -> None:
    link = next(r for r in links(desk_db) if r.decision is None)
    unknown = post(client, decision_url(link.id), {"decision": "relink", "new_indicator": "x"})
    assert unknown.status_code == 422
    assert "no indicator of case" in unknown.json()["error"]
    assert post(client, decision_url(link.id), {"decision": "maybe"}).status_code == 422
    assert (
        post(client, decision_url(link.id), {"decision": "accept", "polarity": "up"}).status_code
        == 422
    )
    alone = post(client, decision_url(link.id), {"note": "a thought"})
    assert alone.status_code == 422
    assert "goes with a decision" in alone.json()["error"]
    assert post(client, decision_url(999_999), {"decision": "accept"}).status_code == 404
    headers = {"X-CSRF-Token": csrf_of(client), "Content-Type": "application/json"}
    broken = client.post(decision_url(link.id), content=b"{not json", headers=headers)
    assert broken.status_code == 422
    assert {r.id: r.decision for r in links(desk_db)}[link.id] is None


def test_a_request_without_the_csrf_token_is_refused(client: DeskClient, desk_db: Path) -> None:
    link = links(desk_db)[0]
    assert client.post(decision_url(link.id), json={"decision": "reject"}).status_code == 403
    evidence = {"article_id": 1, "start": 0, "end": 30, "indicator": "exercises"}
    assert client.post(f"/cases/{CASE}/evidence", json=evidence).status_code == 403
    assert links(desk_db)[0].decision is None


def test_a_decision_outlives_relinking(client: DeskClient, desk_db: Path) -> None:
    link = leader_support(fresh(desk_db))[0]
    key = {r.id: r.key for r in links(desk_db)}[link]
    assert post(client, decision_url(link), {"decision": "reject"}).status_code == 200
    with Store.open(desk_db) as store:
        relink(store, case(), None)
    again = {r.key: r for r in links(desk_db)}[key]
    assert again.decision == "reject"
    assert f"L{again.id}" not in {r.id for r in fresh(desk_db).evidence}
    summary = client.get(f"/cases/{CASE}/summary.json").json()
    assert summary["posterior"] == pytest.approx(fresh(desk_db).posterior.probabilities)


def test_the_audit_log_records_who_decided_and_the_page_shows_disagreement(
    client: DeskClient, desk_db: Path
) -> None:
    link = next(r for r in links(desk_db) if r.decision is None)
    set_analyst(client, "maria")
    post(client, decision_url(link.id), {"decision": "accept", "note": "<script>x</script>"})
    set_analyst(client, "tomas")
    post(client, decision_url(link.id), {"decision": "reject"})
    with Store.open(desk_db) as store:
        entries = audit_entries(store, case_id=CASE)
    mine = [(e.analyst, e.action) for e in entries if e.detail.get("link") == link.id]
    assert mine == [("tomas", "link.reject"), ("maria", "link.accept")]
    assert all(e.at for e in entries)
    assert {r.id: r.analyst for r in links(desk_db)}[link.id] == "tomas"
    page = client.get(f"{QUEUE}?show=decided").text
    assert "rejected by tomas at " in page
    assert '<span class="verdict-chip">maria: accept</span>' in page
    assert '<p class="verdicts disagree"' in page
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page  # the note, kept with the reject
    chip = '<span class="verdict-chip">tomas: reject</span>'
    assert chip in client.get(f"/cases/{CASE}").text  # the desk lists the disagreement
    # tomas takes his decision back: he holds no verdict now, so nobody disagrees.
    assert post(client, decision_url(link.id), {"decision": "withdraw"}).status_code == 200
    page = client.get(f"{QUEUE}?show=all&limit=500").text
    assert '<p class="verdicts disagree"' not in page
    assert chip not in client.get(f"/cases/{CASE}").text


# -- the analyst's own evidence -----------------------------------------------------------------


def missed_sentence(db: Path) -> tuple[int, int, int, str]:
    """A sentence of a stored article that no link of the case points at."""
    linked = {(r.key.article_id, r.key.start) for r in links(db)}
    with Store.open(db) as store:
        article = next(iter(store.articles(include_duplicates=False)))
        rows = store.conn.execute(
            'SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY start',
            (article.id,),
        ).fetchall()
    for start, end in rows:
        if (article.id, start) not in linked and end - start > 40:
            return article.id, start, end, article.text[start:end]
    raise AssertionError("every sentence of the first article is linked")


def test_a_missed_sentence_added_as_evidence_counts_and_survives_relinking(
    client: DeskClient, desk_db: Path
) -> None:
    article_id, start, end, text = missed_sentence(desk_db)
    before = fresh(desk_db)
    evidence = {
        "article_id": article_id,
        "start": start,
        "end": end,
        "indicator": "public-opposition",
        "polarity": "seen",
        "note": "the linker missed it",
    }
    reply = post(client, f"/cases/{CASE}/evidence", evidence)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["link"]["method"], body["link"]["decision"]) == ("analyst", "accept")
    assert body["link"]["text"] == text
    assert body["summary"]["evidence"] == len(before.evidence) + 1

    def counted(a: Assessment) -> bool:
        return any(
            (r.article_id, r.start, r.indicator, r.decision)
            == (article_id, start, "public-opposition", "accept")
            for r in a.evidence
        )

    assert counted(fresh(desk_db))
    assert body["summary"]["posterior"] == pytest.approx(fresh(desk_db).posterior.probabilities)
    with Store.open(desk_db) as store:
        relink(store, case(), None)
        actions = [e.action for e in audit_entries(store, case_id=CASE)]
    assert "link.add" in actions
    kept = [r for r in links(desk_db) if (r.key.article_id, r.key.start) == (article_id, start)]
    assert [(r.key.indicator_id, r.decision) for r in kept] == [("public-opposition", "accept")]
    assert counted(fresh(desk_db))


def test_evidence_outside_the_text_or_for_no_indicator_is_refused(
    client: DeskClient, desk_db: Path
) -> None:
    article_id, start, end, _ = missed_sentence(desk_db)
    url = f"/cases/{CASE}/evidence"
    good = {"article_id": article_id, "start": start, "end": end, "indicator": "exercises"}
    outside = post(client, url, {**good, "end": 10_000_000})
    assert outside.status_code == 422
    assert "not inside the article" in outside.json()["error"]
    assert post(client, url, {**good, "indicator": "nothing"}).status_code == 422
    assert post(client, url, {**good, "start": "0"}).status_code == 422
    assert post(client, url, {**good, "polarity": "maybe"}).status_code == 422
    assert post(client, url, {**good, "article_id": 999_999}).status_code == 404
    assert not any(r.fields.method == "analyst" for r in links(desk_db))


def test_evidence_the_linker_already_made_is_that_link_accepted(
    client: DeskClient, desk_db: Path
) -> None:
    before = links(desk_db)
    link = next(r for r in before if r.decision is None)
    k = link.key
    evidence = {"article_id": k.article_id, "start": k.start, "end": k.end,
                "indicator": k.indicator_id, "polarity": "negated"}  # fmt: skip
    reply = post(client, f"/cases/{CASE}/evidence", evidence)
    assert reply.status_code == 201
    assert reply.json()["link"]["id"] == link.id
    now = {r.id: r for r in links(desk_db)}
    assert now.keys() == {r.id for r in before}
    assert (now[link.id].decision, now[link.id].decided_polarity) == ("accept", "negated")
    assert now[link.id].fields == link.fields  # the linker's link, kept as it was
