"""Publication dates of pasted pages (issue #10): bylines and date lines in their many forms,
captions and past events that must not date the page, stated versus estimated. Every text
here is our own."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.config import Config
from tocsin.ingest.bylines import read_byline
from tocsin.ingest.clean import process
from tocsin.ingest.dates import estimate_published, find_dates
from tocsin.models import CleanOptions, DateEstimate, RawItem

TODAY = date(2026, 11, 23)
TITLE = "Minsk extends its border exercise by two weeks"
BODY = [
    "The Belarusian defence ministry said that the exercise near the Polish border would "
    "continue for another two weeks, because several units had arrived late.",
    "Officers from the ministry told state television that the extension changed nothing in "
    "the plan, and that the units would return to their barracks afterwards.",
    "Lithuanian border guards said they had seen more vehicles on the roads near the exercise "
    "area than in previous years, but no sign of any unit moving towards the border.",
]


def _published(*lines: str) -> DateEstimate:
    data = "\n".join(lines).encode("utf-8")
    result = process(RawItem(locator="p.txt", kind="text", data=data),
                     CleanOptions(None, TODAY, Config.load()))  # fmt: skip
    assert result.article is not None, result.error
    assert result.article.published is not None
    return result.article.published


@pytest.mark.parametrize(
    ("line", "authors", "day"),
    [
        ("MARTA KOWALCZYK — MONDAY, OCTOBER 10, 2022, 12:10 PM", ["Marta Kowalczyk"], "2022-10-10"),
        ("Jane DoeMonday, 18 August 2025, 16:31", ["Jane Doe"], "2025-08-18"),
        ("By Jane Doe | 10 Oct 2022", ["Jane Doe"], "2022-10-10"),
        ("Posted on 5 June 2023 by Ales Karpovich", ["Ales Karpovich"], "2023-06-05"),
        ("October 3, 20224:05 PM GMT+3Updated 3 years ago", [], "2022-10-03"),
        ("Mon 10 Oct 2022 12.10 BST", [], "2022-10-10"),
        ("Published: 4 March 2022, 18:20", [], "2022-03-04"),
        ("published 12 march 2022", [], "2022-03-12"),  # between a day and a year: a month
        ("Troops may march 12 miles", [], None),  # lower case alone: verbs
        ("Thursday, February 24, 2022 at 9:35 am", [], "2022-02-24"),
        ("Kyiv, 1 March 2022", [], "2022-03-01"),
        ("10.10.2022 14:35", [], "2022-10-10"),
        ("Published 12 March 2022, updated 14 March 2022", [], "2022-03-12"),
        ("Jane Doe, Kyiv correspondent", ["Jane Doe"], None),
        ("By JANE DOE and JOHN ROE", ["Jane Doe", "John Roe"], None),
    ],
)
def test_bylines_and_date_lines_in_any_form(line: str, authors: list[str], day: str | None) -> None:
    found = read_byline(line)
    if not authors and day is None:
        assert found is None or found.stated() is None
        return
    assert found is not None
    assert found.authors == authors
    span = found.stated()
    assert (span[0].isoformat() if span else None) == day


@pytest.mark.parametrize(
    "line",
    [
        "Minsk says the drills are defensive",
        "VILNIUS, Oct 3 - Belarus's potash exports fell by almost half",
        "The report, published on 10 March 2022, found nothing new.",
        "Lukashenko Meets Putin in Sochi",
        "3 minute read",
    ],
)
def test_other_lines_are_not_bylines(line: str) -> None:
    found = read_byline(line)
    assert found is None or (not found.dates and found.authors == [])


def test_a_date_range_is_neither_a_date_nor_a_title() -> None:
    found = read_byline("28 February – 6 March 2022")
    assert found is not None
    assert found.date_range
    assert found.stated() is None


def test_a_byline_date_is_stated_not_estimated() -> None:
    published = _published(TITLE, "JANE DOE — MONDAY, OCTOBER 10, 2022, 12:10 PM", *BODY)
    assert not published.estimated
    assert published.value == date(2022, 10, 10)
    assert published.method == "byline"


def test_a_month_date_line_beats_a_planned_date_in_the_body() -> None:
    body = [*BODY, "The current cycle of training should end on February 1, officials said."]
    published = _published(TITLE, "January 2023", "By Jane Doe", *body)
    assert not published.estimated
    assert (published.low, published.high) == (date(2023, 1, 1), date(2023, 1, 31))
    assert published.precision == "month"
    assert published.value == date(2023, 1, 31)  # counted once the month is over


def test_a_planned_date_is_not_a_past_one() -> None:
    (mention,) = find_dates("Training, which should end on February 1, goes on.")
    assert mention.future


def test_a_date_line_beats_a_past_event_in_the_body() -> None:
    body = [
        *BODY,
        "Belarus has barred observers since the fraudulent presidential election of 2020.",
    ]
    published = _published(TITLE, "Published 12 March 2022", *body)
    assert not published.estimated
    assert published.value == date(2022, 3, 12)


def test_a_caption_date_is_not_the_publication_date() -> None:
    lines = [
        TITLE,
        "Alexander Lukashenko at a meeting in Minsk.",
        "November 8, 2021",
        "Photo: Presidential press service",
        BODY[0],
        "The exercise began on 10 February and involves units from the east of the country.",
        *BODY[1:],
    ]
    published = _published(*lines)
    assert published.estimated
    assert published.value != date(2021, 11, 8)
    assert published.value == date(2022, 2, 10)  # the day without a year, after the photo
    assert published.low >= date(2021, 11, 8)


def test_a_bare_date_earlier_than_an_event_of_the_body_is_not_the_date() -> None:
    event = (
        "On 12 March 2022, the ministry announced that the exercise had been extended to all "
        "the units that took part in it last winter."
    )
    published = _published(TITLE, "8 November 2021", event, *BODY)
    assert published.estimated
    assert published.value == date(2022, 3, 12)


def test_an_estimate_is_never_earlier_than_an_event_the_text_dates() -> None:
    text = (
        "When Lukashenko announced on October 10, 2022 that Belarus and Russia would form a "
        "joint group of forces, Kyiv heard an echo of February. He has depended on Moscow since "
        "the fraudulent presidential election of 2020."
    )
    estimate = estimate_published(text, today=TODAY)
    assert estimate is not None
    assert estimate.low >= date(2022, 10, 10)
    assert estimate.value == date(2022, 10, 10)


def test_a_past_year_alone_gives_an_open_estimate_not_a_statement() -> None:
    estimate = estimate_published("The protests after the election of 2020 were crushed.",
                                  today=TODAY)  # fmt: skip
    assert estimate is not None
    assert estimate.estimated
    assert estimate.high == TODAY


def test_what_will_be_announced_later_is_future() -> None:
    (mention,) = find_dates("A decision will be announced in March 2023 by the council.")
    assert mention.future
    (said,) = find_dates("The minister said on 3 March 2023 that troops would come.")
    assert not said.future


@given(st.text(max_size=200))
def test_read_byline_never_crashes(text: str) -> None:
    found = read_byline(text)
    if found is not None:
        assert found.authors or found.dates
