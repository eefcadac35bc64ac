"""The end of a pasted page: where the article stops and the site's furniture begins.

Some markers always close the article once its body has begun ("Leave a Reply", "About the
author", "Most viewed", "More from …"): everything below them is another page's. Others
("Read also:", "Read more", "Share this:", "Related: …") also stand inside an article, in
front of one teaser; they close it only when no prose of the same story follows the teasers
after them. Below the last paragraph, a run of headlines is a list of other stories, and a
paragraph introducing the writer is an author box.
"""

from __future__ import annotations

import re

from tocsin.ingest.blocks import (
    SHORT_BLOCK_WORDS,
    STOP,
    Block,
    headline_shaped,
    is_prose_end,
)
from tocsin.ingest.bylines import read_byline
from tocsin.words import MONTHS_LOWER

# Calibrated on the tune half of tests/data/pasted and the 91 article-extraction bodies
# (bench/eval_pasted.py); do not tune on the seed articles.
TEASERS = 5  # at most this many teaser headlines follow a bare marker
RELATED_SHARE = 0.08  # share of the next paragraphs' words the story above must hold
CONTINUATION_PARAGRAPHS = 3  # paragraphs read together to tell whether the story goes on
BYLINE_WORDS = 24  # a byline or date line is no longer than this
HEADLINE_RUN = 3  # this many headlines ending the page are a list of other stories
TEASER_WORDS = (4, 16)  # the length of another story's headline, in words
LOOK_AHEAD = 12  # blocks read after a marker's teasers to see whether the story goes on

_CLOSE = re.compile(
    r"^(?:you'?ve reached your .*limit.*|to read the full article.*|keep reading.*|"
    r"want to write\??|no comments:?|\d+ comments?|comments?(?: \(\d+\))?:?|"
    r"most (?:read|popular|viewed|shared)|trending(?: topics| now)?|(?:the )?latest(?: news| "
    r"stories| articles| posts)?:?|related(?: articles| stories| content| news| posts| "
    r"coverage)?:?|recommended(?: for you| stories)?:?|read next:?|more from .{1,40}|"
    r"you may also like|more on this story|writing contest.*|leave a (?:reply|comment).*|"
    r"(?:post|add|write|submit) (?:a |your )?comment|join the (?:conversation|discussion)|"
    r"\d+ (?:responses?|replies)|about the authors?|(?:view|see) all (?:posts|articles|"
    r"stories) by .{1,40}|(?:more )?(?:posts|articles|stories) by .{1,40}|"
    r"explore more on (?:these|this) topics?|more (?:stories|articles|news) (?:from|on|about|"
    r"in) .{1,40}|tags?:.*|topics?:.*|filed under:?.*|our standards:.*|"
    r"you might (?:also )?(?:like|enjoy|be interested in).*|don'?t miss(?: this)?:?|"
    r"popular(?: now| stories| articles| posts)?|editor'?s picks?|further reading:?|"
    r"more stories|top stories)$",
    re.I,
)
# A marker that may stand before one teaser inside an article: alone on its line, or with
# the teaser after a colon (or, for "Read also", after nothing at all).
_MAYBE = (
    r"read (?:also|more)|also read|see also|related|recommended|"
    r"share(?: this)?(?: article| story| post| page)?"
)
_MAYBE_CLOSE = re.compile(
    rf"^(?P<marker>{_MAYBE})\s*(?:[:|»>–—-]\s*(?P<teaser>.+)|[:.!…]*)$"
    r"|^(?:read also|also read|read more)\s+(?P<bare>[^.!?]+)$",
    re.I,
)
_LISTING = re.compile(r"[@$€£₩]|--|^\d")
_BIO = re.compile(
    r"^(?:[A-Z][\w'’.-]+\s+){1,3}[A-Z][\w'’.-]+(?:,[^,]{1,40},)?\s+"
    r"(?:is|was|has been|writes|covers|reports)\b[^.]{0,120}?\b(?:journalist|reporter|"
    r"correspondent|editor|writer|analyst|fellow|researcher|professor|lecturer|contributor|"
    r"author|columnist|photographer|producer|blogger|freelancer|director|founder)s?\b"
)


