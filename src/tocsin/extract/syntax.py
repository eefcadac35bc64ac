"""The parse of a Doc as the rules ask for it, computed once per Doc: every answer is spaCy's.

spaCy answers some questions by walking the Doc. ``Token.children`` scans every token
between the token and the far edges of its subtree, ``Token.subtree`` recurses through
those scans, and ``Span.root`` counts the steps to the root from each candidate. Asked for
each word of a long sentence, each of these made a rule quadratic in the sentence's length.
Here the same answers come from arrays built in one pass over the Doc and kept in
``Doc.user_data``.

A sentence longer than ``MAX_SENTENCE_CHARS`` is not prose but a list, a table or a run of
junk: the rules that read statements off the parse (speech cues, denials, events) skip it,
which also bounds the size of every record they copy out of a sentence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from spacy.tokens import Doc, Token

from tocsin.extract import nlp

# Longer than any prose sentence seen in the benchmark corpora (the longest, 1,481
# characters, is a results table the parser took for one sentence).
MAX_SENTENCE_CHARS = 2_000

_KEY = "tocsin_syntax"
V = TypeVar("V")


class Tree:
    """Heads, children and subtree extents of every token of one Doc."""

    def __init__(self, doc: Doc) -> None:
        n = len(doc)
        self.doc = doc
        self.heads = [t.head.i for t in doc]
        edges = [(t.left_edge.i, t.right_edge.i) for t in doc]
        self.kids: list[list[int]] = [[] for _ in range(n)]
        self.n_kids = [0] * n  # every dependent, as spaCy counts them for Span.root
        for i, h in enumerate(self.heads):
            if h != i:
                self.n_kids[h] += 1
                # Token.lefts and .rights look only between the head's edges.
                if edges[h][0] <= i <= edges[h][1]:
                    self.kids[h].append(i)
        self.first = self._chain_ends(self._left_kid)
        self.last = self._chain_ends(self._right_kid)
        self._depth: list[int] | None = None
        self._readable: tuple[list[int], list[bool]] | None = None
        self._summary: _Summary | None = None
        self._where: dict[str, list[int]] = {}
        self._up: dict[str, dict[int, int]] = {}
        self._kept: dict[str, dict[Any, Any]] = {}

    def _left_kid(self, i: int) -> int | None:
        kids = self.kids[i]
        return kids[0] if kids and kids[0] < i else None

    def _right_kid(self, i: int) -> int | None:
        kids = self.kids[i]
        return kids[-1] if kids and kids[-1] > i else None

    def _chain_ends(self, step: Callable[[int], int | None]) -> list[int]:
        """For each token, where following ``step`` ends; each chain is walked once.

        ``step`` goes to the outermost left (or right) child, so indices only fall (or
        only rise) along a chain: it cannot loop.
        """
        end = [-1] * len(self.heads)
        for start in range(len(self.heads)):
            path: list[int] = []
            i: int | None = start
            while i is not None and end[i] < 0:
                path.append(i)
                i = step(i)
            found = end[i] if i is not None else path[-1]
            for j in path:
                end[j] = found
        return end

    def children_of(self, token: Token) -> list[Token]:
        """``list(token.children)``."""
        return [self.doc[k] for k in self.kids[token.i]]

    def has_children(self, token: Token) -> bool:
        return bool(self.kids[token.i])

    def subtree_bounds(self, token: Token) -> tuple[Token, Token]:
        """The first and last tokens of ``token.subtree``, in its order."""
        return self.doc[self.first[token.i]], self.doc[self.last[token.i]]

    def subtree_of(self, token: Token) -> Iterator[Token]:
        """``token.subtree``: the left children's subtrees, the token, the right ones'."""
        stack: list[tuple[int, bool]] = [(token.i, False)]
        while stack:
            i, expanded = stack.pop()
            if expanded:
                yield self.doc[i]
                continue
            kids = self.kids[i]
            for k in reversed([k for k in kids if k > i]):
                stack.append((k, False))
            stack.append((i, True))
            for k in reversed([k for k in kids if k < i]):
                stack.append((k, False))

    def summary(self) -> _Summary:
        """Size, furthest index, proper nouns and order of every token's subtree."""
        if self._summary is None:
            self._summary = _Summary(self)
        return self._summary

    def where(self, key: str, test: Callable[[Token], bool]) -> list[int]:
        """Indices of the tokens that pass ``test``, ascending (kept under ``key``)."""
        found = self._where.get(key)
        if found is None:
            found = [t.i for t in self.doc if test(t)]
            self._where[key] = found
        return found

    def count(self, key: str, test: Callable[[Token], bool], start: int, end: int) -> int:
        """How many tokens of ``doc[start:end]`` pass ``test``."""
        found = self.where(key, test)
        return max(0, bisect_left(found, end) - bisect_left(found, start))

    def last_where(self, key: str, test: Callable[[Token], bool], before: int) -> int:
        """The last index below ``before`` whose token passes ``test``, or -1."""
        found = self.where(key, test)
        k = bisect_left(found, before)
        return found[k - 1] if k else -1

    def kept(self, name: str, key: Hashable, compute: Callable[[], V]) -> V:
        """``compute()``, once per Doc for each ``key`` under ``name``: for answers many
        rules ask of one token (a verb's tense, what its preposition governs)."""
        found = self._kept.setdefault(name, {})
        if key not in found:
            found[key] = compute()
        value: V = found[key]
        return value

    def up_to(self, key: str, token: Token, test: Callable[[Token], bool]) -> Token:
        """The first of ``token`` and its heads that passes ``test``, else the root above
        it. Answers are kept under ``key``, for every token on the way up."""
        known = self._up.setdefault(key, {})
        path: list[int] = []
        i = token.i
        while i not in known:
            if test(self.doc[i]) or self.heads[i] == i or len(path) > len(self.heads):
                known[i] = i
                break
            path.append(i)
            i = self.heads[i]
        for j in path:
            known[j] = known[i]
        return self.doc[known[i]]

    def depth(self, i: int) -> int:
        """Steps from token ``i`` up to its sentence's root."""
        if self._depth is None:
            self._depth = self._depths()
        return self._depth[i]

    def _depths(self) -> list[int]:
        depth = [-1] * len(self.heads)
        for start in range(len(self.heads)):
            path: list[int] = []
            i = start
            while depth[i] < 0 and self.heads[i] != i and len(path) <= len(self.heads):
                path.append(i)
                i = self.heads[i]
            base = max(depth[i], 0)
            for step, j in enumerate(reversed(path), start=1):
                depth[j] = base + step
            if depth[start] < 0:
                depth[start] = 0
        return depth

    def span_root(self, start: int, end: int) -> Token:
        """``doc[start:end].root``: a sentence root in the span, else the token nearest
        the root (the first on ties), a lone space or punctuation mark counting as far."""
        for i in range(start, end):
            if self.heads[i] == i:
                return self.doc[i]
        far = len(self.heads) - 1
        best, root = len(self.heads), -1
        for i in range(start, end):
            if start <= self.heads[i] < end:
                continue
            steps = self.depth(i)
            if self.n_kids[i] == 0 and (self.doc[i].is_space or self.doc[i].is_punct):
                steps = far
            if steps < best:
                best, root = steps, i
        return self.doc[start if root < 0 else root]

    def readable(self, i: int) -> bool:
        """Whether token ``i`` lies in a sentence of at most ``MAX_SENTENCE_CHARS``."""
        if self._readable is None:
            starts: list[int] = []
            flags: list[bool] = []
            split = len(self.doc) and nlp.has_sentences(self.doc)
            for sent in nlp.sentences(self.doc) if split else ():
                starts.append(sent.start)
                flags.append(sent.end_char - sent.start_char <= MAX_SENTENCE_CHARS)
            self._readable = (starts, flags)
        starts, flags = self._readable
        k = bisect_right(starts, i) - 1
        return flags[k] if k >= 0 else True


