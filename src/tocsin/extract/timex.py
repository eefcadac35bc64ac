"""Resolve the date expressions spaCy finds in news text into calendar intervals.

Only spans spaCy labels DATE are read (dateparser misreads words such as 'may' and 'we' in
free text). A span is trimmed of a leading 'the' and of prepositions ('since', 'between',
'from', 'in', 'on' ...), which are kept as cues; two DATE spans joined by 'and', 'to' or a
dash form one range. Every mention resolves to an inclusive interval relative to ``anchor``
(the publication date or its estimate), or is skipped. The rules, and the choices they make:

* Day dates ('10 October 2022', 'Feb. 24', 'August 9 2020', '2022-10-12') give that day. A
  date without a year takes the occurrence nearest to the anchor whose start is at most two
  months after it (news mostly reports the past; a few weeks ahead can be announced plans).
  The tense of the clause's verb refines this: in a future clause ('will', 'shall', 'is to',
  'due to', 'going to', 'is scheduled for', 'is due on') it is the first occurrence not over
  by the anchor; in a past one ('resumed', 'has resigned', 'was agreed') the latest that
  starts by the anchor. 'would' counts as neither. The same rule settles every year-less
  month, season, quarter or half-year.
* Months: 'February 2022', 'last/this/next month'. Parts of a month: early = days 1-10,
  mid = 11-20, late / the end of = 21 to the month's end; 'earlier this month' runs from
  the month's start to the anchor, 'later this month' from the anchor to its end.
* Years split in thirds (early Jan-Apr, mid May-Aug, late Sep-Dec); decades as early 0-3,
  mid 4-6, late 7-9 ('the late 1980s' is 1987-1989); the 20th century is 1900-1999 (thirds
  0-32, 33-65, 66-99); weeks run Monday to Sunday (early Mon-Tue, mid Wed-Thu, late
  Fri-Sun); seasons are northern and meteorological (winter 2022 is Dec 2021 - Feb 2022);
  quarters and halves of a year are whole months.
* Weekdays: the latest such day on or before the anchor; in a future-tense clause the first
  on or after it (the same day is allowed both ways). 'last Tuesday' is strictly before,
  'next Tuesday' strictly after, 'this Tuesday' the one in the anchor's week.
* 'since X' runs from the start of X to the anchor.
* 'N days/weeks/months/years later|after|afterwards' and '... earlier|before|prior' shift
  the previous mention's interval (the last one resolved in the article), both ends alike;
  so do 'the next/following day', 'the day before', 'the following week', 'that year'. A
  shift is skipped when 'before'/'after' opens a clause ('two days before it happened'):
  the clause's event has no known date. 'one month on' is not read as a shift.
* 'N days ago' is that day; 'N weeks ago' the Monday-Sunday week holding anchor - N weeks;
  months and years ago their calendar month or year. 'yesterday', 'today', 'tomorrow'.
* Windows: 'the past/last two years' is anchor - 2 years .. anchor, 'the past week' anchor -
  7 days .. anchor, 'the next/coming three days' anchor .. anchor + 3 days.
* Ranges: 'between November 2022 and February 2023', 'February-March', '10-12 October',
  '2020-21', 'from May to July'; a missing year or month is taken from the other end. 'X and
  Y' without 'between' is one range only when Y follows X without a gap ('in May and June');
  otherwise each part is its own mention ('in 2015 and 2020'), as are joined spans that
  make no range ('by 2030 to 1990 levels').
* Skipped: durations ('for several months', 'two days', 'for more than two days', 'hours',
  'monthly', '45 years old'), vague counts and approximations ('the coming days', 'recent
  weeks', 'several years ago', 'about two weeks later'), 'the end of the year' (the
  anchor's year or the story's?), a bare 'May' not after a word such as 'in' or 'since', and
  anchor-relative expressions inside a direct quotation ('there is no Russia tomorrow”'),
  whose time of speaking is unknown.

dateparser is a last resort, for day-precise strings that carry day, month and year in a
form these rules do not read ('10/12/2022'); it is never given free text.

The rules live in ``timex_calendar`` (calendar dates and arithmetic) and ``timex_relative``
(expressions relative to the anchor or the date before, and ranges); this module finds the
candidates in a Doc and reads their context. A candidate longer than
``MAX_DATE_CHARS`` is no date expression (the longest that resolves in the benchmark
corpora has 34 characters), so every candidate costs a bounded time.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from datetime import date
from functools import partial

from spacy.tokens import Doc, Token

from tocsin.extract.nlp import text_of
from tocsin.extract.syntax import tree
from tocsin.extract.timex_calendar import Context, Hit, Interval, Tense
from tocsin.extract.timex_relative import normal_form, resolve_text
from tocsin.models.evidence import DateMention

MAX_DATE_CHARS = 200

_LEAD = re.compile(
    r"^(?:(?:the|between|from|ever since|since|in|on|at|by|during|until|till|through|"
    r"throughout|of)\s+)+",
    re.I,
)
_TRAILING = frozenset(' ,.;:!?)("“”')  # and whitespace: dropped from a candidate's end
# Possessive quantifiers: a long run of spaces between two dates fails in one pass.
_GAP = re.compile(r"^\s*+(?:,?\s*+and|to|until|till|through|-|–|—)\s*+$", re.I)
_LIST_SPLIT = re.compile(r"\s*,?\s+and\s+", re.I)
_WILL = {"will", "shall", "'ll", "’ll", "wo", "ll"}
# 'X to <verb>' that schedules the verb: 'due to arrive', 'is to deploy', 'set to meet'.
_TO_FUTURE = {"due", "going", "set", "scheduled", "slated", "is", "are", "am", "expected"}
_MAY_CUES = {"in", "since", "by", "until", "till", "of", "from", "during", "early", "mid", "late"}
_MAY_CUES |= {"last", "next", "this", "before", "after", "through", "throughout", "to", "and"}
_SCHEDULED = {"due", "scheduled", "planned", "slated", "set", "expected"}
_DIRECTIONS = {"before", "after", "earlier", "later", "afterwards", "afterward"}
_DURATION_CUES = {"for", "within", "over", "lasting", "throughout"}


def resolve_dates(doc: Doc, anchor: date) -> list[DateMention]:
    """Every DATE span of ``doc`` that resolves, as an interval relative to ``anchor``."""
    found: list[DateMention] = []
    previous: Interval | None = None
    for group in _candidates(doc):
        mentions: list[DateMention] = []
        if len(group) > 1:  # joined by 'and', 'to' or a dash: a range, or a list
            mentions = _resolve_candidate(doc, group[0][0], group[-1][1], anchor, previous)
        if not mentions:  # or no range after all: 'by 2030 to 1990 levels'
            for start, end in group:
                mentions += _resolve_candidate(doc, start, end, anchor, previous)
                if mentions:
                    previous = (mentions[-1].date_start, mentions[-1].date_end)
        found += mentions
        if mentions:
            previous = (mentions[-1].date_start, mentions[-1].date_end)
    return found


def _candidates(doc: Doc) -> list[list[tuple[int, int]]]:
    """Character spans of DATE entities, grouped when 'and', 'to' or a dash joins them."""
    text = text_of(doc)
    groups: list[list[tuple[int, int]]] = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        # An entity that runs across a line break is two things glued by the parser.
        for line in re.finditer(r"[^\n]+", ent.text):
            start, end = ent.start_char + line.start(), ent.start_char + line.end()
            if groups and _GAP.match(text[groups[-1][-1][1] : start]):
                groups[-1].append((start, end))
            else:
                groups.append([(start, end)])
    return groups


def _resolve_candidate(
    doc: Doc, start: int, end: int, anchor: date, previous: Interval | None
) -> list[DateMention]:
    """The mentions in one candidate span: one, several for a list, or none."""
    if end - start > MAX_DATE_CHARS:
        return []
    full = text_of(doc)
    lead = _LEAD.match(full[start:end])
    lead_words = lead.group(0).lower().split() if lead else []
    start += lead.end() if lead else 0
    end -= _trailing(full, start, end)
    # An adverb of direction that ends the phrase belongs to it: 'the day before'.
    follow = _token_after(doc, end)
    if (
        follow is not None
        and follow.lower_ in _DIRECTIONS
        and follow.dep_ != "mark"
        and not any(k > follow.i for k in tree(doc).kids[follow.i])
        and full[end : follow.idx].strip() == ""
    ):
        end = follow.idx + len(follow.text)
    text = full[start:end]
    before = _word_before(full, start)
    if not text or _forbidden(text, before):
        return []
    ctx = _context(doc, start, end, anchor, previous, before, lead_words)
    hit = resolve_text(normal_form(text), ctx)
    if hit is not None:
        mention = _mention(doc, start, end, hit, ctx, since="since" in [before, *lead_words])
        return [mention] if mention else []
    return _list_parts(doc, start, text, ctx, previous)


def _list_parts(
    doc: Doc, start: int, text: str, ctx: Context, previous: Interval | None
) -> list[DateMention]:
    """A list that is no range: each part is its own mention ('in 2015 and 2020')."""
    out: list[DateMention] = []
    cursor = start
    parts = _LIST_SPLIT.split(text)
    if len(parts) < 2:
        return []
    for part in parts:
        part_start = text_of(doc).index(part, cursor)
        part_end = part_start + len(part)
        cursor = part_end
        part_ctx = replace(ctx, previous=previous, between=False)
        part_hit = resolve_text(normal_form(part), part_ctx)
        if part_hit is None:
            continue
        mention = _mention(doc, part_start, part_end, part_hit, part_ctx, since=False)
        if mention:
            out.append(mention)
            previous = (mention.date_start, mention.date_end)
    return out


def _trailing(text: str, start: int, end: int) -> int:
    """How many characters ``(?:['’]s|['’])?[\\s,.;:!?)("“”]*$`` drops from the end of
    ``text[start:end]``: stops and brackets, and a possessive before them."""
    k = end
    while k > start and (text[k - 1] in _TRAILING or text[k - 1].isspace()):
        k -= 1
    if k - start >= 2 and text[k - 1] == "s" and text[k - 2] in "'’":
        k -= 2
    elif k > start and text[k - 1] in "'’":
        k -= 1
    return end - k


def _forbidden(text: str, before: str) -> bool:
    """Words far more often verbs or pronouns than dates: 'may', 'march', 'we'.

    Lower-case 'may' or 'march' is never a month here; a bare 'May' only after a word that
    introduces a date ('in May', 'since May', 'late May'), never at a sentence's start.
    """
    if re.search(r"\b(?:may|march|we)\b", text) or text.lower() == "we":
        return True
    return text.lower() == "may" and (text != "May" or before not in _MAY_CUES)


def _mention(
    doc: Doc, start: int, end: int, hit: Hit, ctx: Context, *, since: bool
) -> DateMention | None:
    """The record for a resolved span, or None for a time-of-speech phrase inside a quote."""
    if hit.deictic and _Marks.of(doc).in_quote(start):
        return None
    lo, hi = hit.lo, hit.hi
    if since and lo <= ctx.anchor:
        hi = ctx.anchor
    text = text_of(doc)
    return DateMention(start=start, end=end, text=text[start:end], date_start=lo, date_end=hi)


def _context(
    doc: Doc,
    start: int,
    end: int,
    anchor: date,
    previous: Interval | None,
    before: str,
    lead_words: list[str],
) -> Context:
    span = doc.char_span(start, end, alignment_mode="expand")
    follow_tok = _token_after(doc, end)
    return Context(
        anchor=anchor,
        tense=_tense(tree(doc).span_root(span.start, span.end)) if span is not None else None,
        previous=previous,
        follow=follow_tok.lower_ if follow_tok is not None else "",
        follow_opens_clause=follow_tok is not None and follow_tok.dep_ == "mark",
        duration=before in _DURATION_CUES or any(w in _DURATION_CUES for w in lead_words),
        between=before in {"between", "from"} or any(w in {"between", "from"} for w in lead_words),
    )


def _word_before(text: str, start: int) -> str:
    match = re.search(r"([A-Za-z]+)\W*$", text[max(0, start - 30) : start])
    return match.group(1).lower() if match else ""


def _token_after(doc: Doc, end: int) -> Token | None:
    """The word right after character ``end``, or None at punctuation or the end of text."""
    i = bisect_left(tree(doc).starts, end)  # the first token that does not start before ``end``
    while i < len(doc) and doc[i].is_space:
        i += 1
    if i >= len(doc) or doc[i].is_punct:
        return None
    return doc[i]


def _tense(root: Token) -> Tense:
    """The tense of the verb that governs a span (whose root is ``root``): 'future',
    'past' or None when unclear.

    Future: 'will arrive', 'is to deploy', 'due to arrive', 'going to', 'is scheduled for',
    'is due on'. Past: a past-tense verb, 'has/had' + participle or 'was' + participle.
    'would' (reported plans) is neither.
    """
    parse = tree(root.doc)
    verb = parse.up_to("verb", root, _is_verb)
    return parse.kept("tense", verb.i, lambda: _verb_tense(verb))


def _verb_tense(verb: Token) -> Tense:
    parse = tree(verb.doc)
    tok = verb
    for _ in range(3):
        if parse.kept("future", tok.i, partial(_future_verb, tok)):
            return "future"
        if tok.dep_ not in {"conj", "xcomp"} or tok.head.i == tok.i:
            break
        tok = tok.head
    auxes = [c for c in parse.children_of(verb) if c.dep_ in {"aux", "auxpass"}]
    if any(c.tag_ == "MD" for c in auxes):
        return None
    if verb.tag_ == "VBD" or any(c.tag_ == "VBD" or c.lemma_ == "have" for c in auxes):
        return "past"
    return None


def _is_verb(token: Token) -> bool:
    return token.pos_ in {"VERB", "AUX"}


def _future_verb(tok: Token) -> bool:
    doc = tok.doc
    children = tree(doc).children_of(tok)
    if any(c.dep_ in {"aux", "auxpass"} and c.lower_ in _WILL for c in children):
        return True
    if tok.tag_ == "VB" and tok.i >= 2 and doc[tok.i - 1].lower_ == "to":
        return doc[tok.i - 2].lower_ in _TO_FUTURE
    present = {"VBZ", "VBP"}
    if tok.lower_ in _SCHEDULED:  # 'is scheduled for', 'are planned for'
        return any(c.dep_ in {"aux", "auxpass"} and c.tag_ in present for c in children)
    # 'is due on'
    return tok.tag_ in present and any(c.lower_ in _SCHEDULED for c in children)


class _Marks:
    """Where the double quote marks and line breaks of a Doc's text are."""

    def __init__(self, text: str) -> None:
        self.where = {mark: [m.start() for m in re.finditer(mark, text)] for mark in '\n“”"'}

    @classmethod
    def of(cls, doc: Doc) -> _Marks:
        found = doc.user_data.get("tocsin_marks")
        if not isinstance(found, _Marks):
            found = cls(text_of(doc))
            doc.user_data["tocsin_marks"] = found
        return found

    def _count(self, mark: str, start: int, end: int) -> int:
        found = self.where[mark]
        return bisect_left(found, end) - bisect_left(found, start)

    def in_quote(self, start: int) -> bool:
        """Whether ``start`` lies inside a direct quotation opened earlier on its line."""
        lines = self.where["\n"]
        k = bisect_right(lines, start - 1)  # the line breaks before ``start``
        line = lines[k - 1] + 1 if k else 0
        curly = self._count("“", line, start) - self._count("”", line, start)
        return curly > 0 or self._count('"', line, start) % 2 == 1
