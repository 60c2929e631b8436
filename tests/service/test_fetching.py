"""The fetching service end to end against a loopback HTTP server."""

from __future__ import annotations

from tests.httpserver import LoopbackServer, Reply
from tests.service.conftest import fixture_bytes, html
from tui_reader.archive import Archive
from tui_reader.fetching import FetchService
from tui_reader.models import IngestStatus

RSS = {"Content-Type": "application/rss+xml"}


def _site(server: LoopbackServer) -> None:
    server.route("/articles/banjir.html", html("article-id.html"))
    server.route("/articles/park.html", html("article-en.html"))
    server.route("/feed.xml", Reply(body=fixture_bytes("rss.xml", server.base), headers=RSS))


async def test_add_url_stores_and_indexes(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    _site(http_server)
    outcome = await fetch_service.add_url(http_server.url("/articles/banjir.html"), tags=["x"])
    assert outcome.status is IngestStatus.ADDED, outcome.message
    assert outcome.article_id is not None
    article = fetch_archive.get(outcome.article_id)
    assert article.title == "Banjir rendam ratusan rumah di Semarang"
    assert article.summary.lang == "id"
    assert article.summary.tags == ("x",)
    assert article.origin == "url"
    assert fetch_archive.store.raw_html(article.id) == fixture_bytes("article-id.html")
    assert fetch_archive.search("Semarang").total == 1


async def test_feed_add_and_refresh(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    _site(http_server)
    feed = await fetch_service.add_feed(http_server.url("/feed.xml"), tags=["berita"])
    assert feed.title == "Kabar Contoh"
    report = await fetch_service.refresh()
    assert report.new_articles == 3, report
    assert report.line() == "3 new articles from 1 feeds, 0 failed"
    stored = {a.title: a for a in fetch_archive.list_articles()}
    missing = fetch_archive.get(stored["Gempa kecil guncang Cianjur"].id)
    assert missing.summary_only
    assert "alert" not in missing.text
    full = fetch_archive.get(stored["Banjir rendam ratusan rumah di Semarang"].id)
    assert not full.summary_only and "Kaligawe" in full.text
    again = await fetch_service.refresh()
    assert again.new_articles == 0
