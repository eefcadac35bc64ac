"""Shared helpers: seeded, distinct news-like articles as HTML, a fresh store, bench scripts."""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import sys
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from types import ModuleType

import pytest

from tocsin.config import SETTINGS, Config
from tocsin.ingest.pipeline import ingest
from tocsin.models import Article
from tocsin.store.db import Store

# A shell that starts the suite in the background without job control (`cmd &` in a script,
# as POSIX has it) hands it SIGINT ignored, and an ignored signal stays ignored in every child
# process: the Ctrl-C tests would then test that shell, not tocsin. Python's own handler is
# what a terminal gives, and children get the default disposition back when they start.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Seeded word salad: distinct enough that no two generated articles are near-duplicates.
_WORDS = """army border troops minister exercise railway column brigade officials said reported
analysts warned capital region units convoy airfield garrison president sanctions drills
satellite images bridge refugees embassy talks shelling mobilisation reserve battalion depot
corridor ceasefire negotiators artillery volunteers checkpoint forest village governor
parliament statement observers missile helicopters logistics""".split()


def make_paragraphs(seed: int, n: int = 4, words: int = 45) -> list[str]:
    """``n`` distinct paragraphs of ``words`` seeded random news words each."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        body = " ".join(rng.choice(_WORDS) for _ in range(words))
        out.append(body[0].upper() + body[1:] + ".")
    return out


def make_article_html(
    title: str,
    paras: list[str],
    *,
    published: str | None = None,
    charset: str | None = None,
    site: str | None = None,
    links: str = "",
) -> str:
    """A plain news page: title, optional date, charset and site meta, <article> paragraphs."""
    meta = f'<meta charset="{charset}">' if charset else ""
    if site:
        meta += f'<meta property="og:site_name" content="{escape(site)}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{escape(title)}</title></head>"
        f"<body><nav>{links}</nav><article><h1>{escape(title)}</h1>{body}</article>"
        "</body></html>"
    )


def make_good_article(seed: int = 1, title: str = "Troops return to barracks") -> str:
    return make_article_html(title, make_paragraphs(seed), published="2022-10-12")


ROOT = Path(__file__).resolve().parents[1]


def shared_corpus(name: str, marker: str) -> Path:
    """A corpus of ../shared/corpus (or of $TOCSIN_SHARED/corpus). These are evaluation sets
    the project may read but not copy into the repository (their READMEs say so), so a
    developer's checkout without them skips the test, saying why; under CI (``CI`` set),
    where they always lie beside the clone, a missing corpus fails the test instead."""
    base = Path(os.environ.get("TOCSIN_SHARED", ROOT.parent / "shared"))
    path = base / "corpus" / name
    if not (path / marker).exists():
        if os.environ.get("CI"):  # CI has the corpora beside its clone: never skip there
            pytest.fail(f"shared corpus {name} not found at {path.resolve()}")
        pytest.skip(
            f"shared corpus {name} not found at {path.resolve()}: evaluation data kept beside"
            " the checkout (set TOCSIN_SHARED to its folder), never copied into the repository"
        )
    return path


def load_bench(name: str) -> ModuleType:
    """A bench/ script by path (bench/ is scripts, not a package), loaded once."""
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(ROOT / "bench"))  # for the helpers they import from each other
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The helpers as fixtures, so test modules need not import conftest.
def ingest_only(target: Path, db: Path) -> Article:
    """Ingest one input in-process into a fresh database; return the one article it makes."""
    with Store.open(db) as store:
        ingest([target], store=store, config=Config.load(workers=1))
        (article,) = list(store.articles())
    return article


@pytest.fixture(name="ingest_only", scope="session")
def _ingest_only() -> Callable[[Path, Path], Article]:
    return ingest_only


@pytest.fixture(name="paragraphs", scope="session")
def _paragraphs() -> Callable[..., list[str]]:
    return make_paragraphs


@pytest.fixture(name="article_html", scope="session")
def _article_html() -> Callable[..., str]:
    return make_article_html


@pytest.fixture(name="good_article", scope="session")
def _good_article() -> Callable[..., str]:
    return make_good_article


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver binds 127.0.0.1 only (its default, "localhost", may mean ::1)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def config() -> Config:
    return Config.load(workers=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "t.db") as s:
        yield s


@pytest.fixture(autouse=True)
def _no_tocsin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the test, never from the developer's TOCSIN_* variables."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
