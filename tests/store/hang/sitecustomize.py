"""A work item that never ends, for the Ctrl-C tests: put this folder on PYTHONPATH.

Python imports ``sitecustomize`` at start-up in every process, so the tocsin command a test
starts and the worker processes it spawns all load this. With ``TEST_HANG_ON`` set, cleaning
an input whose locator holds that text (``TEST_HANG_STAGE=clean``) or extracting an article
whose text holds it (``TEST_HANG_STAGE=extract``) never finishes; the process that took it
first writes its pid to the file ``TEST_HANG_MARKER``, so the test knows the work is stuck
without guessing how long anything takes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

HANG_ON = os.environ.get("TEST_HANG_ON", "")
STAGE = os.environ.get("TEST_HANG_STAGE", "clean")
MARKER = Path(os.environ.get("TEST_HANG_MARKER", "hang-marker"))


def hang() -> None:
    """Say so in the marker file (written whole, then renamed), then sleep for ever."""
    partial = MARKER.with_name(f"{MARKER.name}.{os.getpid()}")
    partial.write_text(str(os.getpid()))
    partial.replace(MARKER)
    while True:
        time.sleep(3600)


def _install_clean() -> None:
    from tocsin.ingest import clean

    process = clean.process

    def hanging(item: Any, options: Any) -> Any:
        if HANG_ON in item.locator:
            hang()
        return process(item, options)

    clean.process = hanging


def _install_extract() -> None:
    from tocsin.extract import run

    extract_article = run.extract_article

    def hanging(nlp: Any, aliases: Any, text: str, *args: Any) -> Any:
        if HANG_ON in text:
            hang()
        return extract_article(nlp, aliases, text, *args)

    run.extract_article = hanging


if HANG_ON and STAGE == "extract":
    _install_extract()
elif HANG_ON:
    _install_clean()
