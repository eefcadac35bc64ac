"""Write the HTML report and the Markdown brief side by side, each atomically."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tocsin.report.html import render_html
from tocsin.report.markdown import render_markdown

if TYPE_CHECKING:
    from tocsin.assess.score import Assessment


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    markdown: Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory, then rename,
    so a reader never sees half a file and a failure leaves the old file in place. The file
    gets the usual permissions (the umask's), unlike a ``mkstemp`` file's 0600."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temp.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_report(a: Assessment, out_dir: Path, stem: str | None = None) -> ReportFiles:
    """Write ``<stem>.html`` and ``<stem>.md`` (stem: the case id) into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = stem or a.case.id
    files = ReportFiles(out_dir / f"{name}.html", out_dir / f"{name}.md")
    write_atomic(files.html, render_html(a))
    write_atomic(files.markdown, render_markdown(a))
    return files
