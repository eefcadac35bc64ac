"""Bytes to clean Unicode: refuse binaries, detect the encoding, normalise, repair escapes."""

from __future__ import annotations

import codecs
import gzip
import re
import unicodedata
import zlib

from charset_normalizer import from_bytes

from tocsin.errors import FailureCode, InputError

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
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000"), " ")


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip data, refusing archives that inflate beyond ``limit`` bytes."""
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, limit + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(FailureCode.UNDECODABLE, f"corrupt gzip data: {exc}") from exc
    if len(out) > limit:
        raise InputError(FailureCode.TOO_LARGE, f"gzip inflates beyond {limit:,} bytes")
    return out


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
        return codecs.lookup(name).name
    except LookupError:
        return None


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
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data[:200_000], cp_isolation=None).best()
    if best is None or best.encoding is None:
        raise InputError(FailureCode.UNDECODABLE, "bytes match no known text encoding")
    if best.chaos > 0.3:
        raise InputError(
            FailureCode.UNDECODABLE,
            f"bytes do not read as text (best guess {best.encoding}, {best.chaos:.0%} noise)",
        )
    return data.decode(best.encoding, errors="replace"), best.encoding


def normalize_text(text: str) -> str:
    """NFC, literal escapes repaired, invisible characters dropped, odd spaces made plain."""
    text = _LITERAL_ESCAPE.sub(_unescape, text)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE).translate(_SPACES)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unescape(match: re.Match[str]) -> str:
    code = int(match[1] or match[2], 16)
    char = chr(code)
    # Only repair escapes that stand for a printable or space character; keep odd ones as typed.
    if unicodedata.category(char).startswith("C") and char not in "\u200b\u200c\u200d\ufeff\u00ad":
        return match[0]
    return char
