"""The alias table: what no spelling rule can decide about names, read from TOML files.

Every entry is an ``[[entity]]`` table (the format is in ``data/aliases.toml`` and
docs/formats.md). Besides a canonical name and its other spellings (Kyiv/Kiev, EU/European
Union, Türkiye/Turkey), an entry may say two things more:

* ``adjectives``: the entry is a **country** (even with none listed), and these words are
  its adjectives ('Belarusian', 'Byelorussian'). They tell whose body a name means ('the
  Belarusian Ministry of Defence') and where an article names the country;
* ``per_country = true``: the entry is a **body every country has** (a ministry of defence,
  the armed forces, a security council). Its spellings name no body in particular; qualified
  by a country ('the Belarusian Ministry of Defence', "Russia's defence ministry", 'Armed
  Forces of the Republic of Belarus') they name that country's: 'Ministry of Defence of
  Belarus'. Two bodies are one only when they are of one kind and one country.

The shipped table (``data/countries.toml``, then ``data/aliases.toml``) is read first, the
user's files after it (``AliasTable.load``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple, get_args

from tocsin.errors import InvalidInput
from tocsin.extract.names import _clean, _content, _tokens_referent, normalise
from tocsin.models.evidence import EntityLabel

_LABELS: frozenset[str] = frozenset(get_args(EntityLabel))
_SHIPPED = ("countries.toml", "aliases.toml")
_ENTITY_KEYS = frozenset({"canonical", "label", "spellings", "adjectives", "per_country"})
# The most words a country's name or adjective has ('united kingdom of great britain').
_COUNTRY_WORDS = 5
# Last words of country names that take 'the': 'of the Czech Republic', 'of the Netherlands'.
_TAKES_THE = frozenset(
    {"Republic", "Federation", "Kingdom", "States", "Islands", "Netherlands", "Emirates"}
)


class AliasEntry(NamedTuple):
    """One entity of an alias table: its canonical name, label and other spellings; for a
    country its adjectives, and whether it is a body every country has."""

    canonical: str
    label: EntityLabel
    spellings: tuple[str, ...]
    adjectives: tuple[str, ...] | None = None  # a country's (None: not a country)
    per_country: bool = False


class Body(NamedTuple):
    """A body every country has, as a name qualifies it: which body, and whose (if said)."""

    kind: AliasEntry
    country: AliasEntry | None

    @property
    def canonical(self) -> str:
        """'Ministry of Defence of Belarus'; the bare kind when no country is said."""
        return qualified(self.kind.canonical, self.country.canonical if self.country else None)


def qualified(body: str, country: str | None) -> str:
    """The canonical name of ``country``'s ``body``: 'Ministry of Defence of Belarus',
    'Armed Forces of the United States'."""
    if not country:
        return body
    words = country.split()
    the = words[0] == "United" or words[-1] in _TAKES_THE
    return f"{body} of {'the ' if the else ''}{country}"


def _body_key(tokens: Iterable[str]) -> str:
    """Normalised words of a body's name in any order, without function words:
    'Defence Ministry' and 'Ministry of Defence' share one."""
    return " ".join(sorted(_content([t for t in tokens if t != "s"])))


# --- reading the files ----------------------------------------------------------------------


def _parse(text: str, source: str) -> list[AliasEntry]:
    """The entries of one alias file, or InvalidInput naming ``source`` and what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"entity"})
    if unknown:
        raise InvalidInput(f"{source}: unknown top-level key(s) {unknown}; expected [[entity]]")
    raw = data.get("entity", [])
    if not isinstance(raw, list):
        raise InvalidInput(f"{source}: 'entity' must be an array of tables ([[entity]])")
    entries: list[AliasEntry] = []
    owner: dict[str, str] = {}  # normalised name -> canonical, to catch clashes in one file
    for n, item in enumerate(raw, start=1):
        where = f"{source}: entity {n}"
        entry = _parse_entry(item, where)
        for spelling in (entry.canonical, *entry.spellings):
            key = normalise(spelling)
            if owner.get(key, entry.canonical) != entry.canonical:
                raise InvalidInput(f"{where}: {spelling!r} already names {owner[key]!r}")
            owner[key] = entry.canonical
        entries.append(entry)
    return entries


