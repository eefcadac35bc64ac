"""The bundled demo: five 2022 articles on whether Belarus's army would join Russia's war.

They are pasted browser text, as a reader copied them, with the boilerplate left in; the
demo ingests them into a fresh database. The bundled case concerns 2022, so dates that the
articles give without a year are resolved within that year.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from tocsin.config import Config
from tocsin.ingest.pipeline import IngestReport, Progress, ingest
from tocsin.store.db import Store, store_errors

QUESTION = "Will Belarus's army enter the war against Ukraine on Russia's side?"
PERIOD = (date(2022, 1, 1), date(2022, 12, 31))


def articles_dir() -> Path:
    return Path(str(resources.files("tocsin.demo").joinpath("articles")))


def run_demo(
    db: Path, config: Config | None = None, progress: Progress | None = None
) -> IngestReport:
    """Ingest the bundled articles into a fresh database at ``db``."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with store_errors(db), Store.open(db) as store:
        return ingest(
            [articles_dir()], store=store, config=config, period=PERIOD, progress=progress
        )
