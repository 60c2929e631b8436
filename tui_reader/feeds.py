"""Feeds: RSS/Atom parsing (feedparser), discovery from HTML pages, and OPML.

Everything here is pure and takes bytes already fetched (and size-capped): feedparser
is never handed a URL or a path, so it never fetches or opens anything itself.
:func:`parse_feed` returns plain picklable data so it can run in a worker process.
"""

from __future__ import annotations

import calendar
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

from tui_reader.errors import InputError
from tui_reader.models import ArticleDraft, Feed, PreparedArticle
from tui_reader.pipeline import quick_prepare
from tui_reader.textutil import clean_line, clean_text, normalize_url, site_from_url

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr")
MAX_OPML_DEPTH = 32
# feedparser spends about a millisecond per entry: a feed of 100,000 items held a
# refresh for minutes. Real feeds list tens; only the first (newest) entries are read.
MAX_FEED_ENTRIES = 500
_ENTRY_START = re.compile(rb"<(?:item|entry)[\s>/]", re.I)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed. ``key`` identifies it within the feed (guid, else link)."""

    key: str
    link: str | None
    title: str
    text: str
    published: datetime | None
    author: str | None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its metadata and entries, newest first as the feed lists them."""

    title: str
    site_url: str | None
    entries: tuple[FeedEntry, ...]


def reject_entities(data: bytes) -> None:
    """Refuse XML that declares entities (billion laughs, external entities).

    No feed or OPML file needs a DTD with entity declarations; checking the bytes is
    cheaper and safer than trusting a parser's expansion limits.

    Raises:
        InputError: when a DOCTYPE declares entities.
    """
    doctype = _DOCTYPE.search(data, 0, 65536)
    if doctype and _ENTITY_DECL.search(data, doctype.end()):
        raise InputError("refused: the XML declares entities (possible entity bomb)")


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """True when a response is a feed rather than an HTML page."""
    if content_type in FEED_TYPES[:3]:
        return True
    return bool(_FEED_ROOT.search(body, 0, 4096))


