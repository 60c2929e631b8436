"""Turn HTML pages and text files into article drafts.

HTML goes through trafilatura (main text as Markdown, plus metadata). Plain ``.txt``
and ``.md`` files are imported as they are, with a title and a site guessed from
their first line (news datelines such as ``TEMPO.CO, Jakarta -``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tui_reader.errors import ExtractionError
from tui_reader.models import ArticleDraft, Origin
from tui_reader.textutil import clean_line, clean_text, site_from_url

MIN_TEXT_CHARS = 25
MAX_TITLE_CHARS = 140
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
# "TEMPO.CO, Jakarta - ", "KOMPAS.com - ", "Jakarta (ANTARA) - ", "LONDON (Reuters) - "
_DATELINE_SITE_FIRST = re.compile(
    r"^\s*(?P<site>[A-Z][A-Za-z]*(?:\.[A-Za-z]{2,4})+|[A-Z]{3,})\s*(?:,\s*[^\n,–—-]{2,40}?)?\s*[-–—]\s+"
)
_DATELINE_SITE_IN_PARENS = re.compile(
    r"^\s*[A-Z][A-Za-z .]{1,40}?\s*\((?P<site>[A-Za-z][A-Za-z .]{1,30})\)\s*[-–—]\s+"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]?\s+(?=[\"“‘(\[]?[A-Z0-9])")
_BINARY_SNIFF = 4096
_LATIN_SINGLE_BYTE = frozenset(
    {"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_4", "iso8859_9",
     "iso8859_10", "iso8859_13", "iso8859_15", "iso8859_16", "mac_latin2", "mac_roman"}
)  # fmt: skip


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode a document whose encoding may be declared, undeclared or wrong.

    A declared charset (HTTP header or ``<meta>``) is trusted only when the whole body
    decodes with it; otherwise charset-normalizer looks at the whole body.
    """
    if looks_binary(data):
        raise ExtractionError("binary data, not text")
    candidates = [declared] if declared else []
    if match := _META_CHARSET.search(data[:4096]):
        candidates.append(match.group(1).decode("ascii"))
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return data.decode(encoding or "utf-8").removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return _detect(data).removeprefix("\ufeff")


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise ExtractionError("unknown text encoding")
    # Single-byte Latin code pages are often indistinguishable by statistics; the web's
    # legacy default (WHATWG) is windows-1252, so it wins any such near-tie.
    if best.encoding in _LATIN_SINGLE_BYTE and any(m.encoding == "cp1252" for m in matches):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


def looks_binary(data: bytes) -> bool:
    """True for data that is clearly not text (NUL bytes, or mostly control bytes)."""
    head = data[:_BINARY_SNIFF]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM is text
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.05


def extract_html(
    html: bytes | str,
    url: str | None = None,
    *,
    encoding: str | None = None,
    origin: Origin = "url",
    keep_raw: bool = True,
) -> ArticleDraft:
    """Extract the main article from an HTML page.

    Raises:
        ExtractionError: when the page holds no readable article text.
    """
    raw = html.encode("utf-8") if isinstance(html, str) else html
    text = html if isinstance(html, str) else decode_bytes(html, encoding)
    if not text.strip():
        raise ExtractionError("empty page")
    document = _run_trafilatura(text, url)
    if document is None:
        raise ExtractionError("no article text found on the page")
    body = _document_markdown(document)
    if len(body.strip()) < MIN_TEXT_CHARS:
        raise ExtractionError("no article text found on the page")
    meta = document.as_dict()
    page_url = url or meta.get("url")
    title = clean_line(meta.get("title") or "") or title_from_text(body)[0]
    body = _drop_leading_title(body, title)
    return ArticleDraft(
        title=title,
        text=body,
        url=page_url,
        author=_optional_line(meta.get("author")),
        site=_optional_line(meta.get("sitename")) or site_from_url(page_url),
        published=parse_date(meta.get("date")),
        description=_optional_line(meta.get("description")),
        # The page's own keywords are kept apart from the reader's tags.
        categories=_split_tags(
            [*_split_tags(meta.get("categories")), *_split_tags(meta.get("tags"))]
        ),
        image=meta.get("image") or None,
        raw_html=raw if keep_raw else None,
        origin=origin,
    )


