"""The HTTP client: one shared httpx.AsyncClient per run, with limits and retries.

Bodies are streamed and decompressed here (not by httpx) so the size cap counts
*decompressed* bytes and a gzip bomb stops at the cap without ever being inflated
in one piece. Only ``http``/``https`` URLs are fetched.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC
from urllib.parse import urlsplit

import httpx

from tui_reader import __version__
from tui_reader.config import FetchConfig
from tui_reader.errors import ExtractionError, FetchError, InputError, ReaderError
from tui_reader.models import PreparedArticle

USER_AGENT = f"tui-reader/{__version__} (+terminal news reader)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024


# The client's settings are the ``[fetch]`` section of the config file.
FetchSettings = FetchConfig


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched resource. ``body`` is decompressed; empty for a 304."""

    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304


def check_url(url: str) -> str:
    """Return ``url`` stripped if it is an absolute http(s) URL.

    Raises:
        InputError: for any other scheme (file, javascript, data, ftp...) or garbage.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InputError(f"not a valid URL: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https"):
        what = f"{parts.scheme}: URLs" if parts.scheme else "relative URLs or bare words"
        raise InputError(f"only http and https URLs can be fetched, not {what}")
    if not host or any(c.isspace() for c in url):
        raise InputError(f"not a valid URL: {url!r}")
    return url


class Fetcher:
    """Fetches URLs with bounded concurrency (global and per host) and retries."""

    def __init__(
        self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            limits=httpx.Limits(
                max_connections=settings.max_connections,
                max_keepalive_connections=settings.max_connections,
            ),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            trust_env=True,
            transport=transport,
        )
        self._global = asyncio.Semaphore(settings.max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        accept: str = "*/*",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET ``url``, conditionally when ``etag``/``last_modified`` are given.

        Raises:
            InputError: when the URL is not http(s).
            FetchError: on network errors, HTTP errors, redirect loops, oversized bodies.
        """
        url = check_url(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = (urlsplit(url).hostname or "").lower()
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.max_per_host))
        for attempt in range(self.settings.retries + 1):
            async with self._global, per_host:
                try:
                    return await self._get_once(url, headers)
                except _Retry as retry:
                    if attempt == self.settings.retries:
                        raise FetchError(retry.message) from None
                    wait = self._wait(attempt, retry.retry_after)
            await asyncio.sleep(wait)  # outside the semaphores: others may proceed
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        wait = retry_after if retry_after is not None else self.settings.backoff * 2**attempt
        return max(0.0, min(wait, self.settings.max_retry_wait))

    async def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in RETRY_STATUSES:
                    raise _Retry(
                        f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        _retry_after(response.headers.get("Retry-After")),
                    )
                if response.status_code >= 400:
                    reason = response.reason_phrase or "error"
                    raise FetchError(f"HTTP {response.status_code} {reason}")
                body = b"" if response.status_code == 304 else await self._read(response)
                return _response(response, body)
        except httpx.TooManyRedirects:
            raise FetchError(
                f"too many redirects (more than {self.settings.max_redirects})"
            ) from None
        except httpx.UnsupportedProtocol:
            raise FetchError("redirected to a URL that is not http or https") from None
        except httpx.TimeoutException as exc:
            # A slow server is not retried: it would only multiply the wait.
            raise FetchError(f"timed out ({_timeout_kind(exc)})") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retry(f"connection failed ({_reason(exc)})", None) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error ({_reason(exc)})") from None

    async def _read(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if declared.isdigit() and int(declared) > limit and encoding == "identity":
            raise FetchError(f"too large ({int(declared):,} bytes; the limit is {limit:,})")
        decoder = _decoder(encoding)
        parts: list[bytes] = []
        size = 0
        async for piece in _decoded(response.aiter_raw(_CHUNK), decoder, limit):
            size += len(piece)
            if size > limit:
                raise FetchError(f"too large (more than {limit:,} bytes)")
            parts.append(piece)
        return b"".join(parts)


class _Retry(Exception):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError(f"unsupported content encoding {encoding!r}")


async def _decoded(
    chunks: AsyncIterator[bytes], decoder: zlib._Decompress | None, limit: int
) -> AsyncIterator[bytes]:
    """Decompress in bounded steps: never more than ``limit + 1`` bytes at once."""
    async for chunk in chunks:
        if decoder is None:
            yield chunk
            continue
        data = chunk
        while data:
            try:
                out = decoder.decompress(data, limit + 1)
            except zlib.error:
                raise FetchError("corrupt compressed body") from None
            yield out
            data = decoder.unconsumed_tail
            if decoder.eof:
                break


def _response(response: httpx.Response, body: bytes) -> Response:
    content_type = response.headers.get("Content-Type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    return Response(
        url=str(response.url),
        status=response.status_code,
        body=body,
        content_type=mime,
        charset=_charset(content_type),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'") or None
    return None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "no connection"
    if isinstance(exc, httpx.PoolTimeout):
        return "too many connections"
    return "the server stopped sending"


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:200] or type(exc).__name__


# -- from responses to articles (pure functions: they run in worker processes) ----------

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_TYPES = ("", "text/plain", "application/octet-stream")


@dataclass(frozen=True, slots=True)
class PageInput:
    """What extraction needs from a fetched page (small, picklable)."""

    url: str
    body: bytes
    content_type: str
    charset: str | None


def is_html(content_type: str, body: bytes = b"") -> bool:
    """True for an HTML/XHTML response (or an untyped one that looks like HTML)."""
    if content_type in HTML_TYPES:
        return True
    head = body[:1024].lstrip().lower()
    return content_type in _SNIFF_TYPES and head.startswith((b"<!doctype html", b"<html"))


def page_article(
    page: PageInput, tags: tuple[str, ...], analyse: bool, entities: bool = True
) -> PreparedArticle:
    """Extract a fetched page; with ``analyse``, also language and entities.

    Raises:
        FetchError: when the response is not an HTML page.
        ExtractionError: when the page holds no article text.
    """
    from tui_reader.extract import extract_html
    from tui_reader.pipeline import prepare_draft, quick_prepare

    if not is_html(page.content_type, page.body):
        raise FetchError(f"not an article page ({page.content_type or 'unknown type'})")
    try:
        draft = extract_html(page.body, page.url, encoding=page.charset, origin="url")
    except ReaderError:
        raise
    except Exception as exc:  # a library failing on hostile markup must not stop a batch
        raise ExtractionError(f"cannot process the page ({type(exc).__name__})") from None
    if tags:
        draft = replace(draft, tags=tuple(dict.fromkeys((*draft.tags, *tags))))
    return prepare_draft(draft, entities=entities) if analyse else quick_prepare(draft)


def merge_page(item: PreparedArticle, page: PreparedArticle) -> PreparedArticle:
    """The page's article in the feed entry's place, unless it says less than the feed."""
    if page.word_count < item.word_count:
        return item
    entry = item.draft
    draft = replace(
        page.draft,
        title=page.draft.title if page.draft.title != "(untitled)" else entry.title,
        published=page.draft.published or entry.published,
        author=page.draft.author or entry.author,
        tags=entry.tags,
        origin="feed",
        feed_id=entry.feed_id,
        guid=entry.guid,
        summary_only=False,
    )
    return replace(page, draft=draft)


def analyse(items: list[PreparedArticle], entities: bool) -> list[PreparedArticle]:
    """Language, stems and entities of stored items (the slow part; runs in a worker)."""
    from tui_reader.pipeline import complete

    return [complete(item, entities=entities) for item in items]


def warm_up() -> None:
    """Import what workers need, so the first real job does not pay for it."""
    import feedparser  # noqa: F401

    import tui_reader.pipeline  # noqa: F401
