"""Figures in news prose: values, ranges, units, qualifiers, measures, and what is no figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.language import Language

import tocsin
from tocsin.extract.quantities import find_quantities, group_quantities, measure_key
from tocsin.models.evidence import Quantity

ARTICLES = Path(tocsin.__file__).parent / "demo" / "articles"


def _find(nlp: Language, text: str) -> list[Quantity]:
    doc = nlp(text)
    found = find_quantities(doc)
    for q in found:
        assert doc.text[q.start : q.end] == q.text
    return found


def _one(nlp: Language, sentence: str, text: str) -> Quantity:
    """The figure spelled ``text`` in ``sentence``, with its offsets checked exactly."""
    matches = [q for q in _find(nlp, sentence) if q.text == text]
    assert matches, f"{text!r} not found in {[q.text for q in _find(nlp, sentence)]}"
    q = matches[0]
    assert q.start in {m.start() for m in re.finditer(re.escape(text), sentence)}
    assert q.end == q.start + len(text)
    return q


# (sentence, figure text, value, low, high, unit, qualifier, acceptable measures)
# measure ``None`` in the tuple means: the figure measures nothing (durations, bare shares).
Case = tuple[
    str,
    str,
    float | None,
    float | None,
    float | None,
    str | None,
    str | None,
    tuple[str | None, ...],
]

SEED_CASES: list[Case] = [
    (
        "Aside from Belarus’s role in the war, a key stumbling block is the problem of political "
        "prisoners: currently, at least 1,348 people are imprisoned for political reasons in "
        "Belarus.",
        "at least 1,348",
        1348,
        None,
        None,
        None,
        "at least",
        ("people", "political prisoner"),
    ),
    (
        "We don’t have the troops or the military hardware. There are few combat ready troops, "
        "up to 7k, and they are not ready for an assault operation.",
        "up to 7k",
        7000,
        None,
        None,
        None,
        "up to",
        ("troop",),
    ),
    (
        "Available polls suggest support for sending Belarusian troops to Ukraine is between 6 "
        "and 11 percent, depending on the survey method.",
        "between 6 and 11 percent",
        None,
        6,
        11,
        "percent",
        "range",
        ("support",),
    ),
    (
        "Meanwhile, 85-86% are unequivocally against.",
        "85-86%",
        None,
        85,
        86,
        "percent",
        "range",
        ("against", None),
    ),
    (
        "According to the General Staff of the Armed Forces of Ukraine, this initiative involves "
        "an increase in the armed forces of Belarus from 45,000 to 80,000, but such an ambitious "
        "military reform seems unrealistic in the current conditions.",
        "from 45,000 to 80,000",
        None,
        45000,
        80000,
        None,
        "range",
        ("armed force", "force"),
    ),
    (
        "According to military analysts, the Belarusian armed forces could probably generate "
        "five to ten battalion tactical groups, should Lukashenko make the political decision.",
        "five to ten",
        None,
        5,
        10,
        None,
        "range",
        ("battalion tactical group",),
    ),
    (
        "This includes US$6 billion (£4.5 billion) of Chinese investments in Belarusian "
        "infrastructure as part of the Belt and Road Initiative.",
        "US$6 billion",
        6e9,
        None,
        None,
        "USD",
        None,
        ("investment",),
    ),
    (
        "According to the Belarusian Hajun Project, an activist monitoring group, the joint "
        "exercises may be held near several municipal buildings in the city of Yelsk, just 17km "
        "(10 miles) from the Ukrainian border.",
        "17km",
        17,
        None,
        None,
        "km",
        None,
        (None,),
    ),
    (
        "According to official data alone, more than 80 railway sabotages were recorded in "
        "Belarus between February and early April.",
        "more than 80",
        80,
        None,
        None,
        None,
        "more than",
        ("railway sabotage",),
    ),
    (
        "The army would have to mobilise 20,000 men in order to reach full strength, he wrote.",
        "20,000",
        20000,
        None,
        None,
        None,
        None,
        ("man",),
    ),
    (
        "On 29 September, Pavel Latushka said that Lukashenka had allegedly agreed to receive "
        "120,000 Russian troops between November 2022 and February 2023, and 100,000 Belarusians "
        "would allegedly be called up.",
        "120,000",
        120000,
        None,
        None,
        None,
        None,
        ("troop",),
    ),
    (
        "On 29 September, Pavel Latushka said that Lukashenka had allegedly agreed to receive "
        "120,000 Russian troops between November 2022 and February 2023, and 100,000 Belarusians "
        "would allegedly be called up.",
        "100,000",
        100000,
        None,
        None,
        None,
        None,
        ("belarusian",),
    ),
    (
        "Write an article and join a growing community of more than 186,800 academics and "
        "researchers from 4,994 institutions.",
        "more than 186,800",
        186800,
        None,
        None,
        None,
        "more than",
        ("academic",),
    ),
    (
        "The Belarusian Hajun Project published video of eight T-72A tanks being transported "
        "from Minsk toward Russia, and said that witnesses saw tanks and at least 28 Ural trucks.",
        "eight",
        8,
        None,
        None,
        None,
        None,
        ("tank",),
    ),
    (
        "The Belarusian Hajun Project published video of eight T-72A tanks being transported "
        "from Minsk toward Russia, and said that witnesses saw tanks and at least 28 Ural trucks.",
        "at least 28",
        28,
        None,
        None,
        None,
        "at least",
        ("truck", "ural truck"),
    ),
    (
        "This means that even among Lukashenko supporters (25–35 percent of the country, "
        "according to the same polls), who are generally pro-Russian, there is no majority.",
        "25–35 percent",
        None,
        25,
        35,
        "percent",
        "range",
        ("supporter",),
    ),
    (
        "The country of 9.5 million has more than 1,000 political prisoners, including dozens "
        "of journalists and opposition leaders.",
        "9.5 million",
        9.5e6,
        None,
        None,
        None,
        None,
        ("country size",),
    ),
    (
        "The country of 9.5 million has more than 1,000 political prisoners, including dozens "
        "of journalists and opposition leaders.",
        "more than 1,000",
        1000,
        None,
        None,
        None,
        "more than",
        ("political prisoner",),
    ),
    (
        "Meanwhile, the Pentagon has “assessed that for the first time … the Russians may be "
        "slightly below a 90% level of … the available combat power … they assembled in "
        "Belarus”.",
        "90%",
        90,
        None,
        None,
        "percent",
        None,
        ("combat power",),
    ),
    (
        "A poll by Chatham House among the urban population shows that only 3% of Belarusians "
        "are ready to support the participation of the Belarusian army in the war against "
        "Ukraine.",
        "3%",
        3,
        None,
        None,
        "percent",
        None,
        ("support",),
    ),
    (
        "That is, even the vast majority of supporters of the dictatorship (and, according to "
        "some polls, they may be up to 27%) will not support the participation of the "
        "Belarusian army in the war.",
        "up to 27%",
        27,
        None,
        None,
        "percent",
        "up to",
        (None,),
    ),
    (
        "Oleksiy Danilov admitted that Kyiv was convinced there would be no invasion from "
        "Belarus – just two days before it happened.",
        "two days",
        2,
        None,
        None,
        "day",
        None,
        (None,),
    ),
    (
        "In 2015, he had cultivated a whole new regional identity for himself. Seven years "
        "later, Belarus’s diplomatic contributions are forgotten.",
        "Seven years",
        7,
        None,
        None,
        "year",
        None,
        (None,),
    ),
]

OWN_CASES: list[Case] = [
    (
        "Nearly 2,000 civilians have been killed since the invasion began, the UN said.",
        "Nearly 2,000",
        2000,
        None,
        None,
        None,
        "nearly",
        ("civilian",),
    ),
    (
        "The strike killed at least 14 people and wounded around 40 others.",
        "around 40",
        40,
        None,
        None,
        None,
        "about",
        ("other",),
    ),
    (
        "Parliament approved a £2.5bn package for air defence on Monday.",
        "£2.5bn",
        2.5e9,
        None,
        None,
        "GBP",
        None,
        ("package",),
    ),
    (
        "The government approved a defence budget of €2.3bn for 2023, up from $1.5 trillion.",
        "€2.3bn",
        2.3e9,
        None,
        None,
        "EUR",
        None,
        ("defence budget",),
    ),
    (
        "The government approved a defence budget of €2.3bn for 2023, up from $1.5 trillion.",
        "$1.5 trillion",
        1.5e12,
        None,
        None,
        "USD",
        None,
        ("defence budget",),
    ),
    (
        "The border is roughly 1,084 kilometres long.",
        "roughly 1,084 kilometres",
        1084,
        None,
        None,
        "km",
        "about",
        (None,),
    ),
    (
        "The 64km convoy stalled about 40 miles north of Kyiv.",
        "64km",
        64,
        None,
        None,
        "km",
        None,
        ("convoy",),
    ),
    (
        "The 64km convoy stalled about 40 miles north of Kyiv.",
        "about 40 miles",
        40,
        None,
        None,
        "mile",
        "about",
        (None,),
    ),
    (
        "About 52% of voters backed the proposal, while 41 per cent opposed it.",
        "About 52%",
        52,
        None,
        None,
        "percent",
        "about",
        ("back",),
    ),
    (
        "About 52% of voters backed the proposal, while 41 per cent opposed it.",
        "41 per cent",
        41,
        None,
        None,
        "percent",
        None,
        ("oppose",),
    ),
    (
        "Turnout was 61.2%, up 3 percentage points on 2019.",
        "61.2%",
        61.2,
        None,
        None,
        "percent",
        None,
        ("turnout",),
    ),
    (
        "Turnout was 61.2%, up 3 percentage points on 2019.",
        "3 percentage points",
        3,
        None,
        None,
        "percentage point",
        None,
        (None, "turnout"),
    ),
    (
        "Support for the ruling party fell to 28 per cent in the latest poll.",
        "28 per cent",
        28,
        None,
        None,
        "percent",
        None,
        ("support",),
    ),
    (
        "Between 300 and 400 troops crossed the border on Sunday.",
        "Between 300 and 400",
        None,
        300,
        400,
        None,
        "range",
        ("troop",),
    ),
    (
        "Hundreds of thousands of refugees fled to Poland in the first week.",
        "Hundreds of thousands",
        None,
        200_000,
        1_000_000,
        None,
        "vague",
        ("refugee",),
    ),
    (
        "Russia could use Belarus as a training ground for some of the tens of thousands of "
        "Russians mobilised to serve in the army.",
        "tens of thousands",
        None,
        20_000,
        100_000,
        None,
        "vague",
        ("russian",),
    ),
    (
        "The country of 9.5 million has more than 1,000 political prisoners, including dozens "
        "of journalists and opposition leaders.",
        "dozens",
        None,
        24,
        120,
        None,
        "vague",
        ("journalist",),
    ),
    (
        "Officials said 300 or more soldiers were missing after the attack.",
        "300 or more",
        300,
        None,
        None,
        None,
        "at least",
        ("soldier",),
    ),
    (
        "Over 1,500 journalists attended the summit, which cost $12 million.",
        "Over 1,500",
        1500,
        None,
        None,
        None,
        "more than",
        ("journalist",),
    ),
    (
        "Over 1,500 journalists attended the summit, which cost $12 million.",
        "$12 million",
        1.2e7,
        None,
        None,
        "USD",
        None,
        (None, "summit"),
    ),
    (
        "The plan will cost between €4bn and €5bn over five years.",
        "between €4bn and €5bn",
        None,
        4e9,
        5e9,
        "EUR",
        "range",
        ("plan",),
    ),
    (
        "The plan will cost between €4bn and €5bn over five years.",
        "five years",
        5,
        None,
        None,
        "year",
        None,
        (None,),
    ),
    (
        "Roughly twenty-five thousand people joined the march in the capital.",
        "Roughly twenty-five thousand",
        25_000,
        None,
        None,
        None,
        "about",
        ("people",),
    ),
    (
        "Damage to the port rose by 5 to 10 million dollars, the insurers said.",
        "5 to 10 million dollars",
        None,
        5e6,
        1e7,
        "USD",
        "range",
        ("damage",),
    ),
    (
        "The deal is worth $1.2bn-$1.5bn, analysts said.",
        "$1.2bn-$1.5bn",
        None,
        1.2e9,
        1.5e9,
        "USD",
        "range",
        (None, "deal"),
    ),
    (
        "Some 200 people fought over 2 islands.",
        "Some 200",
        200,
        None,
        None,
        None,
        "about",
        ("people",),
    ),
    (
        "Some 200 people fought over 2 islands.",
        "2",
        2,
        None,
        None,
        None,
        None,  # 'over' is the preposition here, not 'more than'
        ("island",),
    ),
    (
        "Lukashenko has already given the order to receive and deploy “more than one thousand” "
        "Russian military personnel.",
        "more than one thousand",
        1000,
        None,
        None,
        None,
        "more than",
        ("military personnel",),
    ),
]


def _check(nlp: Language, case: Case) -> None:
    sentence, text, value, low, high, unit, qualifier, measures = case
    q = _one(nlp, sentence, text)
    assert q.value == (None if value is None else pytest.approx(value))
    assert q.low == (None if low is None else pytest.approx(low))
    assert q.high == (None if high is None else pytest.approx(high))
    assert q.unit == unit
    assert q.qualifier == qualifier
    assert q.measure in measures


@pytest.mark.parametrize("case", SEED_CASES, ids=[c[1] for c in SEED_CASES])
def test_seed_figures(nlp: Language, case: Case) -> None:
    _check(nlp, case)


@pytest.mark.parametrize("case", OWN_CASES, ids=[c[1] for c in OWN_CASES])
def test_general_news_figures(nlp: Language, case: Case) -> None:
    _check(nlp, case)


def test_t72a_is_a_model_name_not_the_number_72(nlp: Language) -> None:
    sentence = "The project published video of eight T-72A tanks being transported toward Russia."
    found = _find(nlp, sentence)
    assert [q.text for q in found] == ["eight"]
    assert all(q.value != 72 for q in found)


def test_bracketed_conversions_are_second_figures_with_the_same_measure(nlp: Language) -> None:
    money = _find(nlp, SEED_CASES[6][0])
    usd, gbp = money[0], money[1]
    assert (usd.text, gbp.text) == ("US$6 billion", "£4.5 billion")
    assert gbp.unit == "GBP"
    assert gbp.value == pytest.approx(4.5e9)
    assert gbp.measure == usd.measure == "investment"
    assert group_quantities([usd, gbp])[0] == group_quantities([usd, gbp])[1] == 0

    distance = _find(nlp, SEED_CASES[7][0])
    assert [(q.text, q.unit, q.value) for q in distance] == [
        ("17km", "km", 17),
        ("10 miles", "mile", 10),
    ]


NOT_FIGURES = [
    "Fast forward to 2020, when I visited Belgrade for the first time.",
    "As Russia launched a massive rocket attack on Ukraine on 10 October, Lukashenka declared "
    "that a joint regional group had been formed.",
    "Danilov noted that Belarus does not have enough forces to conduct an offensive similar to "
    "the one that took place on Feb. 24.",
    "Belarus and Russia’s joint regional group was created back in 1999: it includes the "
    "Belarusian army (until 2022, for example, it included Russia’s first tank army).",
    "The Ukrainian president sounded the alarm during a meeting of the G7 on Tuesday.",
    "Military hardware takes part in the Allied Resolve 2022 joint military drills.",
    "It could also trigger a level of protest not seen since the contested presidential "
    "elections of August 9 2020.",
    "He scored twice in a 3-1 win during the 2020-2022 season.",
    "One thing is clear: no one wants Su-25 jets or COVID-19 here.",
    "The convoy stretched for two-thirds of the route.",
    "Chapter 11 of the Boeing 737 Max report cites Resolution 2231.",
    "The agenda: (1) ceasefire (2) prisoner exchange.",
]


@pytest.mark.parametrize("sentence", NOT_FIGURES)
def test_dates_years_names_and_labels_are_not_figures(nlp: Language, sentence: str) -> None:
    assert _find(nlp, sentence) == []


def test_list_markers_and_option_labels_are_not_figures(nlp: Language) -> None:
    text = (
        "“There are three possible explanations behind this behaviour: 1) Prep for a Nato "
        "attack 2) To tie up Ukrainian forces near the border to prevent their deployment to "
        "other areas 3) Prep for an attack on Ukraine,” he said. For now, he wrote, he is "
        "focused on options two and three."
    )
    found = _find(nlp, text)
    assert [q.text for q in found] == ["three"]
    assert found[0].measure == "explanation"


def test_durations_are_figures_with_a_unit_and_no_measure(nlp: Language) -> None:
    found = _find(nlp, "For more than two days, neither state media nor his office said a word.")
    assert [(q.text, q.value, q.unit, q.qualifier, q.measure) for q in found] == [
        ("more than two days", 2, "day", "more than", None)
    ]
    assert measure_key(found[0]) is None
    assert group_quantities(found) == [None]


def test_measure_keys(nlp: Language) -> None:
    prisoners = _one(nlp, SEED_CASES[17][0], "more than 1,000")
    assert measure_key(prisoners) == "count:political prisoner"
    share = _one(nlp, SEED_CASES[19][0], "3%")
    assert measure_key(share) == "percent:support"
    money = _one(nlp, SEED_CASES[6][0], "US$6 billion")
    assert measure_key(money) == "money:investment [China]"  # whose: "Chinese investments"


def test_poll_figures_on_support_for_joining_the_war_group_across_articles(
    nlp: Language,
) -> None:
    worldcrunch = (
        "A poll by Chatham House among the urban population shows that only 3% of Belarusians "
        "are ready to support the participation of the Belarusian army in the war against "
        "Ukraine. A study by sociologist Andriy Vardamatsky, which also covered rural residents, "
        "showed a higher level of approval — up to 11%. Meanwhile, 85-86% are unequivocally "
        "against. That is, even the vast majority of supporters of the dictatorship (and, "
        "according to some polls, they may be up to 27%) will not support the participation of "
        "the Belarusian army in the war."
    )
    guardian = (
        "“He does not want to be dragged into war because of so many risks it can create for "
        "him,” said Shraibman, noting that polling showed that less than 10% of Belarusians "
        "supported direct involvement in the war in Ukraine."
    )
    carnegie = (
        "Available polls suggest support for sending Belarusian troops to Ukraine is between 6 "
        "and 11 percent, depending on the survey method. This means that even among Lukashenko "
        "supporters (25–35 percent of the country, according to the same polls), who are "
        "generally pro-Russian, there is no majority in favor of entering the war."
    )
    items = [q for text in (worldcrunch, guardian, carnegie) for q in _find(nlp, text)]
    by_text = dict(zip([q.text for q in items], group_quantities(items), strict=True))
    war_support = {"3%", "up to 11%", "less than 10%", "between 6 and 11 percent"}
    assert war_support <= set(by_text)
    ids = {by_text[t] for t in war_support}
    assert len(ids) == 1
    assert None not in ids
    (war,) = ids
    for other in ("85-86%", "up to 27%", "25–35 percent"):
        assert by_text[other] != war


def _q(measure: str | None, unit: str | None = None) -> Quantity:
    return Quantity(0, 1, "1", 1.0, None, None, unit, None, measure)


def test_group_quantities_joins_contained_measures_but_not_negations_or_families() -> None:
    items = [
        _q("armed force"),
        _q("force"),
        _q("support", "percent"),
        _q("not support", "percent"),
        _q("public support", "percent"),
        _q("support"),  # a count, not a share
        _q(None),
        _q("investment", "USD"),
        _q("investment", "GBP"),
        _q("battalion tactical group"),
        _q("regional group"),
    ]
    groups = group_quantities(items)
    assert groups[0] == groups[1] == 0
    assert groups[2] == groups[4] == 1
    assert groups[3] not in (groups[2], None)
    assert groups[5] not in (groups[2], None)
    assert groups[6] is None
    assert groups[7] == groups[8]
    assert groups[9] != groups[10]
    assert group_quantities([]) == []


def test_an_unparsed_doc_still_yields_figures_without_measures(nlp: Language) -> None:
    text = "At least 1,348 people; 85-86% against; up to 7k troops."
    doc = nlp.make_doc(text)
    found = find_quantities(doc)
    assert [(q.text, q.qualifier) for q in found] == [
        ("At least 1,348", "at least"),
        ("85-86%", "range"),
        ("up to 7k", "up to"),
    ]
    assert all(q.measure is None for q in found)


_YEAR = re.compile(r"(?<![\d,.])(1[89]\d\d|20\d\d)(?![\d,])")


def test_seed_articles_offsets_and_no_years(nlp: Language) -> None:
    paths = sorted(ARTICLES.glob("*.txt"))
    assert len(paths) == 5
    texts: set[str] = set()
    for path in paths:
        doc = nlp(path.read_text(encoding="utf-8"))
        found = find_quantities(doc)
        assert [q.start for q in found] == sorted(q.start for q in found)
        for q in found:
            assert doc.text[q.start : q.end] == q.text
            assert not _YEAR.search(q.text), q.text
            if q.qualifier != "vague":  # 'thousands' is 2,000 to 10,000, no year
                for number in (q.value, q.low, q.high):
                    year_like = number is not None and 1800 <= number <= 2100
                    assert not (year_like and float(number).is_integer()), q
        texts.update(q.text for q in found)
    expected = {
        "at least 1,348",
        "up to 7k",
        "between 6 and 11 percent",
        "85-86%",
        "from 45,000 to 80,000",
        "five to ten",
        "US$6 billion",
        "£4.5 billion",
        "17km",
        "10 miles",
        "more than 80",
        "20,000",
        "120,000",
        "100,000",
        "more than 186,800",
        "eight",
        "at least 28",
        "25–35 percent",
        "9.5 million",
        "more than 1,000",
        "90%",
        "3%",
        "up to 27%",
        "two days",
        "Seven years",
        "up to 11%",
        "less than 10%",
    }
    assert expected <= texts, expected - texts


# --- tocsin 2.2: figures compared only with figures of the same quantity (issue #10) -------


def _key(nlp: Language, sentence: str, text: str) -> str | None:
    return measure_key(_one(nlp, sentence, text))


def test_counts_of_people_group_only_by_what_the_people_did(nlp: Language) -> None:
    keys = [
        _key(nlp, "Some 40,000 people have fled Mariupol since March.", "Some 40,000"),
        _key(nlp, "Almost 2 million people live in the Minsk region.", "Almost 2 million"),
        _key(nlp, "About 5,000 people marched through Hrodna on Sunday.", "About 5,000"),
        _key(
            nlp, "Between 200 and 300 refugees reach the border every night.", "Between 200 and 300"
        ),
        _key(nlp, "The police held 70 people after the match.", "70"),
    ]
    assert len(set(keys)) == len(keys)
    assert _key(nlp, "The town has 40,000 people.", "40,000") is None  # says too little
    fled = _key(nlp, "More than 10,000 people fled Kherson in a week.", "More than 10,000")
    assert fled == keys[0]


def test_troops_of_different_countries_do_not_group(nlp: Language) -> None:
    russian = _key(nlp, "About 12,000 Russian troops are stationed in Belarus.", "About 12,000")
    moved = _key(nlp, "Russia has moved 8,000 troops into Belarus.", "8,000")
    belarusian = _key(nlp, "Belarus's army has 45,000 troops.", "45,000")
    assert russian == moved == "count:troop [Russia, in Belarus]"
    assert belarusian == "count:troop [Belarus]"


def test_multipliers_are_ratios_compared_only_on_what_they_multiply(nlp: Language) -> None:
    prices = _one(nlp, "In a year, bread prices rose 2.5 times.", "2.5 times")
    assert prices.unit == "times"
    assert measure_key(prices) == "ratio:bread price"
    stronger = _key(
        nlp, "The new missile is 1,200 times more powerful than the old one.", "1,200 times"
    )
    assert stronger is not None
    assert stronger.startswith("ratio:")
    assert stronger != measure_key(prices)
    met = _one(nlp, "The two presidents met three times in June.", "three times")
    assert met.unit == "times"
    assert measure_key(met) is None  # repetitions, not a multiplier
    count = _key(nlp, "Bread prices hit 2.5 roubles a loaf.", "2.5 roubles")
    assert count != measure_key(prices)


def test_percentages_are_not_compared_with_counts_or_other_shares(nlp: Language) -> None:
    trust = _key(nlp, "About 40% of respondents trust the army.", "About 40%")
    budget = _key(nlp, "Some 40 percent of the budget goes to the police.", "Some 40 percent")
    soldiers = _key(nlp, "About 40 soldiers deserted.", "About 40")
    assert trust is not None
    assert trust.startswith("percent:")
    assert len({trust, budget, soldiers}) == 3


def test_lengths_in_miles_and_km_share_a_group(nlp: Language) -> None:
    km = _key(nlp, "Crews patrol the 1,300 km border every day.", "1,300 km")
    miles = _key(nlp, "Crews patrol the 800-mile border every day.", "800-mile")
    assert km == miles == "length:border"


def test_soldiers_and_troops_are_one_count(nlp: Language) -> None:
    soldiers = _one(nlp, "Russia keeps about 9,000 soldiers in the country.", "about 9,000")
    troops = _one(nlp, "Russia keeps about 30,000 troops in the country.", "about 30,000")
    assert measure_key(soldiers) == measure_key(troops)
    assert measure_key(troops) is not None
    assert str(measure_key(troops)).startswith("count:troop")
