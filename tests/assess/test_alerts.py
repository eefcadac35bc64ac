"""Alert evaluation: each kind fires when its rule is met and not otherwise, carries the
sentences behind it, and makes the same key from the same two assessments.

The demo case is assessed as of 2022-05-20, 2022-06-27 and on all its evidence, its links
made by the rules linker: P(H2) rises at each. The rules that read figures are written in
code from the assessments' own figures, so that a change to the linker or to the demo's
numbers does not silently stop them from firing. A small case entered by hand gives a
change of leader, which the demo never has."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tocsin.assess import alerts as alerts_module
from tocsin.assess.alert_rules import AlertRule, rate_limits
from tocsin.assess.alerts import evaluate, largest_move
from tocsin.assess.assessment import assess
from tocsin.assess.case import Case, bundled_case_path, parse_case
from tocsin.assess.relink import relink
from tocsin.assess.score import Assessment, CaseData, score
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store.alerts import record
from tocsin.store.db import Store

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
MAY, JUNE = date(2022, 5, 20), date(2022, 6, 27)
RULES = """
alerts:
  - {id: mobilising, kind: indicator, indicator: mobilisation}
  - {id: sure-mobilising, kind: indicator, indicator: mobilisation, min_score: 0.99}
  - {id: no-offensive, kind: absent, indicator: offensive-group}
  - {id: h2-90, kind: threshold, hypothesis: H2, above: 0.9}
  - {id: h2-85, kind: threshold, hypothesis: H2, below: 0.85}
  - {id: h2-95, kind: threshold, hypothesis: H2, above: 0.95}
  - {id: moves-5, kind: move, points: 5, days: 30}
  - {id: h1-moves-5, kind: move, hypothesis: H1, points: 5, days: 30}
  - {id: moves-10, kind: move, points: 10, days: 30}
  - {id: lead, kind: leader}
  - {id: doubt, kind: uncorroborated}
"""


@pytest.fixture(scope="module")
def watched() -> Case:
    return parse_case(bundled_case_path().read_text("utf-8") + RULES)


@pytest.fixture(scope="module")
def linked(demo_master: Path, watched: Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store with the case's evidence linked."""
    db = tmp_path_factory.mktemp("alerts") / "demo.db"
    shutil.copy(demo_master, db)
    with Store.open(db) as store:
        relink(store, watched)
    return db


@pytest.fixture(scope="module")
def demo(linked: Path, watched: Case) -> dict[date | None, Assessment]:
    """The demo case with the rules above, assessed as of May, June and on everything."""
    with Store.open(linked, read_only=True) as store:
        return {day: assess(store, watched, as_of=day) for day in (MAY, JUNE, None)}


def _fired(case: Case, before: Assessment | None, after: Assessment) -> dict[str, list[str]]:
    """Rule id -> the keys of its alerts."""
    out: dict[str, list[str]] = {}
    for alert in evaluate(case, before, after, NOW):
        out.setdefault(alert.rule_id, []).append(alert.key)
    return out


def _with(case: Case, *rules: dict[str, object]) -> Case:
    """``case`` with these rules only (written in code, to fit the demo's numbers)."""
    return case.model_copy(update={"alerts": [AlertRule.model_validate(r) for r in rules]})


def _h2(a: Assessment) -> float:
    return a.posterior.probabilities["H2"]


def _new(before: Assessment | None, after: Assessment, indicator: str, polarity: str) -> list[str]:
    known = {r.id for r in before.evidence} if before else set()
    return sorted(
        r.id
        for r in after.evidence
        if r.indicator == indicator and r.polarity == polarity and r.id not in known
    )


def test_the_demo_moves_as_the_tests_need(demo: dict[date | None, Assessment]) -> None:
    assert _h2(demo[MAY]) < _h2(demo[JUNE]) < _h2(demo[None])
    assert all(a.leader == "H2" for a in demo.values())
    assert _new(demo[JUNE], demo[None], "mobilisation", "seen")
    assert _new(demo[MAY], demo[JUNE], "offensive-group", "negated")
    assert not _new(demo[MAY], demo[JUNE], "mobilisation", "seen")


