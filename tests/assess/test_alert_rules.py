"""Alert rules in the case file: each kind is read, and each fault names its key and line."""

from __future__ import annotations

import pytest
from tests.assess.test_case import SMALL as CASE

from tocsin.assess.alert_rules import (
    DEFAULT_RATE_HOURS,
    DEFAULT_RATE_MAX,
    AlertRule,
    rate_limits,
)
from tocsin.assess.case import Case, cross_check, parse_case
from tocsin.errors import InvalidInput
from tocsin.store.alerts import DEFAULT_RATE

SMALL = CASE + "alerts:\n"  # the small case of test_case.py, with rules to follow
RULES = """\
  - {id: massing, kind: indicator, indicator: troops, min_score: 0.8}
  - {id: no-massing, kind: absent, indicator: troops}
  - {id: h1-line, kind: threshold, hypothesis: H1, above: 0.5, below: 0.2}
  - {id: jumps, kind: move, points: 10, days: 7}
  - {id: h1-jumps, kind: move, hypothesis: H1, points: 5, days: 3}
  - {id: any-jumps, kind: move, hypothesis: any, points: 5, days: 3}
  - {id: lead, kind: leader, rate: {max: 2, hours: 12}}
  - {id: doubt, kind: uncorroborated}
"""


def _error(rules: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_case(SMALL + rules)
    return str(caught.value)


def test_every_kind_is_read_with_its_parameters() -> None:
    case = parse_case(SMALL + RULES)
    rules = {r.id: r for r in case.alerts}
    assert [r.kind for r in case.alerts] == [
        "indicator", "absent", "threshold", "move", "move", "move", "leader", "uncorroborated"
    ]  # fmt: skip
    assert rules["massing"].indicator == "troops"
    assert rules["massing"].min_score == 0.8
    assert (rules["h1-line"].above, rules["h1-line"].below) == (0.5, 0.2)
    assert (rules["jumps"].points, rules["jumps"].days) == (10, 7)
    assert rules["jumps"].watched is None
    assert rules["any-jumps"].watched is None
    assert rules["h1-jumps"].watched == "H1"
    assert (rules["lead"].rate.max, rules["lead"].rate.hours) == (2, 12)
    assert (rules["doubt"].rate.max, rules["doubt"].rate.hours) == DEFAULT_RATE
    assert rate_limits(case.alerts, case.id)[("small", "lead")] == (2, 12.0)


def test_the_default_rate_is_the_stores() -> None:
    assert (DEFAULT_RATE_MAX, DEFAULT_RATE_HOURS) == DEFAULT_RATE


def test_a_case_without_alerts_has_none(belarus: Case) -> None:
    assert parse_case(SMALL.removesuffix("alerts:\n")).alerts == []
    assert belarus.alerts == []


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{id: a, kind: indicator, indicator: tanks}", "alerts[0].indicator (line 13): 'tanks'"),
        ("{id: a, kind: absent, indicator: tanks}", "'tanks' is not an indicator (the file has"),
        ("{id: a, kind: threshold, hypothesis: H9, above: 0.5}", "alerts[0].hypothesis (line 13)"),
        ("{id: a, kind: move, hypothesis: H9, points: 1, days: 1}", "'H9' is not a hypothesis"),
        ("{id: a, kind: threshold, hypothesis: H1, above: 1.5}", "alerts[0].above (line 13)"),
        ("{id: a, kind: threshold, hypothesis: H1, above: 1}", "less than 1"),
        ("{id: a, kind: threshold, hypothesis: H1, below: 0}", "alerts[0].below (line 13)"),
        ("{id: a, kind: threshold, hypothesis: H1, below: -0.2}", "greater than 0"),
        ("{id: a, kind: move, points: 0, days: 3}", "alerts[0].points (line 13)"),
        ("{id: a, kind: move, points: 5, days: -3}", "alerts[0].days (line 13)"),
        ("{id: a, kind: move, points: 5, days: 0}", "greater than 0"),
        ("{id: a, kind: move, points: 5}", "alerts[0] (line 13): a move rule needs days"),
        ("{id: a, kind: indicator}", "an indicator rule needs indicator"),
        ("{id: a, kind: threshold, above: 0.4}", "a threshold rule needs hypothesis"),
        ("{id: a, kind: threshold, hypothesis: H1}", "needs above or below"),
        ("{id: a, kind: leader, points: 4}", "a leader rule takes no points"),
        ("{id: a, kind: indicator, indicator: troops, above: 0.3}", "takes no above"),
        ("{id: a, kind: sometimes}", "alerts[0].kind (line 13)"),
        ("{id: 9a, kind: leader}", "alerts[0].id (line 13): '9a' is not an id"),
        ("{id: a, kind: leader, colour: red}", "alerts[0].colour (line 13)"),
        ("{id: a, kind: leader, rate: {max: 0}}", "alerts[0].rate.max (line 13)"),
        ("{id: a, kind: leader, rate: {max: 2, hours: 0}}", "alerts[0].rate.hours (line 13)"),
        ("{id: a, kind: indicator, indicator: troops, min_score: 2}", "alerts[0].min_score"),
    ],
)
def test_each_fault_names_its_key_and_line(rule: str, expected: str) -> None:
    assert expected in _error(f"  - {rule}\n")


def test_a_repeated_rule_id_and_every_fault_at_once() -> None:
    message = _error(
        "  - {id: a, kind: leader}\n"
        "  - {id: a, kind: threshold, hypothesis: H7, above: 2}\n"
        "  - {id: b, kind: absent, indicator: nowhere}\n"
    )
    assert "3 error(s)" not in message  # four: the repeat, H7, the line, the indicator
    assert "4 error(s)" in message
    assert "alerts[1].id (line 14): id 'a' is used twice" in message
    assert "alerts[1].hypothesis (line 14): 'H7' is not a hypothesis" in message
    assert "alerts[1].above (line 14)" in message
    assert "alerts[2].indicator (line 15): 'nowhere' is not an indicator" in message


def test_alerts_must_be_a_list_of_rules() -> None:
    assert "alerts (line 13): Input should be a valid list" in _error("  leader: yes\n")


def test_a_valid_case_rechecked_finds_nothing() -> None:
    case = parse_case(SMALL + RULES)
    assert cross_check(case) == []


def test_a_rule_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValueError, match="a move rule needs points and days"):
        AlertRule.model_validate({"id": "m", "kind": "move"})