def _names(item: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    """The list of non-empty names under ``key`` (none when absent)."""
    names = item.get(key, [])
    if not isinstance(names, list) or not all(isinstance(s, str) and normalise(s) for s in names):
        raise InvalidInput(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(names)


def _parse_entry(item: object, where: str) -> AliasEntry:
    if not isinstance(item, Mapping):
        raise InvalidInput(f"{where}: must be a table")
    unknown = sorted(set(item) - _ENTITY_KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown key(s) {unknown}")
    canonical = item.get("canonical")
    if not isinstance(canonical, str) or not normalise(canonical):
        raise InvalidInput(f"{where}: 'canonical' must be a non-empty string")
    label = item.get("label")
    if label not in _LABELS:
        raise InvalidInput(f"{where}: 'label' must be one of {sorted(_LABELS)}, got {label!r}")
    spellings = _names(item, "spellings", where)
    adjectives = _names(item, "adjectives", where) if "adjectives" in item else None
    if adjectives is not None and label != "GPE":
        raise InvalidInput(f"{where}: 'adjectives' are for countries (label GPE), not {label}")
    per_country = item.get("per_country", False)
    if not isinstance(per_country, bool):
        raise InvalidInput(f"{where}: 'per_country' must be true or false")
    if per_country and label != "ORG":
        raise InvalidInput(f"{where}: 'per_country' is for bodies (label ORG), not {label}")
    return AliasEntry(canonical, label, spellings, adjectives, per_country)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read alias file: {exc}") from exc


# --- the table ------------------------------------------------------------------------------


class AliasTable:
    """Names no rule can join, from TOML: each entity's canonical name and other spellings,
    the countries with their adjectives, and the bodies every country has.

    Lookups go by ``normalise``d name. Build one with ``AliasTable.load`` (the shipped
    default plus user files) or directly from entries (``AliasTable(())`` is empty).
    """

    def __init__(self, entries: Iterable[AliasEntry]) -> None:
        self._entries = tuple(entries)
        self._index: dict[str, AliasEntry] = {}
        self._countries: dict[str, AliasEntry] = {}  # a country's names and adjectives
        self._country_names: dict[str, AliasEntry] = {}  # its names only
        self._bodies: dict[str, AliasEntry] = {}  # by ``_body_key``
        for entry in self._entries:
            names = (entry.canonical, *entry.spellings)
            for spelling in names:
                self._index[normalise(spelling)] = entry
            if entry.adjectives is not None:
                for name in names:
                    self._country_names[normalise(name)] = entry
                for name in (*names, *entry.adjectives):
                    self._countries[normalise(name)] = entry
            if entry.per_country:
                for name in names:
                    self._bodies[_body_key(normalise(name).split())] = entry
        # Also findable without a leading article or title ('the Kremlin'), unless taken.
        for entry in self._entries:
            for spelling in (entry.canonical, *entry.spellings):
                self._index.setdefault(" ".join(_clean(spelling)), entry)

    @classmethod
    def load(cls, *paths: Path) -> AliasTable:
        """The shipped default table merged with the user files ``paths``, in order.

        A later entry with the same canonical name (after normalise) replaces the earlier
        entry; a later entry that claims an earlier entry's spelling takes that spelling
        over. Within one file, two entries claiming one spelling are a InvalidInput.
        """
        data = resources.files("tocsin.extract") / "data"
        entries: list[AliasEntry] = []
        for name in _SHIPPED:
            text = (data / name).read_text(encoding="utf-8")
            for new in _parse(text, f"{name} (shipped default)"):
                entries = _merge(entries, new)
        for path in paths:
            path = Path(path)
            for new in _parse(_read(path), str(path)):
                entries = _merge(entries, new)
        return cls(entries)

    @property
    def entries(self) -> tuple[AliasEntry, ...]:
        """Every entity, in file order."""
        return self._entries

    def _find(self, name: str) -> AliasEntry | None:
        found = self._index.get(normalise(name))
        if found is None:
            found = self._index.get(" ".join(_clean(name)))
        return found

    def canonical(self, name: str) -> str | None:
        """The canonical name when ``name`` is a listed spelling or a canonical name itself,
        or names a country's body ('the Belarusian MoD': 'Ministry of Defence of Belarus').

        Compared after ``normalise``, then again without a leading article or title.
        """
        found = self._find(name)
        if found is not None:
            return found.canonical
        body = self._qualified_body(name)
        return body.canonical if body is not None else None

    def label(self, name: str) -> EntityLabel | None:
        """The listed entity's label when ``name`` is listed (as for ``canonical``)."""
        found = self._find(name)
        if found is not None:
            return found.label
        return "ORG" if self._qualified_body(name) is not None else None

    def country(self, name: str) -> AliasEntry | None:
        """The country ``name`` names or is an adjective of ('Belarusians' too), if listed."""
        key = normalise(name)
        found = self._countries.get(key) or self._countries.get(" ".join(_clean(name)))
        if found is None and key.endswith("s"):
            found = self._countries.get(key[:-1])  # 'Belarusians', 'Ukrainians'
        return found

    def country_named(self, name: str) -> AliasEntry | None:
        """The country ``name`` is a name of ('Republic of Belarus'; not 'Belarusian')."""
        return self._country_names.get(normalise(name))

    def body(self, name: str) -> Body | None:
        """The body every country has that ``name`` names, and whose it is when the name
        says it: 'the MoD' (no country), "Russia's defence ministry" (Russia's)."""
        found = self._find(name)
        if found is not None:
            return Body(found, None) if found.per_country else None
        return self._qualified_body(name)

    def _qualified_body(self, name: str) -> Body | None:
        """A body's name with one country in it: the country's words taken out, what is
        left (or what follows an 'of' in it: 'State Secretary of the Security Council')
        must be a listed body."""
        if not self._bodies:
            return None
        tokens = normalise(name).split()
        found, rest = self._split_countries(tokens)
        if len({c.canonical for c in found}) != 1:
            return None
        starts = [0] + [k + 1 for k, t in enumerate(rest) if t == "of"]
        for start in starts:
            kind = self._bodies.get(_body_key(rest[start:]))
            if kind is not None:
                return Body(kind, found[0])
        return None

    def _split_countries(self, tokens: list[str]) -> tuple[list[AliasEntry], list[str]]:
        """The countries named in ``tokens`` (longest match first), and the other tokens."""
        found: list[AliasEntry] = []
        rest: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(_COUNTRY_WORDS, len(tokens) - i), 0, -1):
                country = self._countries.get(" ".join(tokens[i : i + n]))
                if country is not None:
                    found.append(country)
                    i += n
                    break
            else:
                rest.append(tokens[i])
                i += 1
        return found, rest

    def same_referent(self, a: str, b: str) -> bool:
        """``same_referent`` with this table in place of the shipped default."""
        ta, tb = _clean(a), _clean(b)
        if not ta or not tb:
            return False
        body_a, body_b = self.body(a), self.body(b)
        if body_a is not None or body_b is not None:
            return body_a is not None and body_b is not None and body_a == body_b
        ea, eb = self._find(a), self._find(b)
        if ea is not None and eb is not None:
            return ea.canonical == eb.canonical
        if ea is None and eb is None:
            return _tokens_referent(ta, tb)
        return _matches_entry(tb, ea) if ea is not None else _matches_entry(ta, eb)


def _matches_entry(tokens: list[str], entry: AliasEntry | None) -> bool:
    """Whether an unlisted name (cleaned ``tokens``) names the listed ``entry``.

    It is compared with the canonical name and the spellings at least as long as itself:
    once the table says bare 'Lukashenka' is Alexander, 'Viktor Lukashenko' must match one
    of Alexander's full names, not the bare surname.
    """
    if entry is None:
        return False
    size = len(_content(tokens))
    canonical, *spellings = (_clean(n) for n in (entry.canonical, *entry.spellings))
    candidates = [canonical, *(s for s in spellings if len(_content(s)) >= size)]
    return any(_tokens_referent(tokens, c) for c in candidates)


def _merge(entries: list[AliasEntry], new: AliasEntry) -> list[AliasEntry]:
    """``entries`` with ``new`` added: it replaces a same-named entry and takes its spellings."""
    claimed = {normalise(s) for s in (new.canonical, *new.spellings)}
    merged: list[AliasEntry] = []
    for old in entries:
        if normalise(old.canonical) in claimed:
            continue
        kept = tuple(s for s in old.spellings if normalise(s) not in claimed)
        merged.append(old._replace(spellings=kept))
    merged.append(new)
    return merged


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    """The shipped alias table, read once."""
    return AliasTable.load()


@lru_cache(maxsize=65536)
def same_referent(a: str, b: str) -> bool:
    """Whether two names of the same kind very likely name the same person, body or place.

    The shipped alias table decides first (two listed names match only when they list the
    same entity; two bodies every country has only when they are of one kind and one
    country); otherwise the names are compared token by token with ``name_key`` and a
    strict fuzzy step, ignoring a leading 'the', titles ('President', 'Gen.', 'Mr') and
    function words. A surname alone matches a full name; different given names do not.
    """
    return default_aliases().same_referent(a, b)
