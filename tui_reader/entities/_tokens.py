"""Tokenisation with exact character offsets, markup masking and sentence splitting.

The tokenizer never changes the text: markup (URLs, link targets, emphasis marks, headings) is
blanked out in a same-length copy, so every token offset points into the caller's string.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Markup that must never be tagged. Each match is replaced by spaces of the same length.
_MARKUP = re.compile(
    r"\]\([^)\n]*\)"  # the target of a Markdown link: [text](url)
    r"|https?://\S+|www\.\S+"  # bare URLs
    r"|<[^<>\n]{0,200}>"  # HTML tags that survived extraction
    r"|[*_~`#>\[\]]"  # emphasis, headings, quotes, link brackets
    r"|\S+@\S+\.\w+"  # e-mail addresses
)

_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # dotted abbreviations: U.S., A.S.
    r"|['\u2019]s\b"  # English possessive, a token of its own as in the training data
    r"|[^\W_]+(?:['\u2019](?!s\b)[^\W_]+|[.&\-][^\W_]+)*(?:-(?=\s))?"  # words, TEMPO.CO, Ma'ruf
    r"|\S"  # any other visible character is a token of its own
)

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
    return _MARKUP.sub(lambda m: " " * (m.end() - m.start()), text)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens with exact offsets, skipping markup and URLs."""
    masked = _mask(text)
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(masked)]


def _initial(current: list[Token]) -> bool:
    """Whether the sentence so far ends in a name initial such as `W.` (`George W. Bush`)."""
    if len(current) < 2 or current[-1].text != ".":
        return False
    letter = current[-2]
    return len(letter.text) == 1 and letter.text.isupper() and letter.end == current[-1].start


def sentences(text: str) -> list[list[Token]]:
    """Tokenise `text` and group the tokens into sentences.

    A sentence ends after `.`, `!`, `?` or at a line break; news bodies put headlines, bylines
    and captions on lines of their own, so a line break is a safe boundary.
    """
    result: list[list[Token]] = []
    current: list[Token] = []
    prev_end = 0
    for tok in tokenize(text):
        if current and (
            "\n" in text[prev_end : tok.start]
            or (current[-1].text in _SENTENCE_END and not _initial(current))
            or len(current) >= MAX_SENTENCE
        ):
            result.append(current)
            current = []
        current.append(tok)
        prev_end = tok.end
    if current:
        result.append(current)
    return result
