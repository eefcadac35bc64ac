"""Entities: the small model's known errors corrected from context, clusters within an
article, and the alias table (shipped and user-supplied) naming the canonical entity."""

from __future__ import annotations

import json
from pathlib import Path

from tocsin.config import Config
from tocsin.extract.aliases import default_aliases
from tocsin.extract.entities import _cluster, _Raw
from tocsin.extract.run import Options, analyse_text, extract
from tocsin.ingest.pipeline import ingest
from tocsin.models.evidence import Mention
from tocsin.store.db import Store
from tocsin.store.evidence import entity_table


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


# --- tocsin 2.2: entities on unseen news (issue #10, item 4) -------------------------------


def _keys_of(mentions: list[Mention], *texts: str) -> dict[str, str]:
    return {m.text: m.key for m in mentions if m.text in texts}


def test_bodies_qualified_by_their_country_are_one_entity_per_country() -> None:
    found = _mentions(
        "The Belarusian Ministry of Defence announced snap drills near Brest on Monday. "
        "Russia's defence ministry said its paratroopers would take part. In London, the "
        "British Ministry of Defence said it was watching closely. The MoD added that two "
        "more jets had been sent to Poland."
    )
    keys = {m.key for m in found if m.label == "ORG"}
    assert {
        "Ministry of Defence of Belarus",
        "Ministry of Defence of Russia",
        "Ministry of Defence of the United Kingdom",
    } <= keys
    assert "Ministry of Defence" not in keys
    mod = [m for m in found if m.text == "MoD"]
    assert [m.key for m in mod] == ["Ministry of Defence of the United Kingdom"]


def test_a_bare_body_takes_the_country_named_nearest_before_it() -> None:
    found = _mentions(
        "Ukraine's General Staff said the border was quiet. Belarus moved two battalions "
        "west on Tuesday.\n\nThe General Staff said later that the battalions had stopped.\n\n"
        "In Minsk, the State Border Committee of Belarus closed two crossings; the KGB "
        "said it had arrested a courier."
    )
    staff = {m.key for m in found if m.text == "General Staff"}
    assert staff == {"General Staff of Ukraine"}
    assert "Border Guard Service of Belarus" in {m.key for m in found}
    assert {m.key for m in found if m.text == "KGB"} == {"KGB of Belarus"}


def test_a_country_inside_an_organisations_name_is_a_place_of_its_own() -> None:
    text = (
        "Units of the Armed Forces of the Republic of Belarus moved north on Friday, and the "
        "Bank of Russia froze their accounts. Belarus denied that they were heading for the "
        "border."
    )
    found = _mentions(text)
    forces = text.index("Armed Forces")
    whole = (forces, text.index(" moved"))  # 'Armed Forces of the Republic of Belarus'
    assert {m.key for m in found if m.label == "ORG" and m.start == forces} == {
        "Armed Forces of Belarus"
    }
    places = [m for m in found if m.label == "GPE" and whole[0] <= m.start < whole[1]]
    assert [m.key for m in places] == ["Belarus"]
    bank = next(m for m in found if m.text == "Bank of Russia")
    inside = [m for m in found if m.label == "GPE" and bank.start <= m.start < bank.end]
    assert [(m.text, m.key) for m in inside] == [("Russia", "Russia")]
    assert [m.key for m in found if m.text == "Belarus"] == ["Belarus"]
    for m in found:
        assert text[m.start : m.end] == m.text


def test_a_foreign_word_is_not_merged_into_a_countrys_armed_forces() -> None:
    found = _mentions(
        "The Armed Forces of Ukraine said the line held. The caption under the photograph, "
        "in Croatian, read Oružane snage Ukrajine, which means the same."
    )
    assert "Armed Forces of Ukraine" in {m.key for m in found}
    assert all(m.key != "Armed Forces of Ukraine" for m in found if "Ukrajine" in m.text)


def test_nested_places_are_not_handed_to_the_speaker_rules() -> None:
    ev = analyse_text(
        "“We are ready,” said a spokesman for the Armed Forces of the Republic of Belarus."
    )
    assert ev.quotes
    assert all(q.speaker_key != "Belarus" for q in ev.quotes)


def test_exonyms_and_new_official_names_share_one_entity() -> None:
    found = _mentions(
        "Türkiye offered to mediate. Turkey has done so before, as have Moldova and "
        "Czechia. In Soviet times Moldova was Moldavia, Belarus was called Byelorussia, "
        "and the Czech Republic was part of Czechoslovakia."
    )
    keys = _keys_of(
        found, "Türkiye", "Turkey", "Moldova", "Moldavia", "Czechia", "Czech Republic",
        "Belarus", "Byelorussia",
    )  # fmt: skip
    assert keys["Türkiye"] == keys["Turkey"] == "Türkiye"
    assert keys["Moldavia"] == keys["Moldova"] == "Moldova"
    assert keys["Czech Republic"] == keys["Czechia"] == "Czechia"
    assert keys["Byelorussia"] == keys["Belarus"] == "Belarus"


