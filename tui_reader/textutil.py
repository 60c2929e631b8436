"""Small text helpers shared by the core: URL normalisation, hashing, cleaning."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the reader: dropping them makes the same article
# saved from two newsletters one URL.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|_ga)$", re.I)
# C0/C1 controls (except tab and newline), bidi overrides/isolates, zero-width characters
# and the BOM: never useful in an article, and dangerous on a terminal.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_WORD = re.compile(r"\w+")


def normalize_url(url: str) -> str:
    """Canonical form of an article URL: lower-case scheme/host, no fragment or trackers."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, query, ""))


def content_hash(title: str, text: str) -> str:
    """A hash of what the article says, blind to case, spacing and punctuation."""
    words = _WORD.findall(unicodedata.normalize("NFKC", f"{title}\n{text}").casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:32]


def word_count(text: str) -> int:
    """Number of words in ``text``."""
    return sum(1 for _ in _WORD.finditer(text))


def clean_text(text: str) -> str:
    """Drop control characters, bidi overrides and zero-width characters; normalise newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", text)


def clean_line(text: str) -> str:
    """Like :func:`clean_text`, and fold all whitespace to single spaces (titles, names)."""
    return " ".join(clean_text(text).split())


def site_from_url(url: str | None) -> str | None:
    """The host name of ``url`` without ``www.``, or None."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None
