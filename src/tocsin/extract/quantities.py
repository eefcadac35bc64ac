"""Figures in news prose: numbers with their qualifiers, ranges, units and what they count.

The reader is token-driven rather than entity-driven: spaCy's CARDINAL/PERCENT/MONEY spans
miss some figures ('7k', 'five to ten') and swallow others into dates, so we read numbers
off the tokens ourselves and use the entity labels and the dependency parse only to reject
non-figures and to find what is counted.

Decisions (each one is exercised by tests/extract/test_quantities.py):

* **Span.** ``text`` covers the qualifier, the number(s), a currency sign and the unit
  ('at least 1,348', 'between 6 and 11 percent', 'US$6 billion', 'two days'); the counted
  noun is *not* part of it, since it is often far away ('support ... is 6 percent').
* **Durations** ('two days', 'Seven years later') are figures: unit 'day', 'year' ...
  Their measure is left None, so they never group.
* **Brackets.** A conversion in brackets right after a figure of the same kind
  ('US$6 billion (£4.5 billion)', '17km (10 miles)') is a second Quantity with its own unit
  ('GBP', 'mile'); it takes the first figure's measure and qualifier, so both land in the
  same group.
* **Vague numbers** ('dozens', 'thousands', 'tens of thousands', 'several hundred') are
  Quantities with value None, qualifier 'vague' and low/high = 2x/10x the base
  (dozens: 24-120, tens of thousands: 20,000-100,000).
* **Not figures:** years and dates (a four-digit 1800-2100 number without a comma, unless
  it directly counts a plural noun outside a DATE entity; numbers inside DATE or TIME
  entities unless they count days/years; numbers next to a month name), numbers inside
  names (ORG/PRODUCT/EVENT/LAW ... entities, 'S-400', 'T-72A', 'G7'), labels after a noun
  ('option two', 'Resolve 2022'), list markers ('1)', '(2)'), scores ('3-1'), fractions
  ('two-thirds'), and a lone 'one' ('one of them', 'no one') unless it carries a unit or a
  qualifier.
* **Qualifiers** are normalised: 'over', 'above', 'upwards of' -> 'more than'; 'under',
  'fewer than' -> 'less than'; 'at most', 'as many as' -> 'up to'; 'around', 'some',
  'approximately', 'roughly' -> 'about'; 'almost' -> 'nearly'; ranges -> 'range'.
  'only' and 'just' are emphasis, not estimates, and are dropped.

What a figure measures (``Quantity.measure``, lemmatised, lower case) comes from the
dependency parse, with no lexicon of measures (only two short closed-class lists: quantity
nouns and grading adjectives):

* a count's measure is the noun the number modifies (nummod), with its compounds and
  classifying adjectives ('battalion tactical group', 'political prisoner', 'armed force'),
  but not names, nationalities or evaluative adjectives ('eight T-72A tanks' -> 'tank',
  '120,000 Russian troops' -> 'troop'); or the object of 'of' after a number noun
  ('dozens of journalists', 'US$6 billion of investments'); or the size of the noun that
  has the number ('a country of 9.5 million' -> 'country size', kept apart from 'two
  countries'; but 'a budget of €2.3bn' -> 'defence budget'); or, for 'an increase in X
  from A to B', X; a figure hanging off a verb ('rose to 300', 'there are troops, up to
  7k') measures the verb's object, else its subject; lengths and weights measure only the
  noun they describe ('a 64km convoy');
* a percentage's measure is what the share *does or is*: the predicate it is the subject
  of ('3% of Belarusians are ready to support ...' -> 'support'; negated: 'not support'),
  or the subject it is the value of ('support for sending troops is between 6 and 11
  percent' -> 'support'), or the noun it is in apposition to or modifies. The population
  after 'of' ('of Belarusians') is not the measure.
* quantity nouns ('level', 'share', 'rate', 'number' ...) are looked through to their 'of'
  object ('a 90% level of combat power' -> 'combat power'); a comparative quantity noun ('a
  higher level of approval -- up to 11%') refers back, and takes the measure of the
  previous figure of the same kind in the last three sentences.

``measure_key`` is '<family>:<measure>' (family: count, percent, money, length, duration
...). ``group_quantities`` puts figures with equal keys together, and also figures of one
family whose measures share the head word when one measure's words contain the other's
('force' and 'armed force'), never across a negation.

The reading is split by concern: ``numerals`` reads numbers and units off the tokens,
``ranges`` joins them into phrases with qualifiers and rejects what is no figure, and
``measures`` finds what a figure measures. Each looks at a bounded neighbourhood of the
figure, or at tables built once per Doc, so a text is read in time linear in its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from spacy.tokens import Doc

from tocsin.extract import nlp
from tocsin.extract.counted import GENERIC
from tocsin.extract.measures import Measure, measure
from tocsin.extract.nlp import text_of
from tocsin.extract.numerals import family
from tocsin.extract.ranges import Phrase, read_phrase, reject
from tocsin.models.evidence import Quantity

__all__ = ["find_quantities", "group_quantities", "measure_key"]

_COMPARE_WINDOW = 3  # sentences a comparative may look back
# A measure of more words than this is grouped by comparing it with every other one in its
# group; shorter ones by looking up the measures their words could contain.
_SUBSET_WORDS = 12


def find_quantities(doc: Doc) -> list[Quantity]:
    """Every figure in ``doc``, in document order (see the module docstring for the rules)."""
    if not len(doc):
        return []  # nlp.sentences cannot split an empty Doc
    parsed = doc.has_annotation("DEP")
    sentence_of: dict[int, int] = {}
    if parsed or nlp.has_sentences(doc):
        for n, sent in enumerate(nlp.sentences(doc)):
            sentence_of[sent.start] = n
    phrases = _phrases(doc, parsed)
    out: list[Quantity] = []
    last_of: dict[str, tuple[int, str]] = {}  # family -> (sentence, measure) of its last
    for n, phrase in enumerate(phrases):
        kind = family(phrase.unit)
        qualifier = phrase.qualifier
        found = measure(doc, phrase) if parsed else Measure(None)
        sentence = (
            sentence_of.get(nlp.sentence_of(doc, phrase.start).start, 0) if sentence_of else 0
        )
        previous = phrases[n - 1] if n else None
        if previous is not None and out and _is_conversion(doc, previous, phrase):
            found = Measure(out[-1].measure, scope=out[-1].scope)
            qualifier = qualifier or out[-1].qualifier
        elif found.comparative:
            # the last figure of the same kind, if it is in the last few sentences
            past = last_of.get(kind)
            if past is not None and sentence - past[0] <= _COMPARE_WINDOW:
                found = Measure(past[1])
        if found.text is not None:
            last_of[kind] = (sentence, found.text)
        out.append(_record(doc, phrase, qualifier, found))
    return out


def _phrases(doc: Doc, parsed: bool) -> list[Phrase]:
    """The figures read token by token, without those rejected."""
    phrases: list[Phrase] = []
    rejected: set[int] = set()
    i = 0
    while i < len(doc):
        phrase = read_phrase(doc, i)
        if phrase is None:
            i += 1
            continue
        if reject(doc, phrase, rejected, parsed):
            rejected.update(phrase.numerals)
        else:
            phrases.append(phrase)
        i = max(phrase.end, i + 1)
    return phrases


def _record(doc: Doc, phrase: Phrase, qualifier: str | None, what: Measure) -> Quantity:
    start_char = doc[phrase.start].idx
    end_char = doc[phrase.end - 1].idx + len(doc[phrase.end - 1].text)
    return Quantity(
        start=start_char,
        end=end_char,
        text=text_of(doc)[start_char:end_char],
        value=phrase.value,
        low=phrase.low,
        high=phrase.high,
        unit=phrase.unit,
        qualifier=qualifier,
        measure=what.text,
        scope=what.scope,
    )


def _is_conversion(doc: Doc, first: Phrase, second: Phrase) -> bool:
    """'US$6 billion (£4.5 billion)': the bracketed figure restates the one before it."""
    return (
        second.start == first.end + 1
        and doc[first.end].text == "("
        and second.end < len(doc)
        and doc[second.end].text == ")"
        and first.unit is not None
        and family(first.unit) == family(second.unit)
    )


# Head nouns that count the same people: "9,000 soldiers" and "30,000 troops" are one
# quantity, which can agree or conflict.
_SAME_COUNT = {"soldier": "troop", "serviceman": "troop", "servicemen": "troop"}


def measure_key(q: Quantity) -> str | None:
    """'<family>:<measure>', and ' [<scope>]' when it has one, for grouping figures across
    articles; None without a measure, or for people in general with no scope.

    The family (count, percent, money, length, ratio, duration ...) keeps '3% of voters'
    apart from '3 voters' and '2.5 times' from '2.5 million'; currencies share the family
    'money' so a conversion groups with the figure it converts. The scope keeps 'Russian
    troops in Belarus' apart from 'Belarusian troops', and '35,000 people detained' from
    '9,000 people protested'; '25 million people' alone says too little to group.
    """
    if q.measure is None:
        return None
    words = " ".join(q.measure.lower().split())
    if not words or (words.split()[-1] in GENERIC and not q.scope):
        return None
    head = words.split()[-1]
    words = words.removesuffix(head) + _SAME_COUNT.get(head, head)
    key = f"{family(q.unit)}:{words}"
    return f"{key} [{q.scope}]" if q.scope else key


def group_quantities(items: Sequence[Quantity]) -> list[int | None]:
    """A group id per item: figures on the same measure share one; None without a measure.

    Two figures go together when their keys are equal, or when they are of one family, their
    measures end in the same head word and one measure's words contain the other's
    ('force' / 'armed force', 'support' / 'public support') -- but never across a negation
    ('support' / 'not support') or a scope. Ids count up from 0 in order of first appearance.
    """
    keys = [measure_key(q) for q in items]
    groups = _Groups(len(items))
    buckets: dict[tuple[str, str], dict[frozenset[str], int]] = {}
    for k, key in enumerate(keys):
        if key is None:
            continue
        kind, what = key.split(":", 1)
        what, _, scope = what.partition(" [")
        words = what.split()
        sets = buckets.setdefault((f"{kind} [{scope}", words[-1]), {})
        first = sets.setdefault(frozenset(words), k)
        groups.union(first, k)  # equal sets of words contain each other
    for (_, head), sets in buckets.items():
        for these, k in sets.items():
            for other in _contained(these, head, sets):
                if ("not" in these) == ("not" in other):
                    groups.union(k, sets[other])
    return groups.ids(keys)


def _contained(
    words: frozenset[str], head: str, sets: dict[frozenset[str], int]
) -> list[frozenset[str]]:
    """The other sets of words in ``sets`` that ``words`` contains (all share ``head``)."""
    if len(words) > _SUBSET_WORDS:
        return [other for other in sets if other < words]
    rest = sorted(words - {head})
    found = []
    for size in range(len(rest)):
        for chosen in combinations(rest, size):
            subset = frozenset((head, *chosen))
            if subset in sets:
                found.append(subset)
    return found


class _Groups:
    """Union-find over item numbers; a group's root is its first item."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, k: int) -> int:
        parent = self.parent
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def ids(self, keys: Sequence[str | None]) -> list[int | None]:
        """Group ids counting up from 0 in order of first appearance; None without a key."""
        ids: dict[int, int] = {}
        result: list[int | None] = []
        for k, key in enumerate(keys):
            if key is None:
                result.append(None)
                continue
            root = self.find(k)
            if root not in ids:
                ids[root] = len(ids)
            result.append(ids[root])
        return result
