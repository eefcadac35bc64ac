"""Cleaning of pasted pages (issue #10): end markers, headline runs, captions, author boxes,
repeated blocks and the choice of headline. Every page here is our own text."""

from __future__ import annotations

import pytest

from tocsin.ingest.plaintext import clean_text
from tocsin.models import CleanArticle

TITLE = "Minsk extends its border exercise by two weeks"
P1 = (
    "The Belarusian defence ministry said on Tuesday that the exercise near the Polish border "
    "would continue for another two weeks, because several units had arrived late."
)
P2 = (
    "Officers from the ministry told state television that the extension changed nothing in "
    "the plan, and that the units near the border would return to their barracks afterwards."
)
P3 = (
    "Lithuanian border guards said they had seen more vehicles on the roads near the exercise "
    "area than in previous years, but no sign of any unit moving towards the border itself."
)
OTHER_STORY = [
    "Harvest festival draws record crowds to the old town",
    "Organisers say more than forty thousand visitors came for the weekend.",
    "By Greta Lind",
    "Stalls selling honey, cheese and apples lined the square from early morning, and the "
    "queues for the bakery tent reached the river by noon, organisers said on Sunday evening.",
    "The festival began as a small market for local farmers twenty years ago and now brings "
    "visitors from all over the country, who fill every hotel room within fifty kilometres.",
]


def _clean(*lines: str) -> CleanArticle:
    return clean_text("\n".join(lines))


def _paragraphs(article: CleanArticle) -> list[str]:
    return article.text.split("\n\n")


def test_read_also_at_the_end_cuts_the_teasers_after_it() -> None:
    article = _clean(
        TITLE,
        P1,
        P2,
        P3,
        "Read also:",
        "Why Lithuania is building a second fence",
        "Five questions about the union state",
    )
    assert _paragraphs(article) == [P1, P2, P3]


def test_read_more_cuts_a_whole_appended_story() -> None:
    article = _clean(TITLE, P1, P2, P3, "Read more", *OTHER_STORY)
    assert _paragraphs(article) == [P1, P2, P3]
    assert "festival" not in article.text


def test_an_inline_teaser_inside_the_article_goes_alone() -> None:
    article = _clean(TITLE, P1, "Also read: Why Lithuania is building a second fence", P2, P3)
    assert _paragraphs(article) == [P1, P2, P3]
    assert any(r.startswith("teaser: Also read") for r in article.removed)


@pytest.mark.parametrize(
    "tail",
    [
        ["Leave a Reply", "Your email address will not be published.", "Comment *", "Name *"],
        ["Share this:", "Facebook", "Telegram", "Email"],
        ["Related", "Why Lithuania is building a second fence"],
        ["More from The Minsk Courier", "Potato prices rise again in Homel"],
        ["Tags: Belarus, Lithuania, exercises"],
        ["Explore more on these topics", "Belarus", "Europe", "Most viewed"],
        ["About the author", "Ola Berg is a correspondent based in Vilnius."],
    ],
)
def test_closing_markers_cut_what_follows(tail: list[str]) -> None:
    article = _clean(TITLE, P1, P2, P3, *tail)
    assert _paragraphs(article) == [P1, P2, P3]


def test_share_bar_inside_the_article_does_not_cut_it() -> None:
    article = _clean(TITLE, P1, "Share this:", "Facebook", "Telegram", P2, P3)
    assert _paragraphs(article) == [P1, P2, P3]


def test_a_run_of_other_headlines_at_the_end_goes() -> None:
    article = _clean(
        TITLE,
        P1,
        P2,
        P3,
        "Poland opens a new crossing for lorries",
        "Teachers in Brest protest over unpaid wages",
        "Is the union state budget running out of money?",
    )
    assert _paragraphs(article) == [P1, P2, P3]


def test_a_short_last_paragraph_stays() -> None:
    last = "The ministry did not say when the next exercise would start."
    article = _clean(TITLE, P1, P2, P3, last)
    assert _paragraphs(article) == [P1, P2, P3, last]


@pytest.mark.parametrize(
    "caption",
    [
        ["Soldiers unload a truck near Brest. Photo: Belarusian defence ministry"],
        ["Soldiers unload a truck near Brest. (Photo: Ivan Sokal/Reuters)"],
        ["Soldiers unload a truck near Brest. Photograph: Ivan Sokal/AP"],
        ["Soldiers unload a truck near Brest", "Photo by Ivan Sokal/Minsk News Agency"],
        ["Image source, Getty Images", "Image caption, Soldiers unload a truck near Brest"],
        ["Soldiers unload a truck near Brest.", "Ivan Sokal/Reuters"],
    ],
)
def test_photo_captions_and_credits_go(caption: list[str]) -> None:
    article = _clean(TITLE, P1, *caption, P2, P3)
    assert article.title == TITLE
    assert _paragraphs(article) == [P1, P2, P3]


def test_an_author_box_below_the_article_goes() -> None:
    bio = (
        "Ola Berg is a freelance journalist from Vilnius who has covered Belarus and the "
        "Baltic states for ten years, most recently for several Nordic newspapers."
    )
    article = _clean(TITLE, "By Ola Berg", P1, P2, P3, bio, "View all posts by Ola Berg")
    assert _paragraphs(article) == [P1, P2, P3]
    assert article.authors == ["Ola Berg"]


def test_a_headline_and_standfirst_shown_twice_keep_their_first_copy() -> None:
    standfirst = "Officials say several units arrived late."
    article = _clean("WORLD", TITLE, standfirst, "Share", TITLE, standfirst, P1, P2, P3)
    assert article.title == TITLE
    assert _paragraphs(article) == [standfirst, P1, P2, P3]


def test_a_short_widget_shown_twice_goes_entirely() -> None:
    article = _clean(TITLE, "Follow the story", P1, P2, "Follow the story", P3)
    assert _paragraphs(article) == [P1, P2, P3]


@pytest.mark.parametrize(
    "above",
    [
        ["Become a patron of independent reporting"],
        ["Support independent journalism in Belarus", "Subscribe", "Donate"],
        ["Weekly digest", "3 – 9 October 2022"],
        ["October 10–16, 2022"],
        ["Ola Berg, Vilnius correspondent"],
        ["OLA BERG — MONDAY, OCTOBER 10, 2022, 12:10 PM"],
        ["Ola BergMonday, 10 October 2022, 16:31"],
        ["World Politics Sport Culture"],
    ],
)
def test_the_title_is_never_a_menu_line_a_byline_or_a_date_range(above: list[str]) -> None:
    article = _clean(*above, TITLE, P1, P2, P3)
    assert article.title == TITLE
    assert _paragraphs(article) == [P1, P2, P3]


def test_the_browser_tab_title_and_site_name_are_not_the_title() -> None:
    article = _clean(f"{TITLE} - The Minsk Courier", "The Minsk Courier", TITLE, P1, P2, P3)
    assert article.title == TITLE
    assert article.outlet == "The Minsk Courier"
    assert _paragraphs(article) == [P1, P2, P3]


def test_a_glued_byline_is_read_and_never_the_title() -> None:
    article = _clean(TITLE, "Ola BergMonday, 18 August 2025, 16:31", P1, P2, P3)
    assert article.title == TITLE
    assert article.authors == ["Ola Berg"]
    assert article.published is not None
    assert article.published.value.isoformat() == "2025-08-18"
    assert _paragraphs(article) == [P1, P2, P3]
