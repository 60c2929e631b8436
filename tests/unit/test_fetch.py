"""The HTTP client with httpx.MockTransport: URLs, headers, retries, size caps."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tui_reader import __version__
from tui_reader.errors import FetchError, InputError
from tui_reader.fetch import Fetcher, FetchSettings, PageInput, check_url, is_html, page_article

FAST = FetchSettings(retries=2, backoff=0.001, max_retry_wait=0.01, max_bytes=1000)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x",
     "example.org", "", "http://", "http://exa mple.org/", "http://example.org:99999/"],
)  # fmt: skip
def test_check_url_refuses_other_schemes_and_garbage(url: str) -> None:
    with pytest.raises(InputError):
        check_url(url)


def test_check_url_accepts_http_and_https() -> None:
    assert check_url("  https://Example.org/a?b=1 ") == "https://Example.org/a?b=1"


async def _get(handler: object, **kwargs: str) -> tuple[object, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)  # type: ignore[operator, no-any-return]

    fetcher = Fetcher(FAST, httpx.MockTransport(record))
    try:
        return await fetcher.get("http://example.org/feed", **kwargs), seen
    except FetchError as exc:
        return exc, seen
    finally:
        await fetcher.aclose()


async def test_sends_user_agent_and_conditional_headers() -> None:
    result, seen = await _get(lambda r: httpx.Response(304), etag='"x"', last_modified="Mon")
    assert getattr(result, "not_modified", False)
    assert seen[0].headers["User-Agent"].startswith(f"tui-reader/{__version__}")
    assert seen[0].headers["If-None-Match"] == '"x"'
    assert seen[0].headers["If-Modified-Since"] == "Mon"


async def test_retries_5xx_then_gives_up_with_the_status() -> None:
    result, seen = await _get(lambda r: httpx.Response(503))
    assert isinstance(result, FetchError) and str(result) == "HTTP 503 Service Unavailable"
    assert len(seen) == 3


async def test_connection_errors_are_retried() -> None:
    calls = iter(
        [httpx.ConnectError("refused"), httpx.Response(200, stream=httpx.ByteStream(b"ok"))]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        step = next(calls)
        if isinstance(step, Exception):
            raise step
        return step

    result, _ = await _get(handler)
    assert getattr(result, "body", None) == b"ok"


async def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"a" * 5_000_000)
    result, _ = await _get(
        lambda r: httpx.Response(
            200, stream=httpx.ByteStream(bomb), headers={"Content-Encoding": "gzip"}
        )
    )
    assert str(result) == "too large (more than 1,000 bytes)"


async def test_gzip_body_is_decompressed_and_charset_kept() -> None:
    body = gzip.compress("héllo".encode("latin-1"))
    headers = {"Content-Encoding": "gzip", "Content-Type": "text/html; charset=ISO-8859-1"}
    result, _ = await _get(
        lambda r: httpx.Response(200, stream=httpx.ByteStream(body), headers=headers)
    )
    assert getattr(result, "body", None) == "héllo".encode("latin-1")
    assert getattr(result, "charset", None) == "ISO-8859-1"
    assert getattr(result, "content_type", None) == "text/html"


def test_is_html_sniffs_untyped_bodies() -> None:
    assert is_html("application/xhtml+xml")
    assert is_html("", b"  <!DOCTYPE html><html>")
    assert not is_html("application/pdf", b"<html>")
    assert not is_html("image/png")


def test_page_article_refuses_non_html() -> None:
    page = PageInput("http://example.org/a.png", b"\x89PNG", "image/png", None)
    with pytest.raises(FetchError, match=r"not an article page \(image/png\)"):
        page_article(page, (), analyse=False)