# How every page goes through trafilatura (benchmarks/ingest.py times the same call).
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_formatting": True,
    "include_links": False,
    "include_images": False,
    "include_tables": True,
    "include_comments": False,
}


def _run_trafilatura(text: str, url: str | None) -> Any:
    from trafilatura import bare_extraction

    try:
        return bare_extraction(text, url=url, **TRAFILATURA_OPTIONS)
    except (ValueError, TypeError, RecursionError, AttributeError) as exc:
        # lxml and trafilatura raise these on pathological markup.
        raise ExtractionError(f"cannot parse the page ({type(exc).__name__})") from None


def _document_markdown(document: Any) -> str:
    from trafilatura.xml import xmltotxt

    return clean_text(xmltotxt(document.body, include_formatting=True)).strip()


def _drop_leading_title(body: str, title: str) -> str:
    """The body without a first heading that only repeats the title."""
    first, _, rest = body.partition("\n")
    if first.startswith("#") and clean_line(first.lstrip("#")).casefold() == title.casefold():
        return rest.strip() or body
    return body


def _optional_line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return clean_line(value) or None


def _split_tags(value: object) -> tuple[str, ...]:
    """Tags/categories come as a list or one comma-joined string, often duplicated."""
    items = value if isinstance(value, list) else [value or ""]
    seen: dict[str, None] = {}
    for item in items:
        for part in str(item).split(","):
            tag = clean_line(part)
            if tag:
                seen.setdefault(tag, None)
    return tuple(seen)


def parse_date(value: object) -> datetime | None:
    """Parse an ISO 8601 date or date-time (as trafilatura and JSONL give them)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def site_from_dateline(text: str) -> str | None:
    """The publisher named by a news dateline at the start of ``text``, if any."""
    for pattern in (_DATELINE_SITE_IN_PARENS, _DATELINE_SITE_FIRST):
        if match := pattern.match(text):
            return match.group("site").strip()
    return None


def strip_dateline(text: str) -> str:
    """``text`` without a leading news dateline."""
    for pattern in (_DATELINE_SITE_IN_PARENS, _DATELINE_SITE_FIRST):
        if match := pattern.match(text):
            return text[match.end() :]
    return text


def title_from_text(text: str) -> tuple[str, bool]:
    """Guess a title from an article's text.

    Returns the title and whether the first line *is* the title (and so should not
    stay in the body). A short first line without final punctuation is a headline;
    otherwise the first sentence, without its dateline, stands in.
    """
    first_line = text.strip().split("\n", 1)[0].strip()
    heading = first_line.lstrip("#").strip()
    if first_line.startswith("#") and heading:
        return clean_line(heading)[:MAX_TITLE_CHARS], True
    words = heading.split()
    if (
        heading
        and len(heading) <= MAX_TITLE_CHARS
        and len(words) <= 25
        and heading[-1] not in ".,;:"
    ) and site_from_dateline(heading) is None:
        return clean_line(heading), True
    body = strip_dateline(first_line)
    sentence = _SENTENCE_END.split(body, maxsplit=1)[0]
    return _shorten(clean_line(sentence)), False


def _shorten(text: str) -> str:
    if len(text) <= MAX_TITLE_CHARS:
        return text
    cut = text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-–— ") + "…"


def draft_from_text(text: str, *, name: str, is_markdown: bool = False) -> ArticleDraft:
    """Make a draft from the contents of a ``.txt``/``.md`` file.

    Raises:
        ExtractionError: when the file has no text.
    """
    del is_markdown  # Markdown is stored as it is, like plain text
    body = clean_text(text).strip()
    if len(body) < MIN_TEXT_CHARS:
        raise ExtractionError("empty file" if not body else "too little text to be an article")
    title, title_is_first_line = title_from_text(body)
    if title_is_first_line:
        rest = body.split("\n", 1)[1].strip() if "\n" in body else ""
        if len(rest) >= MIN_TEXT_CHARS:
            body = rest
    return ArticleDraft(
        title=title or name,
        text=body,
        site=site_from_dateline(body),
        origin="file",
    )
