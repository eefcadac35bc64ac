"""Bytes to clean Unicode: refuse binaries, detect the encoding, normalise, repair escapes."""

from __future__ import annotations

import codecs
import gzip
import re
import unicodedata
import zlib

from charset_normalizer import CharsetMatch, from_bytes

from tocsin.errors import FailureCode, InputError
from tocsin.text import FORMAT_CONTROLS, JOINERS

# File signatures of formats that are never articles (first bytes of the file).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"RIFF", "RIFF media file"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
    (b"OggS", "Ogg media file"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00", "binary media file"),
)
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
_CONTENT_TYPE_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)
# Literal escapes left by copy-paste from JSON or source views: \u200b, \xa0, \u2019 ...
_LITERAL_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
# Invisible format controls (tocsin.text.FORMAT_CONTROLS) are dropped from the clean text,
# titles, outlets and authors; the raw bytes keep them.
_INVISIBLE = dict.fromkeys(map(ord, FORMAT_CONTROLS))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000"), " ")
_NORMAL = str.maketrans({**_INVISIBLE, **_SPACES})
# Characters that text never has in number: C0 controls other than whitespace, DEL, C1
# controls, the replacement character and private-use code points.
_UNREADABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_MAX_UNREADABLE = 0.02
# The legacy code pages each language is usually written in. The detector cannot tell
# French "déjà" in cp1252 from "dėją" in cp1257 by byte statistics, so the usual code page
# of the language it detects wins when it reads letters in the same places.
_USUAL: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "English",
            "German",
            "French",
            "Dutch",
            "Italian",
            "Spanish",
            "Portuguese",
            "Swedish",
            "Norwegian",
            "Danish",
            "Finnish",
            "Indonesian",
        ),
        ("cp1252",),
    ),
    **dict.fromkeys(
        ("Polish", "Czech", "Slovak", "Hungarian", "Romanian", "Slovene", "Croatian"),
        ("cp1250", "iso8859_2"),
    ),
    **dict.fromkeys(("Russian", "Ukrainian", "Bulgarian", "Serbian"), ("cp1251",)),
    "Greek": ("cp1253", "iso8859_7"),
    "Turkish": ("cp1254",),
    "Hebrew": ("cp1255",),
    "Arabic": ("cp1256",),
    "Farsi": ("cp1256",),
    "Lithuanian": ("cp1257",),
    "Estonian": ("cp1257",),
    "Vietnamese": ("cp1258",),
}


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip data, refusing archives that inflate beyond ``limit`` bytes.

    Reads every member of a multi-member file (``cat a.gz b.gz``), as ``gzip`` does.
    """
    out = bytearray()
    rest = data
    try:
        while True:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += inflater.decompress(rest, limit + 1 - len(out))
            if len(out) > limit:
                raise InputError(FailureCode.TOO_LARGE, f"gzip inflates beyond {limit:,} bytes")
            if not inflater.eof:
                # zlib returns what it could inflate from a cut-off stream without complaint.
                raise InputError(
                    FailureCode.UNDECODABLE, "truncated gzip data: the stream ends early"
                )
            rest = inflater.unused_data
            if not rest.startswith(b"\x1f\x8b"):
                return bytes(out)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(FailureCode.UNDECODABLE, f"corrupt gzip data: {exc}") from exc


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of ``data`` or return None when it may be text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:4096]
    if head and (head.count(0) > len(head) // 100 + 1) and not _utf16_bom(head):
        return "binary data (NUL bytes)"
    return None


def _utf16_bom(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def declared_encoding(data: bytes, content_type: str | None = None) -> str | None:
    """The encoding a BOM, HTTP header, XML declaration or <meta charset> declares."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return name
    if content_type and (header := _CONTENT_TYPE_CHARSET.search(content_type)):
        return _valid_codec(header[1])
    head = data[:4096]
    for pattern in (_XML_DECL, _DECLARED):
        if found := pattern.search(head):
            return _valid_codec(found[1].decode("ascii", "ignore"))
    return None


def _valid_codec(name: str) -> str | None:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # As in browsers (WHATWG Encoding), a latin-1 label means windows-1252, its superset
    # that pages labelled latin-1 use for curly quotes and dashes.
    return "cp1252" if codec == "iso8859-1" else codec


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text; return (text, encoding). Raise InputError when impossible."""
    if not data.strip():
        raise InputError(FailureCode.EMPTY, "input is empty")
    if kind := sniff_binary(data):
        raise InputError(FailureCode.BINARY, f"input is a {kind}, not text")
    declared = declared_encoding(data, content_type)
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return _readable(data.decode(encoding)), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    sample = data[:200_000]
    best = from_bytes(sample, cp_isolation=None).best()
    if best is None or best.encoding is None:
        raise InputError(FailureCode.UNDECODABLE, "bytes match no known text encoding")
    if best.chaos > 0.3 or best.encoding.startswith(("utf_16", "utf_32")):
        # UTF-16/32 text without a byte-order mark has NUL bytes, refused as binary above;
        # a NUL-free guess of either is random bytes read as random code points.
        raise InputError(
            FailureCode.UNDECODABLE,
            f"bytes do not read as text (best guess {best.encoding}, {best.chaos:.0%} noise)",
        )
    encoding = _usual_encoding(sample, best) or best.encoding
    return _readable(data.decode(encoding, errors="replace")), encoding


def _readable(text: str) -> str:
    """``text`` itself, unless too many of its characters are ones text never has in number.

    Random bytes can decode as UTF-8 (ASCII-range junk) or as some code page; what gives
    them away is a share of control characters (a fifth, for ASCII-range junk) that no
    document has.
    """
    sample = text[:100_000]
    unreadable = len(_UNREADABLE.findall(sample))
    if unreadable > _MAX_UNREADABLE * len(sample):
        share = unreadable / len(sample)
        raise InputError(
            FailureCode.UNDECODABLE,
            f"bytes do not read as text ({share:.0%} control, private-use or invalid characters)",
        )
    return text


def _usual_encoding(data: bytes, best: CharsetMatch) -> str | None:
    """The usual code page of the detected language, when it reads letters where ``best`` does.

    Two such code pages differ only in which accented letter a byte stands for, which byte
    statistics cannot decide; a code page that turns letters into symbols or flips their
    case (KOI8-R read as cp1251) is a different reading and loses.
    """
    guess = data.decode(best.encoding, errors="replace")
    for encoding in _USUAL.get(best.language, ()):
        if encoding in best.could_be_from_charset:
            return encoding
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(text) == len(guess) and all(
            _same_kind(a, b) for a, b in zip(text, guess, strict=True) if a != b
        ):
            return encoding
    return None


def _same_kind(a: str, b: str) -> bool:
    """Both letters (or combining marks) of the same case."""
    return (
        unicodedata.category(a)[0] in "LM"
        and unicodedata.category(b)[0] in "LM"
        and a.isupper() == b.isupper()
    )


def normalize_text(text: str) -> str:
    """NFC, literal escapes repaired, invisible controls dropped, odd spaces made plain.

    The invisible controls are ``FORMAT_CONTROLS``; the zero-width (non-)joiner stays.
    """
    text = _LITERAL_ESCAPE.sub(_unescape, text)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_NORMAL)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unescape(match: re.Match[str]) -> str:
    code = int(match[1] or match[2], 16)
    char = chr(code)
    # Only repair escapes that stand for a printable or space character; keep odd ones as typed.
    if unicodedata.category(char).startswith("C") and char not in FORMAT_CONTROLS + JOINERS:
        return match[0]
    return char
