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
- text glued across a lost line break ("GraphicHe") is an extraction artefact, not a name;
- a mention must look like a name in its context: icon and widget text ('chevron', 'arrow',
  'Share', 'Facebook' in a row of share buttons) is page furniture, not an actor.

Bodies every country has (a ministry of defence, the armed forces) are resolved per
country, and countries named inside organisations' names are places of their own
(``tocsin.extract.bodies``).

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

from tocsin.extract import nlp
from tocsin.extract.aliases import AliasEntry, AliasTable, default_aliases, same_referent
from tocsin.extract.bodies import resolve
from tocsin.extract.lookup import Intervals
from tocsin.extract.names import match_signs, name_key, normalise
from tocsin.extract.nlp import text_of
from tocsin.extract.quote_marks import paragraphs
from tocsin.models.evidence import EntityLabel, Mention
from tocsin.text import is_credit_or_byline, visible

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
# Icon names and widget labels that pages leave in their text ('chevron', 'Share',
# 'Facebook' in a row of share buttons). Outside prose they are page furniture, not names.
WIDGET_WORDS = frozenset(
    "chevron arrow caret icon close menu share print email mail comment comments copy link "
    "subscribe search login logout signin signup register newsletter home next previous prev "
    "back top more expand collapse toggle play pause loading advertisement sponsored follow "
    "like tweet save download facebook twitter x whatsapp telegram viber linkedin reddit "
    "pinterest instagram youtube tiktok flipboard messenger vk tumblr snapchat skype gmail "
    "mastodon bluesky threads rss".split()
)
# Lower-case words that names have: 'Ministry of Defence', 'Charles de Gaulle', 'bin Salman'.
_PARTICLES = frozenset(
    "of the and for in on at to de da del della di du des van von der den la le al el bin ibn "
    "y e".split()
)
# Function words that end no name ('Armed Forces of the' left before a place).
_DANGLING = frozenset({"of", "the", "and", "for", "in", "on", "at", "to", "'s", "’s"})
# What comparing a spelling with a cluster costs: 1 for the label and sign checks, and
# _RULE_COST more when the name rules must decide (about 20 times slower).
_RULE_COST = 20
# The comparisons one article may make in full: 21 times what the benchmark corpora need
# (143,000 units, in a 17,000-character article). An article of thousands of distinct
# names is a list or an attack; compared each with each, they would take hours. Past the
# budget, a spelling is compared only with the first _CANDIDATES clusters that share one of
# its name keys.
_CLUSTER_BUDGET = 3_000_000
_CANDIDATES = 64


@dataclass
class _Raw:
    start: int
    end: int
    label: EntityLabel
    text: str


def add_gazetteer(nlp: Language, aliases: AliasTable) -> None:
    """Put the alias table's spellings in an EntityRuler before the statistical NER, and
    the countries' names in one after it: the model finds countries well, and a country
    set before it would cut names such as 'Belarus Free Theatre' in two; after it, the
    table only fills in what the model missed ('Türkiye', 'Byelorussia')."""
    if "tocsin_gazetteer" in nlp.pipe_names:
        return
    names = [e for e in aliases.entries if e.adjectives is None]
    countries = [e for e in aliases.entries if e.adjectives is not None]
    has_ner = "ner" in nlp.pipe_names
    ruler = nlp.add_pipe("entity_ruler", name="tocsin_gazetteer", before="ner" if has_ner else None)
    ruler.add_patterns(_patterns(names))  # type: ignore[attr-defined]
    after = nlp.add_pipe("entity_ruler", name="tocsin_countries", after="ner" if has_ner else None)
    after.add_patterns(_patterns(countries))  # type: ignore[attr-defined]


def _patterns(entries: Iterable[AliasEntry]) -> list[dict[str, str]]:
    return [
        {"label": e.label, "pattern": spelling}
        for e in entries
        for spelling in sorted({e.canonical, *e.spellings})
    ]


