"""Plain text pasted from a browser: drop boilerplate blocks, find title, byline and date.

No library does this for pasted text (trafilatura and jusText need markup), so tocsin
classifies blocks itself. Each rule names what it removes, and every removed block is kept
with its reason, so a wrong removal can be seen and reported. The rules and thresholds were
first set on the five seed articles and generic news furniture (``tests/ingest/test_seeds.py``
pins what they must keep and drop); those added for issue #10 (bylines and date lines in
their many forms, closing markers, headline runs, author boxes, first copies of repeated
blocks, the choice of headline) on the tune half of ``tests/data/pasted`` and the 91
article-extraction bodies, never on the seeds. The head of the page is read in
``pagehead``, its end in ``pagetail``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from markdown_it import MarkdownIt

from tocsin.ingest.blocks import (
    SHORT_BLOCK_WORDS,
    STOP,
    Block,
    headline_shaped,
    is_credit,
    is_prose_end,
    is_sentence,
    split_blocks,
)
from tocsin.ingest.dates import stated_estimate
from tocsin.ingest.pagehead import mark_page_title, read_head, take_bare_byline
from tocsin.ingest.pagetail import mark_tail
from tocsin.models import CleanArticle
from tocsin.text import TERMINAL as _TERMINAL

__all__ = ["Block", "clean_text", "markdown_to_text", "split_blocks"]

# Lines that are always furniture: menus, share and comment widgets, section labels.
_FURNITURE = re.compile(
    r"^(menu( close)?|close|search|skip to (main )?content|home|share( this( article)?)?|"
    r"tweet|email|print|save|comments?|\d+ comments?|no comments:?|show (more|less)|"
    r"(read|load|see) more|advertisement|sponsored( content)?|listen( to this article)?|"
    r"watch video.*|keep reading.*|.*show less|-?\s*(analysis|opinion|comment|interview|"
    r"explainer|news|feature|editorial)\s*-?|follow us.*|copyright.*|©.*|all rights reserved.*|"
    r"\d+\s*min(ute)?s?( read)?|print( this)?( article| page)?|share (on|via|by|to) .{1,30}|"
    r"facebook|twitter|x|telegram|whatsapp|linkedin|reddit|viber|vk|e-mail|copy link|"
    r"messenger|pinterest|follow (him|her|them|me)\b.*|(photo|image|video|audio|gallery)s?)$",
    re.I,
)
# Paywall, newsletter and sign-up prompts: matched anywhere in a short block.
_PROMPT = re.compile(
    r"(sign up (to|for)|subscribe|newsletter|already a subscriber|log ?in\b|sign in\b|"
    r"reached your (monthly )?limit|read the full article|unlimited access|support .{0,40}mission|"
    r"stay up-to-date|when the world gets closer|help you see farther|want to write\??|"
    r"write an article and join|register now|writing contest|create (a free )?account|"
    r"cookie|privacy policy|terms of (use|service)|exclusive coverage from|"
    r"stories from the best|insights from the widest|become a (patron|member|supporter)|"
    r"^support (us|our (work|journalism|newsroom|reporting))|"
    r"^support independent (journalism|media|reporting)|^donate( now| today)?$|"
    r"make a donation|print subscriptions)",
    re.I,
)
_CAPTION_FIRST = re.compile(r"^(?:image|photo) caption\b", re.I)

# Calibrated as a set on the seed articles; do not tune one in isolation.
PULL_QUOTE_REACH = 4  # a pull-quote repeats a paragraph at most this many blocks away
CAPTION_OVERLAP = 0.4  # share of a caption's content words that its alt text repeats
REPEAT_KEPT_WORDS = 5  # a repeated block this long or longer is text: its first copy stays


def markdown_to_text(text: str) -> str:
    """Markdown to plain text, one block per line: markup, link targets and images dropped."""
    lines = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "inline" and token.children:
            parts = [
                " " if c.type in ("softbreak", "hardbreak") else c.content
                for c in token.children
                if c.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            line = "".join(parts).strip()
            if line:
                lines.append(line)
        elif token.type in ("fence", "code_block"):
            lines.extend(x for x in token.content.splitlines() if x.strip())
    return "\n".join(lines)


def clean_text(text: str) -> CleanArticle:
    """Clean text and metadata of a plain-text article (already decoded and normalised)."""
    blocks = split_blocks(text)
    _mark_furniture(blocks)
    site = mark_page_title(blocks)
    head = read_head(blocks)
    _mark_captions(blocks)
    _mark_repeats(blocks)
    mark_tail(blocks)
    take_bare_byline(blocks, head)
    title = _take_title(blocks)
    _mark_header_captions(blocks)
    _mark_pull_quotes(blocks)
    kept = [b.text for b in blocks if b.drop is None]
    published = stated_estimate(head.stated, head.method) if head.stated else None
    return CleanArticle(
        text="\n\n".join(kept),
        title=title,
        authors=head.authors,
        published=published,
        outlet=site,
        removed=[f"{b.drop}: {b.text}" for b in blocks if b.drop and b.drop != "title"],
    )


def _mark_furniture(blocks: list[Block]) -> None:
    for i, b in enumerate(blocks):
        if _FURNITURE.match(b.text):
            b.drop = "furniture"
        elif b.n <= SHORT_BLOCK_WORDS and _PROMPT.search(b.text):
            b.drop = "prompt"
        elif b.text.startswith(("•", "·", "- ", "* ")) and b.n <= SHORT_BLOCK_WORDS:
            b.drop = "list item" if _near(blocks, i, "prompt") else None
        elif b.n <= 4 and b.text.isupper() and not any(c.isdigit() for c in b.text):
            b.drop = "label"


def _near(blocks: list[Block], i: int, reason: str, reach: int = 2) -> bool:
    return any(b.drop == reason for b in blocks[max(0, i - reach) : i + reach + 1])


def _mark_captions(blocks: list[Block]) -> None:
    """Photo credits, captions ending in a credit, and the alt text repeated above a caption.
    Looking up from a credit stops at a byline, a date line or a paragraph: above those is
    the headline, or the article."""
    for i, b in enumerate(blocks):
        if b.drop or b.n > SHORT_BLOCK_WORDS + 15 or not is_credit(b.text):
            continue
        credit_only = b.n <= 8 and not _TERMINAL.search(b.text)
        b.drop = "photo credit" if credit_only else "caption"
        if i + 1 < len(blocks) and _CAPTION_FIRST.match(blocks[i + 1].text):
            continue  # "Image source, …" then "Image caption, …": the caption is below
        # A credit line's caption is the block just above it, whatever its length; above
        # that, a short non-sentence is the image's alt text.
        for back, prev in enumerate(reversed(blocks[max(0, i - 2) : i])):
            if prev.drop in ("byline", "date line"):
                break  # above a byline is the headline
            if prev.drop is not None:
                continue
            if back == 0 and credit_only:
                prev.drop = "caption" if prev.n <= SHORT_BLOCK_WORDS else None
            elif is_prose_end(prev):
                break  # above a paragraph is the article, not the photo's alt text
            elif prev.n <= SHORT_BLOCK_WORDS:
                prev.drop = "caption"


def _mark_header_captions(blocks: list[Block]) -> None:
    """Between the headline and the byline, two short blocks that repeat each other's words
    are an image's alt text and caption. Only there: in the body, neighbouring paragraphs of
    a wire story share words just as much (measured on the 91 clean benchmark bodies)."""
    byline = next((i for i, b in enumerate(blocks) if b.drop == "byline"), None)
    title = next((i for i, b in enumerate(blocks) if b.drop == "title"), -1)
    if byline is None or byline < title:
        return
    for a, b in itertools.pairwise(blocks[title + 1 : byline]):
        if a.drop and b.drop:
            continue
        if a.n > SHORT_BLOCK_WORDS or b.n > SHORT_BLOCK_WORDS:
            continue
        shorter = min(a.content, b.content, key=len)
        if len(shorter) < 3 or _longest_run(a.words, b.words) < 3:
            continue
        if len(a.content & b.content) / len(shorter) >= CAPTION_OVERLAP:
            for x in (a, b):
                x.drop = x.drop or "caption"


def _longest_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of words the two blocks share, in order."""
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def _mark_repeats(blocks: list[Block]) -> None:
    """A block seen twice: a short one is a widget (newsletter prompts repeat), every copy
    goes; a headline or a sentence is the page's own text shown twice (a headline and its
    standfirst above and below a share bar): its first copy stays."""
    seen = Counter(b.text.lower() for b in blocks)
    first: set[str] = set()
    for b in blocks:
        key = b.text.lower()
        if b.drop is not None or seen[key] < 2:
            continue
        if b.n >= REPEAT_KEPT_WORDS and (headline_shaped(b) or is_sentence(b)):
            if key in first:
                b.drop = "repeated"
            first.add(key)
        elif b.n <= SHORT_BLOCK_WORDS:
            b.drop = "repeated widget"


