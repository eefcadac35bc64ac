"""The analysts' spelling overrides: merges and splits of entities made on the desk, applied
to the stored records at once and kept by every later extraction.

An override puts one spelling (normalised, as ``names.normalise`` has it) of one label under
one canonical name, whatever the rules or the alias table would decide (the store's
``spelling_overrides``, migration 0009):

* a **merge** of entity A into entity B puts every spelling of A under B's canonical name;
* a **split** of a spelling off entity A puts that spelling under a canonical name of its
  own (the spelling as written), an entity apart from A.

A spelling names one entity of its label (places, GPE and LOC, count as one label): applied
now, an override moves every record written in that spelling, of any entity that had it, to
its entity. Extraction reads the overrides before it resolves an article's mentions to
stored entities (``Overrides.apply`` in ``extract.run.save``): a mention written in an
overridden spelling goes to the override's entity, even when the article's own clustering
put it with other names ('Lukashenko' split off the cluster of 'Alexander Lukashenko'), and
a cluster whose name is overridden goes there whole ('Lukashenka' merged into 'Alexander
Lukashenko', with every other way that article writes it). An entity named by an override
keeps its name: the rules never rename it, so the override keeps finding it.

The extraction workers never see the overrides: they cluster mentions within one article
with the alias table and hand the clusters back; only this process, which holds the store,
maps clusters to stored entities, and that is where the overrides apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tocsin.errors import InvalidInput, NotFound
from tocsin.extract.names import normalise
from tocsin.models.evidence import EntityName, Evidence
from tocsin.store import desk as kept
from tocsin.store import entities as entity_store
from tocsin.store import evidence as stored
from tocsin.store.db import Store
from tocsin.text import visible

_PLACES = ("GPE", "LOC")


def label_group(label: str) -> tuple[str, ...]:
    """The labels one name may carry: GPE and LOC are one (a country is also a place)."""
    return _PLACES if label in _PLACES else (label,)


class Overrides:
    """The store's spelling overrides, for one extraction step."""

    def __init__(self, rows: Iterable[kept.SpellingOverride]) -> None:
        self._by = {(r.spelling, r.label): r.canonical for r in rows}
        self.canonicals = frozenset(self._by.values())

    @classmethod
    def read(cls, store: Store) -> Overrides:
        return cls(kept.spelling_overrides(store))

    def __bool__(self) -> bool:
        return bool(self._by)

    def canonical(self, name: str | None, label: str | None) -> str | None:
        """The canonical name an override gives ``name`` of ``label`` (its own label
        first, then the other labels of its group), if any."""
        if not self._by or not name or not label:
            return None
        normal = normalise(name)
        for candidate in (label, *label_group(label)):
            found = self._by.get((normal, candidate))
            if found is not None:
                return found
        return None

    def apply(self, ev: Evidence) -> Evidence:
        """``ev`` with every mention, speaker, source and actor an override names moved to
        the cluster of the override's canonical name (a cluster key is a name)."""
        if not self._by:
            return ev
        labels: dict[str, str] = {}
        for m in ev.mentions:
            labels.setdefault(m.key, m.label)

        def cluster(key: str | None, text: str | None = None) -> str | None:
            if key is None:
                return None
            label = labels.get(key)
            return self.canonical(text, label) or self.canonical(key, label) or key

        return replace(
            ev,
            mentions=[replace(m, key=cluster(m.key, m.text) or m.key) for m in ev.mentions],
            quotes=[
                replace(q, speaker_key=cluster(q.speaker_key, q.speaker_text)) for q in ev.quotes
            ],
            claims=[replace(c, source_key=cluster(c.source_key)) for c in ev.claims],
            events=[replace(e, actor_key=cluster(e.actor_key, e.actor)) for e in ev.events],
        )


def _entity(store: Store, entity_id: int) -> EntityName:
    found = stored.entity(store, entity_id)
    if found is None:
        raise NotFound(f"no entity {entity_id}")
    return found


def _give_spelling(store: Store, normal: str, labels: tuple[str, ...], target: int) -> None:
    """Every record written in this spelling, of any entity of ``labels`` that has it, to
    ``target``, with the spelling itself; an entity left with nothing is deleted."""
    for holder in entity_store.holders(store, normal, labels):
        if holder == target:
            continue
        texts = sorted(
            t for t in entity_store.entity_texts(store, holder) if normalise(t) == normal
        )
        entity_store.move_records(store, holder, target, texts)
        entity_store.move_spellings(store, holder, target, [normal])
        entity_store.drop_if_unused(store, holder)


def merge(store: Store, source_id: int, target_id: int, analyst: str) -> EntityName:
    """Entity ``source_id`` into ``target_id``: its records and spellings move, it goes,
    and each of its spellings is overridden to the target's name (logged), all in one
    transaction. Returns the target."""
    if source_id == target_id:
        raise InvalidInput("an entity cannot be merged into itself")
    with store.transaction():
        source, target = _entity(store, source_id), _entity(store, target_id)
        spelled = {normal for _, normal in entity_store.spellings(store, source_id)}
        normals = sorted((spelled | {normalise(source.canonical)}) - {""})
        entity_store.move_records(store, source_id, target_id, None)
        entity_store.move_spellings(store, source_id, target_id, None)
        entity_store.drop_if_unused(store, source_id)  # nothing names it now
        for normal in normals:
            _give_spelling(store, normal, label_group(source.label), target_id)
            kept.override_spelling(store, normal, source.label, target.canonical, "merge", analyst)
    return target


def split(store: Store, entity_id: int, spelling: str, analyst: str) -> EntityName:
    """The spelling ``spelling`` off entity ``entity_id``, into an entity of its own (the
    one already named so, if there is one): its records move there, and the spelling is
    overridden to it (logged), all in one transaction. Returns the entity it went to."""
    normal = normalise(spelling)
    with store.transaction():
        entity = _entity(store, entity_id)
        mine = [text for text, form in entity_store.spellings(store, entity_id) if form == normal]
        if not mine:
            raise InvalidInput(f"{spelling!r} is not a spelling of {entity.canonical!r}")
        if normal == normalise(entity.canonical):
            raise InvalidInput(
                f"{spelling!r} is the canonical name of entity {entity_id}: split its other"
                " spellings off instead"
            )
        name = visible(spelling if spelling in mine else mine[0]).strip()
        labels = label_group(entity.label)
        target = stored.entity_by_canonical(store, name, labels)
        if target is None or target == entity_id:
            target = stored.add_entity(store, name, entity.label)
        _give_spelling(store, normal, labels, target)
        kept.override_spelling(store, normal, entity.label, name, "split", analyst)
        found = _entity(store, target)
    return found
