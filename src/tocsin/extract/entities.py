"""Named mentions of people, organisations and places, corrected and clustered per article.

The small English model mislabels names it has not seen, in ways that are regular enough
to fix from context, written here because no library does it:

- a gazetteer (the alias table, as an EntityRuler before the statistical NER) names the
  people, bodies and places the user cares about;
- a name followed or preceded by a description of a person ("Artyom Shraibman, a
  Belarusian political analyst"; "the Ukrainian president, Volodymyr Zelenskiy"), or whose
  first word is a known given name ("Pavel Latushka"), is a PERSON;
- "the city of Yelsk" is a place; a name the article labels one way more often than
  another takes the majority label ("Minsk" as ORG once, GPE three times);
- a known place is never a PERSON ("Kyiv", "Kherson");
- text glued across a lost line break ("GraphicHe") is an extraction artefact, not a name.

Mentions are then clustered within the article: a surname alone, or another spelling or
transliteration (``names.same_referent``), joins the fullest name seen.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from tocsin.extract.names import AliasTable, normalise, same_referent, visible
from tocsin.extract.nlp import text_of
from tocsin.models.evidence import EntityLabel, Mention
from tocsin.text import is_credit_or_byline, paragraphs

LABELS: tuple[EntityLabel, ...] = ("PERSON", "ORG", "GPE", "LOC")
# Nouns that describe a person in apposition: "X, a political analyst"; "the president, X".
PERSON_NOUNS = frozenset(
    "analyst adviser advisor minister leader president politician scholar journalist diplomat "
    "sociologist director spokesman spokeswoman spokesperson secretary ambassador commander "
    "general officer chief head founder editor reporter correspondent researcher expert "
    "professor economist historian activist dissident candidate opponent lawyer deputy "
    "governor mayor senator lawmaker chairman chairwoman premier prime chancellor envoy "
    "negotiator colonel major lieutenant soldier writer author poet blogger strongman "
    "dictator ruler aide assistant fellow member representative official".split()
)
# Common given names in news about Eastern Europe and beyond: a multi-word name starting
# with one is a person ("Pavel Latushka" is not a place). A short list, extensible.
GIVEN_NAMES = frozenset(
    "alexander alexandr aleksandr aliaksandr alexei aleksei alexey oleksiy oleksii andrei "
    "andrey andriy anna hanna artyom artem boris dmitry dmitri dmytro franak igor ihar ivan "
    "konrad maria mikhail mykhailo nikolai mykola oleg olga pavel pavlo petro pyotr roman "
    "sergei sergey serhiy sviatlana svetlana tatiana valery valeriy viktor victor vitaly "
    "vladimir volodymyr uladzimir yuri yuriy yury yevgeny yevgeniy yevhen xie emmanuel olaf "
    "joe john james antony anthony jens ursula boris liz rishi donald kamala angela recep "
    "xi".split()
)
_PLACE_CUES = frozenset({"city", "town", "village", "region", "district", "province", "oblast"})
_GLUED = re.compile(r"[a-z][A-Z][a-z]")  # "GraphicHe": a lost line break inside a token


@dataclass
class _Raw:
    start: int
    end: int
    label: EntityLabel
    text: str


def add_gazetteer(nlp: Language, aliases: AliasTable) -> None:
    """Put the alias table's spellings in an EntityRuler before the statistical NER."""
    if "tocsin_gazetteer" in nlp.pipe_names:
        return
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", name="tocsin_gazetteer", before=before)
    patterns = []
    for canonical, label, spellings in aliases.entries:
        for spelling in {canonical, *spellings}:
            patterns.append({"label": label, "pattern": spelling})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]


def find_mentions(doc: Doc, aliases: AliasTable) -> list[Mention]:
    """The article's named mentions, corrected, each with its in-article cluster key."""
    text = text_of(doc)
    # Names in a photo credit or a stray byline left in the text are not actors.
    skip = [(a, b) for a, b in paragraphs(text) if is_credit_or_byline(text[a:b])]
    raw = [
        r
        for ent in doc.ents
        if not any(a <= ent.start_char < b for a, b in skip)
        and (r := _correct(doc, ent, aliases)) is not None
    ]
    raw = _majority_labels(raw, aliases)
    return _cluster(raw, aliases)


def _correct(doc: Doc, ent: Span, aliases: AliasTable) -> _Raw | None:
    label = ent.label_
    if label not in LABELS:
        return None
    span = _strip(ent)
    if span is None or _GLUED.search(span.text):
        return None
    if len(span) == 1 and span[0].tag_ == "JJ" and label != "PERSON":
        return None  # "Ukrainian" troops: a nationality adjective (NORP), not a place
    text = span.text
    known = aliases.label(text)
    if known is not None:
        return _Raw(span.start_char, span.end_char, known, text)
    if label != "PERSON" and _looks_like_person(doc, span):
        label = "PERSON"
    elif (label == "PERSON" and _after_place_cue(doc, span)) or (
        label == "ORG" and _after_place_cue(doc, span)
    ):
        label = "GPE"
    return _Raw(span.start_char, span.end_char, label, text)  # type: ignore[arg-type]