def find_mentions(doc: Doc, aliases: AliasTable) -> list[Mention]:
    """The article's named mentions, corrected, each with its in-article cluster key."""
    text = text_of(doc)
    # Names in a photo credit or a stray byline left in the text are not actors.
    skip = Intervals([(a, b) for a, b in paragraphs(text) if is_credit_or_byline(text[a:b])])
    raw = [
        r
        for ent in doc.ents
        if not skip.covers(ent.start_char) and (r := _correct(doc, ent, aliases)) is not None
    ]
    raw = _majority_labels(raw, aliases)
    keys, inside = resolve(doc, raw, aliases)
    plain = [r for r, key in zip(raw, keys, strict=True) if key is None]
    plain += [_Raw(start, end, "GPE", text) for start, end, text in inside]
    bodies = [
        Mention(r.start, r.end, r.text, "ORG", key)
        for r, key in zip(raw, keys, strict=True)
        if key is not None
    ]
    mentions = _cluster(plain, aliases) + bodies
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


def outermost(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions not nested in another (sorted by start, longest first), as the rules
    that look mentions up by position need them: a country inside an organisation's name
    is a place of its own, but the organisation is the one that speaks or acts."""
    out: list[Mention] = []
    reach = -1
    for m in mentions:
        if m.start >= reach:
            out.append(m)
        reach = max(reach, m.end)
    return out


def _correct(doc: Doc, ent: Span, aliases: AliasTable) -> _Raw | None:
    label = ent.label_
    if label not in LABELS:
        return None
    span = _strip(ent)
    if span is None or _GLUED.search(span.text) or not _looks_like_name(doc, span, aliases):
        return None
    if len(span) == 1 and span[0].tag_ == "JJ" and label != "PERSON":
        return None  # "Ukrainian" troops: a nationality adjective (NORP), not a place
    text = span.text
    if aliases.country(text) is not None and aliases.country_named(text) is None:
        return None  # 'the Belarusian' taken for an organisation: a nationality
    known = aliases.label(text)
    if known is not None and not (label == "PERSON" and aliases.country_named(text)):
        return _Raw(span.start_char, span.end_char, known, text)  # not 'Jordan' the player
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
    while end > start and (
        doc[end - 1].text in ("’s", "'s", "’", "'")
        or (end - start > 1 and doc[end - 1].lower_ in _DANGLING)
    ):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _looks_like_name(doc: Doc, span: Span, aliases: AliasTable) -> bool:
    """Whether the span reads as a name where it stands: not all lower case ('chevron'),
    and not a widget word outside prose ('Share', 'Facebook' among share buttons)."""
    text = span.text
    if aliases.label(text) is not None:
        return True  # listed: the table's spellings are names, lower-case ones too
    if not any(ch.isalpha() for ch in text):
        return False  # '½', '2019'
    if not any(ch.isupper() for ch in text) and any(ch.islower() for ch in text):
        return False
    words = text.split()
    common = [w for w in words if w[:1].islower() and w.lower() not in _PARTICLES]
    if len(words) > 2 and 2 * len(common) > len(words):
        return False  # mostly lower-case words: a phrase (often another language), no name
    if normalise(text) not in WIDGET_WORDS:
        return True
    return _in_prose(nlp.sentence_of(doc, span.start))


def _in_prose(sentence: Span) -> bool:
    """A sentence of prose has a verb that is no widget word ('Facebook removed the post';
    not 'Share on Facebook')."""
    return any(t.pos_ in ("VERB", "AUX") and t.lower_ not in WIDGET_WORDS for t in sentence)


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
    mentions = []
    for cluster in _clusters(forms, aliases):
        members = [r for form in cluster for r in forms[form]]
        key = _key(members, aliases)
        kind = members[0].label  # the fullest spelling's, when it is a person
        if kind != "PERSON":
            kind = Counter(r.label for r in members).most_common(1)[0][0]
        for r in members:
            mentions.append(Mention(r.start, r.end, r.text, kind, key))
    return mentions


@dataclass(frozen=True)
class _Form:
    """One spelling with one label, and what deciding whether it joins a cluster needs."""

    text: str
    label: str
    canonical: str | None  # in the article's alias table
    listed: str | None  # its canonical name in the shipped table, which same_referent uses
    signs: frozenset[str]  # see ``names.match_signs``
    keys: tuple[str, ...]  # the name keys of its words, and its canonical names

    def verdict(self, head: _Form) -> bool | None:
        """Whether this spelling names what the cluster headed by ``head`` names, when
        that is clear without the name rules; None when they must decide."""
        if not _compatible(head.label, self.label, head.text, self.text):
            return False
        if head.canonical is not None and head.canonical == self.canonical:
            return True
        if head.listed is None and self.listed is None and head.signs.isdisjoint(self.signs):
            return False  # no token of one can match a token of the other
        return None


class _Clustering:
    """Spellings joined into clusters, each to the first cluster whose head it matches."""

    def __init__(self, aliases: AliasTable) -> None:
        self.aliases = aliases
        self.shipped = default_aliases()
        self.heads: list[_Form] = []
        self.clusters: list[list[tuple[str, str]]] = []
        self.by_key: dict[str, list[int]] = {}  # a key -> the clusters whose head has it
        self.budget = _CLUSTER_BUDGET

    def add(self, text: str, label: str) -> None:
        form = self._form(text, label)
        every = range(len(self.heads)) if self.budget > 0 else self._candidates(form)
        found = self._first_joined(form, every)
        if found is not None:
            self.clusters[found].append((text, label))
            return
        for key in form.keys:
            self.by_key.setdefault(key, []).append(len(self.heads))
        self.heads.append(form)
        self.clusters.append([(text, label)])

    def _form(self, text: str, label: str) -> _Form:
        canonical, listed = self.aliases.canonical(text), self.shipped.canonical(text)
        keys = {name_key(word) for word in normalise(text).split()}
        keys |= {f"alias:{name}" for name in (canonical, listed) if name is not None}
        return _Form(text, label, canonical, listed, match_signs(text), tuple(sorted(keys)))

    def _first_joined(self, form: _Form, clusters: Iterable[int]) -> int | None:
        for k in clusters:
            head = self.heads[k]
            verdict = form.verdict(head)
            self.budget -= 1
            if verdict is None:
                self.budget -= _RULE_COST
                verdict = same_referent(head.text, form.text)
            if verdict:
                return k
        return None

    def _candidates(self, form: _Form) -> list[int]:
        """The first clusters (oldest first) whose head shares a key with ``form``."""
        lists = [self.by_key.get(key, [])[:_CANDIDATES] for key in form.keys]
        return sorted({k for found in lists for k in found})[:_CANDIDATES]


def _clusters(
    forms: dict[tuple[str, str], list[_Raw]], aliases: AliasTable
) -> list[list[tuple[str, str]]]:
    """The spellings grouped: longer names first, so that a surname joins the full name
    whatever comes first. Past ``_CLUSTER_BUDGET``, a spelling is compared only with the
    first ``_CANDIDATES`` clusters that share a name key with it."""
    clustering = _Clustering(aliases)
    for text, label in sorted(forms, key=lambda f: (-len(f[0].split()), forms[f][0].start)):
        clustering.add(text, label)
    return clustering.clusters


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
    """The cluster's name: the alias table's canonical, else its fullest well-formed
    spelling, without invisible controls (a mention's own text keeps them, to index the
    article's text)."""
    items = list(cluster)
    for r in items:
        canonical = aliases.canonical(r.text)
        if canonical is not None:
            return canonical
    best = max(
        items,
        key=lambda r: (_well_formed(r.text, aliases), len(r.text.split()), len(r.text), -r.start),
    )
    return visible(best.text)


def _well_formed(name: str, aliases: AliasTable) -> bool:
    """Whether a spelling can be a canonical name: not ending in a function word, and no
    'of' followed by a nationality adjective ('State of Belarusian Security Council', where
    the name is 'Belarusian Security Council')."""
    words = name.split()
    if not words or words[-1].lower() in _DANGLING:
        return False
    for k, word in enumerate(words[:-1]):
        if word.lower() != "of":
            continue
        after = words[k + 1]
        if after.lower() == "the" and k + 2 < len(words):
            after = words[k + 2]
        if aliases.country(after) is not None and aliases.country_named(after) is None:
            return False
    return True
