"""The Russian pipeline on short texts of our own: names in every case joined to their Latin
spellings, quotes with their speakers, dates and figures (issue #10, item 6)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tocsin.config import Config
from tocsin.extract.resolve import entities_named
from tocsin.extract.run import analyse_text, extract
from tocsin.extract.russian import analyse_russian
from tocsin.ingest.pipeline import ingest
from tocsin.models.evidence import Evidence, Quote
from tocsin.store.db import Store
from tocsin.store.evidence import entity_table, extraction_state

ANCHOR = date(2022, 6, 24)  # a Friday


def _read(text: str, anchor: date | None = ANCHOR) -> Evidence:
    return analyse_russian(text, anchor)


def _quote(ev: Evidence, start_of_text: str) -> Quote:
    found = [q for q in ev.quotes if q.text.startswith(start_of_text)]
    assert len(found) == 1, [q.text for q in ev.quotes]
    return found[0]


# -- names ---------------------------------------------------------------------------------

CASES = (
    "Александр Лукашенко провёл совещание в Минске. Министр обороны доложил Лукашенко о "
    "ходе учений. Позже журналисты спросили Лукашенку о границе, и разговор с Лукашенкой "
    "затянулся. Встреча Александра Лукашенко с военными закончилась вечером."
)


def test_every_case_form_of_a_name_is_one_entity_with_its_latin_key() -> None:
    ev = _read(CASES)
    people = [m for m in ev.mentions if m.label == "PERSON"]
    spelled = {m.text for m in people}
    assert {"Александр Лукашенко", "Лукашенко", "Александра Лукашенко"} <= spelled
    assert {m.key for m in people} == {"Alexander Lukashenko"}
    minsk = [m for m in ev.mentions if m.text == "Минске"]
    assert minsk
    assert minsk[0].key == "Minsk"
    assert minsk[0].label == "GPE"


def test_countries_and_qualified_bodies() -> None:
    ev = _read(
        "Минобороны Белоруссии сообщило о начале учений. В Белоруссии и России их называют "
        "плановыми, а в Польше и Литве — опасными."
    )
    keys = {m.text: m.key for m in ev.mentions}
    assert keys["Минобороны Белоруссии"] == "Ministry of Defence of Belarus"
    assert "Белоруссии" not in {m.text for m in ev.mentions if m.start < 25}
    assert keys["России"] == "Russia"
    assert keys["Польше"] == "Poland"


def test_russian_and_english_spellings_share_one_entity_in_the_store(tmp_path: Path) -> None:
    source = tmp_path / "two.jsonl"
    lines = [
        {"text": CASES + " Светлана Тихановская осудила учения.", "published": "2022-06-24"},
        {
            "text": "Alexander Lukashenka spoke to reporters in Minsk on Friday, and "
            "Sviatlana Tsikhanouskaya replied from Vilnius that the drills were a threat.",
            "published": "2022-06-25",
        },
    ]
    source.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    db = tmp_path / "t.db"
    with Store.open(db) as store:
        ingest([source], store=store, config=Config.load(workers=1))
        report = extract(store, workers=1)
        assert report.processed == 2
        assert not report.failed
        assert extraction_state(store, 1).pipeline == "natasha"
        assert extraction_state(store, 2).pipeline == "sm"
        rows = entity_table(store)
        lukashenko = entities_named(store, "Лукашенко")  # `tocsin quotes --speaker Лукашенко`
        assert lukashenko == entities_named(store, "Lukashenka")
        assert len(lukashenko) == 1
    by_spelling = {s: r.id for r in rows for s in r.spellings}
    for group in (
        ("Александр Лукашенко", "Лукашенко", "Alexander Lukashenka"),
        ("Светлана Тихановская", "Sviatlana Tsikhanouskaya"),
        ("Минске", "Minsk"),
    ):
        assert len({by_spelling[s] for s in group}) == 1, group


# -- quotes --------------------------------------------------------------------------------

SPEECH = (
    "Лукашенко заявил, что белорусская армия не будет участвовать в операции.\n\n"
    "«Мы не собираемся воевать с соседями. Нам это не нужно», — сказал Александр Лукашенко "
    "журналистам.\n\n"
    "По словам Лукашенко, учения продлятся до конца месяца. Он подчеркнул, что войска "
    "останутся на своих полигонах.\n\n"
    "Глава государства назвал обстановку «очень непростой».\n\n"
    "Министр обороны Виктор Хренин сказал: «Граница закрыта надёжно»."
)


def test_direct_quotes_and_their_speakers() -> None:
    ev = _read(SPEECH)
    q = _quote(ev, "Мы не собираемся")
    assert (q.kind, q.cue, q.speaker_key) == ("direct", "сказал", "Alexander Lukashenko")
    assert q.text.endswith("Нам это не нужно")
    q = _quote(ev, "Граница закрыта")
    assert (q.kind, q.cue, q.speaker_key) == ("direct", "сказал", "Viktor Khrenin")
    q = _quote(ev, "очень непростой")
    assert q.kind == "partial"
    assert q.speaker_text == "Глава государства"
    assert q.speaker_key == "Alexander Lukashenko"  # the last person named or heard


def test_reported_speech_and_pronouns() -> None:
    ev = _read(SPEECH)
    q = _quote(ev, "белорусская армия")
    assert (q.kind, q.cue, q.speaker_key) == ("indirect", "заявил", "Alexander Lukashenko")
    assert q.text == "белорусская армия не будет участвовать в операции"
    q = _quote(ev, "учения продлятся")
    assert q.kind == "indirect"
    assert q.speaker_key == "Alexander Lukashenko"
    assert q.cue is not None
    assert q.cue.lower().startswith("по словам")
    q = _quote(ev, "войска останутся")
    assert (q.speaker_text, q.speaker_key) == ("Он", "Alexander Lukashenko")


def test_about_this_and_headline_attributions() -> None:
    ev = _read(
        "Хренин: учения у границы носят оборонительный характер\n\n"
        "Колонны техники вернутся в места постоянной дислокации к пятнице. Об этом заявил "
        "министр обороны Виктор Хренин. Об этом сообщает БелТА.\n\n"
        "Войска не пересекут границу, - белорусский министр Хренин"
    )
    q = _quote(ev, "учения у границы")
    assert (q.cue, q.speaker_key) == (":", "Viktor Khrenin")
    q = _quote(ev, "Колонны техники")
    assert (q.cue, q.speaker_key) == ("заявил", "Viktor Khrenin")
    assert not [x for x in ev.quotes if x.speaker_text and "БелТА" in x.speaker_text]
    q = _quote(ev, "Войска не пересекут")
    assert (q.cue, q.speaker_key) == ("-", "Viktor Khrenin")


def test_nested_and_unattributed_quotes() -> None:
    ev = _read(
        'Президент Александр Лукашенко сказал: "Я прочитал в газете: "Колонна ушла на север '
        'ночью". Это ложь". Компания "Россия-1" показала сюжет.'
    )
    outer = _quote(ev, "Я прочитал")
    assert outer.speaker_key == "Alexander Lukashenko"
    inner = _quote(ev, "Колонна ушла")
    assert inner.speaker_key is None  # a quotation inside a quote
    assert not [q for q in ev.quotes if q.text == "Россия-1"]  # a name, not a quote


# -- dates ---------------------------------------------------------------------------------


def _dates(text: str) -> dict[str, tuple[str, str]]:
    return {d.text: (d.date_start.isoformat(), d.date_end.isoformat()) for d in _read(text).dates}


def test_dates_resolve_against_the_anchor() -> None:
    found = _dates(
        "24 февраля 2022 года войска пересекли границу. Вчера министр выступил в парламенте, "
        "а в понедельник он встречался с послами. В субботу он проведет переговоры. Два дня "
        "назад прошли учения, в конце мая — совещание, в прошлом году — выборы. Документ от "
        "10.10.2021 опубликован в феврале."
    )
    assert found["24 февраля 2022 года"] == ("2022-02-24", "2022-02-24")
    assert found["Вчера"] == ("2022-06-23", "2022-06-23")
    assert found["понедельник"] == ("2022-06-20", "2022-06-20")
    assert found["субботу"] == ("2022-06-25", "2022-06-25")  # a future clause
    assert found["Два дня назад"] == ("2022-06-22", "2022-06-22")
    assert found["конце мая"] == ("2022-05-21", "2022-05-31")
    assert found["прошлом году"] == ("2021-01-01", "2021-12-31")
    assert found["10.10.2021"] == ("2021-10-10", "2021-10-10")
    assert found["феврале"] == ("2022-02-01", "2022-02-28")


def test_date_forms_and_what_is_no_date() -> None:
    found = _dates(
        "10-12 октября 2021 года прошли учения. Выборы 2020 года изменили страну. На "
        "сегодняшний день войск у границы нет. Летом 2021 года их было больше. В 11 часов "
        "началась пресс-конференция."
    )
    assert found["10-12 октября 2021 года"] == ("2021-10-10", "2021-10-12")
    assert found["2020 года"] == ("2020-01-01", "2020-12-31")
    assert found["Летом 2021 года"] == ("2021-06-01", "2021-08-31")
    assert not [t for t in found if "сегодняшн" in t]
    assert analyse_russian("Вчера было тихо.", None).dates == []


# -- figures -------------------------------------------------------------------------------


def _figures(text: str) -> dict[str, Any]:
    return {q.text: q for q in _read(text).quantities}


def test_figures_with_qualifiers_ranges_and_units() -> None:
    found = _figures(
        "У границы находятся более 120 тысяч военных. На учения привлекут от 35 до 40 тысяч "
        "человек. Позиции находятся в 10-15 км от границы. Были запущены две или три ракеты. "
        "Почти треть армии переброшена на юг. Рост составил 30%. Бюджет — 1,5 млрд долларов."
    )
    q = found["более 120 тысяч"]
    assert (q.value, q.qualifier, q.measure) == (120_000, "more than", "военный")
    q = found["от 35 до 40 тысяч"]
    assert (q.low, q.high, q.qualifier, q.measure) == (35_000, 40_000, "range", "человек")
    q = found["10-15 км"]
    assert (q.low, q.high, q.unit) == (10, 15, "km")
    q = found["две или три"]
    assert (q.low, q.high, q.measure) == (2, 3, "ракета")
    q = found["Почти треть"]
    assert (q.unit, q.qualifier) == ("fraction", "nearly")
    assert q.value == pytest.approx(1 / 3)
    assert found["30%"].unit == "percent"
    q = found["1,5 млрд долларов"]
    assert (q.value, q.unit) == (1.5e9, "USD")


def test_what_is_no_figure() -> None:
    found = _figures(
        "24 февраля в 11 часов канал Россия-1 показал выступление, записанное в 20:13. "
        "Один из министров промолчал. Формирование началось два дня назад."
    )
    assert list(found) == ["два дня"]
    assert found["два дня"].unit == "day"
    assert found["два дня"].measure is None


# -- routing and the models -----------------------------------------------------------------


def test_pronouns_resolve_by_gender_and_other_cues() -> None:
    ev = _read(
        "Светлана Тихановская приехала в Вильнюс. Павел Латушко поддержал ее. Она заявила, "
        "что выборы прошли нечестно.\n\n"
        "Как сообщает ТАСС, колонна техники прошла через Гомель.\n\n"
        "Министр обороны сказал: „Учения закончены, войска возвращаются домой“.\n\n"
        "Латушко: «Режим боится собственного народа и потому молчит»."
    )
    q = _quote(ev, "выборы прошли")
    assert (q.speaker_text, q.speaker_key) == ("Она", "Sviatlana Tsikhanouskaya")
    q = _quote(ev, "колонна техники")
    assert (q.cue, q.speaker_key) == ("Как сообщает", "TASS")
    q = _quote(ev, "Учения закончены")
    assert q.kind == "direct"
    q = _quote(ev, "Режим боится")
    assert (q.kind, q.cue, q.speaker_key) == ("direct", ":", "Pavel Latushka")
    found = _dates("24 февраля прошли учения.")
    assert found["24 февраля"] == ("2022-02-24", "2022-02-24")


def test_analyse_text_routes_russian_to_natasha() -> None:
    ev = analyse_text("Лукашенко заявил, что учения закончатся в пятницу.", ANCHOR, language="ru")
    assert isinstance(ev, Evidence)
    assert ev.pipeline == "natasha"
    assert ev.quotes
    assert ev.quotes[0].speaker_key == "Alexander Lukashenko"
    assert ev.claims == []
    assert ev.events == []


def test_the_models_load_from_installed_packages_without_the_network() -> None:
    """slovnet's and navec's models (in the natasha wheel) and pymorphy3's dictionaries are
    read from the environment: loading them opens no connection and reads no file outside
    the interpreter's and the virtualenv's trees (no cache, no download)."""
    from tocsin.extract.russian import document, morphology

    opened: list[str] = []
    watching = [True]

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if not watching[0]:
            return
        if event == "open" and isinstance(args[0], str | Path):
            opened.append(str(args[0]))
        if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
            raise OSError(f"network use while loading the models: {args!r}")

    document.models.cache_clear()
    morphology.analyzer.cache_clear()
    morphology._parses.cache_clear()
    sys.addaudithook(audit)  # hooks cannot be removed: this one goes quiet after the test
    try:
        ev = analyse_russian("Лукашенко прибыл в Минск.", ANCHOR)
    finally:
        watching[0] = False
    assert ev.mentions
    names = {Path(p).name for p in opened}
    assert {"navec_news_v1_1B_250K_300d_100q.tar", "slovnet_ner_news_v1.tar"} <= names
    assert any(p.endswith(".dawg") for p in opened)  # pymorphy3's dictionaries
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    data = [p for p in opened if not p.endswith((".py", ".pyc"))]
    outside = [p for p in data if not any(r in Path(p).resolve().parents for r in roots)]
    assert not outside, outside
