"""Named mentions in Russian text, with keys that join them to their Latin spellings.

natasha's NER finds people (PER), organisations (ORG) and places (LOC); its ``normalize``
puts each in the nominative, so Лукашенко, Лукашенку, Лукашенкой and Александра Лукашенко
all become 'Александр Лукашенко' or 'Лукашенко'. Then:

- an organisation followed by a place in the genitive is one organisation qualified by its
  country ('Минобороны Белоруссии' -> 'Ministry of Defence of Belarus'); the place inside
  is not a mention of its own;
- people are clustered in the article by surname: a surname alone joins the full name it
  belongs to, and a given name with a patronymic ('Владимир Владимирович') joins the full
  name with that given name;
- each cluster's key is the alias tables' canonical name for its fullest normal form (the
  Russian table for names no transliteration reaches, Россия = Russia; the shipped and the
  user's tables for the rest, looked up by the romanised name, Лукашенко = Lukashenko =
  Alexander Lukashenko), else the romanised name itself ('Виктор Хренин' -> 'Viktor
  Khrenin'). The store then joins the key to the entity English articles name
  (``tocsin.extract.resolve``).

Labels: PER is PERSON, ORG is ORG; LOC is GPE unless the alias table lists the place as LOC
(regions such as Donbas), since Russian news names countries and cities far more often.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tocsin.extract.aliases import AliasTable
from tocsin.extract.russian.document import Named, RuDoc
from tocsin.extract.russian.morphology import nominative
from tocsin.extract.russian.translit import to_latin
from tocsin.models.evidence import EntityLabel, Mention

_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична|инична)$")
_TRIM = " \t\n.,;:!?«»„“”\"'()[]—–-"
# Capitalised words the NER takes for names that name nobody in particular.
_NOT_NAMES = frozenset({"сми"})


def find_mentions(doc: RuDoc, aliases: AliasTable) -> list[Mention]:
    """The article's named mentions with their cluster keys, in text order."""
    found = [_trimmed(doc, n) for n in doc.named if _is_name(doc.text, n)]
    raw = _qualified(doc, _propagated(doc, found), aliases)
    labelled = [(n, q, _label(doc, n, aliases)) for n, q in raw]
    people = _person_keys(
        [n for n, q, label in labelled if label == "PERSON" and q is None], aliases
    )
    mentions: list[Mention] = []
    for named, qualified_key, label in labelled:
        text = doc.text[named.start : named.end]
        if qualified_key is not None:
            key = qualified_key
        elif label == "PERSON":
            key = people[named.normal]
        else:
            key = aliases.canonical(text) or latin_key(named.normal, aliases)
        mentions.append(Mention(named.start, named.end, text, label, key))
    return mentions


def _propagated(doc: RuDoc, named: list[Named]) -> list[Named]:
    """``named`` with the other occurrences of the surnames it found: the NER finds 'Виктор
    Хренин' in the body and misses 'Хренин' alone in the headline."""
    surnames = {n.normal.split()[-1].lower() for n in named if n.label == "PERSON" and n.normal}
    bodies = {doc.text[n.start : n.end].lower(): n.label for n in named if n.label != "PERSON"}
    covered = [False] * len(doc.tokens)
    for n in named:
        for k in range(n.first, n.last):
            covered[k] = True
    added = []
    for k, t in enumerate(doc.tokens):
        if covered[k] or not t.text[:1].isupper():
            continue
        if t.pos == "PROPN":
            normal = nominative(t.text, t.pos, t.feats).replace("ё", "е")
            if normal.lower() in surnames or t.text.lower() in surnames:
                added.append(Named(t.start, t.end, "PERSON", normal, k, k + 1))
                continue
        if t.text.isupper() and len(t.text) > 1 and t.text.lower() in bodies:
            # an abbreviation found elsewhere in the article: 'БЕЛТА' after 'БелТА'
            added.append(Named(t.start, t.end, bodies[t.text.lower()], t.text, k, k + 1))
    return sorted([*named, *added], key=lambda n: n.start) if added else named


def _is_name(text: str, named: Named) -> bool:
    """A name starts with a capital or a digit (lower-case slips are not names), holds a
    letter and is no generic word ('СМИ', the media)."""
    surface = text[named.start : named.end].strip(_TRIM)
    if not surface or surface.lower() in _NOT_NAMES:
        return False
    return (surface[0].isupper() or surface[0].isdigit()) and any(c.isalpha() for c in surface)


def _trimmed(doc: RuDoc, named: Named) -> Named:
    """``named`` without punctuation the NER left at its ends ('Sputnik.')."""
    start, end = named.start, named.end
    while start < end and doc.text[start] in _TRIM:
        start += 1
    while end > start and doc.text[end - 1] in _TRIM and not _closes_open(doc.text, start, end):
        end -= 1
    if (start, end) == (named.start, named.end):
        return named
    first, last = doc.token_from(start), doc.token_before(end) + 1
    normal = named.normal.strip(_TRIM) or named.normal
    return Named(start, end, named.label, normal, first, max(last, first + 1))


def _closes_open(text: str, start: int, end: int) -> bool:
    """The span's last character closes a bracket or quote it opens: 'ЧВК «Вагнер»'."""
    opener = {"»": "«", ")": "(", "”": "“", '"': '"'}.get(text[end - 1])
    return opener is not None and opener in text[start : end - 1]


