"""Hostile texts: extraction completes, its records point into the text, and its work grows
linearly with the text's length.

Work is counted, never timed: the lines of tocsin's extraction code that run while the rules
read a parsed text (``sys.settrace``), at two lengths. A linear rule runs about four times
the lines on a four times longer text; a quadratic one, sixteen times. spaCy's own parse is
outside the count: its tokenizer, the one part of it that was quadratic on such texts, is
checked by what it is handed.
"""

from __future__ import annotations

import ast
import random
import re
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

import tocsin.extract
from tocsin.extract import entities
from tocsin.extract.aliases import AliasTable, same_referent
from tocsin.extract.article import analyse, pipeline
from tocsin.extract.syntax import MAX_SENTENCE_CHARS
from tocsin.extract.tokenizer_guard import LONG_CHUNK, GuardedTokenizer
from tocsin.models.evidence import Evidence

ANCHOR = date(2022, 10, 1)
EXTRACT = str(Path(tocsin.extract.__file__).parent)
HOSTILE = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def sm() -> tuple[Language, AliasTable]:
    return pipeline("sm")


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _sentences(unit: str, end: str, n: int, length: int = 1_900) -> str:
    """Sentences of about ``length`` characters, each ``unit`` repeated and then ``end``."""
    sentence = _repeat(unit, length - len(end)).rsplit(" ", 1)[0] + " " + end + " "
    return _repeat(sentence, n)


def _pseudo_names(n: int) -> str:
    rng = random.Random(7)
    syllables = "ka lo mir vet ro sky an dre vich ol ga ny ter bo zan ski ne va".split()
    out = ""
    while len(out) < n:
        first = "".join(rng.choice(syllables) for _ in range(2)).capitalize()
        last = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        out += f"{first} {last} met {last}. "
    return out[:n]


def _random_unicode(n: int) -> str:
    rng = random.Random(n)
    return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(n))


