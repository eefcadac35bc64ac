"""Name matching across romanisations: keys join spellings, rules keep different people apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.errors import InvalidInput
from tocsin.extract.aliases import AliasTable, default_aliases, same_referent
from tocsin.extract.names import FUZZY_THRESHOLD, name_key, normalise, similarity

EMPTY = AliasTable(())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lukashenka’s", "lukashenka"),
        ("Tsikhanouskaya's", "tsikhanouskaya"),
        ("Viačorka", "viachorka"),
        ("Łukašenka", "lukashenka"),
        ("  Ivano-Frankivsk\t", "ivano frankivsk"),
        ("Rimsky–Korsakov", "rimsky korsakov"),
        ("Zelens’kyi", "zelenskyi"),
        ("Gen. Gerasimov", "gen gerasimov"),
        ("the  Belarusian   Hajun Project", "the belarusian hajun project"),
        ("Лукашэнка", "lukashenka"),
        ("Pesков", "peskov"),
        ("NATO", "nato"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


# Pairs that must share a key: the brief's romanisation variants, then more of our own.
SAME_KEY = [
    ("Lukashenka", "Lukashenko"),
    ("Latushka", "Latushko"),
    ("Alexander", "Alexandr"),
    ("Alexander", "Aleksandr"),
    ("Alexander", "Aleksander"),
    ("Aliaksandr", "Aleksandr"),
    ("Tsikhanouskaya", "Tikhanovskaya"),
    ("Sviatlana", "Svetlana"),
    ("Zelenskiy", "Zelensky"),
    ("Zelenskyy", "Zelensky"),
    ("Zelenskyi", "Zelensky"),
    ("Zelens’kyj", "Zelensky"),
    ("Makei", "Makey"),
    ("Makej", "Makey"),
    ("Hajun", "Guyun"),
    ("Viačorka", "Viachorka"),
    ("Vyachorka", "Viachorka"),
    ("Navalny", "Navalnyi"),
    ("Dmitry", "Dmitri"),
    ("Dmitry", "Dmitriy"),
    ("Dzmitry", "Dmitry"),
    ("Yuriy", "Yuri"),
    ("Iurii", "Yuri"),
    ("Gorbachev", "Gorbachov"),
    ("Gorbatschow", "Gorbachev"),
    ("Oleksiy", "Oleksii"),
    ("Shoigu", "Shoygu"),
    ("Peskov", "Pesков"),
    ("Siarhei", "Sergey"),
    ("Serhiy", "Sergei"),
    ("Yevgeny", "Evgeniy"),
    ("Artsiom", "Artyom"),
    ("Ihar", "Igor"),
    ("Yulia", "Iuliia"),
    ("Victor", "Viktor"),
    ("Defence", "Defense"),
    ("Smirnoff", "Smirnov"),
    ("Kalesnikava", "Kolesnikova"),
    ("Bialiatski", "Belyatsky"),
    ("Zaluzhny", "Zaluzhnyi"),
    ("Budanow", "Budanov"),
    ("Kharkiv", "Kharkov"),
    ("Odesa", "Odessa"),
    ("Hrodna", "Grodno"),
    ("Homel", "Gomel"),
    ("Mahilyow", "Mogilev"),
    ("Mahilou", "Mogilev"),
    ("Vitsebsk", "Vitebsk"),
    ("Mozyr", "Mazyr"),
    ("Chernihiv", "Chernigov"),
    ("Luhansk", "Lugansk"),
    ("Lviv", "Lwów"),
    ("Babruysk", "Bobruisk"),
    ("Svetlahorsk", "Svetlogorsk"),
    ("Maladzechna", "Molodechno"),
    ("Navapolatsk", "Novopolotsk"),
]

# Pairs whose keys must differ: gender, derivation, a different first sound.
DIFFERENT_KEY = [
    ("Navalny", "Navalnaya"),
    ("Tsikhanouski", "Tsikhanouskaya"),
    ("Zelensky", "Zelenska"),
    ("Danilov", "Danilova"),
    ("Olga", "Oleg"),
    ("Alexander", "Alexandra"),
    ("Minsk", "Pinsk"),
    ("Belarus", "Belarusian"),
    ("Belarus", "Russia"),
    ("Ivan", "Ivanov"),
    ("Viktor", "Alexander"),
    ("Danilov", "Arestovych"),
]


@pytest.mark.parametrize(("a", "b"), SAME_KEY)
def test_name_key_joins_romanisations(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT_KEY)
def test_name_key_keeps_names_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_name_key_keeps_the_consonants() -> None:
    assert name_key("Putin") == "ptn"
    assert name_key("") == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [("Lukashenka", "Lukashenko"), ("Hajun", "Guyun"), ("Belarusian Guyun", "Belarusian Hajun")],
)
def test_similarity_is_full_for_romanisations(a: str, b: str) -> None:
    assert similarity(a, b) == pytest.approx(1.0)
    assert similarity(b, a) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Minsk", "Pinsk"), ("Belarus", "Russia"), ("Vladimir Putin", "Vladimir Makei")],
)
def test_similarity_stays_below_the_threshold_for_different_names(a: str, b: str) -> None:
    assert 0.0 <= similarity(a, b) < FUZZY_THRESHOLD


def test_similarity_bounds() -> None:
    assert similarity("Shraibman", "shraibman’s") == pytest.approx(1.0)
    assert similarity("", "Minsk") == 0.0
    assert similarity("Kyiv", "Brest") < 0.5


# (a, b): the same referent, with the shipped alias table.
SAME = [
    ("Lukashenka", "Alexander Lukashenko"),
    ("Shraibman", "Artyom Shraibman"),
    ("Aleksandr Lukashenko", "Alexander Lukashenka"),
    ("Belarusian Hajun Project", "the Belarusian Hajun Project"),
    ("Belarusian Hajun Project", "Hajun"),
    ("Belarusian Hajun Project", "Belarusian Guyun"),
    ("the Belarusian Hajun Project", "Hajun"),
    ("Hajun", "Belarusian Guyun"),
    ("Ministry of Defence", "Ministry of Defense"),
    ("Ministry of Defence", "defence ministry"),
    ("Kyiv", "Kiev"),
    ("Tsikhanouskaya", "Svetlana Tikhanovskaya"),
    ("Pavel Latushka", "Latushko"),
    ("Uladzimir Makei", "Vladimir Makey"),
    ("Franak Viačorka", "Viachorka"),
    ("Zelenskyy", "Volodymyr Zelenskiy"),
    ("EU", "European Union"),
    ("Nato", "NATO"),
    ("the Kremlin", "Kremlin"),
    ("Grodno", "Hrodna"),
    # Titles, honorifics, possessives and descriptive roles are ignored.
    ("President Lukashenko", "Mr Lukashenka’s"),
    ("Gen. Valery Gerasimov", "General Gerasimov"),
    ("Dr Shraibman", "Ms. Shraibman"),
    ("Foreign Minister Sergei Lavrov", "Lavrov"),
    ("Kremlin spokesman Dmitry Peskov", "Dmitriy Peskov"),
    ("Belarusian leader Alexander Lukashenko", "Lukashenka"),
    ("Minister of Defence Viktor Khrenin", "Viktor Khrenin"),
    # More names of our own.
    ("Alexei Navalny", "Aleksei Navalnyi"),
    ("Sergey Shoigu", "Sergei Shoygu"),
    ("Yevgeny Prigozhin", "Evgeniy Prigozhin"),
    ("Pesков", "Dmitry Peskov"),
    ("Maria Kalesnikava", "Maria Kolesnikova"),
    ("Raman Pratasevich", "Roman Protasevich"),
    ("Ihar Losik", "Igor Losik"),
    ("Ales Bialiatski", "Ales Belyatsky"),
    ("Valery Zaluzhny", "Valerii Zaluzhnyi"),
    ("Siarhei Tsikhanouski", "Sergei Tikhanovsky"),
    ("Олексій Данилов", "Oleksiy Danilov"),
    ("Лукашэнка", "Lukashenko"),
    ("V. Putin", "Vladimir Putin"),
    ("Lukashenko Alexander", "Alexander Grigoryevich Lukashenko"),
    ("Wagner Group", "Wagner"),
    ("Chernihiv", "Chernigov"),
    ("Babruysk", "Bobruisk"),
    ("Mahilyow", "Mogilev"),
    # Bodies every country has: one kind and one country (issue #10).
    ("Belarusian Ministry of Defence", "Ministry of Defence of the Republic of Belarus"),
    ("Russia's defence ministry", "Russian Ministry of Defense"),
    ("the Belarusian KGB", "State Security Committee of Belarus"),
    ("General Staff of the Armed Forces of Ukraine", "Ukrainian General Staff"),
    # Exonyms and new official names, from the table.
    ("Türkiye", "Turkey"),
    ("Byelorussia", "Belarus"),
    ("Belorussia", "Republic of Belarus"),
    ("Moldavia", "Moldova"),
    ("Czech Republic", "Czechia"),
    ("Kishinev", "Chisinau"),
]

# (a, b): different referents, with the shipped alias table.
DIFFERENT = [
    ("Viktor Lukashenko", "Alexander Lukashenko"),
    ("Oleksiy Danilov", "Oleksiy Arestovych"),
    ("Vladimir Putin", "Vladimir Makei"),
    ("Volodymyr Zelensky", "Vladimir Putin"),
    ("Ministry of Defence", "Ministry of Foreign Affairs"),
    ("Minsk", "Pinsk"),
    ("Belarus", "Russia"),
    ("Belarus", "Belarusian"),
    ("Kyiv", "Kharkiv"),
    ("EU", "UN"),
    ("Kremlin", "Vladimir Putin"),
    # More names of our own.
    ("Sviatlana Tsikhanouskaya", "Siarhei Tsikhanouski"),
    ("Alexei Navalny", "Yulia Navalnaya"),
    ("Navalny", "Navalnaya"),
    ("Danilov", "Danilova"),
    # Long enough for the fuzzy score to pass; the final vowel (gender) still separates them.
    ("Krasnoznamensky", "Krasnoznamenskaya"),
    # Two Russian towns; one name extends the other, which makes a different word.
    ("Zelenograd", "Zelenogradsk"),
    ("Sergei Lavrov", "Sergei Shoigu"),
    ("Vladimir", "Vladimir Putin"),
    ("Ministry", "Ministry of Defence"),
    ("Ministry", "Defence Ministry"),
    ("Project", "Belarusian Hajun Project"),
    ("Gazprom", "Gazprom Neft"),
    ("Olga Ivanova", "Oleg Ivanov"),
    ("Alexandra Lukashenko", "Alexander Lukashenko"),
    ("Lev", "Lyov"),
    # Bodies of different countries, or of none, are different bodies (issue #10).
    ("Belarusian Ministry of Defence", "British Ministry of Defence"),
    ("Russia's defence ministry", "Belarusian Ministry of Defence"),
    ("Belarusian Ministry of Defence", "Ministry of Defence"),
    ("Belarusian Ministry of Defence", "Belarusian Ministry of Foreign Affairs"),
    ("Belarusian KGB", "Belarusian Security Council"),
    ("UN Security Council", "Security Council"),
    ("Armed Forces of Ukraine", "Ukraine"),
    ("Armed Forces of Ukraine", "Ukrajine"),
    ("Armed Forces of Ukraine", "Armed Forces of Belarus"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_referent(a: str, b: str) -> None:
    assert same_referent(a, b)
    assert same_referent(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_referents(a: str, b: str) -> None:
    assert not same_referent(a, b)
    assert not same_referent(b, a)


# Decided by the rules alone: the same answer with an empty alias table.
RULES_ONLY = [
    ("Lukashenka", "Alexander Lukashenko", True),
    ("Aleksandr Lukashenko", "Alexander Lukashenka", True),
    ("Belarusian Hajun Project", "Hajun", True),
    ("the Belarusian Hajun Project", "Belarusian Guyun", True),
    ("Ministry of Defence", "Ministry of Defense", True),
    ("Defence Ministry", "Ministry of Defence", True),
    ("Viktor Lukashenko", "Alexander Lukashenko", False),
    ("Oleksiy Danilov", "Oleksiy Arestovych", False),
    ("Vladimir Putin", "Vladimir Makei", False),
    ("Volodymyr Zelensky", "Vladimir Putin", False),
    ("Ministry of Defence", "Ministry of Foreign Affairs", False),
    ("Minsk", "Pinsk", False),
    ("Belarus", "Belarusian", False),
]


@pytest.mark.parametrize(("a", "b", "expected"), RULES_ONLY)
def test_rules_without_alias_table(a: str, b: str, expected: bool) -> None:
    assert EMPTY.same_referent(a, b) is expected
    assert EMPTY.same_referent(b, a) is expected


def test_only_the_table_joins_abbreviations() -> None:
    assert not EMPTY.same_referent("EU", "European Union")
    assert same_referent("EU", "European Union")


def test_table_pins_a_bare_surname_to_one_person() -> None:
    # Without a table a surname alone matches any full name with it ...
    assert EMPTY.same_referent("Lukashenko", "Viktor Lukashenko")
    # ... but the shipped table says bare 'Lukashenko' is Alexander.
    assert not same_referent("Lukashenko", "Viktor Lukashenko")
    assert same_referent("Lukashenko", "Aliaksandr Lukashenka")


def test_short_tokens_never_match_by_key_or_fuzzily() -> None:
    assert name_key("Lev") == name_key("Lyov")  # the key alone would join them
    assert not EMPTY.same_referent("Lev Tolstoy", "Lyov Tolstoy")
    assert EMPTY.same_referent("Lev Tolstoy", "Lev Tolstoi")


def test_empty_names_never_match() -> None:
    assert not same_referent("", "")
    assert not same_referent("the", "Minsk")


# --- the alias table -------------------------------------------------------------------


def test_default_table_lists_the_seed_entities() -> None:
    table = default_aliases()
    canonicals = {e.canonical for e in table.entries}
    assert {
        "Alexander Lukashenko",
        "Vladimir Putin",
        "Volodymyr Zelensky",
        "Sviatlana Tsikhanouskaya",
        "Belarusian Hajun Project",
        "Kyiv",
        "Ministry of Defence",
        "NATO",
        "Kremlin",
    } <= canonicals
    labels = {e.canonical: e.label for e in table.entries}
    assert labels["Belarusian Hajun Project"] == "ORG"
    assert labels["Kyiv"] == "GPE"
    assert labels["Alexander Lukashenko"] == "PERSON"


def test_every_default_spelling_finds_its_canonical() -> None:
    table = default_aliases()
    for entry in table.entries:
        for name in (entry.canonical, *entry.spellings):
            assert table.canonical(name) == entry.canonical, name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Lukashenka’s", "Alexander Lukashenko"),
        ("ALIAKSANDR LUKASHENKA", "Alexander Lukashenko"),
        ("Mr Putin", "Vladimir Putin"),
        ("the Kremlin", "Kremlin"),
        ("Kiev", "Kyiv"),
        ("Guyun", "Belarusian Hajun Project"),
        ("defense ministry", "Ministry of Defence"),
        ("Viktor Lukashenko", None),
        ("Pinsk", None),
        ("Russia’s defence ministry", "Ministry of Defence of Russia"),
        ("the Armed Forces of the Republic of Belarus", "Armed Forces of Belarus"),
        ("British MoD", "Ministry of Defence of the United Kingdom"),
        ("State of Belarusian Security Council", "Security Council of Belarus"),
        ("Turkey", "Türkiye"),
        ("Belarusian", None),
    ],
)
def test_canonical(name: str, expected: str | None) -> None:
    assert default_aliases().canonical(name) == expected


def test_label() -> None:
    table = default_aliases()
    assert table.label("Kiev") == "GPE"
    assert table.label("Hajun") == "ORG"
    assert table.label("Pinsk") is None


USER_FILE = """
# Replaces the shipped Kyiv: a new label, and Kuyaba (its name in medieval Arabic sources).
[[entity]]
canonical = "Kyiv"
label = "LOC"
spellings = ["Kiev", "Kuyaba"]