def test_a_user_file_adds_exonyms_and_bodies(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.toml"
    aliases.write_text(
        "[[entity]]\n"
        'canonical = "Vilnius"\n'
        'label = "GPE"\n'
        'spellings = ["Wilno", "Vilna"]\n\n'
        "[[entity]]\n"
        'canonical = "Central Election Commission"\n'
        'label = "ORG"\n'
        "per_country = true\n"
        'spellings = ["CEC", "election commission"]\n',
        "utf-8",
    )
    text = (
        "Before the war Vilnius was Wilno to its Polish residents. The Belarusian Central "
        "Election Commission announced the count; the Lithuanian CEC disagreed."
    )
    assert {m.key for m in _mentions(text) if m.text == "Wilno"} <= {"Wilno"}
    found = _mentions(text, Options(alias_files=(aliases,)))
    assert {m.key for m in found if m.text in ("Vilnius", "Wilno")} == {"Vilnius"}
    keys = {m.key for m in found if m.label == "ORG"}
    assert "Central Election Commission of Belarus" in keys
    assert "Central Election Commission of Lithuania" in keys


def test_icon_and_widget_words_are_not_names() -> None:
    text = (
        "chevron\n\nShare\n\nFacebook\n\nTwitter\n\nWhatsApp\n\narrow\n\n"
        "Facebook removed dozens of fake accounts run from Minsk, the company said on "
        "Thursday.\n\nclose\n\nMenu"
    )
    found = _mentions(text)
    texts = [m.text for m in found]
    assert not {"chevron", "arrow", "close", "Share", "Menu", "Twitter", "WhatsApp"} & set(texts)
    facebook = [m for m in found if m.text == "Facebook"]
    assert len(facebook) <= 1
    assert all(m.start > text.index("removed") - 10 for m in facebook)


def test_a_malformed_spelling_is_never_the_canonical_name() -> None:
    raw = [
        _Raw(0, 35, "ORG", "Head of Belarusian Railways"),
        _Raw(50, 69, "ORG", "Belarusian Railways"),
    ]
    assert {m.key for m in _cluster(raw, default_aliases())} == {"Belarusian Railways"}
    council = default_aliases().canonical("State of Belarusian Security Council")
    assert council == "Security Council of Belarus"
    found = _mentions(
        "Alexander Volfovich, State Secretary of the Belarusian Security Council, said "
        "the drills would go on. The Security Council met again on Friday."
    )
    assert "State of Belarusian Security Council" not in {m.key for m in found}
    council_keys = {m.key for m in found if "Security Council" in m.text}
    assert council_keys == {"Security Council of Belarus"}


def test_bodies_stay_apart_across_articles_in_the_store(tmp_path: Path) -> None:
    records = [
        "The Belarusian Ministry of Defence announced drills near Brest on Monday. The MoD "
        "said that they would last a week and that no reservists would be called up.",
        "The British Ministry of Defence sent two more jets to Poland on Tuesday. The MoD "
        "said that the move was routine and had been planned for months.",
        "Russia's defence ministry said on Wednesday that its paratroopers had landed near "
        "Hrodna for exercises with their Belarusian counterparts.",
        "The Ministry of Defence of the Republic of Belarus extended the drills by ten days, "
        "citing what it called provocations on the western border.",
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps({"title": f"Item {n}", "text": t}) for n, t in enumerate(records)]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([folder], store=store, config=Config.load(workers=1))
        assert len(report.added) == 4, report.failures
        assert not extract(store, workers=1).failed
        rows = entity_table(store)
    bodies = {r.canonical: r for r in rows if r.canonical.startswith("Ministry of Defence")}
    assert set(bodies) == {
        "Ministry of Defence of Belarus",
        "Ministry of Defence of the United Kingdom",
        "Ministry of Defence of Russia",
    }
    assert bodies["Ministry of Defence of Belarus"].articles == 2
    assert "MoD" in bodies["Ministry of Defence of the United Kingdom"].spellings
    assert "MoD" in bodies["Ministry of Defence of Belarus"].spellings


def test_a_name_has_letters_and_is_mostly_capitalised() -> None:
    found = _mentions(
        "Prices rose by ½ a point. The banner read Syi’ah dan menghina orang tua Nabi in "
        "large letters, and Charles de Gaulle Airport stayed open."
    )
    texts = {m.text for m in found}
    assert "½" not in texts
    assert not any("menghina" in t for t in texts)