class _Summary:
    """Per token, over the tokens of its subtree: how many, the highest index, whether one
    is a proper noun, and whether the subtree reads as consecutive tokens in order."""

    def __init__(self, tree: Tree) -> None:
        n = len(tree.heads)
        self.size = [1] * n
        self.highest = list(range(n))
        self.proper = [t.pos_ == "PROPN" for t in tree.doc]
        self.ordered = [False] * n
        for i in _postorder(tree.kids):
            kids = tree.kids[i]
            for k in kids:
                self.size[i] += self.size[k]
                self.highest[i] = max(self.highest[i], self.highest[k])
                self.proper[i] = self.proper[i] or self.proper[k]
            self.ordered[i] = all(self.ordered[k] for k in kids) and _tiles(tree, i)


def _tiles(tree: Tree, i: int) -> bool:
    """Whether the subtrees of ``i``'s children, and ``i`` in its place, follow each
    other without a gap: the subtree is then ``doc[first:last + 1]``, in that order."""
    kids = tree.kids[i]
    pieces = [(tree.first[k], tree.last[k]) for k in kids if k < i]
    pieces.append((i, i))
    pieces += [(tree.first[k], tree.last[k]) for k in kids if k > i]
    expected = tree.first[i]
    for first, last in pieces:
        if first != expected:
            return False
        expected = last + 1
    return expected == tree.last[i] + 1


def _postorder(kids: list[list[int]]) -> list[int]:
    """Every token after all of its children (the children lists form a forest)."""
    is_kid = [False] * len(kids)
    for found in kids:
        for k in found:
            is_kid[k] = True
    order: list[int] = []
    stack = [(i, False) for i in range(len(kids)) if not is_kid[i]]
    while stack:
        i, done = stack.pop()
        if done:
            order.append(i)
            continue
        stack.append((i, True))
        stack.extend((k, False) for k in kids[i])
    return order


def tree(doc: Doc) -> Tree:
    """The Doc's ``Tree``, built on first use."""
    found = doc.user_data.get(_KEY)
    if not isinstance(found, Tree) or found.doc is not doc:
        found = Tree(doc)
        doc.user_data[_KEY] = found
    return found