def parse_feed(data: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0 or Atom bytes fetched from ``url``.

    A feed with minor errors but entries is accepted (feedparser is lenient); one that
    yields nothing usable is an error.

    Raises:
        InputError: for entity declarations or a document that is not a feed.
    """
    import feedparser

    reject_entities(data)
    data = _first_entries(data)
    # Without a Content-Type feedparser flags every feed; an XML default is what we fetched.
    headers = {"content-type": content_type or "application/xml"}
    # With a Content-Location, feedparser joins every element's URI with it: a fifth of
    # its time. A feed without xml:base needs none (the links kept are resolved against
    # ``url`` below); with one, feedparser needs it to restore bases after an element.
    if b"base=" in data:
        headers["content-location"] = url
    # No sanitising or URI resolving: entries become plain text here (html_to_text drops
    # scripts and styles), and those passes were two thirds of feedparser's time.
    parsed: Any = feedparser.parse(
        data, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    meta = parsed.feed
    if parsed.bozo and not parsed.entries and not meta.get("title"):
        reason = clean_line(str(parsed.get("bozo_exception", "")))[:120]
        raise InputError(f"not a valid feed ({reason or 'unreadable'})")
    if not parsed.get("version") and not parsed.entries:
        raise InputError("not a feed (no RSS or Atom document found)")
    seen: set[str] = set()
    entries: list[FeedEntry] = []
    for raw in parsed.entries:
        entry = _entry(raw, url)
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    site = meta.get("link")
    site = urljoin(url, site) if isinstance(site, str) and site.strip() else ""
    return ParsedFeed(
        title=clean_line(meta.get("title", "")) or url,
        site_url=site if site.lower().startswith(("http://", "https://")) else None,
        entries=tuple(entries),
    )


def _first_entries(data: bytes) -> bytes:
    """The feed cut just before its entry number MAX_FEED_ENTRIES + 1 (feedparser copes)."""
    for count, match in enumerate(_ENTRY_START.finditer(data)):
        if count == MAX_FEED_ENTRIES:
            return data[: match.start()]
    return data


def feed_articles(
    data: bytes, url: str, feed: Feed, content_type: str = ""
) -> tuple[ParsedFeed, list[PreparedArticle]]:
    """Parse a feed and turn every entry into a summary-only article of ``feed``.

    Runs in a worker process: parsing 20 entries costs milliseconds of CPU.
    """
    parsed = parse_feed(data, url, content_type)
    items = [
        quick_prepare(
            ArticleDraft(
                title=entry.title,
                text=entry.text,
                url=entry.link,
                author=entry.author,
                site=site_from_url(entry.link or parsed.site_url or url),
                published=entry.published,
                tags=feed.tags,
                categories=entry.categories,
                origin="feed",
                feed_id=feed.id,
                guid=entry.key,
                summary_only=True,
            )
        )
        for entry in parsed.entries
    ]
    return parsed, items


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = raw.get("link")
    link = urljoin(feed_url, link) if isinstance(link, str) and link.strip() else None
    if link and not link.lower().startswith(("http://", "https://")):
        link = None
    text = html_to_text(_best_content(raw))
    title = raw.get("title", "")
    title = clean_line(html_to_text(title) if "<" in title else title) or clean_line(text[:80])
    guid = raw.get("id")
    key = clean_line(guid) if isinstance(guid, str) and guid.strip() else None
    if key is None and link:
        key = normalize_url(link)
    if key is None:
        if not title:
            return None
        key = f"title:{title}"
    tags = tuple(t for t in (clean_line(x.get("term") or "") for x in raw.get("tags", [])) if t)
    return FeedEntry(
        key=key[:2000],
        link=link,
        title=title,
        text=text,
        published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=clean_line(raw.get("author", "")) or None,
        categories=tags,
    )


def _best_content(raw: Any) -> str:
    """The longest of the entry's content blocks and its summary."""
    candidates = [c.get("value", "") for c in raw.get("content", [])]
    candidates.append(raw.get("summary", ""))
    return max((c for c in candidates if isinstance(c, str)), key=len, default="")


def _date(value: Any) -> datetime | None:
    """feedparser's UTC struct_time as a naive local datetime (how the archive stores)."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML fragment (a feed's summary or content)."""
    if "<" not in html:
        return _paragraphs(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _paragraphs(re.sub(r"<[^>]*>", " ", html))
    etree.strip_elements(root, "script", "style", etree.Comment, with_tail=False)
    for element in root.iter(*_BLOCKS):
        element.tail = "\n\n" + (element.tail or "")
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    blocks = re.split(r"\n\s*\n", clean_text(text))
    kept = ("\n".join(filter(None, map(clean_line, b.split("\n")))) for b in blocks)
    return "\n\n".join(block for block in kept if block)


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Feed URLs an HTML page advertises with ``<link rel="alternate" type=...>``."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_TYPES[:3] + ("application/xml",) and href:
            url = urljoin(base_url, href)
            if url.lower().startswith(("http://", "https://")) and url not in found:
                found.append(url)
    return found


# -- OPML ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription of an OPML file; folders it sits in become tags."""

    url: str
    title: str
    site_url: str | None
    tags: tuple[str, ...]


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Subscriptions in an OPML file (newsboat, Feedly, Thunderbird...).

    Raises:
        InputError: for a file that is not OPML, declares a DTD, or nests too deeply.
    """
    if _DOCTYPE.search(data):
        raise InputError("refused: the OPML file has a DOCTYPE (entities are not allowed)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"not a valid OPML file ({exc})") from None
    body = root.find("body") if root.tag.lower() == "opml" else None
    if body is None:
        raise InputError("not an OPML file (no <opml><body>)")
    feeds: dict[str, OpmlFeed] = {}
    _walk_outlines(body, (), feeds, 0)
    return list(feeds.values())


def _walk_outlines(
    node: ET.Element, folders: tuple[str, ...], feeds: dict[str, OpmlFeed], depth: int
) -> None:
    if depth > MAX_OPML_DEPTH:
        raise InputError(f"the OPML file nests outlines deeper than {MAX_OPML_DEPTH} levels")
    for outline in node.findall("outline"):
        name = clean_line(outline.get("title") or outline.get("text") or "")
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            _walk_outlines(outline, (*folders, name) if name else folders, feeds, depth + 1)
            continue
        if not url.lower().startswith(("http://", "https://")):
            continue  # file:, javascript:... can never be fetched; never store them
        categories = (outline.get("category") or "").split(",")
        tags = [*folders, *(c.strip().strip("/") for c in categories)]
        previous = feeds.get(url)
        merged = (*(previous.tags if previous else ()), *tags)
        feeds[url] = OpmlFeed(
            url=url,
            title=name or (previous.title if previous else ""),
            site_url=(outline.get("htmlUrl") or "").strip() or None,
            tags=tuple(dict.fromkeys(t for t in merged if t)),
        )


def build_opml(feeds: list[OpmlFeed], title: str = "tui-reader subscriptions") -> str:
    """OPML 2.0: a tagged feed goes in a folder named by its first tag.

    Further tags go in the ``category`` attribute, which readers that understand it
    (and :func:`parse_opml`) turn back into tags.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = datetime.now(UTC).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            first = feed.tags[0]
            if first not in folders:
                folders[first] = ET.SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        attrs = {"type": "rss", "text": feed.title or feed.url, "title": feed.title or feed.url}
        attrs["xmlUrl"] = feed.url
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        if len(feed.tags) > 1:
            attrs["category"] = ",".join(f"/{t}" for t in feed.tags[1:])
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
