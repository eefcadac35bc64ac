"""Polarity read from the clause: a table of sentences written for these tests, each with the
reading expected, one group per kind of cue; then how the linker uses the reading."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.assess import polarity
from tocsin.assess.case import parse_case
from tocsin.assess.link import Unit, link_units, match
from tocsin.assess.polarity import Parties, Target, read, target
from tocsin.assess.sources import ArticleFacts

# Indicators of made-up questions: (description, examples).
INDICATORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "garrison": (
        "Foreign soldiers are deployed to the island",
        (
            "Hundreds of foreign soldiers arrived on the island.",
            "The alliance stationed a battalion on the island.",
        ),
    ),
    "embargo": (
        "The council imposes an embargo on grain exports",
        ("The council approved a ban on grain exports.",),
    ),
    "draft": (
        "The government announces a call-up of reservists",
        ("The defence minister ordered the call-up of 30,000 reservists.",),
    ),
    "pullback": (
        "The peacekeepers withdraw from the buffer zone",
        ("The peacekeepers pulled out of the buffer zone.", "Blue helmets left their posts."),
    ),
    "debt": (
        "Parliament raises the borrowing limit",
        ("Lawmakers voted to raise the borrowing limit.",),
    ),
    "backing": (
        "Party members publicly back the chancellor",
        ("Senior members pledged their support for the chancellor.",),
    ),
    "proposal": (
        "The commission proposes a tax on windfall profits",
        ("The commission put forward a windfall tax.",),
    ),
}


def indicator(name: str) -> Target:
    description, examples = INDICATORS[name]
    return target(description, examples)


def test_the_direction_of_an_indicator_comes_from_its_description_and_examples() -> None:
    assert indicator("garrison").direction == "forward"
    assert indicator("embargo").direction == "forward"
    assert indicator("pullback").direction == "reverse"
    assert "soldier" in indicator("garrison").words


# (sentence, indicator, polarity, kind of cue expected among the reading's kinds or None)
TABLE = [
    # reversal: the sentence's verb or noun undoes what a forward indicator describes
    ("Nearly every foreign soldier has now been withdrawn from the island.", "garrison",
     "negated", "reversal"),
    ("The last of the foreign soldiers left the island on Tuesday.", "garrison",
     "negated", "reversal"),
    ("The council lifted the embargo on grain exports after the harvest.", "embargo",
     "negated", "reversal"),
    ("Several deputies withdrew their support for the chancellor overnight.", "backing",
     "negated", "reversal"),
    # ... but not for an indicator whose own direction is reversive
    ("The peacekeepers withdrew from the buffer zone at dawn.", "pullback", "seen", None),
    # ... nor for a limit, which lifting raises
    ("Lawmakers agreed to lift the borrowing limit until next spring.", "debt", "seen", None),
    # ... nor when the reversive verb undoes something else
    ("The army lost ground near the port as more foreign soldiers arrived.", "garrison",
     "seen", None),
    # a reversal that did not happen is no reversal
    ("The foreign soldiers have not been entirely pulled out of the island.", "garrison",
     "seen", "reversal"),
    # denials
    ("The ministry denied that any foreign soldiers were on the island.", "garrison",
     "negated", "denial"),
    ("Officials rejected reports that soldiers had been deployed to the island.", "garrison",
     "negated", "denial"),
    ("The governor dismissed claims that a battalion was stationed on the island.", "garrison",
     "negated", "denial"),
    ("The ambassador called the reports of foreign soldiers on the island baseless.",
     "garrison", "negated", "denial"),
    # a proposal rejected was still made
    ("The parliament rejected the commission's proposed windfall tax.", "proposal", "seen",
     None),
    # negated futures and plain negation
    ("There will be no call-up of reservists this year, the minister said.", "draft",
     "negated", "negated future"),
    ("The government has no plans to call up reservists.", "draft", "negated",
     "negated future"),
    ("The defence minister will not order a call-up of reservists.", "draft", "negated",
     "negated future"),
    ("Observers saw no signs that foreign soldiers had arrived on the island.", "garrison",
     "negated", "negation"),
    ("No foreign soldiers have arrived on the island so far.", "garrison", "negated",
     "negation"),
    # a negation of another verb, above a content clause, says nothing of it
    ("The order does not mean that every reservist will be called up.", "draft", "seen",
     None),
    ("It is not clear whether the soldiers arrived on the island.", "garrison", "seen", None),
    # two flips cancel
    ("The ministry denied that the soldiers had left the island.", "garrison", "seen",
     "denial"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "name", "polarity", "kind"), TABLE)
def test_the_clause_decides_the_polarity(text: str, name: str, polarity: str, kind: str) -> None:
    examples = INDICATORS[name][1]
    found = read(text, indicator(name), reference=examples[0])
    assert found.polarity == polarity, found.describe()
    if kind is not None:
        assert kind in found.kinds, found.describe()
    else:
        assert not found.flipped or found.polarity == "seen", found.describe()
    assert found.parsed


SPECULATIVE = [
    ("If the talks collapse, the alliance could station soldiers on the island.", "conditional"),
    ("Should the talks collapse, foreign soldiers would be deployed to the island.",
     "conditional"),
    ("Will foreign soldiers be deployed to the island?", "question"),
    ("Foreign soldiers might arrive on the island next month.", "conditional"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind"), SPECULATIVE)
def test_conditionals_and_questions_are_no_observation(text: str, kind: str) -> None:
    found = read(text, indicator("garrison"), reference=INDICATORS["garrison"][1][0])
    assert kind in found.kinds, found.describe()
    assert found.status == "speculative"
    assert found.polarity == "seen"


def test_an_observation_is_not_speculative() -> None:
    found = read("Foreign soldiers arrived on the island.", indicator("garrison"))
    assert found.status is None
    assert found.kinds == ()
    assert found.confidence == polarity.CONFIDENCE["none"]


def test_a_pattern_reading_anchors_on_the_match_and_skips_the_patterns_own_words() -> None:
    text = "The council said it would not approve an embargo on grain exports."
    at = text.index("embargo")
    found = read(text, indicator("embargo"), span=(at, at + len("embargo")), pattern=r"\bembargo")
    assert found.negated
    assert found.kinds == ("negated future",)
    own = "We will not send our soldiers to the island, the premier said."
    hit = (own.index("not"), own.index("soldiers") + len("soldiers"))
    mine = read(own, indicator("garrison"), span=hit, pattern=r"\bnot send (our|its) soldiers")
    assert not mine.negated  # the negation is the pattern's own wording


def test_a_negation_in_another_clause_of_the_match_does_not_count() -> None:
    text = "The council approved an embargo on grain exports, but the ports cannot enforce it."
    found = read(text, indicator("embargo"), span=(text.index("approved"), len(text) - 1))
    assert not found.negated


def test_confidence_follows_the_cue() -> None:
    plain = read("The defence minister will not order a call-up.", indicator("draft"))
    reversal = read("The council lifted the embargo on grain exports.", indicator("embargo"))
    assert plain.confidence > reversal.confidence
    assert "negated" in plain.describe()


def test_an_unparsable_sentence_falls_back_to_the_regular_expressions() -> None:
    text = "Officials said no soldiers arrived; " * 80
    found = read(text, indicator("garrison"), span=(len("Officials said no "), 30))
    assert not found.parsed
    assert found.negated
    assert found.confidence == polarity.CONFIDENCE["fallback"]


def test_parties_find_an_actor_by_any_spelling() -> None:
    parties = Parties([("Island government", ["Governor Mara Vell", "Vell"]), ("Alliance", [])])
    assert parties.find(None, "Mara Vell") == "Island government"
    assert parties.find("A shopkeeper") is None
    found = read("Vell said foreign soldiers arrived.", indicator("garrison"), party="Alliance")
    assert found.party == "Alliance"
    assert "stakeholder" in found.kinds
    assert "interested party (Alliance)" in found.describe()


CASE = parse_case(
    """\
