"""The checks of a case file's actor model: outcome ranges that tile its scale, actors on the
scale, someone with weight; and its veto players (docs/actors.md, "Veto players"): a veto names
hypotheses the actor model can read (it needs an ``actor_model`` and an outcome range for
each), and a draw the vetoes block has a status quo to count as, which itself needs nobody's
consent. ``tocsin.assess.case`` runs them with its other checks between parts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tocsin.assess.yamlfile import Fault, Loc, listed, shown

if TYPE_CHECKING:
    from tocsin.assess.case import Actor, ActorModel, Case


def status_quo(case: Case) -> str | None:
    """What a draw of the actor model blocked by a veto player counts as: the actor model's
    ``status_quo``, else the one hypothesis no actor has a veto on (None when there is no
    actor model or the file leaves it open, which ``case check`` refuses when there are
    veto players)."""
    if case.actor_model is None:
        return None
    vetoes = [a.veto for a in case.actors]
    return case.actor_model.status_quo or unvetoed(case.hypothesis_ids(), vetoes)


def veto_tables(
    actors: list[tuple[int, dict[str, Any]]], actor_model: Any
) -> list[tuple[Loc, list[str]]]:
    """The hypothesis ids the veto players and the status quo name, with their key paths,
    read from the data as given (the check of unknown hypotheses reads them)."""
    out: list[tuple[Loc, list[str]]] = [
        (["actors", n, "veto"], [str(h) for h in item["veto"]])
        for n, item in actors
        if isinstance(item.get("veto"), list)
    ]
    if isinstance(actor_model, dict) and isinstance(actor_model.get("status_quo"), str):
        out.append((["actor_model", "status_quo"], [actor_model["status_quo"]]))
    return out


def unvetoed(hypotheses: list[str], vetoes: list[list[str]]) -> str | None:
    """The one hypothesis none of ``vetoes`` names, or None when there is not exactly one."""
    needed = {h for veto in vetoes for h in veto}
    free = [h for h in hypotheses if h not in needed]
    return free[0] if len(free) == 1 else None


def veto_faults(
    actors: list[tuple[int, Actor]], model: ActorModel | None, known: list[str] | None
) -> list[Fault]:
    """Veto players that the actor model cannot apply: no actor model, a veto on a
    hypothesis with no outcome range, or no status quo for a blocked draw to count as.
    ``actors`` are the valid actors with their indexes; ``known`` the hypothesis ids."""
    vetoing = [(n, a) for n, a in actors if a.veto]
    if not vetoing:
        return []
    if model is None:
        return [
            (["actors", n, "veto"], "a veto needs an actor_model (the outcomes it applies to)")
            for n, _ in vetoing
        ]
    if known is None:
        return []  # the hypotheses themselves are at fault
    faults: list[Fault] = []
    for n, actor in vetoing:
        unranged = sorted(h for h in set(actor.veto) & set(known) if h not in model.outcomes)
        if unranged:
            message = f"{listed(unranged)} has no outcome range in actor_model.outcomes"
            faults.append((["actors", n, "veto"], message))
    return faults + _status_quo_faults(known, vetoing, model)


def _status_quo_faults(
    known: list[str], vetoing: list[tuple[int, Actor]], model: ActorModel
) -> list[Fault]:
    """The status quo a blocked draw counts as: given, or the one hypothesis no actor has
    a veto on; never one that itself needs a veto player's consent."""
    chosen = model.status_quo
    if chosen is None:
        if unvetoed(known, [a.veto for _, a in vetoing]) is not None:
            return []
        needed = {h for _, a in vetoing for h in a.veto}
        free = [h for h in known if h not in needed]
        why = (
            f"{listed(free)} need nobody's consent"
            if free
            else "every hypothesis needs a veto player's consent"
        )
        message = f"name the hypothesis a draw blocked by a veto counts as ({why})"
        return [(["actor_model", "status_quo"], message)]
    holders = [a.id for _, a in vetoing if chosen in a.veto]
    if holders:
        message = (
            f"'{shown(chosen)}' is the status quo, which needs nobody's consent, but"
            f" {listed(holders)} {'has' if len(holders) == 1 else 'have'} a veto on it"
        )
        return [(["actor_model", "status_quo"], message)]
    return []


def actor_model_faults(
    actors: list[tuple[int, Actor]], model: ActorModel | None, complete: bool
) -> list[Fault]:
    """Outcome bins that do not tile the scale, actors off the scale, nobody with weight
    (``actors``: those that validate, with their indexes; ``complete``: all of them do)."""
    if model is None:
        return []
    low, high = model.scale
    if low >= high:
        return [(["actor_model", "scale"], f"the scale {low}..{high} is empty")]
    if not model.outcomes:
        return [(["actor_model", "outcomes"], "give an outcome range for at least one hypothesis")]
    faults = _tiling_faults(model)
    for n, actor in actors:
        if actor.position.low < low or actor.position.high > high:
            faults.append((["actors", n, "position"], f"outside the scale {low}..{high}"))
    valid = [a for _, a in actors]
    if complete and valid and not any(_weighs(a) for a in valid):
        faults.append(
            (["actors"], "no actor has both capability and salience above 0 at its best values")
        )
    return faults


def _weighs(actor: Actor) -> bool:
    return actor.capability.point * actor.salience.point != 0


def _tiling_faults(model: ActorModel) -> list[Fault]:
    """Whether the outcome ranges cover the scale without gaps or overlaps."""
    low, high = model.scale
    covered = low
    for start, end in sorted(model.outcomes.values()):
        if start >= end or start != covered:
            message = (
                f"the outcomes must tile {low}..{high} without"
                f" gaps or overlaps ({start}..{end} after {covered})"
            )
            return [(["actor_model", "outcomes"], message)]
        covered = end
    if covered != high:
        return [(["actor_model", "outcomes"], f"the outcomes end at {covered}, not {high}")]
    return []
