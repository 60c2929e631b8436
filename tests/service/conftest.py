"""Fixtures for the fetching service tests: a loopback server and a fast-failing service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.httpserver import LoopbackServer, Reply, serving
from tui_reader.archive import Archive
from tui_reader.config import Config, FetchConfig
from tui_reader.fetch import FetchSettings
from tui_reader.fetching import FetchService
from tui_reader.paths import resolve_paths

FETCH_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fetch"
# Short timeouts and waits so fault tests take milliseconds, not the real 10/30 s.
FAST = FetchSettings(
    connect_timeout=1.0,
    read_timeout=0.3,
    retries=2,
    backoff=0.01,
    max_retry_wait=0.05,
    max_bytes=200_000,
)


def fixture_bytes(name: str, base: str = "") -> bytes:
    """A fixture file, with ``{base}`` replaced by the server's base URL."""
    data = (FETCH_FIXTURES / name).read_bytes()
    return data.replace(b"{base}", base.encode()) if base else data


def html(name: str, charset: str = "utf-8") -> Reply:
    """A fixture page served as HTML with the given charset."""
    return Reply(
        body=fixture_bytes(name), headers={"Content-Type": f"text/html; charset={charset}"}
    )


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A loopback HTTP server for this test."""
    with serving() as running:
        yield running


@pytest.fixture
def fetch_archive(reader_home: Path) -> Iterator[Archive]:
    """A fresh archive with short fetch timeouts in its config."""
    config = Config(fetch=FetchConfig(connect_timeout=1.0, read_timeout=0.3, retries=2))
    with Archive(resolve_paths(reader_home), config) as opened:
        yield opened


@pytest.fixture
async def fetch_service(fetch_archive: Archive) -> AsyncIterator[FetchService]:
    """A fetching service with fast retries, threads only (no worker processes)."""
    fetching = FetchService(fetch_archive, settings=FAST, workers=0)
    yield fetching
    await fetching.aclose()
