"""Real-world feeds from ../shared/corpus/feeds: parsed, served and refreshed.

Skipped when the shared corpus is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.httpserver import LoopbackServer, Reply
from tui_reader.archive import Archive
from tui_reader.errors import InputError
from tui_reader.feeds import parse_feed, parse_opml
from tui_reader.fetching import FetchService

pytestmark = pytest.mark.corpus


def _manifest(corpus: Path) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(
        (corpus / "feeds" / "feedparser" / "MANIFEST.json").read_text(encoding="utf-8")
    )
    return data


def test_feedparser_suite_parses_or_fails_cleanly(corpus: Path) -> None:
    root = corpus / "feeds" / "feedparser"
    refused: list[str] = []
    for name, meta in _manifest(corpus).items():
        try:
            parse_feed((root / name).read_bytes(), f"http://127.0.0.1/{name}")
        except InputError as exc:
            assert "\n" not in str(exc)
            refused.append(name)
            if name.startswith("wellformed/cdf/") or "declares entities" in str(exc):
                continue  # CDF is neither RSS nor Atom; entity declarations are refused on purpose
            assert meta["expect_bozo"] is not False, f"{name}: well-formed feed refused: {exc}"
    assert len(refused) < 20


def test_newsboat_and_trafilatura_feeds_parse(corpus: Path) -> None:
    feeds = corpus / "feeds"
    paths = [*sorted((feeds / "newsboat").glob("*.xml")), *sorted(feeds.glob("*/*.atom"))]
    paths += [feeds / "trafilatura" / "feed2.rss"]
    for path in paths:
        if path.stat().st_size == 0:
            with pytest.raises(InputError):
                parse_feed(b"", "http://127.0.0.1/empty.xml")
            continue
        parsed = parse_feed(path.read_bytes(), "http://127.0.0.1/" + path.name)
        assert parsed.entries, path.name


def test_newsboat_opml_files_import_or_fail_cleanly(corpus: Path) -> None:
    for path in sorted((corpus / "feeds" / "newsboat").glob("*.opml")):
        try:
            feeds = parse_opml(path.read_bytes())
        except InputError as exc:
            assert "\n" not in str(exc)
            continue
        assert all(f.url for f in feeds)


async def test_refresh_of_served_corpus_feeds(
    corpus: Path,
    http_server: LoopbackServer,
    fetch_service: FetchService,
    fetch_archive: Archive,
) -> None:
    served = sorted((corpus / "feeds" / "newsboat").glob("*.xml"))
    served += sorted((corpus / "feeds" / "feedparser" / "illformed").glob("*.xml"))
    outlines = ""
    for path in served:
        url = http_server.route(f"/{path.parent.name}/{path.name}", Reply(body=path.read_bytes()))
        outlines += f'<outline type="rss" xmlUrl="{url}"/>'
    fetch_service.import_opml(f"<opml><body>{outlines}</body></opml>".encode())
    report = await fetch_service.refresh(summary_only=True)
    assert report.feeds_ok + report.feeds_failed == len(served)
    assert report.feeds_ok > len(served) // 2
    assert report.new_articles > 20 and fetch_archive.count() == report.new_articles
    assert all(line.count("\n") == 0 for line in report.failures)
    assert fetch_archive.index.doc_count() == fetch_archive.count()
