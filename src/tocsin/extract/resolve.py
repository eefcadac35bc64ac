"""Canonical entities across articles: which stored entity a cluster of mentions joins, and
which entities a name refers to.

A cluster joins an entity of a compatible label when one of the entity's spellings has the
same normal form, or when the names refer to the same referent (``names.same_referent``)
among the entities whose spellings share the cluster's surname key. The canonical name is
the alias table's, else the fullest spelling seen. A spelling that by itself names another
entity of the table is neither looked up nor kept for the cluster: 'the MoD' in the cluster
of 'Ministry of Defence of Belarus' names every country's ministry, and kept as a spelling of
Belarus's it would draw Britain's 'the MoD' to it in the next article. The store only
answers the questions asked here and writes what is decided (``tocsin.store.evidence``).
"""

from __future__ import annotations

from collections.abc import Iterable

from tocsin.extract.aliases import default_aliases, same_referent
from tocsin.extract.names import name_key, normalise
from tocsin.extract.overrides import Overrides
from tocsin.models.evidence import Mention, Spelling
from tocsin.store import evidence as stored
from tocsin.store.db import Store
from tocsin.text import visible

_PLACES = ("GPE", "LOC")


def surname_key(name: str) -> str:
    words = normalise(name).split()
    return name_key(words[-1]) if words else ""


def spelling(text: str) -> Spelling:
    """A spelling as stored: as a reader sees it, with its normal form and surname key."""
    return Spelling(visible(text), normalise(text), surname_key(text))


def _labels(label: str) -> tuple[str, ...]:
    return _PLACES if label in _PLACES else (label,)


def resolve_clusters(
    store: Store, mentions: Iterable[Mention], overrides: Overrides | None = None
) -> dict[str, int]:
    """Cluster key -> canonical entity id, creating entities and spellings as needed.

    Runs inside the caller's transaction, with the write of the article's evidence. A
    cluster named by one of the analysts' ``overrides`` (``Overrides.apply`` has moved the
    overridden mentions into it) goes to the entity of that name, and that entity is never
    renamed; without ``overrides`` they are read from the store.
    """
    if overrides is None:
        overrides = Overrides.read(store)
    clusters: dict[str, tuple[str, set[str]]] = {}
    for m in mentions:
        label, spellings = clusters.setdefault(m.key, (m.label, set()))
        spellings.add(m.text)
    ids = {}
    for key, (label, written) in clusters.items():
        spellings = own_spellings(key, written)
        if key in overrides.canonicals:
            entity_id = stored.entity_by_canonical(store, key, _labels(label))
        else:
            entity_id = find_entity(store, key, label, spellings)
        if entity_id is None:
            entity_id = stored.add_entity(store, key, label)
        else:
            _maybe_rename(store, entity_id, key, overrides)
        stored.add_spellings(store, entity_id, map(spelling, {key, *spellings}))
        ids[key] = entity_id
    return ids


def _maybe_rename(store: Store, entity_id: int, key: str, overrides: Overrides) -> None:
    """The fuller name becomes canonical, unless an override names the entity."""
    known = stored.entity(store, entity_id)
    if known is None or known.canonical in overrides.canonicals:
        return
    if len(key.split()) > len(known.canonical.split()):
        stored.rename_entity(store, entity_id, key)


def own_spellings(key: str, spellings: set[str]) -> set[str]:
    """The spellings of the cluster ``key`` that name nothing else in the shipped table."""
    table = default_aliases()
    mine = table.canonical(key) or key
    return {s for s in spellings if (table.canonical(s) or mine) == mine}


def find_entity(store: Store, key: str, label: str, spellings: set[str]) -> int | None:
    """The stored entity the cluster ``key`` (with ``spellings``) refers to, if any."""
    labels = _labels(label)
    names = {key, *spellings}
    found = stored.entity_by_spelling(store, labels, sorted({normalise(s) for s in names}))
    if found is not None:
        return found
    keys = sorted({surname_key(s) for s in names} - {""})
    for candidate in stored.entities_by_surname(store, labels, keys):
        if same_referent(candidate.canonical, key):
            return candidate.id
    return None


def entities_named(store: Store, name: str) -> list[int]:
    """Ids of the entities ``name`` refers to: by referent, or by a spelling's normal form."""
    ids = [e.id for e in stored.entity_names(store) if same_referent(e.canonical, name)]
    ids += stored.entities_with_normal(store, normalise(name))
    return sorted(set(ids))