def mark_tail(blocks: list[Block]) -> None:
    """Drop what follows the article: after a closing marker, author boxes, and a run of
    headlines below the last paragraph."""
    _mark_markers(blocks)
    _mark_author_boxes(blocks)
    _mark_headline_run(blocks)


def _mark_markers(blocks: list[Block]) -> None:
    story: set[str] = set()  # the words of the body so far
    for i, b in enumerate(blocks):
        if b.drop is None and is_prose_end(b):
            story |= _words(b)
        if not story or b.n > SHORT_BLOCK_WORDS:
            continue
        if _CLOSE.match(b.text):
            _cut(blocks, i)
            return
        maybe = _MAYBE_CLOSE.match(b.text)
        if maybe and _short_teaser(maybe):
            inline = bool(maybe["teaser"] or maybe["bare"])
            after = _after_teasers(blocks, i, inline)
            if not _continues(blocks, after, story, inline):
                _cut(blocks, i)
                return
            for x in blocks[i:after]:
                x.drop = x.drop or "teaser"


def _short_teaser(maybe: re.Match[str]) -> bool:
    """A teaser is a headline: a marker followed by a sentence of prose is prose."""
    teaser = maybe["teaser"] or maybe["bare"] or ""
    return len(teaser.split()) <= 25


def _cut(blocks: list[Block], i: int) -> None:
    for rest in blocks[i:]:
        rest.drop = rest.drop or "after end of article"


def _after_teasers(blocks: list[Block], i: int, inline: bool) -> int:
    """The index after a marker's teasers: the headlines that follow a bare marker."""
    j = i + 1
    if inline:
        return j
    while j < len(blocks) and j - i <= TEASERS:
        b = blocks[j]
        if b.drop is None and (is_prose_end(b) or not headline_shaped(b)):
            break
        j += 1
    return j


def _continues(blocks: list[Block], j: int, story: set[str], inline: bool) -> bool:
    """Whether the article goes on at block ``j``. After a teaser given on the marker's own
    line ("Also read: …"), a paragraph right below is the article's: an appended story
    shows its headline on a line of its own. Otherwise, before any byline or date line of
    another story, paragraphs must come whose words the article above shares (the next
    three together: one paragraph alone shares too few with its own story too often)."""
    prose: list[Block] = []
    undropped = (b for b in blocks[j : j + LOOK_AHEAD] if b.drop is None)
    for n, b in enumerate(undropped):
        if is_prose_end(b):
            if inline and n == 0:
                return True
            prose.append(b)
            if len(prose) == CONTINUATION_PARAGRAPHS:
                break
        elif not prose and b.n <= BYLINE_WORDS and read_byline(b.text) is not None:
            return False
    words = set().union(*(_words(b) for b in prose))
    return bool(words) and len(words & story) >= RELATED_SHARE * len(words)


def _words(b: Block) -> set[str]:
    return {w for w in b.words if len(w) > 3 and w not in STOP and not w.isdigit()}


def _mark_author_boxes(blocks: list[Block]) -> None:
    """A paragraph introducing a writer, among the last blocks of the page."""
    for b in reversed(blocks):
        if b.drop is not None:
            continue
        if b.n <= 80 and _BIO.match(b.text):
            b.drop = "author box"
        elif is_prose_end(b):
            return


def _mark_headline_run(blocks: list[Block]) -> None:
    """The blocks that end the page, when they are all headlines of other stories and there
    are several of them."""
    run = []
    lead_in = ""
    for b in reversed(blocks):
        if b.drop is not None:
            continue
        if not _teaser_headline(b):
            lead_in = b.text
            break
        run.append(b)
    # A list the article introduces ("The game comes with:") is the article's own.
    if len(run) >= HEADLINE_RUN and not lead_in.endswith(":"):
        for b in run:
            b.drop = "headlines after the article"


def _teaser_headline(b: Block) -> bool:
    """A headline of another story, not an item of a list the article ends with (tour dates,
    results, prices, a menu): four to sixteen words, hardly any figures."""
    if not headline_shaped(b) or not TEASER_WORDS[0] <= b.n <= TEASER_WORDS[1]:
        return False
    figures = sum(1 for w in b.words if any(c.isdigit() for c in w))
    return figures <= 1 and b.words[0] not in MONTHS_LOWER and not _LISTING.search(b.text)
