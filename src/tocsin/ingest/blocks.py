"""The blocks of a pasted page (one per line) and the shapes the paste filter tells apart:
a paragraph of prose, a headline, a line that is mostly a date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tocsin.text import CREDIT as _CREDIT
from tocsin.text import TERMINAL as _TERMINAL
from tocsin.text import WORD as _WORD
from tocsin.words import MONTHS_LOWER, WEEKDAYS

STOP = frozenset(
    "a an and are as at be but by for from has have he her his in is it its of on or that the "
    "their them they this to was were which who will with".split()
)

# Calibrated as a set on the seed articles; do not tune one in isolation.
SHORT_BLOCK_WORDS = 40  # captions, prompts and pull-quotes are shorter than this
BODY_MIN_WORDS = 20  # a prose paragraph that starts the article body

# Chinese and Japanese put no space between words: each ideograph or kana counts as one, as
# word counts in those languages go, so that a headline is short and a paragraph long.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_CJK_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
# What ends a sentence or a lead-in, in Latin and in full-width (CJK) punctuation.
_NOT_TITLE_END = (".", ":", ",", "。", "：", "，")
_DATE_WORDS = frozenset(MONTHS_LOWER) | frozenset(WEEKDAYS) | {d[:3] for d in WEEKDAYS}


@dataclass
class Block:
    text: str
    words: list[str] = field(default_factory=list)
    drop: str | None = None  # why the block is removed, when it is

    @property
    def n(self) -> int:
        return len(self.words)

    @property
    def content(self) -> set[str]:
        return {w for w in self.words if w not in STOP}


def split_blocks(text: str) -> list[Block]:
    """One block per non-empty line; pasted text keeps a paragraph on one line."""
    blocks = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line:
            words = _WORD.findall(line) if line.isascii() else _CJK_WORD.findall(line)
            blocks.append(Block(line, [w.lower() for w in words]))
    return blocks


def is_prose_end(block: Block) -> bool:
    """A paragraph of the article proper: long and ending a sentence."""
    return (
        block.n >= BODY_MIN_WORDS and bool(_TERMINAL.search(block.text)) and "/" not in block.text
    )


def is_sentence(block: Block) -> bool:
    """A block that ends as a sentence does, whatever its length."""
    return bool(_TERMINAL.search(block.text))


def date_heavy(block: Block) -> bool:
    """Half or more of the words are numbers, months or weekdays: a date or a date range."""
    dated = sum(1 for w in block.words if w.isdigit() or w in _DATE_WORDS)
    return dated * 2 >= block.n > 0


def headline_shaped(block: Block) -> bool:
    """Three to thirty words, not ending as a sentence or a lead-in, not a date."""
    return 3 <= block.n <= 30 and not block.text.endswith(_NOT_TITLE_END) and not date_heavy(block)


# A photo's credit or caption by its label: "Photo: …", "Photograph: …", "(Photo by …)",
# "Image source, …", "Image caption, …".
_CREDIT_LABEL = re.compile(
    r"(?:^|[.!?]\s+|\()(?:photo(?:graph)?s?|images?|pictures?|fotos?|credits?|illustrations?)"
    r"(?:\s+(?:by|source|credit|caption))?\s*[:,]\s*\S[^.!?]{0,80}\)?$"
    r"|(?:^|[.!?]\s+|\()(?:photo|image|picture)s? by [A-Z][^.!?]{0,80}\)?$"
    r"|^(?:file photo|illustrative (?:photo|image)|photo illustration)\b",
    re.I,
)


def is_credit(text: str) -> bool:
    """A photo credit, or a caption that ends with one or starts with its label."""
    return bool(_CREDIT.search(text) or _CREDIT_LABEL.search(text))