def _label(doc: RuDoc, named: Named, aliases: AliasTable) -> EntityLabel:
    """The NER's label, unless the alias tables list the name as a body or a place
    ('Кремлю' tagged as a person, 'Союзного государства' as a place); LOC is GPE unless
    listed as LOC."""
    surface = doc.text[named.start : named.end]
    listed = (
        aliases.label(surface)
        or aliases.label(named.normal)
        or aliases.label(to_latin(named.normal))
    )
    if listed is not None and listed != "PERSON":
        return listed
    if named.label == "PERSON":
        return "PERSON"
    return "ORG" if named.label == "ORG" else "GPE"


def latin_key(normal: str, aliases: AliasTable) -> str:
    """The canonical name of ``normal`` (a nominative Russian name) by the alias tables,
    else its romanisation. A form the lemmatiser left inflected ('Лукашенку', 'Лукашенкой':
    the surname is indeclinable in the norm, not always in the press) is looked up by the
    nominatives it may come from."""
    latin = to_latin(normal)
    found = aliases.canonical(normal) or aliases.canonical(latin)
    if found:
        return found
    for guess in nominatives(normal):
        found = aliases.canonical(guess) or aliases.canonical(to_latin(guess))
        if found:
            return found
    return latin


# Case endings of nouns and surnames, longest first, and the nominative endings a stem may
# take back: 'Лукашенку' -> 'Лукашенк' -> 'Лукашенко'.
_CASE_ENDINGS = ("ого", "его", "ому", "ему", "ой", "ей", "ом", "ем", "ым", "им", "ую", "у", "ю",
                 "а", "я", "е", "ы", "и")  # fmt: skip
_NOMINATIVE_ENDINGS = ("о", "а", "", "ий", "ый", "ая", "ь", "я")


def nominatives(name: str) -> list[str]:
    """Nominatives the last word of ``name`` may be an inflected form of."""
    words = name.split()
    if not words:
        return []
    last = words[-1]
    out = []
    for ending in _CASE_ENDINGS:
        if last.lower().endswith(ending) and len(last) - len(ending) >= 3:
            stem = last[: len(last) - len(ending)]
            out += [" ".join([*words[:-1], stem + e]) for e in _NOMINATIVE_ENDINGS]
            break
    return [n for n in out if n != name]


def _qualified(
    doc: RuDoc, named: Sequence[Named], aliases: AliasTable
) -> list[tuple[Named, str | None]]:
    """The spans with organisations joined to the country that follows them in the genitive:
    (span, key of the qualified organisation, or None)."""
    out: list[tuple[Named, str | None]] = []
    k = 0
    while k < len(named):
        here = named[k]
        nxt = named[k + 1] if k + 1 < len(named) else None
        if nxt is not None and _qualifies(doc, here, nxt):
            whole = Named(here.start, nxt.end, "ORG", f"{here.normal} {nxt.normal}",
                          here.first, nxt.last)  # fmt: skip
            out.append((whole, _qualified_key(doc, whole, here, nxt, aliases)))
            k += 2
            continue
        out.append((here, None))
        k += 1
    return out


def _qualifies(doc: RuDoc, org: Named, place: Named) -> bool:
    """'Минобороны Белоруссии', 'Совет безопасности РФ': an organisation, then directly a
    place in the genitive."""
    if org.label != "ORG" or place.label != "LOC":
        return False
    if doc.text[org.end : place.start].strip():
        return False
    head = doc.tokens[place.first]
    return head.feats.get("Case") == "Gen" or not head.feats.get("Case")


def _qualified_key(doc: RuDoc, whole: Named, org: Named, place: Named, aliases: AliasTable) -> str:
    """'Ministry of Defence of Belarus': the listed name of the whole when there is one
    ('ВС РФ' = 'Armed Forces of Russia'), else the organisation's key 'of' the country's."""
    surface = doc.text[whole.start : whole.end]
    listed = aliases.canonical(surface) or aliases.canonical(whole.normal)
    if listed:
        return listed
    return f"{latin_key(org.normal, aliases)} of {latin_key(place.normal, aliases)}"


def _person_keys(people: Sequence[Named], aliases: AliasTable) -> dict[str, str]:
    """Each person's normal form -> the key of the fullest name it belongs to."""
    # Fullest names first; a given name with a patronymic after the full names it may join.
    names = sorted(
        {n.normal for n in people},
        key=lambda s: (-len(s.split()), bool(_PATRONYMIC.search(s.lower())), s),
    )
    alone = {name.lower() for name in names if len(name.split()) == 1}
    full: dict[str, str] = {}  # surname (lower case) -> fullest name with it
    given: dict[str, str] = {}  # given name -> fullest name with it
    keys: dict[str, str] = {}
    for name in names:
        words = name.split()
        owner = full.get(words[-1].lower()) if words else None
        if owner is None and len(words) == 1:
            guesses = (g.lower() for g in nominatives(name))
            owner = next((full[g] for g in guesses if g in full), None)
        if owner is None and len(words) == 2:
            owner = _by_patronymic(words, given, alone, aliases)
        if owner is None:
            owner = name
            full.setdefault(words[-1].lower(), name)
            if len(words) > 1:
                given.setdefault(words[0].lower(), name)
        keys[name] = keys.get(owner) or latin_key(owner, aliases)
    return keys


def _by_patronymic(
    words: list[str], given: dict[str, str], alone: set[str], aliases: AliasTable
) -> str | None:
    """The full name 'Владимир Владимирович' stands for: one with that given name that
    holds the patronymic too, or that the alias tables list (Путин), when the patronymic
    never stands alone in the article (as a surname such as Вольфович would)."""
    patronymic = words[1].lower()
    if not _PATRONYMIC.search(patronymic) or patronymic in alone:
        return None
    owner = given.get(words[0].lower())
    if owner is None:
        return None
    if patronymic in owner.lower().split() or aliases.canonical(to_latin(owner)):
        return owner
    return None
