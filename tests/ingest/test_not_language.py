"""Text that is not language is refused at ingest with its reason; writing in any language,
with or without spaces between words, is not."""

from __future__ import annotations

import base64
import gzip
import json
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import shared_corpus

from tocsin.config import Config
from tocsin.demo import articles_dir
from tocsin.errors import FailureCode
from tocsin.ingest.clean import process
from tocsin.ingest.language import MAX_TOKEN, not_language
from tocsin.ingest.pipeline import IngestReport, ingest
from tocsin.models import CleanOptions, RawItem
from tocsin.store.db import Store

# Short news items as a wire service in each language might write them; titles first.
SAMPLES: dict[str, str] = {
    "hr": "Vlada povećava izdvajanja za obranu\n\nHrvatska vlada u utorak je objavila da će "
    "povećati izdvajanja za obranu na dva posto bruto domaćeg proizvoda do kraja sljedeće "
    "godine. Ministar obrane rekao je novinarima u Zagrebu da su pregovori s partnerima iz "
    "NATO-a bili konstruktivni. Oporba je kritizirala odluku, tvrdeći da vlada nije "
    "objasnila odakle će osigurati novac.",
    "pl": "Rozmowy o bezpieczeństwie wschodniej flanki\n\nPrezydent Polski spotkał się w środę "
    "w Warszawie z przywódcami państw bałtyckich, aby omówić bezpieczeństwo wschodniej flanki "
    "NATO. Według rzecznika kancelarii rozmowy dotyczyły przede wszystkim ochrony granicy z "
    "Białorusią. Minister obrony zapowiedział zakup nowych systemów obrony powietrznej.",
    "ru": "Лукашенко исключил участие армии в войне\n\nПрезидент Белоруссии Александр Лукашенко "
    "заявил во вторник, что армия страны не будет участвовать в военных действиях на "
    "территории Украины. По словам источников в Минске, на границе продолжаются совместные "
    "учения с российскими войсками. Представители оппозиции призвали международное "
    "сообщество усилить давление на режим.",
    "ar": "استئناف المحادثات الأسبوع المقبل\n\nأعلنت وزارة الخارجية يوم الثلاثاء أن المحادثات "
    "بين الجانبين ستستأنف الأسبوع المقبل في العاصمة. وقال المتحدث باسم الوزارة للصحفيين إن "
    "الوفدين ناقشا قضايا الأمن والحدود والتعاون الاقتصادي. ويرى محللون أن الضغوط الدولية "
    "ساهمت في عودة الطرفين إلى طاولة المفاوضات.",
    "zh": "卢卡申科称白俄军队不会参战\n\n白俄罗斯总统卢卡申科周二表示，该国军队不会参与乌克兰境内的"
    "军事行动。据明斯克消息人士透露，白俄罗斯与俄罗斯军队在边境地区的联合演习仍在继续。反对派代表呼吁"
    "国际社会加大对政权的压力。分析人士认为，地区局势依然紧张，各方都在密切关注事态发展。",
    "ja": "ルカシェンコ大統領、参戦を否定\n\nベラルーシのルカシェンコ大統領は火曜日、同国軍が"
    "ウクライナでの軍事行動に参加することはないと述べた。ミンスクの関係筋によると、ロシア軍との合同演習は国境"
    "付近で続いている。野党の代表は国際社会に対し、政権への圧力を強めるよう求めた。",
    "th": "ประธานาธิบดีเบลารุสปฏิเสธการเข้าร่วมสงคราม\n\nประธานาธิบดีเบลารุสกล่าวเมื่อวันอังคารว่า"
    "กองทัพของประเทศจะไม่เข้าร่วมปฏิบัติการทางทหารในยูเครน แหล่งข่าวในกรุงมินสค์ระบุว่าการซ้อมรบร่วม"
    "กับกองทัพรัสเซียบริเวณชายแดนยังคงดำเนินต่อไป ตัวแทนฝ่ายค้านเรียกร้องให้ประชาคมระหว่างประเทศ"
    "เพิ่มแรงกดดันต่อรัฐบาล",
    "hi": "अगले सप्ताह फिर शुरू होगी बातचीत\n\nविदेश मंत्रालय ने मंगलवार को कहा कि दोनों देशों "
    "के बीच बातचीत अगले सप्ताह राजधानी में फिर से शुरू होगी। मंत्रालय के प्रवक्ता ने पत्रकारों से "
    "कहा कि प्रतिनिधिमंडलों ने सुरक्षा, सीमा और आर्थिक सहयोग के मुद्दों पर चर्चा की। विश्लेषकों "
    "का मानना है कि अंतरराष्ट्रीय दबाव के कारण दोनों पक्ष वार्ता की मेज पर लौटे हैं।",
    # Persian writes the zero-width non-joiner inside words (می\u200cشود): it must stay.
    "fa": "ازسرگیری گفت\u200cوگوها در هفته آینده\n\nوزارت امور خارجه روز سه\u200cشنبه اعلام کرد که "
    "گفت\u200cوگوها میان دو کشور هفته آینده در پایتخت از سر گرفته می\u200cشود. سخنگوی وزارتخانه "
    "به خبرنگاران گفت که هیئت\u200cها درباره امنیت مرزها و همکاری\u200cهای اقتصادی گفت\u200cوگو "
    "کردند. تحلیلگران معتقدند فشارهای بین\u200cالمللی در بازگشت دو طرف به میز مذاکره نقش داشته "
    "است.",
    "el": "Αυξάνονται οι αμυντικές δαπάνες\n\nΟ πρωθυπουργός δήλωσε την Τρίτη ότι η κυβέρνηση "
    "θα αυξήσει τις αμυντικές δαπάνες τον επόμενο χρόνο. Σύμφωνα με τον κυβερνητικό "
    "εκπρόσωπο, οι συνομιλίες με τους συμμάχους ήταν εποικοδομητικές. Η αντιπολίτευση "
    "επέκρινε την απόφαση, υποστηρίζοντας ότι δεν εξηγήθηκε η χρηματοδότηση.",
    "ko": "다음 주 회담 재개\n\n외교부는 화요일 양국 간 회담이 다음 주 수도에서 재개될 것이라고 "
    "밝혔다. 외교부 대변인은 기자들에게 대표단이 국경 안보와 경제 협력 문제를 논의했다고 말했다. "
    "분석가들은 국제적 압력이 양측을 협상 테이블로 돌아오게 했다고 보고 있다.",
}


