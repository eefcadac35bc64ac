"""spaCy's tokenizer, kept linear on runs of punctuation: 200,000 quote marks in a row.

The tokenizer peels prefixes and suffixes off a whitespace-free chunk one at a time, and
each peel searches and copies the rest of the chunk: a chunk that opens or ends with a long
run of quote marks, brackets or stops takes time quadratic in its length (10,000 quote
marks: 10 s; 200,000: hours). No word of prose looks like that: the longest chunk in the
benchmark corpora has 92 characters, none opens or ends with more than a few marks.

So a chunk of ``LONG_CHUNK`` characters or more, or of ``_SHORT_CHUNK`` or more that opens
or ends with ``_AFFIX_RUN`` or more characters that are not word characters, is tokenized
in pieces of ``_PIECE`` characters; the rest of the text, around it, as before. Any other
text is tokenized exactly as spaCy tokenizes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

LONG_CHUNK = 1_000
_SHORT_CHUNK = 64
_AFFIX_RUN = 32
_PIECE = 50

_CHUNK = re.compile(rf"\S{{{_SHORT_CHUNK},}}")
_EDGE_RUN = re.compile(rf"^[^\w\s]{{{_AFFIX_RUN}}}|[^\w\s]{{{_AFFIX_RUN}}}$")
_SPACE = re.compile(r"\s*")


class GuardedTokenizer:
    """A tokenizer that hands spaCy's the text in pieces where it would be quadratic."""

    def __init__(self, inner: Callable[[str], Doc], vocab: Vocab) -> None:
        self.inner = inner
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        cuts = list(_cuts(text))
        if not cuts:
            return self.inner(text)
        bounds = zip([0, *cuts], [*cuts, len(text)], strict=True)
        docs = [self.inner(text[a:b]) for a, b in bounds if b > a]
        return Doc.from_docs(docs, ensure_whitespace=False)


def _cuts(text: str) -> Iterator[int]:
    """Where to cut ``text`` so that no piece holds a chunk the tokenizer is slow on: inside
    such chunks, every ``_PIECE`` characters, and after the spaces that follow one."""
    for match in _CHUNK.finditer(text):
        chunk = match.group()
        if len(chunk) < LONG_CHUNK and not _EDGE_RUN.search(chunk):
            continue
        start, end = match.span()
        if start:
            yield start
        yield from range(start + _PIECE, end, _PIECE)
        after = _SPACE.match(text, end)
        stop = after.end() if after is not None else end
        if stop < len(text):
            yield stop


def guard_tokenizer(nlp: Language) -> None:
    """Put ``GuardedTokenizer`` around ``nlp``'s tokenizer (once)."""
    if not isinstance(nlp.tokenizer, GuardedTokenizer):
        nlp.tokenizer = GuardedTokenizer(nlp.tokenizer, nlp.vocab)