def test_an_indicator_fires_on_its_new_reports_only(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    before, after = demo[JUNE], demo[None]
    alerts = [a for a in evaluate(watched, before, after, NOW) if a.rule_id == "mobilising"]
    assert len(alerts) == 1
    alert = alerts[0]
    ids = _new(before, after, "mobilisation", "seen")
    assert alert.kind == "indicator"
    assert alert.key == f"belarus-2022|mobilising|{','.join(ids)}"
    assert {e.id for e in alert.evidence} == set(ids[:5])
    assert f"{len(ids)} new report" in alert.title
    assert "since 2022-06-27" in alert.detail
    assert f"{_h2(after) * 100:.1f}%" in alert.detail
    assert alert.as_of == date(2022, 10, 13)
    assert alert.fired_at == NOW
    assert alert.probabilities == after.posterior.probabilities
    # Nothing new about mobilisation between May and June; nothing twice on one assessment.
    assert "mobilising" not in _fired(watched, demo[MAY], demo[JUNE])
    assert "mobilising" not in _fired(watched, after, after)


def test_min_score_keeps_weak_links_quiet(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    rows = [r for r in demo[None].evidence if r.indicator == "mobilisation"]
    assert all(r.score < 0.99 for r in rows)  # the rules linker's scores
    assert "sure-mobilising" not in _fired(watched, demo[JUNE], demo[None])
    low = _with(watched, {"id": "m", "kind": "indicator", "indicator": "mobilisation",
                          "min_score": min(r.score for r in rows)})  # fmt: skip
    assert "m" in _fired(low, demo[JUNE], demo[None])


def test_absent_fires_on_a_negated_report(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    ids = _new(demo[MAY], demo[JUNE], "offensive-group", "negated")
    alerts = evaluate(watched, demo[MAY], demo[JUNE], NOW)
    (alert,) = [a for a in alerts if a.rule_id == "no-offensive"]
    assert alert.key == f"belarus-2022|no-offensive|{','.join(ids)}"
    assert alert.kind == "absent"
    assert "reported absent" in alert.title
    evidence = alert.evidence[0]
    row = next(r for r in demo[JUNE].evidence if r.id == evidence.id)
    assert evidence.source == row.source == "General Staff of the Armed Forces of Ukraine"
    assert evidence.outlet == "Worldcrunch"
    assert evidence.published == JUNE
    assert evidence.reliability == row.reliability
    assert evidence.url is None  # the demo's articles came from files, with no address
    assert "no signs of creating an offensive group" in evidence.text
    assert "no-offensive" not in _fired(watched, None, demo[MAY])  # none reported by May


def test_the_first_cycle_reports_what_is_there_and_crosses_nothing(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    fired = _fired(watched, None, demo[None])
    ids = _new(None, demo[None], "offensive-group", "negated")
    assert len(ids) > 1
    assert fired["no-offensive"] == [f"belarus-2022|no-offensive|{','.join(ids)}"]
    assert "mobilising" in fired
    for rule in ("h2-90", "h2-85", "h2-95", "lead"):
        assert rule not in fired


def test_a_threshold_fires_when_crossed_in_its_direction(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    may, june = _h2(demo[MAY]), _h2(demo[JUNE])
    line = round((may + june) / 2, 3)
    case = _with(
        watched,
        {"id": "up", "kind": "threshold", "hypothesis": "H2", "above": line},
        {"id": "down", "kind": "threshold", "hypothesis": "H2", "below": line},
        {"id": "high", "kind": "threshold", "hypothesis": "H2", "above": round(june, 3) + 0.001},
    )
    alerts = evaluate(case, demo[MAY], demo[JUNE], NOW)
    assert [a.rule_id for a in alerts] == ["up"]
    alert = alerts[0]
    assert alert.key == "belarus-2022|up|above|2022-06-27"
    assert alert.title == f"P(H2) rose above {line * 100:.1f}%: now {june * 100:.1f}%"
    assert (
        f"rose from {may * 100:.1f}% to {june * 100:.1f}% since 2022-05-20, "
        f"crossing {line * 100:.1f}% on 2022-06-27"
    ) in alert.detail
    june_rows = {r.id for r in demo[JUNE].evidence if r.when == JUNE}
    assert 0 < len(alert.evidence) <= 5
    assert {e.id for e in alert.evidence} <= june_rows  # the new evidence moved it
    # Read backwards in time, June to May falls below the line; June to June crosses nothing.
    assert _fired(case, demo[JUNE], demo[MAY]) == {"down": ["belarus-2022|down|below|2022-05-20"]}
    assert _fired(case, demo[JUNE], demo[JUNE]) == {}


def test_the_evidence_of_a_threshold_is_what_moved_it_most(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    before, after = demo[JUNE], demo[None]
    line = round((_h2(before) + _h2(after)) / 2, 3)
    case = _with(watched, {"id": "up", "kind": "threshold", "hypothesis": "H2", "above": line})
    (alert,) = evaluate(case, before, after, NOW)
    group_of = {m: g for g, members in after.posterior.groups.items() for m in members}
    effect = {g.source_key: _h2(after) - g.without["H2"] for g in after.sensitivity.groups}
    shown = [effect[group_of[e.id]] for e in alert.evidence]
    assert shown == sorted(shown, reverse=True)  # the largest push towards H2 first
    assert len({group_of[e.id] for e in alert.evidence}) == len(alert.evidence) == 5
    known = {r.id for r in before.evidence}
    new_groups = {group_of[r.id] for r in after.evidence if r.id not in known}
    assert shown[0] == max(effect[g] for g in new_groups)


def test_a_move_fires_past_its_points_within_its_days(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    path = dict(demo[JUNE].trajectory)
    points = (path[JUNE]["H2"] - path[MAY]["H2"]) * 100  # May is in force as the window opens
    move = largest_move(demo[JUNE], "H2", 30)
    assert move is not None
    assert move.points == pytest.approx(points)
    case = _with(
        watched,
        {"id": "past", "kind": "move", "points": round(points - 0.5, 1), "days": 30},
        {"id": "short", "kind": "move", "points": round(points + 0.5, 1), "days": 30},
        {"id": "h1", "kind": "move", "hypothesis": "H1", "points": 1, "days": 30},
    )
    fired = _fired(case, demo[MAY], demo[JUNE])
    assert fired == {
        "past": ["belarus-2022|past|H2|up|2022-05-20"],
        "h1": ["belarus-2022|h1|H1|down|2022-05-20"],
    }
    (alert,) = [a for a in evaluate(case, demo[MAY], demo[JUNE], NOW) if a.rule_id == "past"]
    assert (
        alert.title
        == f"P(H2) rose {points:.1f} points within 30 days: now {_h2(demo[JUNE]) * 100:.1f}%"
    )
    assert "as the window opened on 2022-05-28 to" in alert.detail
    assert alert.evidence
    assert all(e.published == JUNE for e in alert.evidence)


def test_keys_are_the_same_on_every_run(
    linked: Path, watched: Case, demo: dict[date | None, Assessment]
) -> None:
    first = evaluate(watched, demo[MAY], demo[None], NOW)
    with Store.open(linked, read_only=True) as store:
        again = assess(store, watched, as_of=MAY), assess(store, watched)
    second = evaluate(watched, *again, LATER)
    assert first
    assert [a.key for a in first] == [a.key for a in second]
    assert [a.evidence for a in first] == [a.evidence for a in second]
    assert len({a.key for a in first}) == len(first)
    assert all(a.fired_at == LATER for a in second)


def test_uncorroborated_fires_on_newly_flagged_claims(
    watched: Case, demo: dict[date | None, Assessment]
) -> None:
    after = demo[None]
    assert not any(r.uncorroborated for r in after.evidence)
    assert "doubt" not in _fired(watched, demo[JUNE], after)
    claim = next(r for r in after.evidence if r.source == "Pavel Latushka")
    flagged = replace(
        after,
        evidence=[replace(r, uncorroborated=r.id == claim.id) for r in after.evidence],
    )
    alerts = [a for a in evaluate(watched, demo[JUNE], flagged, NOW) if a.rule_id == "doubt"]
    assert [a.key for a in alerts] == [f"belarus-2022|doubt|{claim.id}"]
    assert alerts[0].title.startswith("Uncorroborated: “")
    assert f"(Pavel Latushka, {claim.reliability})" in alerts[0].title
    assert [e.id for e in alerts[0].evidence] == [claim.id]
    assert "1 new claim since 2022-06-27 rests on one low-graded source" in alerts[0].detail
    assert "by more than 10 points if believed" in alerts[0].detail
    assert "doubt" not in _fired(watched, flagged, flagged)  # flagged before: not new


def test_many_rows_make_a_short_key(
    watched: Case, demo: dict[date | None, Assessment], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _with(watched, {"id": "unready", "kind": "indicator", "indicator": "army-unready"})
    rows = _new(None, demo[None], "army-unready", "seen")
    assert 5 < len(rows) <= alerts_module.MAX_KEY_IDS
    (alert,) = evaluate(case, None, demo[None], NOW)
    assert alert.key == f"belarus-2022|unready|{','.join(rows)}"
    monkeypatch.setattr(alerts_module, "MAX_KEY_IDS", 5)
    (alert,) = evaluate(case, None, demo[None], NOW)
    assert alert.key.startswith(f"belarus-2022|unready|{len(rows)}rows:")
    assert len(alert.key) < 60
    assert len(alert.evidence) == 5
    (again,) = evaluate(case, None, demo[None], LATER)
    assert again.key == alert.key


# -- a small case entered by hand: a change of leader --------------------------------------

SMALL = """\
id: turn
question: Will the talks succeed?
resolution: {criteria: a treaty is signed, deadline: 2024-12-31}
hypotheses:
  - {id: H1, title: The talks succeed, prior: 0.3}
  - {id: H2, title: The talks fail, prior: 0.7}
sources:
  - {name: Wire Service, kind: outlet, reliability: A, credibility: 1}
evidence:
  - {id: E1, text: Both sides initial a draft., date: 2024-03-01, source: Wire Service,
     relevance: high, likelihoods: {H1: 0.9, H2: 0.05}}
  - {id: E2, text: "A minister calls the draft\\n# dead", date: 2024-03-20,
     source: Wire Service, likelihoods: {H1: 0.4, H2: 0.6}}
alerts:
  - {id: turns, kind: leader}
  - {id: swings, kind: move, points: 20, days: 10}
  - {id: h1-half, kind: threshold, hypothesis: H1, above: 0.5}
"""


@pytest.fixture(scope="module")
def small() -> Case:
    return parse_case(SMALL)


def _small(case: Case, as_of: date) -> Assessment:
    return score(case, CaseData(links=[], articles=[]), as_of)


def test_a_change_of_leader_fires_once(small: Case) -> None:
    before, after = _small(small, date(2024, 2, 1)), _small(small, date(2024, 3, 5))
    assert (before.leader, after.leader) == ("H2", "H1")
    alerts = {a.rule_id: a for a in evaluate(small, before, after, NOW)}
    lead = alerts["turns"]
    assert lead.key == "turn|turns|H1|2024-03-05"
    assert lead.title.startswith("H1 “The talks succeed” now leads at ")
    assert "H2 “The talks fail” went from 70.0% to" in lead.detail
    assert [e.id for e in lead.evidence] == ["E1"]
    assert lead.evidence[0].outlet is None  # entered by hand: no article
    assert alerts["h1-half"].key == "turn|h1-half|above|2024-03-01"
    assert evaluate(small, None, after, NOW)[0].rule_id == "swings"  # no before: no leader
    later = _small(small, date(2024, 3, 25))
    assert "turns" not in {a.rule_id for a in evaluate(small, after, later, NOW)}


def test_a_move_from_the_prior_and_one_that_has_left_the_window(small: Case) -> None:
    after = _small(small, date(2024, 3, 5))
    (swing,) = [a for a in evaluate(small, None, after, NOW) if a.rule_id == "swings"]
    assert swing.key == "turn|swings|H1|up|prior"
    assert "before any evidence (the prior)" in swing.detail
    # Twenty days on, the jump of 1 March is out of the ten-day window.
    later = _small(small, date(2024, 3, 25))
    assert "swings" not in {a.rule_id for a in evaluate(small, after, later, NOW)}


# -- a rumour from an ungraded site, from the article to the store ------------------------

RUMOUR_CASE = """\
id: joins
question: Will Belarus's army enter the war?
resolution: {criteria: c, deadline: 2023-12-31}
hypotheses: [{id: H1, title: joins, prior: 0.25}, {id: H2, title: stays out, prior: 0.75}]
indicators:
  - id: joins-war
    description: Belarus officially joins the war
    patterns: ['belarus (has )?officially join(s|ed) the war']
    likelihoods: {H1: 0.95, H2: 0.05}
alerts:
  - {id: doubt, kind: uncorroborated}
  - {id: joined, kind: indicator, indicator: joins-war}
"""


def test_a_rumour_is_told_as_uncorroborated_once(tmp_path: Path) -> None:
    case = parse_case(RUMOUR_CASE)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fake.jsonl").write_text(
        '{"url": "https://rumours.example/1", "outlet": "Rumour Mill", "published": '
        '"2022-10-20", "title": "Breaking", "text": "Breaking news. Belarus officially joins '
        'the war against Ukraine, sources say. More soon."}\n',
        "utf-8",
    )
    with Store.open(tmp_path / "s.db") as store:
        ingest([folder], store=store, config=Config.load(workers=1))
        extract(store, workers=1)
        relink(store, case)
        before = assess(store, case, as_of=date(2022, 10, 19))
        after = assess(store, case)
        alerts = evaluate(case, before, after, NOW)
        assert {a.rule_id: a.key.count("|") for a in alerts} == {"doubt": 2, "joined": 2}
        doubt = next(a for a in alerts if a.rule_id == "doubt")
        (claim,) = doubt.evidence
        assert "officially joins the war" in claim.text
        assert (claim.outlet, claim.published) == ("Rumour Mill", date(2022, 10, 20))
        assert claim.url == "https://rumours.example/1"  # where the analyst can read it
        assert claim.reliability in ("D", "E", "F")
        sent = record(store, alerts, NOW, rate_limits(case.alerts, case.id))
        assert [a.rule_id for a in sent] == ["doubt", "joined"]
        # The next cycle sees nothing new; made again from the first cycle, nothing is sent.
        assert evaluate(case, after, after, LATER) == []
        assert record(store, evaluate(case, before, after, LATER), LATER) == []
