"""Bad inputs fail alone, with the right code, and never stop the batch; encodings decode."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from tocsin.config import Config
from tocsin.errors import FailureCode, InputError
from tocsin.ingest.decode import decode
from tocsin.ingest.pipeline import IngestReport, ingest
from tocsin.store.db import Store

GOOD_TITLE = "Troops return to barracks"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Laughs</title><link>http://127.0.0.1/a</link>
<description>&lol9;</description></item></channel></rss>
"""


def _junk(rng: random.Random, size: int, low: int = 1, high: int = 256) -> bytes:
    """Random bytes with no NUL (the NUL sniff would catch those before the decoder)."""
    return bytes(rng.randrange(low, high) for _ in range(size))


def _ingest(folder: Path, store: Store, **overrides: object) -> IngestReport:
    return ingest([folder], store=store, config=Config.load(workers=1, **overrides))


def _assert_only_failure(report: IngestReport, store: Store, path: Path, code: FailureCode) -> None:
    """``path`` is the one failed input, recorded with ``code`` in the report and the store."""
    locator = str(path.resolve())
    assert [(s, c) for s, c, _ in report.failures] == [(locator, code.value)]
    assert report.failures[0][2], "a failure carries a human reason"
    rows = store.failures()
    assert [(r.locator, r.error_code) for r in rows] == [(locator, code.value)]
    assert rows[0].error == report.failures[0][2]
    assert not report.ok


def _assert_good_stored(report: IngestReport, store: Store, good: Path) -> None:
    assert [a.locator for a in report.added] == [str(good.resolve())]
    articles = list(store.articles())
    assert len(articles) == 1
    assert articles[0].source == str(good.resolve())
    assert articles[0].title == GOOD_TITLE


def _nested() -> bytes:
    return b"<html><body>" + b"<div>" * 100_000 + b"<p>Deep text.</p></body></html>"


def _corrupt_gzip() -> bytes:
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + _junk(random.Random(42), 2000)


