"""Case files: the bundled case and the template validate; faults name their key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.assess.case import Case, Range, bundled_case_path, parse_case, template
from tocsin.cli import main
from tocsin.errors import InvalidInput

SMALL = """\
id: small
question: Will it happen?
resolution: {criteria: it happens, deadline: 2024-12-31}
hypotheses:
  - {id: H1, title: Yes, prior: 0.2}
  - {id: H2, title: No, prior: 0.6}
indicators:
  - id: troops
    description: Troops mass at the border
    patterns: ['troops mass']
    likelihoods: {H1: 0.8, H2: 0.2}
"""


def _error(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_case(text)
    return str(caught.value)


def test_bundled_case_has_what_the_issue_asks_for(belarus: Case) -> None:
    assert [h.id for h in belarus.hypotheses] == ["H1", "H2", "H3"]
    assert belarus.resolution.deadline.isoformat() == "2023-12-31"
    assert belarus.outcome == "H2"
    assert {q.id: q.outcome for q in belarus.questions} == {
        "joint-grouping-2022": True,
        "mobilisation-2022": False,
        "potash-sanctions-2023": False,
        "prisoners-2022": False,
    }
    names = {a.name for a in belarus.actors}
    assert {"Alexander Lukashenko", "Vladimir Putin", "Belarusian public", "China"} <= names
    assert {"mobilisation", "russian-troops-arrive", "equipment-to-russia", "pretext"} <= {
        i.id for i in belarus.indicators
    }
    assert len(belarus.articles) == 5


def test_priors_are_normalised_and_uniform_when_absent() -> None:
    case = parse_case(SMALL)
    assert case.priors() == pytest.approx({"H1": 0.25, "H2": 0.75})
    bare = parse_case(SMALL.replace(", prior: 0.2", "").replace(", prior: 0.6", ""))
    assert bare.priors() == {"H1": 0.5, "H2": 0.5}


def test_template_is_a_valid_case() -> None:
    case = parse_case(template())
    assert case.id == "my-case"
    assert case.indicators[0].likelihood("H1") == 0.8


def test_a_bad_value_names_its_key_and_line() -> None:
    message = _error(SMALL.replace("prior: 0.6", "prior: 1.6"))
    assert "hypotheses[1].prior (line 6)" in message


def test_an_unknown_hypothesis_names_its_key_and_line() -> None:
    message = _error(SMALL.replace("{H1: 0.8, H2: 0.2}", "{H1: 0.8, H9: 0.2}"))
    assert "indicators[0].likelihoods (line 11)" in message
    assert "H9 not among the hypotheses" in message


def test_repeated_ids_and_partial_priors_are_errors() -> None:
    assert "hypotheses[1].id (line 6): id 'H1' is used twice" in _error(
        SMALL.replace("id: H2", "id: H1")
    )
    assert "a prior for every hypothesis or for none" in _error(SMALL.replace(", prior: 0.2", ""))


def test_an_unknown_key_is_an_error() -> None:
    assert "hypotheses[0].colour (line 5)" in _error(
        SMALL.replace("{id: H1, title: Yes,", "{id: H1, colour: red, title: Yes,")
    )


def test_broken_yaml_gives_its_line() -> None:
    message = _error(SMALL.replace("hypotheses:", "hypotheses: [", 1))
    assert "not valid YAML" in message
    assert "line" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("'troops mass'", "'troops (mass'"), "is not a regular expression"),
        (("    likelihoods: {H1: 0.8, H2: 0.2}\n", ""), "give likelihoods or ratings"),
        (("    patterns: ['troops mass']\n", ""), "give patterns or example sentences"),
        (("H1: 0.8,", "H1: 0.0,"), "greater than 0"),
        (("deadline: 2024-12-31", "deadline: soon"), "resolution.deadline (line 3)"),
    ],
)
def test_invalid_parts_are_explained(change: tuple[str, str], expected: str) -> None:
    assert expected in _error(SMALL.replace(*change))


def test_not_a_mapping_is_an_error() -> None:
    assert "a mapping of keys" in _error("- just\n- a list\n")


def test_ranges_take_a_number_a_pair_or_a_triple() -> None:
    assert Range.model_validate(3).point == 3
    assert Range.model_validate([2, 4]).point == 3
    assert Range.model_validate([2, 8, 7]).point == 7
    with pytest.raises(ValueError, match="above high"):
        Range.model_validate([5, 1])
    with pytest.raises(ValueError, match="outside"):
        Range.model_validate([1, 2, 3])


def test_one_analysts_ratings_need_no_analyst_name() -> None:
    text = SMALL + (
        "evidence:\n  - {id: E1, text: seen, ratings: {H1: C, H2: I}}\n"
        "  - {id: E2, text: seen, ratings: {ann: {H1: CC}, bob: {H1: N}}}\n"
    )
    case = parse_case(text)
    assert case.evidence[0].ratings == {"analyst": {"H1": "C", "H2": "I"}}
    assert set(case.evidence[1].ratings) == {"ann", "bob"}


def test_rating_only_indicators_get_likelihoods_and_negations() -> None:
    text = SMALL.replace("likelihoods: {H1: 0.8, H2: 0.2}", "ratings: {H1: CC, H2: II}")
    indicator = parse_case(text).indicators[0]
    assert indicator.likelihood("H1") > indicator.likelihood("H2")
    assert indicator.negated_likelihood("H1") < indicator.negated_likelihood("H2")


def test_case_new_writes_the_template_and_check_accepts_it(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "mine.yaml"
    assert runner.invoke(main, ["case", "new", str(path)]).exit_code == 0
    assert path.read_text("utf-8") == template()
    again = runner.invoke(main, ["case", "new", str(path)])
    assert again.exit_code == 2
    assert "exists" in again.output
    checked = runner.invoke(main, ["case", "check", str(path), "--json"])
    assert checked.exit_code == 0, checked.output
    assert '"valid": true' in checked.output


def test_case_check_reports_the_line_of_a_fault(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("prior: 0.6", "prior: -1"), "utf-8")
    result = CliRunner().invoke(main, ["case", "check", str(path)])
    assert result.exit_code == 5  # invalid input, not a usage error
    assert "hypotheses[1].prior (line 6)" in result.output


def test_a_bundled_case_is_found_by_name() -> None:
    result = CliRunner().invoke(main, ["case", "check", "belarus-2022"])
    assert result.exit_code == 0, result.output
    assert "belarus-2022" in result.output
    assert bundled_case_path().exists()
    missing = CliRunner().invoke(main, ["case", "check", "no-such-case"])
    assert missing.exit_code == 2


ACTORS = """\
actor_model: {issue: i, scale: [0, 10], outcomes: {H1: [5, 10], H2: [0, 5]}}
actors:
  - {id: a, name: A, position: [1, 2], salience: [0.5, 0.9], capability: [0.2, 0.3]}
  - {id: b, name: B, position: [7, 9], salience: [0.5, 0.9], capability: [0.2, 0.3]}
"""


def test_the_actor_model_is_checked_before_it_runs() -> None:
    assert parse_case(SMALL + ACTORS).actor_model is not None
    gap = ACTORS.replace("H2: [0, 5]", "H2: [0, 4]")
    assert "tile 0.0..10.0" in _error(SMALL + gap)
    overlap = ACTORS.replace("H2: [0, 5]", "H2: [0, 6]")
    assert "actor_model.outcomes" in _error(SMALL + overlap)
    short = ACTORS.replace("H1: [5, 10]", "H1: [5, 9]")
    assert "end at 9" in _error(SMALL + short)
    off = ACTORS.replace("position: [7, 9]", "position: [7, 12]")
    assert "actors[1].position" in _error(SMALL + off)
    idle = ACTORS.replace("salience: [0.5, 0.9]", "salience: [0, 0]")
    assert "capability and salience" in _error(SMALL + idle)


def test_link_ids_are_reserved() -> None:
    assert "ids L1, L2 ... name links" in _error(SMALL + "evidence:\n  - {id: L1, text: x}\n")


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    from tocsin.assess.case import load_case

    path = tmp_path / "latin1.yaml"
    path.write_bytes(SMALL.replace("Will it", "Wíll it").encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_case(path)
