"""Write the HTML report and the Markdown brief side by side, each atomically."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tocsin.files import refuse_overwrite, write_text_atomic
from tocsin.report.html import render_html
from tocsin.report.markdown import render_markdown

if TYPE_CHECKING:
    from tocsin.assess.score import Assessment


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    markdown: Path


def write_report(
    a: Assessment, out_dir: Path, stem: str | None = None, protected: Iterable[Path] = ()
) -> ReportFiles:
    """Write ``<stem>.html`` and ``<stem>.md`` (stem: the case id) into ``out_dir``, each
    whole or not at all (``tocsin.files.atomic_write``); neither may be one of
    ``protected`` (the store and its -wal, -shm files) or a SQLite database: both are checked
    before either is written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = stem or a.case.id
    files = ReportFiles(out_dir / f"{name}.html", out_dir / f"{name}.md")
    protected = tuple(protected)
    for path in (files.html, files.markdown):
        refuse_overwrite(path, protected)
    write_text_atomic(files.html, render_html(a), protected)
    write_text_atomic(files.markdown, render_markdown(a), protected)
    return files