def _take_title(blocks: list[Block]) -> str | None:
    """The headline: a headline-shaped block before the body, the first that shares a word
    with the body (a menu line or a site's slogan shares none); everything above it is page
    furniture."""
    candidates: list[int] = []
    for i, b in enumerate(blocks):
        if b.drop:
            continue
        if is_prose_end(b):
            break
        if headline_shaped(b):
            candidates.append(i)
    if not candidates:
        return None
    body = set().union(*(_title_words(b) for b in blocks if b.drop is None and is_prose_end(b)))
    chosen = next((i for i in candidates if _title_words(blocks[i]) & body), candidates[0])
    blocks[chosen].drop = "title"
    for above in blocks[:chosen]:
        above.drop = above.drop or "above title"
    return blocks[chosen].text


def _title_words(b: Block) -> set[str]:
    return {w for w in b.words if len(w) > 2 and w not in STOP and not w.isdigit()}


def _mark_pull_quotes(blocks: list[Block]) -> None:
    """A short sentence that repeats words of a nearby paragraph is a pull-quote."""
    for i, b in enumerate(blocks):
        if b.drop or not 4 <= b.n <= 25 or not _TERMINAL.search(b.text):
            continue
        for other in blocks[max(0, i - PULL_QUOTE_REACH) : i + PULL_QUOTE_REACH + 1]:
            if other is b or other.drop or other.n < 2 * b.n:
                continue
            if len(set(b.words) & set(other.words)) >= 0.8 * len(set(b.words)):
                b.drop = "pull-quote"
                break
