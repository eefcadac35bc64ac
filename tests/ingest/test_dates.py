"""Date mentions and publication estimates."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tocsin.ingest.dates import MONTHS, estimate_published, find_dates, parse_stated

TODAY = date(2026, 11, 23)
FULL_MONTHS = list({i: name for name, i in reversed(MONTHS.items())}.values())[::-1]


def _texts(text: str) -> list[tuple[str, int | None, int | None, int | None]]:
    return [(m.text, m.year, m.month, m.day) for m in find_dates(text)]


def test_forms_of_dates() -> None:
    found = _texts(
        "On 10 October, then Feb. 24, 2022 and August 9 2020; in early September and in 2019."
    )
    assert ("10 October", None, 10, 10) in found
    assert ("Feb. 24, 2022", 2022, 2, 24) in found
    assert ("August 9 2020", 2020, 8, 9) in found
    assert any(t.startswith("in early September") and mo == 9 for t, _, mo, _ in found)
    assert ("in 2019", 2019, None, None) in found


def test_modal_may_and_numbers_are_not_dates() -> None:
    assert find_dates("He may bring troops; 1,348 people; 2,000 tanks; we may march.") == []


def test_parts_of_a_month_are_thirds() -> None:
    (early,) = find_dates("in early September 2022")
    assert early.interval() == (date(2022, 9, 1), date(2022, 9, 10))
    (late,) = find_dates("in late May 2022")
    assert late.interval() == (date(2022, 5, 21), date(2022, 5, 31))


def test_future_dates_do_not_date_the_article() -> None:
    text = (
        "On 29 September, Latushka said Lukashenka had agreed to receive 120,000 troops "
        "between November 2022 and February 2023. On 10 October he announced a group that "
        "until 2022 included a tank army."
    )
    estimate = estimate_published(text, today=TODAY)
    assert estimate is not None
    assert estimate.value == date(2022, 10, 10)
    assert estimate.low == date(2022, 10, 10)
    assert estimate.high == date(2022, 10, 10) + timedelta(days=60)


def test_single_background_date_gives_open_bound() -> None:
    estimate = estimate_published(
        "In 2020 there were protests. On 24 February troops crossed.", today=TODAY
    )
    assert estimate is not None
    assert estimate.estimated
    assert estimate.low == date(2020, 2, 24)
    assert estimate.high == TODAY


def test_period_supplies_the_year() -> None:
    period = (date(2022, 1, 1), date(2022, 12, 31))
    estimate = estimate_published(
        "On 24 February troops crossed the border.", today=TODAY, period=period
    )
    assert estimate is not None
    assert estimate.value == date(2022, 2, 24)
    assert estimate.high == date(2022, 12, 31)


def test_no_date_no_estimate() -> None:
    assert estimate_published("Nothing is dated here at all.", today=TODAY) is None


def test_parse_stated() -> None:
    assert parse_stated("2022-05-20T10:00:00Z") == date(2022, 5, 20)
    assert parse_stated("20 May 2022") == date(2022, 5, 20)
    assert parse_stated("sometime") is None
    assert parse_stated("2022-13-45") is None


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)),
    st.sampled_from(["{d} {m} {y}", "{m} {d}, {y}", "{m} {d} {y}"]),
)
def test_any_written_date_round_trips(day: date, form: str) -> None:
    month = FULL_MONTHS[day.month - 1]
    text = "It happened on " + form.format(d=day.day, m=month, y=day.year) + "."
    (mention,) = find_dates(text)
    assert mention.interval() == (day, day)


@given(st.text(max_size=300))
def test_find_dates_never_crashes_and_spans_are_exact(text: str) -> None:
    for mention in find_dates(text):
        assert text[mention.start : mention.end] == mention.text
