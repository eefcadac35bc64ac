"""Screenshots of the desk's main pages for the README tour and docs/desk.md.

Builds the demo store (the five bundled articles, extracted, the bundled case assessed with
the embedding model, as `tocsin demo` does), serves the desk on a free loopback port, and
has Debian's Chromium (headless, through Playwright) take each page at 1280x860. Writes
docs/desk/*.png.

    .venv/bin/python bench/desk_screenshots.py [--db EXISTING.db]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tocsin.assess.assessment import assess
from tocsin.assess.case import bundled_case_path, load_case
from tocsin.assess.embed import Embedder
from tocsin.config import Config
from tocsin.demo import run_demo
from tocsin.extract.run import extract
from tocsin.serve.app import Settings
from tocsin.serve.background import BackgroundDesk
from tocsin.store.db import Store

OUT = Path(__file__).resolve().parent.parent / "docs" / "desk"
CASE = "belarus-2022"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def demo_store(folder: Path) -> Path:
    db = folder / "demo.db"
    run_demo(db, Config.load())
    with Store.open(db) as store:
        extract(store)
        assess(store, load_case(bundled_case_path()), embedder=Embedder(), link=True, record=True)
    return db


def _first_article(page: Any) -> None:
    page.click("#queue [data-link-id] a[href^='/articles/']")


def shots() -> list[tuple[str, str, Callable[[Any], None] | None]]:
    """(file name, address, what to do on the page before the picture)."""
    return [
        ("cases", "/", None),
        ("case-desk", f"/cases/{CASE}", None),
        ("review-queue", f"/cases/{CASE}/queue", None),
        ("article-reader", "/articles/1", None),
        ("search", "/search?q=Lukashenko", None),
        ("entities", "/entities", None),
        ("case-editor", f"/cases/{CASE}/edit", None),
        ("audit-log", "/audit", None),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing store to show (copied first)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.db:
            db = folder / "desk.db"
            shutil.copy(args.db, db)
        else:
            db = demo_store(folder)
        with BackgroundDesk(Settings(db=db)) as desk, sync_playwright() as pw:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, address, before in shots():
                reply = page.goto(desk.url + address)
                if reply is None or reply.status != 200:
                    print(f"skipped {name}: {address} answered {reply and reply.status}")
                    continue
                if before is not None:
                    before(page)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(f"wrote docs/desk/{name}.png")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
