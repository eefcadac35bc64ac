"""``tocsin actors``: the expected-utility bargaining model over a CSV of actors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from tocsin.commands.common import json_option

if TYPE_CHECKING:
    from tocsin.assess.actors import Round

MAX_ROUNDS = 1000  # each round is printed
VARIANTS = ("scholz", "corrected")  # tocsin.assess.actors.VARIANTS, named here so numpy loads late


@click.group()
def actors() -> None:
    """Bargaining between actors (Bueno de Mesquita's model, see docs/actors.md)."""


@actors.command("simulate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rounds",
    type=click.IntRange(0, MAX_ROUNDS),
    default=10,
    show_default=True,
    help="Rounds of bargaining to run.",
)
@click.option(
    "--variant",
    type=click.Choice(VARIANTS),
    default="scholz",
    show_default=True,
    help="scholz reproduces the published reconstruction; corrected fixes its quirks.",
)
@json_option
def simulate_command(file: Path, rounds: int, variant: str, as_json: bool) -> None:
    """Run the model on FILE (CSV: Actor, Capability, Position, Salience).

    Prints every round's capability-and-salience-weighted mean, the median (pairwise-vote
    winner) and each actor's position; round 0 is the input.
    """
    from tocsin.assess.actors import read_actors_csv, simulate

    history = simulate(read_actors_csv(file), rounds, variant=variant)  # InvalidInput: exit 5
    if as_json:
        click.echo(json.dumps([_record(r) for r in history], ensure_ascii=False, indent=2))
    else:
        _print_table(history, variant)


def _record(r: Round) -> dict[str, object]:
    return {"round": r.number, "mean": r.mean, "median": r.median, "positions": r.positions}


def _print_table(history: list[Round], variant: str) -> None:
    from tocsin.report.terminal import rounds

    names = list(history[0].positions)
    table = rounds(history, variant)
    console = Console()
    if not console.is_terminal:  # a pipe or a file: wide enough that no name is cut
        needed = 30 + sum(max(len(name), 7) + 3 for name in names)
        console = Console(width=max(console.width, needed))
    console.print(table)
