"""The ``tocsin`` command line: the group and its commands, wired over the library.

Every command parses its options, calls one function of the library and renders the
result through ``tocsin.report.terminal`` (or as JSON). Errors of tocsin's tree
(``tocsin.errors``) become one line and their branch's exit status, in one place
(``tocsin.commands.common.TocsinGroup``): 0 success; 1 at least one input failed (the rest
were stored); 2 usage; 3 the store cannot be used; 4 not found; 5 invalid input (a case
file, an alias table); 6 configuration; 130 interrupted (what was done is kept).
"""

from __future__ import annotations

import click

from tocsin import __version__
from tocsin.commands.actors import actors
from tocsin.commands.common import TocsinGroup
from tocsin.commands.demo import demo_cli
from tocsin.commands.store import COMMANDS


@click.group(cls=TocsinGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tocsin")
def main() -> None:
    """tocsin: news reporting into an auditable assessment of a geopolitical question."""


def _register() -> None:
    from tocsin.commands.assess import case_group, evidence_group, resolve_cli, track_cli
    from tocsin.commands.report import assess_cli, report_cli
    from tocsin.commands.serve import serve_cli
    from tocsin.commands.watch import watch_cli

    for command in (*COMMANDS, demo_cli, case_group, evidence_group, assess_cli, report_cli,
                    resolve_cli, track_cli, actors, serve_cli, watch_cli):  # fmt: skip
        main.add_command(command)


_register()


if __name__ == "__main__":
    main()