def _truncated_gzip(good_article: Callable[..., str]) -> bytes:
    whole = gzip.compress(good_article(seed=7, title="Another story").encode())
    return whole[: len(whole) // 2]


def _bad_crc_gzip(good_article: Callable[..., str]) -> bytes:
    whole = bytearray(gzip.compress(good_article(seed=8, title="Third story").encode()))
    whole[-8] ^= 0xFF  # the CRC32 of the content, in the trailer
    return bytes(whole)


# name on disk, content (bytes or a builder taking the good_article maker), code, settings
CASES: list[tuple[str, object, FailureCode, dict[str, object]]] = [
    ("empty.html", b"", FailureCode.EMPTY, {}),
    ("blank.txt", b" \n\t\r\n  ", FailureCode.EMPTY, {}),
    (
        "report.pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
        FailureCode.BINARY,
        {},
    ),
    (
        "photo.png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(1, 200)),
        FailureCode.BINARY,
        {},
    ),
    ("photo-misnamed.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FailureCode.BINARY, {}),
    ("junk.bin", _junk(random.Random(42), 4096), FailureCode.UNDECODABLE, {}),
    ("junk.txt", _junk(random.Random(43), 4096), FailureCode.UNDECODABLE, {}),
    ("controls.txt", _junk(random.Random(44), 4096, 1, 128), FailureCode.UNDECODABLE, {}),
    (
        "big.html",
        b"<p>" + b"a" * 30_000 + b"</p>",
        FailureCode.TOO_LARGE,
        {"max_input_bytes": 20_000},
    ),
    (
        "bomb.html.gz",
        gzip.compress(b" " * 200_000),
        FailureCode.TOO_LARGE,
        {"max_input_bytes": 20_000},
    ),
    ("deep.html", _nested(), FailureCode.TOO_DEEP, {}),
    ("laughs.xml", BILLION_LAUGHS, FailureCode.UNSAFE_XML, {}),
    ("broken.html.gz", _corrupt_gzip(), FailureCode.UNDECODABLE, {}),
    ("cut.html.gz", _truncated_gzip, FailureCode.UNDECODABLE, {}),
    ("crc.html.gz", _bad_crc_gzip, FailureCode.UNDECODABLE, {}),
]


@pytest.mark.parametrize(("name", "content", "code", "settings"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_alone(
    tmp_path: Path,
    store: Store,
    good_article: Callable[..., str],
    name: str,
    content: object,
    code: FailureCode,
    settings: dict[str, object],
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.html"
    good.write_text(good_article(title=GOOD_TITLE), encoding="utf-8")
    bad = folder / name
    data = content(good_article) if callable(content) else content
    assert isinstance(data, bytes)
    bad.write_bytes(data)

    report = _ingest(folder, store, **settings)

    _assert_only_failure(report, store, bad, code)
    _assert_good_stored(report, store, good)


def test_real_100mb_sparse_file_is_refused_without_reading(
    tmp_path: Path, store: Store, good_article: Callable[..., str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.html"
    good.write_text(good_article(title=GOOD_TITLE), encoding="utf-8")
    big = folder / "huge.html"
    with big.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: no disk used
    assert big.stat().st_size == 100 * 1024 * 1024

    report = ingest([folder], store=store, config=Config.load(workers=1))

    _assert_only_failure(report, store, big, FailureCode.TOO_LARGE)
    assert "52,428,800" in report.failures[0][2]  # the default 50 MB cap, in the reason
    _assert_good_stored(report, store, good)
    row = store.conn.execute(
        "SELECT raw_sha256, raw_size FROM sources WHERE locator = ?", (str(big.resolve()),)
    ).fetchone()
    assert tuple(row) == (None, None), "the 100 MB file must not be read or stored"


def test_nul_free_random_junk_never_decodes() -> None:
    """Random bytes of many sizes, none NUL, all refused by the decoder itself."""
    rng = random.Random(42)
    accepted, codes = [], set()
    for size in (64, 128, 256, 1024, 4096, 65_536):
        for _ in range(40 if size < 10_000 else 3):
            for low, high in ((1, 256), (1, 128)):
                data = _junk(rng, size, low, high)
                try:
                    _, encoding = decode(data)
                except InputError as exc:
                    codes.add(exc.code)
                else:
                    accepted.append((size, low, encoding))
    assert accepted == []
    assert codes <= {FailureCode.UNDECODABLE, FailureCode.BINARY}


def test_jsonl_bad_lines_fail_and_good_lines_are_stored(
    tmp_path: Path, store: Store, good_article: Callable[..., str], paragraphs: Callable
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.html"
    good.write_text(good_article(title=GOOD_TITLE), encoding="utf-8")
    lines = [
        json.dumps({"text": "\n\n".join(paragraphs(11)), "title": "From text"}),
        '{"text": "unterminated',
        json.dumps({"title": "No body", "url": "https://example.org/x"}),
        json.dumps({"html": good_article(seed=12, title="From html")}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"text": 42}),
    ]
    feed = (folder / "batch.jsonl").resolve()
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = _ingest(folder, store)

    failed = {(s, c) for s, c, _ in report.failures}
    expected = {(f"{feed}:{n}", "bad_json") for n in (2, 3, 5, 7)}
    assert failed == expected
    assert {(r.locator, r.error_code) for r in store.failures()} == expected
    titles = {a.source: a.title for a in store.articles()}
    assert titles == {
        str(good.resolve()): GOOD_TITLE,
        f"{feed}:1": "From text",
        f"{feed}:4": "From html",
    }
    assert not report.ok


# --- encodings -------------------------------------------------------------------------

RUSSIAN = [
    "Лукашенко пообещал не вводить войска",
    "Президент Беларуси Александр Лукашенко заявил в понедельник, что белорусская армия не "
    "будет участвовать в войне на территории Украины, однако независимые эксперты сомневаются.",
    "Военные аналитики отмечают, что группировка российских войск у границы продолжает расти, "
    "а железнодорожные перевозки тяжёлой техники через Гомельскую область не прекращаются.",
    "Жители приграничных деревень рассказывают о колоннах грузовиков и вертолётах, которые "
    "пролетают над лесом по ночам. Власти никак не комментируют эти сообщения.",
]
BELARUSIAN = [
    "Лукашэнка зноў абяцае міру",
    "Беларускія ўлады заяўляюць, што ўзброеныя сілы застаюцца ў пунктах пастаяннай "
    "дыслакацыі, але жыхары памежных вёсак паведамляюць пра рух вайсковых калон.",
    "Незалежныя аналітыкі адзначаюць, што чыгуначныя перавозкі тэхнікі праз Гомельскую "
    "вобласць не спыняюцца, а ўлады гэтыя паведамленні не каментуюць.",
    "Мясцовыя жыхары кажуць, што ўначы над лесам ляцяць верталёты, і баяцца, што вайна "
    "можа прыйсці і ў іх дамы.",
]
FRENCH = [
    "Loukachenko promet de ne pas envoyer ses troupes",
    "Le président biélorusse a déclaré lundi que son armée ne participerait pas à la guerre en "
    "Ukraine, mais les experts indépendants en doutent déjà fortement.",
    "Les élèves des villages frontaliers racontent que des colonnes de camions traversent la "
    "forêt la nuit ; à Gomel, les trains chargés de matériel militaire ne s'arrêtent pas.",
    "Ça coûte très cher, à peu près mille euros par jour, reconnaît un fonctionnaire qui "
    "préfère garder l'anonymat. Le Kremlin n'a pas réagi à ces témoignages.",
]
# (text, encoding, a word that mojibake would destroy)
ENCODED = [
    pytest.param(RUSSIAN, "cp1251", "Лукашенко", id="ru-cp1251"),
    pytest.param(RUSSIAN, "koi8_r", "Лукашенко", id="ru-koi8_r"),
    pytest.param(RUSSIAN, "utf-8", "Лукашенко", id="ru-utf8"),
    pytest.param(BELARUSIAN, "cp1251", "ўзброеныя", id="be-cp1251"),
    pytest.param(BELARUSIAN, "utf-8", "ўзброеныя", id="be-utf8"),
    pytest.param(FRENCH, "latin-1", "élèves", id="fr-latin1"),
    pytest.param(FRENCH, "cp1252", "élèves", id="fr-cp1252"),
]


def _bare_html(paras: list[str]) -> str:
    """HTML with no charset anywhere: no meta, no XML declaration, no BOM."""
    body = "".join(f"<p>{p}</p>" for p in paras[1:])
    return (
        f"<html><head><title>{paras[0]}</title></head>"
        f"<body><article><h1>{paras[0]}</h1>{body}</article></body></html>"
    )


@pytest.mark.parametrize("suffix", [".html", ".txt"])
@pytest.mark.parametrize(("paras", "encoding", "word"), ENCODED)
def test_undeclared_encoding_decodes(
    tmp_path: Path, store: Store, paras: list[str], encoding: str, word: str, suffix: str
) -> None:
    text = _bare_html(paras) if suffix == ".html" else "\n\n".join(paras)
    data = text.encode(encoding)
    assert b"charset" not in data
    assert not data.startswith(b"\xef\xbb\xbf")
    path = tmp_path / f"article{suffix}"
    path.write_bytes(data)

    report = ingest([path], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    [article] = store.articles()
    assert word in article.text
    for paragraph in paras[1:]:
        assert paragraph in article.text
    assert article.title == paras[0]


def test_latin1_label_reads_windows_1252_quotes(tmp_path: Path, store: Store) -> None:
    """Pages labelled latin-1 use cp1252 curly quotes; browsers read them so, and so must we."""
    paras = [
        "Minsk denies the reports",
        "\u201cWe will not send our soldiers,\u201d the minister said \u2013 again \u2013 on "
        "Monday, while satellite images showed new tents near the border crossing.",
        "Observers said the railway convoys kept arriving through the night and the "
        "garrison was being expanded, which officials in Minsk declined to confirm.",
    ]
    html = _bare_html(paras).replace("<head>", '<head><meta charset="iso-8859-1">')
    path = tmp_path / "quotes.html"
    path.write_bytes(html.encode("cp1252"))

    report = ingest([path], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    [article] = store.articles()
    assert "\u201cWe will not send our soldiers,\u201d" in article.text
    assert not any("\x80" <= ch <= "\x9f" for ch in article.text)


def test_text_is_nfc_and_pasted_escapes_are_repaired(tmp_path: Path, store: Store) -> None:
    decomposed = "Cafe\u0301 owners in Gome\u0301l said the re\u0301gime closed the border."
    assert "é" not in decomposed
    pasted = (
        "The minister\\u2019s statement\\u200b was read on state television,\\u00a0twice, "
        "and the convoy\\u200b kept moving towards the border crossing at night."
    )
    body = [
        "Border cafe owners complain",
        decomposed + " Trade has fallen by half since February, traders told reporters.",
        pasted,
        "Analysts warned that the railway depot near the border was being expanded again.",
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    for suffix, content in ((".txt", "\n\n".join(body)), (".html", _bare_html(body))):
        (folder / f"pasted{suffix}").write_text(content, encoding="utf-8")

    report = ingest([folder], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    articles = list(store.articles())
    assert len(articles) == 2
    for text in (a.text for a in articles):
        assert "Café owners in Gomél said the régime" in text
        assert "e\u0301" not in text
        assert "\\u" not in text
        assert "\u200b" not in text
        assert "\xa0" not in text
        assert "The minister\u2019s statement was read on state television, twice," in text