id: island
question: q
resolution: {criteria: c, deadline: 2030-01-01}
hypotheses: [{id: H1, title: garrison}, {id: H2, title: none}]
indicators:
  - id: garrison
    description: Foreign soldiers are deployed to the island
    patterns: ['\\bforeign soldiers\\b']
    examples: [Hundreds of foreign soldiers arrived on the island.]
    likelihoods: {H1: 0.9, H2: 0.2}
actors:
  - {id: gov, name: Island government, aliases: [Mara Vell], position: [0, 1],
     salience: [0.5, 0.6], capability: [0.1, 0.2]}
"""
)
FACTS = ArticleFacts(1, "A title", date(2029, 6, 1), None, 1)


def unit(text: str, source: str | None = None) -> Unit:
    kind = "claim" if source else "sentence"
    return Unit(FACTS, 0, len(text), text, kind, None, source, (source,) if source else ())


def test_the_linker_reads_a_withdrawal_as_negated_and_says_why() -> None:
    text = "Almost all the foreign soldiers have been withdrawn from the island."
    found = match(unit(text), CASE.indicators[0], clause=True)
    assert found is not None
    assert found.negated
    assert "reversal “withdrawn”" in found.reason
    before = match(unit(text), CASE.indicators[0], clause=False)
    assert before is not None
    assert not before.negated  # the negation cues alone miss it


def test_the_linker_makes_a_conditional_speculative() -> None:
    links = link_units(
        CASE, [unit("If talks fail, foreign soldiers could land on the island.")], clause=True
    )
    assert [link.unit.status for link in links] == ["speculative"]


def test_the_linker_marks_an_interested_partys_claim() -> None:
    text = "Foreign soldiers are not on the island, Mara Vell said."
    links = link_units(CASE, [unit(text, source="Mara Vell")], clause=True)
    assert links[0].polarity == "negated"
    assert "claim by an interested party (Island government)" in links[0].reason
