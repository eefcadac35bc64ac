"""Quotes: pairing marks without giving up, kinds, cues and speakers, on general news prose."""

from __future__ import annotations

import pytest

from tocsin.extract.quote_marks import find_quote_spans
from tocsin.extract.run import analyse_text
from tocsin.models.evidence import Quote


def _contents(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_quote_spans(text)]


def _quotes(text: str) -> list[Quote]:
    return analyse_text(text).quotes


def _only(text: str, kind: str | None = None) -> Quote:
    found = [q for q in _quotes(text) if kind is None or q.kind == kind]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said: “We will not fight.”", ["We will not fight."]),
        ('He said: "We will not fight."', ["We will not fight."]),
        # Mixed marks pair up: a curly opening with a straight closing mark.
        (
            '“A new front has appeared," he said. "We must act.”',
            ["A new front has appeared,", "We must act."],
        ),
        # Apostrophes and plural possessives are not quote marks.
        ("It’s Belarus’ army, and Lukashenka’s choice.", []),
        ("They held ‘behind the scenes’ meetings.", ["behind the scenes"]),
        # Unbalanced: the quote runs to the end of its paragraph, and nothing raises.
        (
            "He said: “We will not fight. Nobody wants to.\n\nA new paragraph.",
            ["We will not fight. Nobody wants to."],
        ),
        # A closing mark whose opening was lost starts the quote at the paragraph start.
        ("we will not go,” he said.", ["we will not go,"]),
    ],
)
def test_quote_marks_pair_within_paragraphs(text: str, expected: list[str]) -> None:
    assert _contents(text) == expected


def test_multi_paragraph_quote_is_one_quote_per_paragraph() -> None:
    text = (
        "The minister said: “We have no plans to mobilise.\n\n"
        "“Our army is defensive, and it will stay at home,” he added."
    )
    assert _contents(text) == [
        "We have no plans to mobilise.",
        "Our army is defensive, and it will stay at home,",
    ]


def test_inverted_speech_verb_names_the_speaker_not_the_apposition() -> None:
    q = _only(
        "“Putin cannot compel him to commit political suicide,” said Artyom Shraibman, "
        "a political analyst at the Carnegie Endowment for International Peace."
    )
    assert q.kind == "direct"
    assert q.cue == "said"
    assert q.speaker_text == "Artyom Shraibman"
    assert q.speaker_key == "Artyom Shraibman"


def test_quote_split_by_a_speech_verb_keeps_its_speaker() -> None:
    quotes = _quotes(
        "Anna Kovalenko, a sociologist in Kyiv, spoke to reporters on Monday.\n\n"
        "“Support for the war is low,” said Anna Kovalenko. “It has not moved in months.”\n\n"
        "“Nobody wants to fight,” she continued. “Not even the officers.”"
    )
    direct = [q for q in quotes if q.kind == "direct"]
    assert [q.text for q in direct] == [
        "Support for the war is low",
        "It has not moved in months.",
        "Nobody wants to fight",
        "Not even the officers.",
    ]
    assert {q.speaker_key for q in direct} == {"Anna Kovalenko"}
    assert direct[2].speaker_text == "she"


def test_pronoun_after_a_colon_resolves_to_the_last_named_speaker() -> None:
    quotes = _quotes(
        "Franak Viačorka said he did not believe the army would join the war.\n\n"
        "He said: “We don’t have the troops or the military hardware.”"
    )
    direct = [q for q in quotes if q.kind == "direct"]
    assert len(direct) == 1
    assert direct[0].speaker_text == "He"
    assert direct[0].speaker_key == "Franak Viačorka"


def test_partial_quote_inside_the_writers_sentence() -> None:
    q = _only(
        "Alexander Lukashenko has lamented that the military campaign is “dragging on.”",
        "partial",
    )
    assert q.text == "dragging on."
    assert q.speaker_key == "Alexander Lukashenko"


def test_scare_quotes_are_terms_not_quotes() -> None:
    assert _quotes("Fears are growing that a “false-flag” operation could be the pretext.") == []


def test_bracketed_insertion_stays_inside_the_quote() -> None:
    quotes = _quotes(
        "Konrad Muzyka, an independent defence analyst, wrote that their forces "
        "“are relatively weak, and apart from [Lukashenko’s] rhetoric, there’s nothing there”."
    )
    partial = [q for q in quotes if q.kind == "partial"]
    assert len(partial) == 1
    assert "[Lukashenko’s] rhetoric" in partial[0].text
    assert partial[0].speaker_key == "Konrad Muzyka"


def test_indirect_speech_with_a_clause() -> None:
    q = _only(
        "Franak Viačorka said the Belarusian army did not have the capacity to fight in Ukraine."
    )
    assert q.kind == "indirect"
    assert q.text == "the Belarusian army did not have the capacity to fight in Ukraine"
    assert q.speaker_key == "Franak Viačorka"


def test_according_to_attributes_the_rest_of_the_sentence() -> None:
    q = _only(
        "According to the Belarusian Hajun Project, the joint exercises may be held near "
        "several municipal buildings in the city of Yelsk."
    )
    assert q.kind == "indirect"
    assert q.cue == "according to"
    assert q.text.startswith("the joint exercises may be held")
    assert q.speaker_key is not None
    assert "Hajun" in q.speaker_key


def test_things_that_suggest_are_not_speakers() -> None:
    assert _quotes("The evidence suggests that the army is not ready for an offensive.") == []


def test_unbalanced_marks_do_not_lose_the_other_quotes() -> None:
    text = (
        "Oleksiy Danilov said: “Belarus does not have enough forces.\n\n"
        "Later, Lukashenko said: “We do not send our military anywhere.”"
    )
    direct = [q for q in _quotes(text) if q.kind == "direct"]
    # The alias table names the canonical entity the surname refers to.
    assert [q.speaker_key for q in direct] == ["Oleksiy Danilov", "Alexander Lukashenko"]
    assert direct[0].text == "Belarus does not have enough forces."


def test_offsets_point_into_the_text() -> None:
    text = (
        "Pavel Latushka said that 100,000 Belarusians would allegedly be called up. "
        "“Lukashenka is preparing for a full-scale war,” he claimed."
    )
    for q in _quotes(text):
        assert text[q.start : q.end] == q.text
        if q.speaker_start is not None and q.speaker_end is not None:
            assert text[q.speaker_start : q.speaker_end] == q.speaker_text
