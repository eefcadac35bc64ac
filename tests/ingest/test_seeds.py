"""The five seed articles: right metadata, every boilerplate block gone, every paragraph kept."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tocsin.demo import PERIOD, articles_dir
from tocsin.ingest.dates import estimate_published
from tocsin.ingest.decode import normalize_text
from tocsin.ingest.plaintext import clean_text
from tocsin.models import CleanArticle

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "belarus-2022"

# Lines of each pasted page that are not the article: they must all be gone.
BOILERPLATE = {
    "000": {"Igor Ilyash"},
    "001": set(),
    "002": {"20 May 2022", "Artyom Shraibman", "No comments:"},
    "003": {
        "When the world gets closer.",
        "We help you see farther.",
        "Sign up to our expressly international daily newsletter.",
        "Geopolitics",
        "Vladimir Putin and regional heads of state for the opening session of the Collective "
        "Security Treaty Organisation Summit meeting at the Kremlin.",
        "At the Kremlin during the recent Collective Security Treaty Organization Summit meeting "
        ". Lukashenko is directly behind Putin.",
        "Igor Ilyash",
        "-Analysis-",
        "Stay up-to-date with the latest on the Russia-Ukraine war, with our exclusive "
        "international coverage.",
        "Sign up to our free daily newsletter.",
        "A new direction has appeared.",  # pull-quote repeating the paragraph below it
        "Military hardware takes part in the Allied Resolve 2022 joint military drills",
        "Military hardware takes part in the Allied Resolve 2022 joint military drills held by "
        "Belarusian and Russian troops at the Obuz-Lesnovsky training ground.",
        "Peter Kovalev/TASS/ZUMA",
        "There are obvious deterrents, but also caveats.",  # pull-quote
        "You've reached your monthly limit of free articles.",
        "To read the full article, please subscribe.",
        "Get unlimited access. Support Worldcrunch's unique mission:",
        "• Exclusive coverage from the world's top sources, in English for the first time.",
        "• Stories from the best international journalists.",
        "• Insights from the widest range of perspectives, languages and countries",
        "Already a subscriber? Log in",
        "When the world gets closer, we help you see farther",
        "Sign up to our expressly international daily newsletter!",
        "A Ukrainian In Belgrade: The Straight Line From Milosevic To Putin, And Back Again",
        "As hostilities flare again between Serbia and Kosovo, the writer draws connections "
        "between the dissolutions of both the USSR and Yugoslavia, and the leaders who exploit "
        "upheaval and feed the worst kind of nationalism.",
        "On the streets of Belgrade, Serbia",
        "Anna Akage",
        "Keep reading...Show less",
        "Writing contest - My pandemic story",
        "THE LATEST",
        "FOCUS",
        "TRENDING TOPICS",
        "Watch VideoShow less",
        "MOST READ",
    },
    "004": {
        "Menu Close",
        "Belarus president, Alexandr Lukashenko, shakes hands with Russian president, "
        "Vladimir Putin",
        "A helicopter flies above military vehicles in joint exercises between Russia and "
        "Belarus, February 2022.",
        "Want to write?",
        "Register now",
    },
}
# Boilerplate recognised by its opening words (long lines).
BOILERPLATE_PREFIXES = {
    "003": (
        "At high school in Kyiv in the late 1990s",  # the appended Belgrade article
        "Fast forward to 2020, when I visited Belgrade",
        "Central to the tragic absurdity of this war",  # the appended language teaser
        "Yet one month on, a quick look at the map",
    ),
    "004": (
        "Allies? Or client and patron:",
        "‘Allied Resolve’ joint military exercises between Russia and Belarus",
        "Write an article and join a growing community",
    ),
}
TITLES = {
    "000": "If Alexander Lukashenka continues to support Putin, he may bring direct fighting "
    "to his own country",
    "001": "Would Lukashenko Really Throw Belarus Into A War Russia Is Losing",
    "002": "Won’t Get Fooled Again: Is Lukashenko Trying to Distance Himself From Russia?",
    "003": "Unpacking Why Belarus Will Or Won't Join The War Against Ukraine",
    "004": "Ukraine: the complex calculations that will decide whether Belarus enters the "
    "conflict on Russia’s side",
}
AUTHORS = {
    "000": ["Igor Ilyash"],
    "001": [],
    "002": ["Artyom Shraibman"],
    "003": ["Igor Ilyash"],
    "004": [],
}
# When each piece appeared, to within days, inferred from the events it reports (001: the G7
# call and the Khrenin statement of Tuesday 11 October 2022; 004: the Pentagon's 90% briefing
# of 21 March 2022; 003: after the Belshina visit of 17 June 2022).
TRUE_DATES = {
    "000": date(2022, 10, 13),
    "001": date(2022, 10, 12),
    "003": date(2022, 6, 24),
    "004": date(2022, 3, 21),
}


def _seed(prefix: str) -> Path:
    return next(articles_dir().glob(f"{prefix}_*.txt"))


def _clean(prefix: str) -> tuple[str, CleanArticle]:
    raw = normalize_text(_seed(prefix).read_text("utf-8"))
    return raw, clean_text(raw)


def _is_boilerplate(prefix: str, line: str) -> bool:
    return line in BOILERPLATE[prefix] or line.startswith(BOILERPLATE_PREFIXES.get(prefix, ()))


@pytest.mark.parametrize("prefix", sorted(TITLES))
def test_title_and_authors(prefix: str) -> None:
    _, article = _clean(prefix)
    assert article.title == TITLES[prefix]
    assert article.authors == AUTHORS[prefix]


@pytest.mark.parametrize("prefix", sorted(TITLES))
def test_every_paragraph_kept_and_boilerplate_gone(prefix: str) -> None:
    raw, article = _clean(prefix)
    paragraphs = article.text.split("\n\n")
    lines = [" ".join(line.split()) for line in raw.split("\n") if line.strip()]
    for line in lines:
        if line == TITLES[prefix]:
            assert line not in paragraphs  # the title is metadata, not body text
        elif _is_boilerplate(prefix, line):
            assert line not in paragraphs, f"boilerplate kept: {line[:70]}"
        else:
            assert line in paragraphs, f"article paragraph lost: {line[:70]}"
    assert len(paragraphs) == len(set(paragraphs))


@pytest.mark.parametrize(
    "needle",
    [
        "Menu Close",
        "Kovalev/TASS",
        "Belgrade",
        "Want to write?",
        "Register now",
        "subscribe",
        "newsletter",
        "Odesa, Kherson",
        "Zhinkov",
        "EPA-EFE",
    ],
)
def test_no_boilerplate_phrase_survives(needle: str) -> None:
    for prefix in TITLES:
        assert needle not in _clean(prefix)[1].text


def test_carnegie_date_is_stated() -> None:
    _, article = _clean("002")
    assert article.published is not None
    assert article.published.value == date(2022, 5, 20)
    assert not article.published.estimated


@pytest.mark.parametrize("prefix", sorted(TRUE_DATES))
def test_undated_pieces_get_estimates_that_contain_the_true_date(prefix: str) -> None:
    _, article = _clean(prefix)
    assert article.published is None  # nothing stated in these pastes
    estimate = estimate_published(article.text, today=date(2026, 11, 23), period=PERIOD)
    assert estimate is not None
    assert estimate.estimated
    assert estimate.low <= TRUE_DATES[prefix] <= estimate.high
    assert (estimate.high - estimate.low).days <= 366


def test_escape_left_in_paste_is_repaired() -> None:
    raw, article = _clean("003")
    assert "\\u200b" not in raw
    assert "\u200b" not in raw
    assert "\\u" not in article.text


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/corpus/belarus-2022 is not beside the checkout"
)
def test_bundled_articles_are_the_seed_articles() -> None:
    for original in SHARED.glob("*.txt"):
        assert (articles_dir() / original.name).read_bytes() == original.read_bytes()


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "article-extraction"
FLOORS = json.loads((Path(__file__).parents[1] / "data" / "quality_floors.json").read_text())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/article-extraction is absent")
def test_clean_article_bodies_pass_the_paste_filter_nearly_whole() -> None:
    """The 91 true article bodies, pasted as plain text: the filter must keep their paragraphs."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text("utf-8"))
    total = lost = 0
    for page in truth.values():
        paragraphs = [" ".join(p.split()) for p in normalize_text(page["articleBody"]).split("\n")]
        paragraphs = [p for p in paragraphs if p]
        article = clean_text("\n".join(paragraphs))
        kept = set(article.text.split("\n\n")) | {article.title}
        total += len(paragraphs)
        lost += sum(1 for p in paragraphs if p not in kept and paragraphs.count(p) == 1)
    kept_share = 1 - lost / total
    assert kept_share >= FLOORS["paste_filter"]["floors"]["paragraphs_kept"], (lost, total)