# A new person.
[[entity]]
canonical = "Artyom Shraibman"
label = "PERSON"
spellings = ["Shraibman", "Artsiom Shraibman"]

# Takes the spelling 'Latushko' from the shipped Pavel Latushka.
[[entity]]
canonical = "Someone Latushko"
label = "PERSON"
spellings = ["Latushko"]
"""


def test_user_file_overrides_and_adds(tmp_path: Path) -> None:
    user = tmp_path / "my_aliases.toml"
    user.write_text(USER_FILE, encoding="utf-8")
    table = AliasTable.load(user)
    by_name = {e.canonical: (e.label, e.spellings) for e in table.entries}
    assert by_name["Kyiv"] == ("LOC", ("Kiev", "Kuyaba"))
    assert [e.canonical for e in table.entries].count("Kyiv") == 1
    assert table.canonical("Kuyaba") == "Kyiv"
    assert table.canonical("Artsiom Shraibman") == "Artyom Shraibman"
    assert table.canonical("Latushko") == "Someone Latushko"
    assert table.canonical("Latushka") == "Pavel Latushka"
    assert "Latushko" not in by_name["Pavel Latushka"][1]
    # The shipped entries are still there, and the default table is untouched.
    assert table.canonical("Lukashenka") == "Alexander Lukashenko"
    assert default_aliases().canonical("Kuyaba") is None
    assert table.same_referent("Kuyaba", "Kiev")
    assert not default_aliases().same_referent("Kuyaba", "Kiev")


def test_later_user_file_wins(tmp_path: Path) -> None:
    first = tmp_path / "first.toml"
    first.write_text(
        '[[entity]]\ncanonical = "Hrodna"\nlabel = "GPE"\nspellings = ["Grodno", "Horadnia"]\n',
        encoding="utf-8",
    )
    second = tmp_path / "second.toml"
    second.write_text(
        '[[entity]]\ncanonical = "Hrodna"\nlabel = "LOC"\nspellings = ["Gardinas"]\n',
        encoding="utf-8",
    )
    table = AliasTable.load(first, second)
    assert table.label("Hrodna") == "LOC"
    assert table.canonical("Gardinas") == "Hrodna"
    assert table.canonical("Horadnia") is None
    assert AliasTable.load(second, first).label("Hrodna") == "GPE"


def test_empty_user_file_is_the_default(tmp_path: Path) -> None:
    user = tmp_path / "empty.toml"
    user.write_text("# nothing yet\n", encoding="utf-8")
    assert AliasTable.load(user).entries == default_aliases().entries


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[[entity]\ncanonical = "Kyiv"\n', "not valid TOML"),
        ('canonical = "Kyiv"\n', "unknown top-level"),
        ('entity = "Kyiv"\n', "array of tables"),
        ('[[entity]]\nlabel = "GPE"\n', "'canonical'"),
        ('[[entity]]\ncanonical = "Kyiv"\nlabel = "CITY"\n', "'label'"),
        ('[[entity]]\ncanonical = "Kyiv"\nlabel = "GPE"\nspellings = "Kiev"\n', "'spellings'"),
        ('[[entity]]\ncanonical = "Kyiv"\nlabel = "GPE"\nspelling = ["Kiev"]\n', "unknown key"),
        ('[[entity]]\ncanonical = "KGB"\nlabel = "ORG"\nadjectives = ["Soviet"]\n', "countries"),
        ('[[entity]]\ncanonical = "Kyiv"\nlabel = "GPE"\nper_country = true\n', "bodies"),
        ('[[entity]]\ncanonical = "KGB"\nlabel = "ORG"\nper_country = "yes"\n', "true or false"),
        ('[[entity]]\ncanonical = "Chad"\nlabel = "GPE"\nadjectives = "Chadian"\n', "'adjectives'"),
        (
            '[[entity]]\ncanonical = "Kyiv"\nlabel = "GPE"\nspellings = ["Kiev"]\n'
            '[[entity]]\ncanonical = "Kiev oblast"\nlabel = "GPE"\nspellings = ["KIEV"]\n',
            "already names 'Kyiv'",
        ),
    ],
)
def test_bad_alias_file_raises_config_error_naming_the_file(
    tmp_path: Path, text: str, reason: str
) -> None:
    bad = tmp_path / "broken_aliases.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"broken_aliases\.toml") as caught:
        AliasTable.load(bad)
    assert reason in str(caught.value)


def test_missing_alias_file_raises_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(InvalidInput, match=r"nowhere\.toml"):
        AliasTable.load(missing)


def test_countries_and_bodies_in_the_table() -> None:
    table = default_aliases()
    belarus = table.country("Belarusians")
    assert belarus is not None
    assert belarus.canonical == "Belarus"
    assert table.country_named("Belarusian") is None
    assert table.country_named("Republic of Belarus") is belarus
    body = table.body("the MoD")
    assert body is not None
    assert body.country is None
    assert body.canonical == "Ministry of Defence"
    qualified = table.body("Russia's defence ministry")
    assert qualified is not None
    assert qualified.canonical == "Ministry of Defence of Russia"
    assert table.body("Belarus") is None
    assert table.body("Belarusian Hajun Project") is None
    assert table.body("Russian-Belarusian Ministry of Defence") is None  # two countries
    assert table.label("Belarusian Ministry of Defence") == "ORG"


def test_a_user_file_adds_a_country_and_a_body(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text(
        '[[entity]]\ncanonical = "Chad"\nlabel = "GPE"\nadjectives = ["Chadian"]\n\n'
        '[[entity]]\ncanonical = "Central Bank"\nlabel = "ORG"\nper_country = true\n'
        'spellings = ["National Bank"]\n',
        encoding="utf-8",
    )
    table = AliasTable.load(user)
    assert table.canonical("the Chadian National Bank") == "Central Bank of Chad"
    assert table.canonical("National Bank of Belarus") == "Central Bank of Belarus"
    assert not table.same_referent("National Bank of Belarus", "Chadian Central Bank")
    assert default_aliases().canonical("National Bank of Belarus") is None
