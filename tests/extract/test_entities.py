"""Entities: the small model's known errors corrected from context, clusters within an
article, and the alias table (shipped and user-supplied) naming the canonical entity."""

from __future__ import annotations

from pathlib import Path

from tocsin.extract.run import Options, analyse_text
from tocsin.models.evidence import Mention


def _mentions(text: str, options: Options | None = None) -> list[Mention]:
    return analyse_text(text, options=options).mentions


def _label(mentions: list[Mention], text: str) -> str | None:
    labels = {m.label for m in mentions if m.text == text}
    assert len(labels) <= 1, labels
    return labels.pop() if labels else None


def test_a_name_described_as_a_person_is_a_person() -> None:
    found = _mentions(
        "“He cannot compel Lukashenko to commit political suicide,” said Artyom Shraibman, "
        "a Belarusian political analyst. Marta Kowalczyk, senior adviser to the Polish "
        "government, disagreed."
    )
    assert _label(found, "Artyom Shraibman") == "PERSON"
    assert _label(found, "Marta Kowalczyk") == "PERSON"


def test_a_known_given_name_makes_a_person_not_a_place() -> None:
    found = _mentions("Prominent opposition politician Pavel Latushka disagreed with Minsk.")
    assert _label(found, "Pavel Latushka") == "PERSON"


def test_places_are_never_people() -> None:
    found = _mentions(
        "Kyiv and Kherson were shelled again. Kyiv said Kherson would hold. "
        "Exercises were held near the city of Yelsk."
    )
    assert _label(found, "Kyiv") == "GPE"
    assert _label(found, "Kherson") in ("GPE", None)
    assert _label(found, "Yelsk") == "GPE"


def test_glued_artefacts_and_nationality_adjectives_are_not_entities() -> None:
    found = _mentions(
        "Franak Viačorka said he did not believe it.\n\nGraphicHe said: “I doubt it greatly.” "
        "Ukrainian troops held the line."
    )
    texts = {m.text for m in found}
    assert "GraphicHe" not in texts
    assert "Ukrainian" not in texts


def test_a_surname_joins_the_full_name_in_the_same_article() -> None:
    found = _mentions(
        "Oleksiy Danilov, secretary of the security council, spoke on Monday. "
        "Danilov once again noted that the border was quiet. Later Danilov left."
    )
    keys = {m.key for m in found if "Danilov" in m.text}
    assert keys == {"Oleksiy Danilov"}
    assert {m.label for m in found if "Danilov" in m.text} == {"PERSON"}


def test_transliterations_share_the_alias_tables_canonical_name() -> None:
    found = _mentions(
        "Svetlana Tikhanovskaya met Aleksandr Lukashenko's critics. Later Sviatlana "
        "Tsikhanouskaya said Lukashenka had lost."
    )
    keys = {m.text: m.key for m in found}
    assert keys["Svetlana Tikhanovskaya"] == keys["Sviatlana Tsikhanouskaya"]
    assert keys["Lukashenka"] == keys["Aleksandr Lukashenko"] == "Alexander Lukashenko"


def test_a_user_alias_file_adds_a_canonical_name(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.toml"
    aliases.write_text(
        "[[entity]]\n"
        'canonical = "Hanna Maliar"\n'
        'label = "PERSON"\n'
        'spellings = ["Hanna Malyar", "Anna Malyar", "Malyar"]\n',
        "utf-8",
    )
    text = "Ukraine's deputy defence minister Hanna Malyar said the troops were coming."
    assert {m.key for m in _mentions(text) if "Malyar" in m.text} == {"Hanna Malyar"}
    found = _mentions(text, Options(alias_files=(aliases,)))
    assert {m.key for m in found if "Malyar" in m.text} == {"Hanna Maliar"}


def test_offsets_of_mentions_point_into_the_text() -> None:
    text = "Lukashenko’s envoy met Vladimir Putin in Sochi, Russia, on 26 September."
    found = _mentions(text)
    assert found
    for m in found:
        assert text[m.start : m.end] == m.text
    assert "Lukashenko" in {m.text for m in found}  # the possessive is not part of the name


def test_names_in_photo_credits_and_stray_bylines_are_not_actors() -> None:
    text = (
        "Peter Kovalev/TASS/ZUMA\n\n"
        "By Anna Akage\n\n"
        "Viktor Khrenin said the drills near Brest were purely defensive."
    )
    texts = {m.text for m in _mentions(text)}
    assert "Viktor Khrenin" in texts
    assert not texts & {"Peter Kovalev", "TASS", "ZUMA", "Anna Akage"}
