"""Web text made safe to show, and stored Markdown split into displayable blocks.

Nothing here imports Textual: it is plain string work, tested on its own. Every
block keeps a map from offsets in the article's raw text to offsets in the text it
displays, so entity and search spans (raw offsets) land exactly on screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

# C0/C1 controls (tab and newline aside), bidi overrides/isolates, zero-width characters,
# the BOM: replaced one for one so offsets stay valid.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_HEADING = re.compile(r"^(#{1,6})\s+")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^(>\s?)+")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_INLINE = re.compile(
    r"!?\[(?P<link>[^\]\n]+)\]\((?P<url>[^)\s]*)\)"
    r"|\*\*(?P<bold>[^*\n]+)\*\*"
    r"|__(?P<bold2>[^_\n]+)__"
    r"|(?<![\w*])\*(?P<italic>[^*\s][^*\n]*?)\*(?![\w*])"
    r"|`(?P<code>[^`\n]+)`"
)

Span = tuple[int, int]


def safe(text: str | None) -> str:
    """``text`` with every terminal-unsafe character replaced (same length)."""
    return _UNSAFE.sub("\ufffd", text or "")


def safe_line(text: str | None) -> str:
    """``text`` made safe and folded onto one line (titles, names, URLs)."""
    return " ".join(_UNSAFE.sub("", text or "").split())


@dataclass(frozen=True, slots=True)
class Block:
    """One displayed block: a heading, paragraph, list item, quote or rule.

    ``runs`` maps raw text to display text: ``(raw_start, raw_end, display_start)``.
    """

    kind: str
    text: str
    raw_start: int
    raw_end: int
    runs: tuple[tuple[int, int, int], ...] = ()
    styles: tuple[tuple[int, int, str], ...] = field(default=())

    def map_span(self, start: int, end: int) -> list[Span]:
        """Display spans of the raw span ``start..end`` (empty when it is not shown)."""
        shown: list[Span] = []
        for raw_start, raw_end, display in self.runs:
            lo, hi = max(start, raw_start), min(end, raw_end)
            if lo < hi:
                shown.append((display + lo - raw_start, display + hi - raw_start))
        return shown


def parse_blocks(text: str) -> list[Block]:
    """Split stored Markdown (or plain text) into blocks, one per non-empty line."""
    blocks: list[Block] = []
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if line.strip():
            blocks.append(_block(line, start))
    return blocks


def _block(line: str, start: int) -> Block:
    if _RULE.match(line):
        return Block("rule", "", start, start + len(line))
    kind, prefix, skip = "paragraph", "", 0
    if match := _HEADING.match(line):
        kind, skip = f"h{min(len(match.group(1)), 3)}", match.end()
    elif match := _QUOTE.match(line):
        kind, prefix, skip = "quote", "▌ ", match.end()
    elif match := _ITEM.match(line):
        marker = match.group(2)
        bullet = "•" if marker in "-*+" else marker
        kind, prefix, skip = "item", f"{match.group(1)}{bullet} ", match.end()
    return _inline(kind, prefix, safe(line[skip:]), start + skip, start + len(line))


def _inline(kind: str, prefix: str, content: str, base: int, end: int) -> Block:
    shown = [prefix]
    size = len(prefix)
    runs: list[tuple[int, int, int]] = []
    styles: list[tuple[int, int, str]] = []

    def copy(lo: int, hi: int) -> None:
        nonlocal size
        if lo < hi:
            runs.append((base + lo, base + hi, size))
            shown.append(content[lo:hi])
            size += hi - lo

    position = 0
    for match in _INLINE.finditer(content):
        copy(position, match.start())
        name = next(k for k in ("link", "bold", "bold2", "italic", "code") if match.group(k))
        begin = size
        copy(match.start(name), match.end(name))
        styles.append((begin, size, "bold" if name == "bold2" else name))
        position = match.end()
    copy(position, len(content))
    return Block(kind, "".join(shown), base, end, tuple(runs), tuple(styles))


def spans_in(block: Block, spans: Sequence[Span]) -> Iterator[Span]:
    """The display spans of those raw ``spans`` that fall in ``block``."""
    for start, end in spans:
        if start < block.raw_end and end > block.raw_start:
            yield from block.map_span(start, end)


def snippet_spans(snippet: str, marks: Sequence[Span]) -> list[Span]:
    """``marks`` clipped to the snippet (defensive: marks come from another module)."""
    size = len(snippet)
    return [(max(0, s), min(size, e)) for s, e in marks if 0 <= s < e and s < size]


def passage(text: str, spans: Sequence[Span], size: int = 400) -> tuple[str, list[Span]]:
    """A window of ``text`` around its first matches, with the matches' offsets in it."""
    if not spans:
        return text[:size], []
    first = min(start for start, _ in spans)
    begin = max(0, text.rfind(" ", 0, max(0, first - 80)) + 1) if first > 80 else 0
    end = min(len(text), begin + size)
    window = text[begin:end]
    marks = [(s - begin, e - begin) for s, e in sorted(spans) if s >= begin and e <= end]
    return window, marks
