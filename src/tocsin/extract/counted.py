"""What a figure counts, made precise enough to compare figures across articles.

``measures`` says what is counted ('troop', 'people', 'refugee'). Two counts of troops are
still about different things when the troops are different countries' or stand in
different places, and a count of 'people' says nothing until it says what the people did.
So a count also gets a **scope**, read from the parse around the counted noun:

* whose: a country's adjective or possessive on the noun ('Russian troops', "Belarus's
  troops"), 'from/of <country>' after it, or the country that is the subject of the verb
  that has it ('Russia has kept 30,000 troops'; 'The Belarusian armed forces number 65,000
  troops');
* with whom: 'with/between <country>' ('the border between Belarus and Ukraine', "Ukraine's
  border with Belarus": the same countries, whoever is named first);
* where: 'in/into/to/inside/near <place>' on the noun or on its verb;
* for a noun that names people in general ('people', 'citizens', 'residents'): what they
  did or had done to them, the verb they are subject or object of, or the participle or
  relative clause on them ('35,000 people were detained', 'people who fled').

``measure_key`` joins the scope to the key, so 'Russian troops in Belarus' do not group
with 'Belarusian troops'; a count of people with no scope groups with nothing. The
assessment compares two figures whose scopes name the same countries and doings, and
places that agree or that one of them leaves unsaid (``assess.figures.comparable``).

A multiplier ('2.5 times more', 'rose 1.5 times', '60 times that of') measures what it
multiplies: the noun after the comparative, else the subject of its verb ('food prices'),
else the verb itself ('spends'). 'three times' with neither a comparative nor a verb of
change after or over it counts repetitions and measures nothing.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from tocsin.extract.aliases import default_aliases
from tocsin.extract.ranges import NOUNS, Phrase
from tocsin.extract.syntax import tree

# Nouns that name people in general: a count of them needs its verb to mean something.
GENERIC = frozenset(
    "people person man woman child individual citizen resident inhabitant member".split()
)
_PLACE_PREPS = frozenset({"in", "into", "to", "inside", "near", "on"})
_OWNER_PREPS = frozenset({"from", "of"})
_PARTNER_PREPS = frozenset({"with", "between"})
_OWNER_DEPS = frozenset({"amod", "compound", "poss", "nmod"})
_VERB_ROLES = frozenset({"dobj", "nsubj", "nsubjpass", "attr"})
# Verbs of change: a multiplier under one says how much something changed.
_CHANGE = frozenset(
    "rise grow increase jump surge climb soar fall drop decline decrease shrink plunge "
    "multiply expand reduce cut".split()
)
_AFTER_MULTIPLIER = frozenset(
    {"as", "that", "those", "the"}
)  # '3 times as many', '60 times that of'


def _country(tok: Token) -> str | None:
    """The country a token names or is the adjective of: the table's name, else the
    token as written when the model calls it a place or a nationality."""
    found = default_aliases().country(tok.text)
    if found is not None:
        return found.canonical
    return tok.text if tok.ent_type_ in ("GPE", "NORP") else None


def _pobj_country(prep: Token) -> str | None:
    for obj in tree(prep.doc).children_of(prep):
        if obj.dep_ == "pobj":
            return _country(obj)
    return None


def _owner(noun: Token) -> str | None:
    """Whose the noun's things are: 'Russian troops', "Belarus's army", 'troops from Russia'."""
    for child in tree(noun.doc).children_of(noun):
        if child.dep_ in _OWNER_DEPS and child.i < noun.i:
            country = _country(child)
            if country is not None:
                return country
        elif child.dep_ == "prep" and child.lower_ in _OWNER_PREPS:
            country = _pobj_country(child)
            if country is not None:
                return country
    return None