# Each makes a hostile text of about n characters.
CLASSES: dict[str, Callable[[int], str]] = {
    "straight quote marks": lambda n: '"' * n,
    "curly opening marks": lambda n: "“" * n,
    "curly closing marks between words": lambda n: _repeat("a” ", n),
    "curly opening marks between words": lambda n: _repeat("“a ", n),
    "single curly marks": lambda n: _repeat("‘a’ ", n),
    "guillemets": lambda n: _repeat("«a ", n),
    "quotes with a speaker": lambda n: _repeat("“We will win,” he said. ", n),
    "nested brackets": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "nested brackets between words": lambda n: _repeat("( 5 ", n // 2) + _repeat(") ", n // 2),
    "closing brackets after numbers": lambda n: _repeat("1) ", n),
    "according to": lambda n: _repeat("according to ", n),
    "a chain of according to X in one sentence": lambda n: (
        _repeat("according to Ivan Petrov, ", n) + "the army will attack."
    ),
    "chains of according to X": lambda n: _sentences(
        "according to Ivan Petrov, ", "the army will attack.", n
    ),
    "chains of said that": lambda n: _sentences("Ivan said that ", "the army will attack.", n),
    "chains of told": lambda n: _sentences("Ivan told Petr that ", "the army left.", n),
    "said": lambda n: _repeat("said ", n),
    "events in one sentence": lambda n: _sentences("troops deployed tanks, ", "and left.", n),
    "denials in one sentence": lambda n: _sentences("Kyiv denied it, ", "and left.", n),
    "one endless digit": lambda n: "1" * n,
    "thousands separators": lambda n: "1" + _repeat(",000", n - 1),
    "numbers": lambda n: _sentences("5, ", "6 tanks.", n),
    "ranges": lambda n: _repeat("5 to ", n) + "6",
    "number words": lambda n: _repeat("twenty-five thousand ", n),
    "month names": lambda n: _repeat("January February March ", n),
    "dates": lambda n: _repeat("1 January 2022 to ", n),
    "month days": lambda n: _repeat("January 5, ", n),
    "one endless token": lambda n: "a" * n,
    "random unicode": _random_unicode,
}


def _count_lines(run: Callable[[], object]) -> int:
    """Lines of tocsin's extraction code executed by ``run()``."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        return local if frame.f_code.co_filename.startswith(EXTRACT) else None

    before = sys.gettrace()  # a coverage tool's, say: put back afterwards
    sys.settrace(calls)
    try:
        run()
    finally:
        sys.settrace(before)
    return count


def _clear_caches() -> None:
    """Empty the extraction modules' lru caches, so each count starts from nothing."""
    for name, module in list(sys.modules.items()):
        if name.startswith("tocsin.extract"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def _rule_lines(sm: tuple[Language, AliasTable], text: str) -> int:
    nlp, aliases = sm
    doc = nlp(text)
    _clear_caches()
    return _count_lines(lambda: analyse(doc, aliases, ANCHOR))


@pytest.mark.parametrize("name", list(CLASSES))
def test_the_rules_work_linearly_on_hostile_text(
    sm: tuple[Language, AliasTable], name: str
) -> None:
    make = CLASSES[name]
    small, large = _rule_lines(sm, make(1_000)), _rule_lines(sm, make(4_000))
    assert large <= 6 * max(small, 1), (small, large)


# spaCy's Token.children, .subtree, .lefts, .rights, .ancestors, Span.root and .sent walk
# the Doc at each call, in compiled code the line counts do not see.
_WALKS = {"children", "subtree", "lefts", "rights", "ancestors", "root", "sent", "sents"}


def test_the_rules_ask_the_parse_through_tables_not_walks() -> None:
    found = [
        (path.name, node.lineno, node.attr)
        for path in sorted(Path(EXTRACT).glob("*.py"))
        if path.name not in ("syntax.py", "nlp.py")  # the tables, and the sentence model
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in _WALKS
    ]
    assert found == []


def test_name_clustering_turns_linear_past_its_budget(
    sm: tuple[Language, AliasTable], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Below the budget every spelling meets every cluster (quadratic, as it must be to
    # stay exact); a budget this small shows what happens past it.
    monkeypatch.setattr(entities, "_CLUSTER_BUDGET", 2_000)
    small, large = _rule_lines(sm, _pseudo_names(1_500)), _rule_lines(sm, _pseudo_names(6_000))
    assert large <= 6 * small, (small, large)


def test_names_many_words_long_are_matched_in_polynomial_work() -> None:
    # Trying every assignment of one name's words to the other's took 11! steps here.
    def lines(k: int) -> int:
        _clear_caches()
        a, b = " ".join(["Ivan"] * k + ["Petrov"]), " ".join(["Ivan"] * (k - 1) + ["Sidorov"])
        return _count_lines(lambda: same_referent(a, b))

    assert not same_referent(" ".join(["Ivan"] * 11 + ["Petrov"]), "Ivan " * 10 + "Sidorov")
    assert lines(24) <= 16 * lines(12)


def test_a_sentence_too_long_to_be_prose_gives_no_statements(
    sm: tuple[Language, AliasTable],
) -> None:
    nlp, aliases = sm
    said = "Ivan Petrov said that the army would attack the town on Monday"
    short = said + ", and that nothing would stop it."
    long = said + ", and that nothing would stop it" * 70 + "."
    assert len(long) > MAX_SENTENCE_CHARS >= len(short)
    found = analyse(nlp(short), aliases, ANCHOR)
    assert [(q.kind, q.speaker_text) for q in found.quotes] == [("indirect", "Ivan Petrov")]
    assert [e.action for e in found.events] == ["attack"]
    found = analyse(nlp(long), aliases, ANCHOR)
    assert (found.quotes, found.events) == ([], [])


# --- every record points into the text -----------------------------------------------------

UNITS = [
    '"', "“", "”", "‘", "’", "«", "»", "„", "(", ")", "[", "]", " ", "\n", "\n\n", "according to ",
    "according to Ivan Petrov, ", "said ", " he said, ", "told ", "1", ",000", "1,000 ", ".5",
    "5-", "5 to ", "$", "%", "twenty-five ", "thousand ", "January ", "5 May 2022 ",
    "between 2020 and ", "last Monday ", "two days later ", "Lukashenko ", "Mr Ivan Petrov ",
    "denied ", "deployed ", "aaaa",
]  # fmt: skip
PROSE = [
    "The ministry said on Tuesday that 1,200 troops had arrived near the border.",
    "“We will not send soldiers,” Ivan Petrov told reporters in the capital.",
    "According to the agency, between 5 and 10 percent of voters may not take part.",
    "Officials denied the report, which appeared two days later.",
]


@st.composite
def hostile_texts(draw: st.DrawFn) -> str:
    """Runs of marks, brackets, cues, numbers and dates, random text and some prose."""
    runs = st.tuples(st.sampled_from(UNITS), st.integers(1, 80)).map(lambda p: p[0] * p[1])
    parts = draw(
        st.lists(st.one_of(runs, st.text(max_size=60), st.sampled_from(PROSE)), max_size=14)
    )
    return "".join(parts)


def _records(evidence: Evidence) -> Iterator[Any]:
    for kind in ("mentions", "quotes", "claims", "quantities", "dates", "events"):
        yield from getattr(evidence, kind)


def _assert_points_into(text: str, evidence: Evidence) -> None:
    for record in _records(evidence):
        assert 0 <= record.start < record.end <= len(text), record
        assert text[record.start : record.end] == record.text, record
    for quote in evidence.quotes:
        if quote.speaker_text is not None:
            assert quote.speaker_start is not None
            assert quote.speaker_end is not None
            assert 0 <= quote.speaker_start < quote.speaker_end <= len(text), quote
            assert text[quote.speaker_start : quote.speaker_end] == quote.speaker_text, quote
    for found in evidence.dates:
        assert found.date_start <= found.date_end, found
    for figure in evidence.quantities:
        if figure.low is not None and figure.high is not None:
            assert figure.low <= figure.high, figure


@HOSTILE
@given(hostile_texts())
def test_records_of_hostile_text_point_into_it(text: str) -> None:
    nlp, aliases = pipeline("sm")
    _assert_points_into(text, analyse(nlp(text), aliases, ANCHOR))


@pytest.mark.parametrize("name", list(CLASSES))
def test_records_of_long_hostile_text_point_into_it(
    sm: tuple[Language, AliasTable], name: str
) -> None:
    nlp, aliases = sm
    text = CLASSES[name](3_000) + "\n\n" + " ".join(PROSE)
    evidence = analyse(nlp(text), aliases, ANCHOR)
    _assert_points_into(text, evidence)
    # the prose in the paragraph after the hostile run is still read
    assert any(q.text.startswith("We will not send soldiers") for q in evidence.quotes)


# --- the tokenizer -----------------------------------------------------------------------


class _Recorder:
    """Stands in for spaCy's tokenizer and keeps what it is handed."""

    def __init__(self, inner: Callable[[str], Doc]) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def __call__(self, text: str) -> Doc:
        self.texts.append(text)
        return self.inner(text)


def _guarded(nlp: Language) -> tuple[GuardedTokenizer, _Recorder]:
    """A guard around spaCy's own tokenizer, recording what the guard hands it."""
    tokenizer = nlp.tokenizer
    recorder = _Recorder(tokenizer.inner if isinstance(tokenizer, GuardedTokenizer) else tokenizer)
    return GuardedTokenizer(recorder, nlp.vocab), recorder


@pytest.mark.parametrize("name", list(CLASSES))
def test_the_tokenizer_is_never_handed_a_chunk_it_is_slow_on(
    sm: tuple[Language, AliasTable], name: str
) -> None:
    guarded, recorder = _guarded(sm[0])
    text = CLASSES[name](20_000)
    assert guarded(text).text == text
    for piece in recorder.texts:
        for chunk in re.findall(r"\S+", piece):
            assert len(chunk) < LONG_CHUNK, chunk[:80]
            assert len(chunk) < 64 or not re.search(r"^[^\w\s]{32}|[^\w\s]{32}$", chunk), chunk


@HOSTILE
@given(hostile_texts())
def test_the_tokenizer_keeps_the_text_and_spacy_tokens(text: str) -> None:
    nlp, _ = pipeline("sm")
    guarded, recorder = _guarded(nlp)
    doc = guarded(text)
    assert doc.text == text
    if len(recorder.texts) == 1:  # nothing to guard: exactly spaCy's tokens
        plain = recorder.inner(text)
        assert [(t.text, t.whitespace_, t.norm_) for t in doc] == [
            (t.text, t.whitespace_, t.norm_) for t in plain
        ]
