"""The text model: paragraphs, sentences and pieces, with offsets, in linear time."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.text import is_credit_or_byline, paragraphs, pieces, segment, sentences


def _cut(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentences(text)]


def test_abbreviations_titles_and_initials_do_not_end_a_sentence() -> None:
    text = (
        "Gen. Valery Gerasimov met Mr. J. Smith of Acme Inc. in Minsk. The U.S. State "
        "Department said so in Sept. 2022. Sanctions came from the U.S. The ministry denied it."
    )
    assert _cut(text) == [
        "Gen. Valery Gerasimov met Mr. J. Smith of Acme Inc. in Minsk.",
        "The U.S. State Department said so in Sept. 2022.",
        "Sanctions came from the U.S.",
        "The ministry denied it.",
    ]


def test_quotes_questions_and_lower_case_continuations() -> None:
    text = "“Will we go?” he asked. “No!” She left… Then it rained. e.g. the rest stays."
    assert _cut(text) == [
        "“Will we go?” he asked.",
        "“No!”",
        "She left…",
        "Then it rained. e.g. the rest stays.",
    ]


def test_line_breaks_end_sentences_and_blank_lines_end_paragraphs() -> None:
    text = "Heading\nFirst one. Second.\n\n  Last one.  "
    layout = segment(text)
    assert [text[a:b] for a, b in layout.paragraphs] == ["Heading\nFirst one. Second.", "Last one."]
    assert [(text[s.start : s.end], s.paragraph) for s in layout.sentences] == [
        ("Heading", 0),
        ("First one.", 0),
        ("Second.", 0),
        ("Last one.", 1),
    ]
    assert layout.sentence_at(text.index("Second")) == layout.sentences[2]
    assert layout.sentence_at(text.index("\n\n")) is None


def test_without_blank_lines_every_line_is_a_paragraph() -> None:
    text = "One line.\nAnother line.\n"
    assert [text[a:b] for a, b in paragraphs(text)] == ["One line.", "Another line."]


def test_pieces_prefer_paragraph_ends_then_sentences_then_spaces() -> None:
    para = "A sentence of some length here. " * 5
    text = "\n\n".join([para.strip()] * 6)
    cut = pieces(text, 400)
    assert "".join(text[a:b] for a, b in cut) == text
    assert all(b - a <= 400 for a, b in cut)
    assert all(text[a - 2 : a] == "\n\n" for a, _ in cut[1:])  # whole paragraphs
    one_token = "x" * 1000
    assert pieces(one_token, 300) == [(0, 300), (300, 600), (600, 900), (900, 1000)]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab .?!\n\"“”()U.S'")), max_size=400), st.integers(5, 80)
)
def test_properties_hold_on_any_text(text: str, limit: int) -> None:
    layout = segment(text)
    last = 0
    for s in layout.sentences:
        assert last <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece == piece.strip()
        last = s.end
    cut = pieces(text, limit)
    assert "".join(text[a:b] for a, b in cut) == text
    assert all(0 < b - a <= limit for a, b in cut)


def _steps(text: str) -> int:
    """Candidate sentence ends the scanner looks at: the work it does."""
    return len(re.findall(r"[.!?…]", text)) + len(text.splitlines())


def test_adversarial_texts_are_cut_in_one_pass() -> None:
    # Long runs of what the scanner looks at: the output stays proportional to the input.
    for unit in ('"' * 7 + " ", "U.S. ", "Gen. ", "((((", "… ", "a" * 50 + "\n"):
        small, large = unit * 2_000, unit * 20_000
        assert len(sentences(large)) <= 10 * len(sentences(small)) + 10
        assert _steps(large) <= 10 * _steps(small) + 10
        assert "".join(large[a:b] for a, b in pieces(large, 5_000)) == large


def test_credits_and_bylines() -> None:
    assert is_credit_or_byline("Peter Kovalev/TASS/ZUMA")
    assert is_credit_or_byline("By Anna Akage")
    assert not is_credit_or_byline("Lukashenko met Putin in Sochi on Monday.")
    assert not is_credit_or_byline("A" * 5_000)
