"""Date expressions in news prose resolved to intervals around a publication date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Span

from tocsin.extract.timex import resolve_dates

ANCHOR = date(2022, 10, 12)  # a Wednesday
ARTICLES = Path(__file__).parents[2] / "src" / "tocsin" / "demo" / "articles"

Resolved = list[tuple[str, str, str]]


def resolve(nlp: Language, text: str, anchor: date = ANCHOR) -> Resolved:
    """(text, start, end) of each mention, dates as ISO strings; offsets checked on the way."""
    doc = nlp(text)
    out = []
    for m in resolve_dates(doc, anchor):
        assert doc.text[m.start : m.end] == m.text
        assert m.date_start <= m.date_end
        out.append((m.text, m.date_start.isoformat(), m.date_end.isoformat()))
    return out


def one(nlp: Language, text: str, anchor: date = ANCHOR) -> tuple[str, str]:
    """The interval of the only mention in ``text``."""
    found = resolve(nlp, text, anchor)
    assert len(found) == 1, found
    return found[0][1], found[0][2]


def last(nlp: Language, text: str, anchor: date = ANCHOR) -> tuple[str, str, str]:
    found = resolve(nlp, text, anchor)
    assert found, text
    return found[-1]


# --- explicit day dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        ("Russia launched a massive rocket attack on Ukraine on 10 October.", "2022-10-10"),
        ("The ministers met in Minsk on 10 October 2022.", "2022-10-10"),
        ("The invasion began on Feb. 24, officials recalled.", "2022-02-24"),
        ("From February 24, the border was closed.", "2022-02-24"),
        ("He visited the tire plant on June 17.", "2022-06-17"),
        ("Protests followed the elections of August 9 2020.", "2020-08-09"),
        ("On 24 February, troops crossed the border.", "2022-02-24"),
        ("He was arrested on Sunday, October 9.", "2022-10-09"),
        ("Aid arrived on the 9th of October.", "2022-10-09"),
        ("The results came out on 2022-10-05.", "2022-10-05"),
    ],
)
def test_explicit_day_dates(nlp: Language, sentence: str, day: str) -> None:
    assert one(nlp, sentence) == (day, day)


def test_year_less_date_is_the_nearest_occurrence_at_most_two_months_ahead(
    nlp: Language,
) -> None:
    # Three weeks ahead of the anchor can be an announced plan; ten weeks ahead cannot.
    assert one(nlp, "Talks between the sides are set for 3 November.") == (
        "2022-11-03",
        "2022-11-03",
    )
    assert one(nlp, "The party congress opened in late December.") == (
        "2021-12-21",
        "2021-12-31",
    )
    assert one(nlp, "Troops had massed near the border by 28 December.", date(2023, 1, 10)) == (
        "2022-12-28",
        "2022-12-28",
    )


def test_year_less_date_follows_the_tense_of_its_clause(nlp: Language) -> None:
    past = "Talks resumed on 3 November after a pause."
    assert one(nlp, past) == ("2021-11-03", "2021-11-03")
    assert one(nlp, "Voters will go to the polls in February.") == ("2023-02-01", "2023-02-28")
    assert one(nlp, "The vote is due on 20 January.") == ("2023-01-20", "2023-01-20")
    assert one(nlp, "The election is scheduled for 20 January.") == ("2023-01-20", "2023-01-20")
    # 'would' reports a plan from the past: the default rule applies.
    assert one(nlp, "Lukashenko said the troops would arrive in December.") == (
        "2022-12-01",
        "2022-12-31",
    )


# --- months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "interval"),
    [
        (
            "Russia publicly claimed in February that it had moved troops.",
            ("2022-02-01", "2022-02-28"),
        ),
        ("The exercises were extended in February 2022.", ("2022-02-01", "2022-02-28")),
        ("Ukraine's counter-offensive began last month.", ("2022-09-01", "2022-09-30")),
        ("The bank cut interest rates this month.", ("2022-10-01", "2022-10-31")),
        ("Rates will rise again next month.", ("2022-11-01", "2022-11-30")),
        ("In early September, he spoke about an amnesty.", ("2022-09-01", "2022-09-10")),
        ("Prices rose sharply in mid-September.", ("2022-09-11", "2022-09-20")),
        ("Output fell in mid September, the agency said.", ("2022-09-11", "2022-09-20")),
        ("In late September, the ministry announced a check.", ("2022-09-21", "2022-09-30")),
        ("The deal was signed at the end of September.", ("2022-09-21", "2022-09-30")),
        ("The deal was signed at the end of February 2020.", ("2020-02-21", "2020-02-29")),
        ("The bill passed late last month.", ("2022-09-21", "2022-09-30")),
    ],
)
def test_months_and_their_parts(nlp: Language, sentence: str, interval: tuple[str, str]) -> None:
    assert one(nlp, sentence) == interval


def test_earlier_this_month_runs_to_the_anchor(nlp: Language) -> None:
    assert one(nlp, "Earlier this month, the army moved north.") == ("2022-10-01", "2022-10-12")


# --- weeks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "interval"),
    [
        ("During a security meeting last week, he admitted it.", ("2022-10-03", "2022-10-09")),
        ("This week, the EU warned Belarus of further sanctions.", ("2022-10-10", "2022-10-16")),
        ("The drills will continue next week.", ("2022-10-17", "2022-10-23")),
        ("Earlier this week, the column crossed the river.", ("2022-10-10", "2022-10-12")),
    ],
)
def test_weeks_run_monday_to_sunday(
    nlp: Language, sentence: str, interval: tuple[str, str]
) -> None:
    assert one(nlp, sentence) == interval


# --- weekdays -----------------------------------------------------------------------------


def test_weekday_in_the_past_is_the_latest_on_or_before_the_anchor(nlp: Language) -> None:
    assert one(nlp, "Zelenskiy sounded the alarm during a G7 meeting on Tuesday.") == (
        "2022-10-11",
        "2022-10-11",
    )
    assert one(nlp, "The minister resigned on Friday.") == ("2022-10-07", "2022-10-07")
    assert one(nlp, "The minister resigned on Wednesday.") == ("2022-10-12", "2022-10-12")


def test_weekday_in_a_future_clause_is_the_next_one(nlp: Language) -> None:
    text = (
        "Locals had also been told not to film a new column of armoured vehicles "
        "due to arrive on Wednesday."
    )
    assert one(nlp, text, date(2022, 10, 10)) == ("2022-10-12", "2022-10-12")
    assert one(nlp, "Lukashenko will travel to Moscow on Friday.") == ("2022-10-14", "2022-10-14")
    assert one(nlp, "The delegation is to arrive on Thursday.") == ("2022-10-13", "2022-10-13")
    assert one(nlp, "The minister resigned on Thursday.") == ("2022-10-06", "2022-10-06")


def test_weekday_with_last_or_next(nlp: Language) -> None:
    assert one(nlp, "He will travel to Minsk next Tuesday.") == ("2022-10-18", "2022-10-18")
    assert one(nlp, "The column arrived at the weekend.") == ("2022-10-08", "2022-10-09")


# --- years, decades, seasons --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "interval"),
    [
        (
            "Having survived a protest movement in 2020, he is cautious.",
            ("2020-01-01", "2020-12-31"),
        ),
        (
            "The forced landing of a Ryanair flight in 2021 drew sanctions.",
            ("2021-01-01", "2021-12-31"),
        ),
        ("Belarus may repeat a process seen in the late 1980s.", ("1987-01-01", "1989-12-31")),
        ("The army was founded in the early 1990s.", ("1990-01-01", "1993-12-31")),
        ("Investment peaked in the mid-2000s.", ("2004-01-01", "2006-12-31")),
        ("The plant opened in the 1990s.", ("1990-01-01", "1999-12-31")),
        ("Exports grew strongly last year.", ("2021-01-01", "2021-12-31")),
        ("Inflation has been high this year.", ("2022-01-01", "2022-12-31")),
        ("Growth slowed earlier this year.", ("2022-01-01", "2022-10-12")),
        ("In early 2021 the economy recovered.", ("2021-01-01", "2021-04-30")),
        ("By late 2023 the pipeline will be finished.", ("2023-09-01", "2023-12-31")),
        ("In the summer of 2014, fighting began.", ("2014-06-01", "2014-08-31")),
        ("Negotiations began in winter 2022.", ("2021-12-01", "2022-02-28")),
        ("Last summer, the harvest failed.", ("2022-06-01", "2022-08-31")),
        ("The law was passed in the first quarter of 2021.", ("2021-01-01", "2021-03-31")),
        ("Fighting eased in the second half of 2022.", ("2022-07-01", "2022-12-31")),
        ("The treaty was signed in the 19th century.", ("1800-01-01", "1899-12-31")),
    ],
)
def test_years_decades_and_seasons(nlp: Language, sentence: str, interval: tuple[str, str]) -> None:
    assert one(nlp, sentence) == interval


def test_since_runs_to_the_anchor(nlp: Language) -> None:
    text = "Several opposition activists have died at the hands of police since 2020."
    assert one(nlp, text) == ("2020-01-01", "2022-10-12")
    text = "Since February, the regime has acted as an accomplice to Russian aggression."
    assert one(nlp, text) == ("2022-02-01", "2022-10-12")


def test_leading_the_is_dropped_from_the_mention(nlp: Language) -> None:
    assert last(nlp, "Belarus may repeat a process seen in the late 1980s.")[0] == "late 1980s"


# --- relative expressions -----------------------------------------------------------------


def test_later_shifts_the_previous_mention(nlp: Language) -> None:
    text = (
        "In early September, Lukashenka spoke about an amnesty. Two weeks later, he "
        "unexpectedly pardoned three political prisoners."
    )
    assert resolve(nlp, text)[-1] == ("Two weeks later", "2022-09-15", "2022-09-24")
    text = "In 2015, he hosted the talks. Seven years later, his contributions are forgotten."
    assert last(nlp, text) == ("Seven years later", "2022-01-01", "2022-12-31")
    text = "On 10 October, the talks began. Two days later, they collapsed."
    assert last(nlp, text) == ("Two days later", "2022-10-12", "2022-10-12")


def test_after_and_before_an_event_shift_the_previous_mention(nlp: Language) -> None:
    text = (
        "In late May, Lukashenko held hours of talks with Putin in Sochi. However, three days "
        "after the talks in Sochi, he dressed in military uniform."
    )
    assert last(nlp, text) == ("three days", "2022-05-24", "2022-06-03")
    text = "The envoy arrived on 4 March. Two days before, he had called Kyiv."
    assert last(nlp, text) == ("Two days before", "2022-03-02", "2022-03-02")


def test_anaphoric_days_and_weeks(nlp: Language) -> None:
    text = "The plant reopened on June 2. The next day workers went on strike."
    assert last(nlp, text) == ("next day", "2022-06-03", "2022-06-03")
    text = "The envoy arrived on 4 March. The day before, he had called Kyiv."
    assert last(nlp, text) == ("day before", "2022-03-03", "2022-03-03")
    text = "The envoy arrived on 4 March. The following week he left."
    assert last(nlp, text) == ("following week", "2022-03-07", "2022-03-13")


def test_a_shift_needs_a_previous_date(nlp: Language) -> None:
    assert resolve(nlp, "A year earlier, he had said the opposite.") == []


def test_a_shift_before_a_clause_is_not_the_previous_date(nlp: Language) -> None:
    text = (
        "Fighting resumed on 10 October. Kyiv was convinced there would be no invasion "
        "from Belarus – just two days before it happened."
    )
    assert [m[0] for m in resolve(nlp, text)] == ["10 October"]


@pytest.mark.parametrize(
    ("sentence", "interval"),
    [
        ("Yesterday the parliament voted on the bill.", ("2022-10-11", "2022-10-11")),
        ("Today, they seem to have both.", ("2022-10-12", "2022-10-12")),
        ("The minister resigned three days ago.", ("2022-10-09", "2022-10-09")),
        ("The protests began three weeks ago.", ("2022-09-19", "2022-09-25")),
        ("The factory closed two months ago.", ("2022-08-01", "2022-08-31")),
    ],
)
def test_days_counted_from_the_anchor(
    nlp: Language, sentence: str, interval: tuple[str, str]
) -> None:
    assert one(nlp, sentence) == interval


# --- ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Lukashenka had agreed to receive troops between November 2022 and February 2023.",
            ("November 2022 and February 2023", "2022-11-01", "2023-02-28"),
        ),
        (
            "Even a return to the situation in February-March is now fraught with risk.",
            ("February-March", "2022-02-01", "2022-03-31"),
        ),
        (
            "Lukashenko's actions and statements in May and June were ambivalent.",
            ("May and June", "2022-05-01", "2022-06-30"),
        ),
        ("The exercise ran from May to July.", ("May to July", "2022-05-01", "2022-07-31")),
        ("He visited from 10 to 12 October.", ("10 to 12 October", "2022-10-10", "2022-10-12")),
        ("The programme ran in 2020-21.", ("2020-21", "2020-01-01", "2021-12-31")),
        (
            "The meeting took place between 1 and 3 March 2022.",
            ("1 and 3 March 2022", "2022-03-01", "2022-03-03"),
        ),
        (
            "More than 80 railway sabotages were recorded between February and early April.",
            ("February and early April", "2022-02-01", "2022-04-10"),
        ),
    ],
)
def test_ranges(nlp: Language, sentence: str, expected: tuple[str, str, str]) -> None:
    assert resolve(nlp, sentence) == [expected]


def test_a_list_with_a_gap_is_separate_mentions(nlp: Language) -> None:
    assert resolve(nlp, "Protests took place in 2015 and 2020.") == [
        ("2015", "2015-01-01", "2015-12-31"),
        ("2020", "2020-01-01", "2020-12-31"),
    ]


# --- durations and vague expressions ------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "For several months, Belarusian troops have been conducting exercises.",
        "The talks lasted two days.",
        "For more than two days, state media said nothing about the negotiations.",
        "Shelling continued for hours.",
        "Thousands of troops will be arriving in the coming days.",
        "There has been no significant progress around Kyiv for several days.",
        "Russia has allowed Belarus to postpone the repayment of loans for several years.",
        "Several years ago the plant closed.",
        "You've reached your monthly limit of free articles.",
    ],
)
def test_durations_and_vague_expressions_are_skipped(nlp: Language, sentence: str) -> None:
    assert resolve(nlp, sentence) == []


def test_an_approximate_shift_is_skipped(nlp: Language) -> None:
    text = "In 2014 the war began. About two weeks later, the troops left."
    assert [m[0] for m in resolve(nlp, text)] == ["2014"]


def test_the_past_two_years_is_a_window_ending_at_the_anchor(nlp: Language) -> None:
    text = "People have been subjected to repression by the regime for the past two years."
    assert one(nlp, text) == ("2020-10-12", "2022-10-12")
    assert one(nlp, "Fighting has intensified over the past week.") == ("2022-10-05", "2022-10-12")


def test_vague_expressions_never_get_a_single_day(nlp: Language) -> None:
    text = (
        "In early September the talks began. Two weeks later they stalled. Growth slowed "
        "earlier this year and will pick up next month. Prices rose in the late 1990s."
    )
    for mention, start, end in resolve(nlp, text):
        assert start < end, mention


# --- quotations, look-alikes, fallback ----------------------------------------------------


def test_time_of_speech_words_inside_a_quote_are_skipped(nlp: Language) -> None:
    text = "Lukashenka said: “Imagine that there is no Russia tomorrow – it has been defeated.”"
    assert resolve(nlp, text) == []
    text = "“We met on 24 February,” the minister said on Tuesday."
    assert resolve(nlp, text) == [
        ("24 February", "2022-02-24", "2022-02-24"),
        ("Tuesday", "2022-10-11", "2022-10-11"),
    ]


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("We may see more troops.", "may"),
        ("May we see more troops?", "May"),
        ("We met at dawn.", "We"),
    ],
)
def test_may_and_we_are_never_dates_even_when_tagged(
    nlp: Language, sentence: str, word: str
) -> None:
    doc = nlp(sentence)
    i = next(t.i for t in doc if t.text == word)
    doc.ents = [Span(doc, i, i + 1, label="DATE")]
    assert resolve_dates(doc, ANCHOR) == []


def test_a_bare_may_after_in_is_the_month(nlp: Language) -> None:
    assert resolve(nlp, "The protests began in May.") == [("May", "2022-05-01", "2022-05-31")]


def test_dateparser_reads_numeric_days_the_rules_do_not(nlp: Language) -> None:
    assert one(nlp, "The decree is dated 10/05/2022.") == ("2022-10-05", "2022-10-05")


# --- the seed articles --------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_articles(nlp: Language, path: Path) -> None:
    doc = nlp(path.read_text(encoding="utf-8"))
    mentions = resolve_dates(doc, ANCHOR)
    assert mentions
    assert mentions == sorted(mentions, key=lambda m: m.start)
    for m in mentions:
        assert doc.text[m.start : m.end] == m.text
        assert m.date_start <= m.date_end
        assert m.text.lower() not in {"may", "we"}


def test_seed_article_timeline(nlp: Language) -> None:
    doc = nlp((ARTICLES / "000_41957068281de577.txt").read_text(encoding="utf-8"))
    found = {
        (m.text, m.date_start.isoformat(), m.date_end.isoformat())
        for m in resolve_dates(doc, ANCHOR)
    }
    assert ("February", "2022-02-01", "2022-10-12") in found  # 'Since February'
    assert ("Two weeks later", "2022-09-15", "2022-09-24") in found
    assert ("end of September", "2022-09-21", "2022-09-30") in found
    assert not any(text == "tomorrow" for text, _, _ in found)  # inside a quotation


def test_a_join_that_makes_no_range_leaves_the_dates_apart(nlp: Language) -> None:
    assert resolve(nlp, "The EU will cut emissions by 2030 to 1990 levels.") == [
        ("2030", "2030-01-01", "2030-12-31"),
        ("1990", "1990-01-01", "1990-12-31"),
    ]
