"""Snippets: the passage of an article that best shows why it matched."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

SNIPPET_CHARS = 220
# Matches are looked for in the text's first part (cut at a space) before the whole text:
# a passage near the top is as good a reason to show an article, and a long article's
# remaining words need not be read for one line.
SCAN_CHARS = 4000


def make_snippet(
    text: str, spans: Sequence[tuple[int, int]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The window of ``text`` holding the most matches, and the matches' offsets in it.

    Newlines become spaces one for one, so offsets stay exact.
    """
    if not spans:
        return _lead(text), ()
    ends = [e for _, e in spans]  # in order: the spans are words, in text order
    best, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = bisect_right(ends, start + SNIPPET_CHARS - 40, i) - i
        if count > best_count:
            best, best_count = i, count
    first = spans[best][0]
    begin = _word_start(text, max(0, first - 50))
    end = min(len(text), begin + SNIPPET_CHARS)
    if end < len(text):
        end = max(text.rfind(" ", begin, end), spans[best][1])
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text) else ""
    window = text[begin:end].replace("\n", " ").replace("\t", " ")
    shift = len(prefix) - begin
    marks = tuple((s + shift, e + shift) for s, e in spans if s >= begin and e <= end)
    return prefix + window + suffix, marks


def scan_part(text: str) -> str:
    """The part of ``text`` searched for matches first (see :data:`SCAN_CHARS`)."""
    if len(text) <= SCAN_CHARS:
        return text
    cut = max(text.rfind(" ", 0, SCAN_CHARS), text.rfind("\n", 0, SCAN_CHARS))
    return text[:cut] if cut > 0 else text


def _word_start(text: str, index: int) -> int:
    if index == 0:
        return 0
    space = text.rfind(" ", 0, index)
    newline = text.rfind("\n", 0, index)
    return max(space, newline) + 1


def _lead(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