def _partners(noun: Token) -> list[str]:
    """The countries a noun is between or with: 'border between Belarus and Ukraine'."""
    parse = tree(noun.doc)
    found = []
    for prep in parse.children_of(noun):
        if prep.dep_ != "prep" or prep.lower_ not in _PARTNER_PREPS:
            continue
        objects = [o for o in parse.children_of(prep) if o.dep_ == "pobj"]
        while objects:
            obj = objects.pop()
            country = _country(obj)
            if country is not None:
                found.append(country)
            objects += [c for c in parse.children_of(obj) if c.dep_ == "conj"]
    return found


def _place(tok: Token) -> str | None:
    """Where: 'troops in Belarus', 'deployed to Belarus'."""
    for child in tree(tok.doc).children_of(tok):
        if child.dep_ == "prep" and child.lower_ in _PLACE_PREPS:
            country = _pobj_country(child)
            if country is not None:
                return country
    return None


def _verb_of(noun: Token) -> Token | None:
    """The verb the noun is subject, object or attribute of."""
    head = noun.head
    if noun.dep_ in _VERB_ROLES and head.i != noun.i and head.pos_ in ("VERB", "AUX"):
        return head
    return None


def _subject_owner(verb: Token, noun: Token) -> str | None:
    """The country that has the noun's things: the verb's subject, or whose the subject is
    ('Russia has kept …', "Belarus's army has …", 'The Belarusian armed forces number …')."""
    for child in tree(verb.doc).children_of(verb):
        if child.dep_ in ("nsubj", "nsubjpass") and child.i != noun.i:
            return _country(child) or (_owner(child) if child.pos_ in NOUNS else None)
    return None


def _doing(noun: Token, verb: Token | None) -> str | None:
    """What people in general did or had done to them: 'people detained', 'people who fled',
    '35,000 people were detained', 'Minsk detained 120 people'."""
    for child in tree(noun.doc).children_of(noun):
        if child.dep_ in ("acl", "relcl") and child.pos_ == "VERB":
            return child.lemma_.lower()
    if verb is not None and verb.lemma_ not in ("be", "have"):
        return verb.lemma_.lower()
    return None


def scope(noun: Token, measure: str | None) -> str | None:
    """The scope of a count of ``noun`` (see the module docstring), or None."""
    verb = _verb_of(noun)
    owner = _owner(noun) or (_subject_owner(verb, noun) if verb is not None else None)
    place = _place(noun) or (_place(verb) if verb is not None else None)
    parts = []
    if measure is not None and measure.split()[-1] in GENERIC:
        doing = _doing(noun, verb)
        if doing is not None:
            parts.append(doing)
    parties = set(_partners(noun))
    if owner is not None:
        parties.add(owner)
    parts += sorted(parties)
    if place is not None and place not in parties:
        parts.append(f"in {place}")
    return ", ".join(parts) or None


def multiplies(doc: Doc, phrase: Phrase) -> tuple[str | None, Token | None]:
    """For a figure in 'times': what it multiplies, as (the verb's lemma, the noun); both
    None when it counts repetitions ('met three times')."""
    times = doc[phrase.end - 1]
    after = doc[phrase.end] if phrase.end < len(doc) else None
    comparative = after is not None and (
        after.tag_ in ("JJR", "RBR") or after.lower_ in _AFTER_MULTIPLIER
    )
    climbed = tree(doc).up_to("multiplier-verb", times, lambda t: t.pos_ in ("VERB", "AUX"))
    verb = climbed if climbed.pos_ in ("VERB", "AUX") else None
    if not comparative and (verb is None or verb.lemma_.lower() not in _CHANGE):
        return None, None
    if after is not None and after.tag_ in ("JJR", "RBR"):
        following = doc[after.i + 1] if after.i + 1 < len(doc) else None
        if following is not None and following.pos_ == "NOUN":
            return None, following  # '2.5 times more troops'
    if verb is None:
        return None, None
    for child in tree(doc).children_of(verb):
        if child.dep_ in ("nsubj", "nsubjpass") and child.pos_ == "NOUN":
            return verb.lemma_.lower(), child  # 'food prices rose 1.5 times'
    return verb.lemma_.lower(), None  # 'Russia spends 2.5 times more'
