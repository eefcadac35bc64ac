"""People by the titles and descriptions the text gives them, for a speaker named by a title.

"Belarusian President Alexander Lukashenko", "Lukashenko, the Belarusian leader," and "the
Belarusian president, Alexander Lukashenko" give Lukashenko the words 'belarusian',
'president' and 'leader'. A later "the Belarusian dictator said" or "the President said"
then resolves to the last person before it who holds the title ('president'), else to the
last who shares a modifier ('belarusian'), rather than to whoever was named last: in a text
about Putin and Lukashenko, "the Belarusian leader" is not Putin.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Token

from tocsin.extract.lookup import LatestBefore
from tocsin.extract.syntax import tree
from tocsin.models.evidence import Mention

# Words around a name that describe nobody in particular.
_VAGUE = frozenset("the a an former new then current late mr mrs ms dr his her their its".split())
_DESCRIBING = frozenset({"PROPN", "NOUN", "ADJ"})
_MAX_BEFORE = 4  # words of a title before a name: "Belarusian President", "Defence Minister"


class Titles:
    """The descriptive words of each person mention, searchable by position."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self._by_word: dict[str, LatestBefore[Mention]] = {}
        for m in mentions:
            if m.label != "PERSON":
                continue
            for word in descriptors(doc, m):
                self._by_word.setdefault(word, LatestBefore(strict=False)).add(m.end, m)

    def person(self, pos: int, title: str, modifiers: Iterable[str]) -> Mention | None:
        """The last person named by ``pos`` who holds ``title``, else the last one who
        shares one of ``modifiers``."""
        found = self._latest(pos, [title])
        return found if found is not None else self._latest(pos, modifiers)

    def _latest(self, pos: int, words: Iterable[str]) -> Mention | None:
        found = [m for w in words if w in self._by_word and (m := self._by_word[w].latest(pos))]
        return max(found, key=lambda m: m.end, default=None)


def descriptors(doc: Doc, mention: Mention) -> set[str]:
    """The lower-case lemmas of the title before a name and of its apposition."""
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or not len(span):
        return set()
    parse = tree(doc)
    words: list[Token] = []
    k = span.start - 1
    while k >= 0 and span.start - k <= _MAX_BEFORE and doc[k].pos_ in _DESCRIBING:
        if doc[k].ent_type_ == "PERSON":
            break  # another name: "Putin met Lukashenko"
        words.append(doc[k])
        k -= 1
    root = parse.span_root(span.start, span.end)
    for child in parse.children_of(root):
        if child.dep_ == "appos" and not span.start <= child.i < span.end:
            words += _phrase(child)  # "Lukashenko, the Belarusian leader,"
    if root.dep_ == "appos" and not span.start <= root.head.i < span.end:
        words += _phrase(root.head)  # "the Belarusian leader, Alexander Lukashenko"
    return {w.lemma_.lower() for w in words if w.lemma_.lower() not in _VAGUE}


def _phrase(head: Token) -> list[Token]:
    """A title noun with the words that qualify it: 'Belarusian', 'defence'."""
    kids = tree(head.doc).children_of(head)
    qualifiers = [c for c in kids if c.dep_ in ("amod", "compound") and c.pos_ in _DESCRIBING]
    return [head, *qualifiers] if head.pos_ in _DESCRIBING else []


def title_words(head: Token) -> tuple[str, list[str]]:
    """The title a phrase names someone by, and its modifiers: 'the Belarusian dictator'
    gives ('dictator', ['belarusian'])."""
    kids = tree(head.doc).children_of(head)
    modifiers = [
        c.lemma_.lower()
        for c in kids
        if c.dep_ in ("amod", "compound", "nmod") and c.lemma_.lower() not in _VAGUE
    ]
    return head.lemma_.lower(), modifiers
