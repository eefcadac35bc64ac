"""The Russian pipeline's rules that need no model: romanisation, quote marks, the alias
table. The texts are our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.extract.aliases import AliasTable, same_referent
from tocsin.extract.russian import russian_aliases
from tocsin.extract.russian.entities import latin_key, nominatives
from tocsin.extract.russian.marks import QuotedIndex, find_quoted
from tocsin.extract.russian.translit import has_cyrillic, to_latin
from tocsin.text import paragraphs


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Лукашенко", "Lukashenko"),
        ("Александр Лукашенко", "Aleksandr Lukashenko"),
        ("Тихановская", "Tikhanovskaya"),
        ("Зеленский", "Zelenskiy"),
        ("Навальный", "Navalny"),
        ("Пётр Горбачёв", "Pyotr Gorbachov"),
        ("Евгений Пригожин", "Yevgeniy Prigozhin"),
        ("Сергей Шойгу", "Sergey Shoygu"),
        ("Щукин", "Shchukin"),
        ("ВСУ", "VSU"),
        ("Ціханоўская", "Tsikhanouskaya"),
        ("Мар’їнка", "Maryinka"),
        ("Minsk", "Minsk"),
    ],
)
def test_romanisation_is_press_style(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


def test_romanised_names_join_their_english_spellings() -> None:
    for cyrillic, english in [
        ("Лукашенко", "Lukashenka"),
        ("Тихановская", "Tsikhanouskaya"),
        ("Латушко", "Latushka"),
        ("Хренин", "Khrenin"),
        ("Вольфович", "Volfovich"),
    ]:
        assert same_referent(to_latin(cyrillic), english), cyrillic
    assert not same_referent(to_latin("Минск"), "Pinsk")
    assert has_cyrillic("Pesкov")
    assert not has_cyrillic("Peskov")


def test_keys_come_from_the_alias_tables_then_the_romanisation() -> None:
    aliases = russian_aliases()
    assert latin_key("Александр Лукашенко", aliases) == "Alexander Lukashenko"
    assert latin_key("Лукашенко", aliases) == "Alexander Lukashenko"
    assert latin_key("Лукашенку", aliases) == "Alexander Lukashenko"  # left inflected
    assert latin_key("Белоруссия", aliases) == "Belarus"
    assert latin_key("Беларусь", aliases) == "Belarus"
    assert latin_key("РФ", aliases) == "Russia"
    assert latin_key("Киев", aliases) == "Kyiv"
    assert latin_key("Виктор Хренин", aliases) == "Viktor Khrenin"
    assert "Лукашенко" in nominatives("Лукашенкой")


def test_the_russian_spellings_join_the_shipped_entities() -> None:
    """aliases_ru.toml adds Cyrillic spellings; the shipped entities keep theirs."""
    merged = russian_aliases()
    assert merged.canonical("Евросоюз") == "European Union"
    assert merged.canonical("EU") == "European Union"
    assert merged.canonical("Минобороны") == "Ministry of Defence"
    assert merged.canonical("defence ministry") == "Ministry of Defence"
    assert merged.canonical("Кремль") == "Kremlin"
    assert merged.canonical("Lukashenka") == "Alexander Lukashenko"
    assert merged.canonical("Lwow") == merged.canonical("Львов") == "Lviv"  # by romanisation
    assert AliasTable.load().canonical("Белоруссия") is None  # the English table is unchanged
    names = [e.canonical for e in merged.entries]
    assert len(names) == len(set(names))


def test_your_alias_file_applies_to_russian_names(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[entity]]\ncanonical = "Viktor Khrenin"\nlabel = "PERSON"\n'
        'spellings = ["Хренин", "Khrenin"]\n',
        "utf-8",
    )
    aliases = russian_aliases((mine,))
    assert latin_key("Хренин", aliases) == "Viktor Khrenin"
    assert aliases.canonical("Белоруссия") == "Belarus"


def _quoted(text: str) -> list[tuple[str, int]]:
    return [(text[q.start : q.end], q.depth) for q in find_quoted(text, paragraphs(text))]


def test_guillemets_and_low_high_marks_pair_with_nesting() -> None:
    text = "Он сказал: «Мы прочитали „странное письмо“ и ответили». Потом ушёл."
    assert _quoted(text) == [
        ("Мы прочитали „странное письмо“ и ответили", 0),
        ("странное письмо", 1),
    ]


def test_straight_marks_nest_by_context() -> None:
    text = 'Министр: "Я прочитал: "Колонна ушла на север". Это неправда", - заявил он.'
    assert _quoted(text) == [
        ('Я прочитал: "Колонна ушла на север". Это неправда', 0),
        ("Колонна ушла на север", 1),
    ]


def test_a_quote_left_open_runs_to_its_paragraph_end() -> None:
    text = "«Первый абзац цитаты без конца\n\nВторой абзац» — сказал он."
    # A lone closing mark closes nothing (Russian opens every paragraph of a long quote).
    assert _quoted(text) == [("Первый абзац цитаты без конца", 0)]
    index = QuotedIndex(find_quoted(text, paragraphs(text)))
    assert index(3)
    assert not index(len(text) - 3)
    assert 0.0 < index.share(0, len(text)) < 1.0


def test_english_marks_still_pair() -> None:
    text = "“We stay,” he said. “We leave,” she said."
    assert _quoted(text) == [("We stay,", 0), ("We leave,", 0)]