def _strip(ent: Span) -> Span | None:
    """Drop a leading 'the' and a trailing possessive from the entity span."""
    start, end = ent.start, ent.end
    doc = ent.doc
    # "the", and words the model sometimes takes into a name: "Later Danilov".
    while start < end and (
        doc[start].lower_ in ("the", "a", "an")
        or doc[start].pos_ in ("ADV", "ADP", "CCONJ", "SCONJ", "PUNCT", "PART")
    ):
        start += 1
    while end > start and doc[end - 1].text in ("’s", "'s", "’", "'"):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _looks_like_person(doc: Doc, span: Span) -> bool:
    words = span.text.split()
    if len(words) >= 2 and normalise(words[0]) in GIVEN_NAMES:
        return True
    # "X, a Belarusian political analyst" / "X, senior adviser to …"
    after = doc[span.end : span.end + 6]
    if len(after) >= 2 and after[0].text == ",":
        for token in after[1:]:
            if token.lemma_.lower() in PERSON_NOUNS and token.pos_ == "NOUN":
                return len(words) >= 2
            if token.pos_ not in ("DET", "ADJ", "PROPN", "NOUN", "ADV", "PUNCT"):
                break
    # "the Ukrainian president, X" / "President X"
    before = doc[max(0, span.start - 3) : span.start]
    if len(before) >= 2 and before[-1].text == "," and before[-2].lemma_.lower() in PERSON_NOUNS:
        return len(words) >= 2
    return bool(
        len(before) >= 1 and before[-1].lemma_.lower() in PERSON_NOUNS and before[-1].is_title
    )


def _after_place_cue(doc: Doc, span: Span) -> bool:
    before = doc[max(0, span.start - 2) : span.start]
    return len(before) == 2 and before[1].lower_ == "of" and before[0].lower_ in _PLACE_CUES


def _majority_labels(raw: list[_Raw], aliases: AliasTable) -> list[_Raw]:
    """Give each surface form the label it has most often in the article (PERSON wins
    ties, since its context rules are the most specific)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for r in raw:
        votes[normalise(r.text)][r.label] += 1
    out = []
    for r in raw:
        counts = votes[normalise(r.text)]
        best = max(counts.items(), key=lambda kv: (kv[1], kv[0] == "PERSON"))[0]
        out.append(_Raw(r.start, r.end, best, r.text))  # type: ignore[arg-type]
    return out


def _cluster(raw: Sequence[_Raw], aliases: AliasTable) -> list[Mention]:
    """Join mentions of one referent; the key is the alias canonical or fullest spelling.

    Distinct spellings are clustered, not mentions: an article names Lukashenko fifty
    times in three spellings.
    """
    forms: dict[tuple[str, str], list[_Raw]] = {}
    for r in raw:
        forms.setdefault((r.text, r.label), []).append(r)
    clusters: list[list[tuple[str, str]]] = []
    # Longer names first, so that a surname joins the full name whatever comes first.
    for text, label in sorted(forms, key=lambda f: (-len(f[0].split()), forms[f][0].start)):
        for cluster in clusters:
            head_text, head_label = cluster[0]
            if _compatible(head_label, label, head_text, text) and (
                _same_alias(aliases, head_text, text) or same_referent(head_text, text)
            ):
                cluster.append((text, label))
                break
        else:
            clusters.append([(text, label)])
    mentions = []
    for cluster in clusters:
        members = [r for form in cluster for r in forms[form]]
        key = _key(members, aliases)
        kind = members[0].label  # the fullest spelling's, when it is a person
        if kind != "PERSON":
            kind = Counter(r.label for r in members).most_common(1)[0][0]
        for r in members:
            mentions.append(Mention(r.start, r.end, r.text, kind, key))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _compatible(a: str, b: str, a_text: str = "", b_text: str = "") -> bool:
    """Labels that can name one referent: the same, two kinds of place, or a surname the
    model took for an organisation ("Danilov once again noted") beside a full name."""
    if a == b or {a, b} <= {"GPE", "LOC"}:
        return True
    return a == "PERSON" and b == "ORG" and len(a_text.split()) >= 2 and len(b_text.split()) == 1


def _same_alias(aliases: AliasTable, a: str, b: str) -> bool:
    ca = aliases.canonical(a)
    return ca is not None and ca == aliases.canonical(b)


def _key(cluster: Iterable[_Raw], aliases: AliasTable) -> str:
    """The cluster's name: the alias table's canonical, else its fullest spelling, without
    invisible controls (a mention's own text keeps them, to index the article's text)."""
    items = list(cluster)
    for r in items:
        canonical = aliases.canonical(r.text)
        if canonical is not None:
            return canonical
    return visible(max(items, key=lambda r: (len(r.text.split()), len(r.text), -r.start)).text)
