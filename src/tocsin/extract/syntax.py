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
from collections.abc import Callable, Collection, Hashable, Iterator
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Doc, Token

from tocsin.extract import nlp

# Longer than any prose sentence seen in the benchmark corpora (the longest, 1,481
# characters, is a results table the parser took for one sentence).
MAX_SENTENCE_CHARS = 2_000

_KEY = "tocsin_syntax"
_COLUMNS = ("POS", "DEP", "LEMMA", "ORTH", "LOWER", "HEAD", "IDX")
V = TypeVar("V")


class Tree:
    """Heads, children and subtree extents of every token of one Doc, and its attributes
    as arrays."""

    def __init__(self, doc: Doc) -> None:
        n = len(doc)
        self.doc = doc
        found = np.asarray(doc.to_array(list(_COLUMNS)), dtype=np.uint64)
        self.columns: NDArray[np.uint64] = found.reshape(n, len(_COLUMNS))
        relative = self.columns[:, _COLUMNS.index("HEAD")].astype(np.int64)
        self.heads: list[int] = (np.arange(n, dtype=np.int64) + relative).tolist()
        self.starts: list[int] = self.columns[:, _COLUMNS.index("IDX")].astype(np.int64).tolist()
        self.kids: list[list[int]] = [[] for _ in range(n)]
        self.n_kids = [0] * n  # every dependent, as spaCy counts them for Span.root
        for i, h in enumerate(self.heads):
            if h != i:
                self.n_kids[h] += 1
                self.kids[h].append(i)
        for h, kids in enumerate(self.kids):
            # Token.lefts and .rights look only between the edges spaCy computed for the
            # head, which in a parse with crossing arcs can leave a child out.
            if kids and (kids[0] < h or kids[-1] > h):
                token = doc[h]
                left, right = token.left_edge.i, token.right_edge.i
                if kids[0] < left or kids[-1] > right:
                    self.kids[h] = [k for k in kids if left <= k <= right]
        self._first = [-1] * n  # the first and last token of each subtree, once asked
        self._last = [-1] * n
        self._summary: _Summary | None = None
        self._depth: list[int] | None = None
        self._readable: tuple[list[int], list[bool]] | None = None
        self._where: dict[str, list[int]] = {}
        self._up: dict[str, dict[int, int]] = {}
        self._kept: dict[str, dict[Any, Any]] = {}
        self._names: dict[tuple[str, bool], tuple[list[int], list[str]]] = {}

    def has(self, attr: str, values: Collection[str], *, lower: bool = False) -> NDArray[np.bool_]:
        """Which tokens have ``attr`` (POS, DEP, LEMMA, ORTH or LOWER) among ``values``,
        compared in lower case if ``lower``."""
        column = self.columns[:, _COLUMNS.index(attr)]
        names = self._names.get((attr, lower))
        if names is None:  # each value of the column as a string, read once
            strings = self.doc.vocab.strings
            found = np.unique(column).tolist()
            names = (found, [strings[h].lower() if lower else strings[h] for h in found])
            self._names[(attr, lower)] = names
        keep = [h for h, name in zip(*names, strict=True) if name in values]
        return np.isin(column, np.array(keep, dtype=np.uint64))

    def where(self, key: str, mask: Callable[[], NDArray[np.bool_]]) -> list[int]:
        """Indices of the tokens ``mask()`` selects, ascending (kept under ``key``)."""
        found = self._where.get(key)
        if found is None:
            found = np.flatnonzero(mask()).tolist() if len(self.heads) else []
            self._where[key] = found
        return found

    def count(self, key: str, mask: Callable[[], NDArray[np.bool_]], start: int, end: int) -> int:
        """How many tokens of ``doc[start:end]`` ``mask()`` selects."""
        found = self.where(key, mask)
        return max(0, bisect_left(found, end) - bisect_left(found, start))

    def last_where(self, key: str, mask: Callable[[], NDArray[np.bool_]], before: int) -> int:
        """The last index below ``before`` that ``mask()`` selects, or -1."""
        found = self.where(key, mask)
        k = bisect_left(found, before)
        return found[k - 1] if k else -1

    def reading(self, text: str) -> list[int]:
        """Indices of the tokens whose text is ``text``, ascending."""
        orth = self.doc.vocab.strings[text]
        column = self.columns[:, _COLUMNS.index("ORTH")]
        return self.where(f"text:{text}", lambda: column == np.uint64(orth))

    def first(self, i: int) -> int:
        """The first token of ``token.subtree``: down the leftmost children."""
        return self._chain_end(i, self._first, lambda k: self.kids[k][0] < k, 0)

    def last(self, i: int) -> int:
        """The last token of ``token.subtree``: down the rightmost children."""
        return self._chain_end(i, self._last, lambda k: self.kids[k][-1] > k, -1)

    def _chain_end(
        self, i: int, known: list[int], goes_on: Callable[[int], bool], pick: int
    ) -> int:
        """Where the chain of outermost children from ``i`` ends, kept for every token on
        it. Indices only fall (or only rise) along such a chain: it cannot loop."""
        path: list[int] = []
        while known[i] < 0 and self.kids[i] and goes_on(i):
            path.append(i)
            i = self.kids[i][pick]
        end = known[i] if known[i] >= 0 else i
        known[i] = end
        for j in path:
            known[j] = end
        return end

    def children_of(self, token: Token) -> list[Token]:
        """``list(token.children)``."""
        return [self.doc[k] for k in self.kids[token.i]]

    def has_children(self, token: Token) -> bool:
        return bool(self.kids[token.i])

    def subtree_bounds(self, token: Token) -> tuple[Token, Token]:
        """The first and last tokens of ``token.subtree``, in its order."""
        return self.doc[self.first(token.i)], self.doc[self.last(token.i)]

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

    def summary(self, token: Token) -> _Summary:
        """Size, furthest index, proper nouns and order of subtrees, ``token``'s among them."""
        if self._summary is None:
            self._summary = _Summary(self)
        return self._summary.of(token.i)

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
    is a proper noun, and whether the subtree reads as consecutive tokens in order. Found
    for a token's subtree when first asked, and kept."""

    def __init__(self, tree: Tree) -> None:
        n = len(tree.heads)
        self.tree = tree
        self.size = [0] * n  # 0 until known
        self.highest = [0] * n
        self.proper = [False] * n
        self.ordered = [False] * n
        self._propn: list[bool] | None = None

    def of(self, i: int) -> _Summary:
        """This summary, with token ``i``'s subtree summed up."""
        if self.size[i]:
            return self
        if self._propn is None:
            self._propn = self.tree.has("POS", {"PROPN"}).tolist()
        kids = self.tree.kids
        stack, visiting = [(i, False)], set()
        while stack:
            j, done = stack.pop()
            if done:
                self._sum(j)
            elif not self.size[j] and j not in visiting:  # a malformed parse could loop
                visiting.add(j)
                stack.append((j, True))
                stack.extend((k, False) for k in kids[j] if not self.size[k])
        return self

    def _sum(self, i: int) -> None:
        assert self._propn is not None
        kids = self.tree.kids[i]
        self.size[i] = 1 + sum(self.size[k] for k in kids)
        self.highest[i] = max([i, *(self.highest[k] for k in kids)])
        self.proper[i] = self._propn[i] or any(self.proper[k] for k in kids)
        self.ordered[i] = all(self.ordered[k] for k in kids) and _tiles(self.tree, i)


def _tiles(tree: Tree, i: int) -> bool:
    """Whether the subtrees of ``i``'s children, and ``i`` in its place, follow each
    other without a gap: the subtree is then ``doc[first:last + 1]``, in that order."""
    kids = tree.kids[i]
    pieces = [(tree.first(k), tree.last(k)) for k in kids if k < i]
    pieces.append((i, i))
    pieces += [(tree.first(k), tree.last(k)) for k in kids if k > i]
    expected = tree.first(i)
    for first, last in pieces:
        if first != expected:
            return False
        expected = last + 1
    return expected == tree.last(i) + 1


def tree(doc: Doc) -> Tree:
    """The Doc's ``Tree``, built on first use."""
    found = doc.user_data.get(_KEY)
    if not isinstance(found, Tree) or found.doc is not doc:
        found = Tree(doc)
        doc.user_data[_KEY] = found
    return found
