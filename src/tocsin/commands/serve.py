"""``tocsin serve``: the analyst's desk in the browser, over the same store as the CLI."""

from __future__ import annotations

import json
import secrets
import socket
from pathlib import Path

import click
from rich.text import Text

from tocsin.commands.common import db_option, json_option, show
from tocsin.errors import ConfigError
from tocsin.report import terminal


def _token(token: str | None, token_file: Path | None) -> str | None:
    if token_file is None:
        return token
    try:
        text = token_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read token file {token_file}: {exc.strerror or exc}") from exc
    if not text:
        raise ConfigError(f"token file {token_file} is empty")
    return text


@click.command("serve")
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs --token.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--token",
    envvar="TOCSIN_TOKEN",
    default=None,
    help="A secret (16+ characters) every browser must give to sign in.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the token from this file.",
)
@click.option(
    "--analyst",
    default="analyst",
    show_default=True,
    help="The name decisions are recorded under until a browser sets its own.",
)
@click.option(
    "--case",
    "cases",
    multiple=True,
    help="A case file (or bundled case name) to add to the store before serving.",
)
@click.option(
    "--embeddings/--no-embeddings",
    default=True,
    show_default=True,
    help="Relink from the desk by meaning too, with the embedding model, as `tocsin assess`.",
)
@json_option
def serve_cli(
    db: Path,
    host: str,
    port: int,
    token: str | None,
    token_file: Path | None,
    analyst: str,
    cases: tuple[str, ...],
    embeddings: bool,
    as_json: bool,
) -> None:
    """Serve the analyst's desk: cases, review queue, articles, search, entities, case
    editor and audit log, in the browser (docs/desk.md)."""
    import uvicorn

    from tocsin.commands.assess import resolve_case
    from tocsin.commands.common import open_store
    from tocsin.serve.app import Settings, create_app
    from tocsin.store.desk import save_case_file

    if not db.exists():
        raise click.UsageError(f"no store {db}: ingest something first, or name one with --db")
    for value in cases:
        case = resolve_case(value)
        with open_store(db) as store:
            save_case_file(store, case.id, case.text, origin=case.origin, analyst=analyst)
    secret = _token(token, token_file)
    app = create_app(
        Settings(
            db=db,
            host=host,
            token=secret,
            analyst=analyst,
            secret=secrets.token_urlsafe(32),
            embeddings=embeddings,
        )
    )
    sock = _listen(host, port)
    port = sock.getsockname()[1]  # the port taken, when --port 0 let the system choose
    shown_host = f"[{host}]" if ":" in host else host
    if as_json:  # one line a script can read for where the desk is, before it serves
        where = {"url": f"http://{shown_host}:{port}/", "db": str(db), "token": secret is not None}
        click.echo(json.dumps(where), nl=True)
    else:
        show(
            terminal.line(
                Text("tocsin desk", style="bold"),
                f" on http://{shown_host}:{port}/ over {db} (Ctrl-C stops it)",
            )
        )
    config = uvicorn.Config(
        app,
        log_level="warning",
        server_header=False,
        limit_concurrency=200,
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``; a port in use or an address this machine does
    not have is a configuration error that says so."""
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    # Named TCP, so that asyncio turns Nagle off on each connection (it does only for
    # sockets whose protocol says TCP): else a small reply waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from exc
    return sock