def _options() -> CleanOptions:
    return CleanOptions(None, date(2024, 5, 1), Config.load(workers=1))


def _ingest(folder: Path, db: Path) -> IngestReport:
    with Store.open(db) as store:
        return ingest([folder], store=store, config=Config.load(workers=1))


def _refusals(tmp_path: Path, files: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """Ingest ``files`` (name -> bytes) in one run; file name -> (code, reason) of each failure."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    report = _ingest(folder, tmp_path / "t.db")
    assert not report.added
    return {Path(s).name: (code, reason) for s, code, reason in report.failures}


def test_endless_tokens_and_junk_are_refused_with_what_is_wrong(tmp_path: Path) -> None:
    rng = random.Random(9)
    one_line = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5_000_000))
    blob = rng.randbytes(750_000)
    printable = bytes(rng.randrange(0x21, 0x7F) for _ in range(30_000))
    printable = printable.replace(b"~", b" ")  # a space now and then, as random bytes have
    figures = "\n".join(
        " ".join(f"{rng.uniform(0, 999):.2f}" for _ in range(12)) for _ in range(400)
    )
    files = {
        "one-line.html": f"<html><body><article><p>{one_line}</p></article></body></html>".encode(),
        "blob.txt": base64.b64encode(blob),
        "mime.txt": base64.encodebytes(blob),
        "random.txt": printable,
        "figures.txt": f"Prices\n\n{figures}".encode(),
        "punctuation.txt": b"!!! ??? ... --- *** ;;; ::: ((( ))) " * 300,
    }

    refused = _refusals(tmp_path, files)

    assert {code for code, _ in refused.values()} == {FailureCode.NOT_LANGUAGE.value}
    assert set(refused) == set(files)
    reasons = {name: reason for name, (_, reason) in refused.items()}
    assert reasons["one-line.html"] == "one token of 5,000,000 characters with no white space"
    assert reasons["blob.txt"] == "one token of 1,000,000 characters with no white space"
    assert reasons["mime.txt"] == "100% of words are over 30 characters long"
    assert reasons["random.txt"].endswith("% of words are over 30 characters long")
    # "Prices" stays: a line of figures is not a headline, so nothing above it goes.
    assert reasons["figures.txt"] == "under 1% of characters are letters"
    assert reasons["punctuation.txt"] == "0% of characters are letters"


def test_the_refusal_is_stored_and_the_raw_bytes_kept(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = base64.b64encode(bytes(range(256)) * 40)
    (folder / "blob.txt").write_bytes(data)
    db = tmp_path / "t.db"
    _ingest(folder, db)
    with Store.open(db) as store:
        [failure] = store.failures()
        assert failure.error_code == "not_language"
        assert failure.error == f"one token of {len(data):,} characters with no white space"
        [sha] = store.conn.execute("SELECT raw_sha256 FROM sources").fetchone()
        assert store.blob(sha) == data


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_news_in_other_languages_and_scripts_is_language(language: str) -> None:
    text = SAMPLES[language]
    item = RawItem(locator=f"{language}.txt", kind="text", data=text.encode())

    result = process(item, _options())

    assert result.error is None
    assert result.article is not None
    title, body = text.split("\n\n")
    assert result.article.title == title
    assert result.article.text == body


def test_persian_keeps_its_zero_width_non_joiners(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fa.txt").write_text(SAMPLES["fa"], "utf-8")
    [article] = _ingest(folder, tmp_path / "t.db").added
    with Store.open(tmp_path / "t.db") as store:
        stored = store.article(article.id)
        assert stored is not None
        assert "می\u200cشود" in stored.text
        assert stored.title == "ازسرگیری گفت\u200cوگوها در هفته آینده"


def test_the_five_seed_articles_are_language() -> None:
    seeds = sorted(articles_dir().glob("*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        result = process(
            RawItem(locator=str(path), kind="text", data=path.read_bytes()), _options()
        )
        assert result.error is None, (path.name, result.error)


def test_no_page_of_the_extraction_benchmark_or_polnear_is_refused() -> None:
    corpus = shared_corpus("article-extraction", "ground-truth.json")
    truth = json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    items = [
        RawItem(
            locator=key,
            kind="html",
            data=gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()),
            url=entry.get("url"),
        )
        for key, entry in truth.items()
    ]
    items += [
        RawItem(locator=str(p), kind="text", data=p.read_bytes())
        for p in sorted((shared_corpus("polnear-dev", "text") / "text").glob("*.txt"))
    ]
    assert len(items) == 91 + 84
    refused = [(i.locator, r.error) for i in items if (r := process(i, _options())).error]
    assert refused == []


def test_the_share_of_letters_is_said_as_it_is() -> None:
    assert not_language("Table 3 " + "12.50 13.75 " * 400) == "under 1% of characters are letters"
    # 10 letters among 11 + 5n visible characters: 28% with n = 5, 24% with n = 6.
    assert not_language("Prices rose: " + "12.5% " * 5) is None
    assert not_language("Prices rose: " + "12.5% " * 6) == "24% of characters are letters"


def test_a_long_url_in_prose_is_not_an_endless_token() -> None:
    url = "https://example.org/track?" + "q" * 1_900
    assert not_language(f"The ministry published the figures at {url} on Monday.") is None
    assert not_language("The ministry said so. " + "x" * MAX_TOKEN) is None
    assert not_language("The ministry said so. " + "x" * (MAX_TOKEN + 1)) == (
        "one token of 1,001 characters with no white space"
    )


def test_a_run_that_starts_like_a_url_is_counted_beyond_the_url_limit() -> None:
    reason = not_language("http://" + "a" * 10_000)
    assert reason is not None
    assert reason.startswith("one token of ")


def test_unspaced_scripts_are_cut_at_each_character_but_junk_inside_is_not() -> None:
    chinese = "白俄罗斯总统卢卡申科周二表示，该国军队不会参与乌克兰境内的军事行动。" * 400
    assert len(chinese) > 10 * MAX_TOKEN
    assert not_language(chinese) is None
    blob = base64.b64encode(bytes(range(256)) * 10).decode()
    assert not_language(chinese + blob + chinese) == (
        f"one token of {len(blob):,} characters with no white space"
    )


@given(st.text())
def test_any_text_gets_an_answer(text: str) -> None:
    reason = not_language(text)
    assert reason is None or reason.endswith(("white space", "letters", "long"))
