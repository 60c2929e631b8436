"""Tokenisation with exact character offsets, markup masking and sentence splitting.

The tokenizer never changes the text: markup (URLs, link targets, emphasis marks, headings) is
blanked out in a same-length copy, so every token offset points into the caller's string.
"""

from __future__ import annotations

import re
from itertools import accumulate, repeat
from typing import NamedTuple

# Markup that must never be tagged. Each match is replaced by spaces of the same length.
_MARKUP_NO_EMAIL = (
    r"\]\([^)\n]*\)"  # the target of a Markdown link: [text](url)
    r"|https?://\S+|www\.\S+"  # bare URLs
    r"|<[^<>\n]{0,200}>"  # HTML tags that survived extraction
    r"|[*_~`#>\[\]]"  # emphasis, headings, quotes, link brackets
)
_MARKUP = re.compile(_MARKUP_NO_EMAIL + r"|\S+@\S+\.\w+")  # and e-mail addresses
# The same without e-mail addresses, for text without "@" (most): trying the address
# pattern at every position was four fifths of the masking time.
_MARKUP_PLAIN = re.compile(_MARKUP_NO_EMAIL)

_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # dotted abbreviations: U.S., A.S.
    r"|['\u2019]s\b"  # English possessive, a token of its own as in the training data
    r"|[^\W_]+(?:['\u2019](?!s\b)[^\W_]+|[.&\-][^\W_]+)*(?:-(?=\s))?"  # words, TEMPO.CO, Ma'ruf
    r"|\S"  # any other visible character is a token of its own
)

# The same pattern as one capturing group: re.split then returns the tokens and the gaps.
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")

_SENTENCE_END = frozenset({".", "!", "?", "\u2026"})
# Long "sentences" (tables, lists without punctuation) are cut so the tagger stays linear.
MAX_SENTENCE = 120


class Token(NamedTuple):
    """One token: its text and character offsets in the original string."""

    text: str
    start: int
    end: int


def _mask(text: str) -> str:
    """Blank out markup so that it is not tokenised, keeping every offset."""
    pattern = _MARKUP if "@" in text else _MARKUP_PLAIN
    return pattern.sub(lambda m: " " * (m.end() - m.start()), text)


def _split(text: str) -> tuple[list[str], list[int]]:
    """`text` cut into gap, token, gap, ..., token, gap (gaps may be empty), and the offset where
    each piece starts, plus the end of the text: one C-level pass instead of a match object and
    a Python call per token."""
    pieces = _TOKEN_SPLIT.split(_mask(text))
    return pieces, list(accumulate(map(len, pieces), initial=0))


def _tokens(pieces: list[str], offsets: list[int]) -> list[Token]:
    fields = zip(pieces[1::2], offsets[1:-1:2], offsets[2::2], strict=True)
    # tuple.__new__ is what Token(...) calls, minus a Python-level __new__ per token.
    return list(map(tuple.__new__, repeat(Token), fields))


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens with exact offsets, skipping markup and URLs."""
    return _tokens(*_split(text))


def _breaks(words: list[str], gaps: list[str]) -> list[int]:
    """Indices of the tokens that start a sentence, the first and the end of the text included.

    Token k follows gaps[k]. Only line breaks and sentence-end marks can end a sentence before
    MAX_SENTENCE tokens, so only those are examined.
    """
    n = len(words)
    candidates = [k for k in range(1, n) if words[k - 1] in _SENTENCE_END or "\n" in gaps[k]]
    breaks = [0]
    start = 0
    for k in candidates:
        while k - start >= MAX_SENTENCE:
            start += MAX_SENTENCE
            breaks.append(start)
        if k > start and ("\n" in gaps[k] or not _initial(words, gaps, start, k - 1)):
            breaks.append(k)
            start = k
    while n - start > MAX_SENTENCE:
        start += MAX_SENTENCE
        breaks.append(start)
    breaks.append(n)
    return breaks


def _initial(words: list[str], gaps: list[str], start: int, k: int) -> bool:
    """Whether token k, in the sentence that starts at token `start`, is the dot of a name
    initial such as `W.` (`George W. Bush`)."""
    if k - start < 1 or words[k] != ".":
        return False
    letter = words[k - 1]
    return len(letter) == 1 and letter.isupper() and not gaps[k]


def sentences(text: str) -> list[list[Token]]:
    """Tokenise `text` and group the tokens into sentences.

    A sentence ends after `.`, `!`, `?` or at a line break; news bodies put headlines, bylines
    and captions on lines of their own, so a line break is a safe boundary.
    """
    pieces, offsets = _split(text)
    tokens = _tokens(pieces, offsets)
    if not tokens:
        return []
    bounds = _breaks(pieces[1::2], pieces[0::2])
    return [tokens[i:j] for i, j in zip(bounds, bounds[1:], strict=False)]
