"""What every command shares: the --db and --json options, opening the store, output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from tocsin.errors import StoreError
from tocsin.store.db import Store

EXIT_FAILED_INPUTS = 1
EXIT_USAGE = 2
EXIT_STORE = 3
EXIT_NOT_FOUND = 4
EXIT_INVALID_INPUT = 5  # an input's content is at fault (a case file), not the command line
EXIT_INTERRUPTED = 130

MAX_LIMIT = 1_000_000  # the most rows a --limit may ask for
# An id as SQLite stores it (a signed 64-bit integer); a larger one is a usage error.
ROW_ID = click.IntRange(-(2**63), 2**63 - 1)

out = Console()
err = Console(stderr=True)

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TOCSIN_DB",
    default="tocsin.db",
    show_default=True,
    help="SQLite database file (or set TOCSIN_DB).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")


def emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def open_store(db: Path, *, create: bool = False) -> Store:
    """The store at ``db``; commands that only read refuse a database that does not exist."""
    if not create and not db.exists():
        err.print(f"[red]error:[/red] no database at {db} (ingest something first, or use --db)")
        sys.exit(EXIT_STORE)
    try:
        return Store.open(db)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(EXIT_STORE)
