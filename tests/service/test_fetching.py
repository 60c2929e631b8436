"""The fetching service end to end against a loopback HTTP server."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from pathlib import Path

import pytest

from tests.httpserver import LoopbackServer, Reply, Request
from tests.service.conftest import FAST, fixture_bytes, html
from tui_reader.archive import Archive
from tui_reader.errors import InputError
from tui_reader.feeds import parse_opml
from tui_reader.fetching import FetchService, RefreshEvent
from tui_reader.index.build import SegmentBuilder
from tui_reader.models import IndexDoc, IngestStatus
from tui_reader.paths import resolve_paths

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
    # Analysed after storing (language), and the page kept.
    assert full.summary.lang == "id"
    assert fetch_archive.store.raw_html(full.id) == fixture_bytes("article-id.html")
    again = await fetch_service.refresh()
    assert again.new_articles == 0


async def _refresh_into(archive: Archive, url: str) -> None:
    service = FetchService(archive, settings=FAST, workers=2)
    try:
        await service.add_feed(url)
        report = await service.refresh(summary_only=True)
    finally:
        await service.aclose()
    assert report.new_articles == 3


def _analysis(archive: Archive) -> dict[str, tuple[str | None, object]]:
    articles = [archive.get(a.id) for a in archive.list_articles()]
    return {a.summary.title: (a.summary.lang, a.entities) for a in articles}


async def test_a_large_refresh_is_analysed_and_indexed_by_worker_processes(
    http_server: LoopbackServer,
    fetch_archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui_reader import fetching

    _site(http_server)
    # The same feed into two archives: a small refresh's way (analysis in threads, then
    # indexed here), and a large one's (analysed by the processes that write the index).
    with Archive(resolve_paths(tmp_path / "small")) as small:
        await _refresh_into(small, http_server.url("/feed.xml"))
        monkeypatch.setattr(fetching, "PARALLEL_INDEX_ITEMS", 1)
        await _refresh_into(fetch_archive, http_server.url("/feed.xml"))
        assert fetch_archive.index.doc_count() == fetch_archive.count() == 3
        assert fetch_archive.search("Semarang").total == 1
        # Language and entities stored (offsets too), as the other way stores them...
        assert {a.lang for a in fetch_archive.list_articles()} == {"id", "en"}
        found = _analysis(fetch_archive)
        assert found == _analysis(small)
        assert any(entities for _, entities in found.values())
        # ...indexed with the articles, which are not left to be indexed again...
        assert fetch_archive.store.pending_index()[0] == []
        assert fetch_archive.doctor().ok
        # ...and found alike.
        queries = ["lang:id", "lang:en", "place:Semarang", "Semarang", "banjir"] + [
            f'{field}:"{e.name}"'
            for _, entities in found.values()
            for e in entities
            for field in [{"PER": "person", "ORG": "org", "LOC": "place"}[e.type]]
        ]
        for query in queries:
            ours = [h.article.title for h in fetch_archive.search(query).hits]
            assert ours == [h.article.title for h in small.search(query).hits], query
        assert fetch_archive.search("place:Semarang").total == 1


async def test_a_cancelled_refresh_leaves_its_articles_stored_and_pending(
    http_server: LoopbackServer, fetch_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tui_reader import fetching

    _site(http_server)
    service = FetchService(fetch_archive, settings=FAST, workers=2)
    await service.add_feed(http_server.url("/feed.xml"))
    # Stored (phase one) but not analysed: the analysis is what gets cancelled.
    monkeypatch.setattr(service, "_analyse", lambda stored: asyncio.sleep(0))
    await service.refresh(summary_only=True)
    ids = [a.id for a in fetch_archive.list_articles()]
    monkeypatch.setattr(fetching, "INDEX_SEND_BATCH", 1)
    stop = threading.Event()
    sent: list[int] = []
    real_send = SegmentBuilder.send

    def send_then_stop(self: SegmentBuilder, batch: list[IndexDoc]) -> None:
        real_send(self, batch)
        sent.extend(d.id for d in batch)
        stop.set()  # the user cancels while the first article is being analysed

    monkeypatch.setattr(SegmentBuilder, "send", send_then_stop)
    try:
        with pytest.raises(fetching.RefreshCancelled):
            await asyncio.to_thread(service._analyse_while_indexing, ids, stop)
    finally:
        await service.aclose()
    assert len(sent) == 1  # no more batches after the stop
    assert fetch_archive.count() == 3 and fetch_archive.index.doc_count() == 0
    assert sorted(fetch_archive.store.pending_index()[0]) == sorted(ids)
    fetch_archive.sync_index()  # the next sync indexes them
    assert fetch_archive.index.doc_count() == 3


@pytest.mark.parametrize("large", [False, True])
async def test_articles_an_interrupted_refresh_left_unanalysed_are_analysed_by_the_next(
    http_server: LoopbackServer,
    fetch_archive: Archive,
    monkeypatch: pytest.MonkeyPatch,
    large: bool,
) -> None:
    from tui_reader import fetching

    if large:
        monkeypatch.setattr(fetching, "PARALLEL_INDEX_ITEMS", 1)
    _site(http_server)
    service = FetchService(fetch_archive, settings=FAST, workers=2)
    try:
        await service.add_feed(http_server.url("/feed.xml"))
        with monkeypatch.context() as patch:  # stored, then interrupted
            patch.setattr(service, "_analyse", lambda stored: asyncio.sleep(0))
            await service.refresh(summary_only=True)
        fetch_archive.sync_index()  # the next start indexes them as they are
        assert {a.lang for a in fetch_archive.list_articles()} == {None}
        assert fetch_archive.search("place:Semarang").total == 0
        again = await service.refresh(summary_only=True)
    finally:
        await service.aclose()
    assert again.new_articles == 0
    assert {a.lang for a in fetch_archive.list_articles()} == {"id", "en"}
    assert fetch_archive.search("place:Semarang").total == 1
    assert fetch_archive.store.pending_index()[0] == []
    assert fetch_archive.store.unanalysed(10) == []


# -- faults: one clear line per URL, the rest of the batch still succeeds ---------------


def _flaky(status: int, page: str, headers: dict[str, str] | None = None) -> object:
    calls = {"n": 0}

    def handler(_: Request) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(status, b"busy", headers=headers or {})
        return html(page, "utf-8" if "cp1251" not in page else "windows-1251")

    return handler


async def test_page_faults_each_give_one_line(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    s = http_server
    bomb = gzip.compress(b"\0" * 50_000_000)
    urls = {
        "ok": s.route("/ok.html", html("article-id.html")),
        "404": s.url("/gone.html"),
        "retry": s.route("/flaky.html", _flaky(500, "article-en.html")),  # type: ignore[arg-type]
        "429": s.route("/busy.html", _flaky(429, "article-cp1251.html", {"Retry-After": "120"})),  # type: ignore[arg-type]
        "slow": s.route("/slow.html", Reply(body=b"<html>late</html>", delay=1.0)),
        "loop": s.route("/loop", Reply(302, headers={"Location": "/loop"})),
        "big": s.route("/big.html", Reply(body=b"<html>" + b"x" * 300_000)),
        "bomb": s.route("/bomb.html", Reply(body=bomb, headers={"Content-Encoding": "gzip"})),
        "pdf": s.route(
            "/doc.pdf", Reply(body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
        ),
        "empty": s.route("/empty.html", Reply(body=b"<html><body><nav>menu</nav></body></html>")),
        "file": "file:///etc/passwd",
        "js": "javascript:alert(1)",
        "data": "data:text/html,<p>hi</p>",
    }
    started = time.perf_counter()
    report = await fetch_service.add_urls(list(urls.values()))
    elapsed = time.perf_counter() - started
    messages = dict(line.split(": ", 1) for line in report.failures)
    assert report.added == 3, report.failures  # ok, retry after a 500, retry after a 429
    assert messages[urls["404"]] == "HTTP 404 Not Found"
    assert messages[urls["slow"]] == "timed out (the server stopped sending)"
    assert messages[urls["loop"]] == "too many redirects (more than 10)"
    assert messages[urls["big"]] == "too large (300,006 bytes; the limit is 200,000)"
    assert messages[urls["bomb"]] == "too large (more than 200,000 bytes)"
    assert messages[urls["pdf"]] == "not an article page (application/pdf)"
    assert messages[urls["empty"]] == "no article text found on the page"
    for key in ("file", "js", "data"):
        assert messages[urls[key]].startswith("only http and https URLs can be fetched")
    assert all("\n" not in line for line in report.failures)
    assert s.hits["/flaky.html"] == 2 and s.hits["/busy.html"] == 2
    assert s.hits["/loop"] == 11
    assert elapsed < 3, "Retry-After must be capped and timeouts short"
    assert fetch_archive.count() == 3 and fetch_archive.index.doc_count() == 3


async def test_charset_from_header_decodes_latin1_and_cp1251(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    latin = http_server.route("/kafe.html", html("article-latin1.html", "iso-8859-1"))
    cyrillic = http_server.route("/most.html", html("article-cp1251.html", "windows-1251"))
    report = await fetch_service.add_urls([latin, cyrillic])
    assert report.added == 2, report.failures
    texts = {a.title: fetch_archive.get(a.id).text for a in fetch_archive.list_articles()}
    assert "crème brûlée" in texts["Kafe di Bandung sajikan crème brûlée khas"]
    assert "André Lefèvre" in texts["Kafe di Bandung sajikan crème brûlée khas"]
    assert "Казанку" in texts["Новый мост открыт в Казани"]


async def test_same_url_twice_updates(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    url = http_server.route("/ok.html", html("article-id.html"))
    first = await fetch_service.add_url(url)
    second = await fetch_service.add_url(url + "?utm_source=newsletter")
    assert first.status is IngestStatus.ADDED
    assert second.status is IngestStatus.UPDATED and second.article_id == first.article_id
    assert fetch_archive.count() == 1


# -- feeds -------------------------------------------------------------------------------


def _conditional(body: bytes, etag: str = '"v1"') -> object:
    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304)
        return Reply(body=body, headers={**RSS, "ETag": etag})

    return handler


async def test_refresh_isolates_bad_feeds_and_uses_conditional_get(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    s = http_server
    _site(s)
    s.route("/cond.xml", _conditional(fixture_bytes("rss.xml", s.base)))  # type: ignore[arg-type]
    s.route("/atom.xml", Reply(body=fixture_bytes("atom.xml", s.base), headers=RSS))
    s.route("/bomb.xml", Reply(body=fixture_bytes("bomb.xml"), headers=RSS))
    s.route("/broken.xml", Reply(body=fixture_bytes("malformed.xml"), headers=RSS))
    s.route("/slow.xml", Reply(body=fixture_bytes("atom.xml", s.base), delay=1.0))
    feeds = fetch_service.import_opml(_opml(s, "/cond.xml", "/atom.xml", "/bomb.xml",
                                            "/broken.xml", "/slow.xml", "/gone.xml"))  # fmt: skip
    assert len(feeds) == 6
    events: list[RefreshEvent] = []
    report = await fetch_service.refresh(summary_only=True, progress=events.append)
    assert report.new_articles == 5 and report.feeds_ok == 2 and report.feeds_failed == 4
    assert len(events) == 6
    errors = {line.split(": ", 1)[0].rsplit("/", 1)[1]: line.split(": ", 1)[1]
              for line in report.failures}  # fmt: skip
    assert errors["bomb.xml"] == "refused: the XML declares entities (possible entity bomb)"
    assert errors["broken.xml"].startswith("not a valid feed")
    assert errors["slow.xml"].startswith("timed out")
    assert errors["gone.xml"] == "HTTP 404 Not Found"
    assert s.hits["/articles/banjir.html"] == 0, "--summary-only fetches no pages"
    listed = {f.url.rsplit("/", 1)[1]: f for f in fetch_service.list_feeds()}
    assert listed["cond.xml"].total == 3 and listed["cond.xml"].unread == 3
    assert listed["cond.xml"].etag == '"v1"' and listed["cond.xml"].last_success
    assert listed["bomb.xml"].error_count == 1 and listed["bomb.xml"].last_error
    stored = fetch_archive.list_articles()
    assert all(fetch_archive.get(a.id).summary_only for a in stored)
    assert fetch_archive.index.doc_count() == 5
    park = next(a for a in stored if a.title == "City council approves new river park")
    assert park.published is not None and park.feed_id == listed["cond.xml"].id
    assert fetch_archive.get(park.id).summary.lang == "en"

    before = s.hits["/cond.xml"]
    again = await fetch_service.refresh([listed["cond.xml"].id])
    assert again.new_articles == 0 and again.events[0].status == "unchanged"
    assert s.hits["/cond.xml"] == before + 1
    assert s.requests[-1].headers["if-none-match"] == '"v1"'


async def test_worker_processes_start_only_for_feeds_that_changed(
    http_server: LoopbackServer, fetch_archive: Archive
) -> None:
    """Eight feeds are enough for worker processes; when all answer 304, none start."""
    paths = [f"/cond-{n}.xml" for n in range(8)]
    for n, path in enumerate(paths):
        body = fixture_bytes("rss.xml", http_server.base)
        for common in (b"kabar-", b"/articles/", b"<title>"):  # new guids, links and titles
            body = body.replace(common, common + f"{n}-".encode())
        http_server.route(path, _conditional(body))  # type: ignore[arg-type]
    FetchService(fetch_archive).import_opml(_opml(http_server, *paths))
    for expected_new, workers_started in ((24, True), (0, False)):
        service = FetchService(fetch_archive, settings=FAST, workers=2)
        try:
            report = await service.refresh(summary_only=True)
            assert (report.new_articles, report.feeds_ok) == (expected_new, 8)
            assert (service._pool_start is not None) is workers_started
        finally:
            await service.aclose()


def _opml(server: LoopbackServer, *paths: str) -> bytes:
    outlines = "".join(f'<outline type="rss" xmlUrl="{server.url(p)}"/>' for p in paths)
    return f'<opml version="2.0"><body>{outlines}</body></opml>'.encode()


async def test_add_feed_discovers_the_feed_of_a_page(
    http_server: LoopbackServer, fetch_service: FetchService
) -> None:
    _site(http_server)
    page = http_server.route("/", html("article-id.html"))  # links /feed.xml
    feed = await fetch_service.add_feed(page, tags=["berita", " "])
    assert feed.url == http_server.url("/feed.xml") and feed.tags == ("berita",)
    with pytest.raises(InputError, match="already subscribed"):
        await fetch_service.add_feed(http_server.url("/feed.xml"))
    no_feed = http_server.route("/plain.html", html("article-en.html"))
    with pytest.raises(InputError, match="no feed found"):
        await fetch_service.add_feed(no_feed)


async def test_remove_feed_keeps_or_purges_articles(
    http_server: LoopbackServer, fetch_service: FetchService, fetch_archive: Archive
) -> None:
    _site(http_server)
    http_server.route("/atom.xml", Reply(body=fixture_bytes("atom.xml", http_server.base)))
    kept = await fetch_service.add_feed(http_server.url("/feed.xml"))
    purged = await fetch_service.add_feed(http_server.url("/atom.xml"))
    await fetch_service.refresh(summary_only=True)
    assert fetch_archive.count() == 5
    fetch_service.remove_feed(kept.id)
    fetch_service.remove_feed(purged.id, purge=True)
    assert fetch_archive.count() == 3
    assert all(a.feed_id is None for a in fetch_archive.list_articles())
    assert fetch_archive.index.doc_count() == 3
    assert fetch_service.list_feeds() == []


def test_opml_round_trip(fetch_service: FetchService) -> None:
    imported = fetch_service.import_opml(fixture_bytes("subscriptions.opml"))
    assert len(imported) == 4
    assert fetch_service.import_opml(fixture_bytes("subscriptions.opml")) == []
    text = fetch_service.export_opml()
    assert 'version="2.0"' in text
    again = {f.url: f.tags for f in parse_opml(text.encode())}
    assert again == {f.url: f.tags for f in imported}


# -- the command line ----------------------------------------------------------------------


def test_cli_add_feed_refresh_and_failures(
    http_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui_reader.cli import main

    _site(http_server)
    page = http_server.url("/articles/park.html")
    assert main(["add", page, "file:///etc/passwd", http_server.url("/nope")]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == "1 imported, 0 updated, 0 duplicates, 2 failed"
    assert err.splitlines() == [
        "tui-reader: failed: file:///etc/passwd: only http and https URLs can be fetched, "
        "not file: URLs",
        f"tui-reader: failed: {http_server.url('/nope')}: HTTP 404 Not Found",
    ]
    assert main(["feed", "add", http_server.url("/feed.xml"), "--tag", "berita"]) == 0
    assert "2 new articles from 1 feeds, 0 failed" in capsys.readouterr().out
    assert main(["refresh", "--summary-only"]) == 0
    assert capsys.readouterr().out.strip() == "0 new articles from 1 feeds, 0 failed"
    assert main(["feed", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["unread"] == 2 and listed[0]["tags"] == ["berita"]
    http_server.routes.pop("/feed.xml")
    assert main(["refresh"]) == 1  # every feed failed
    assert "HTTP 404 Not Found" in capsys.readouterr().err
    assert main(["feed", "remove", "99"]) == 1
    with pytest.raises(SystemExit) as bad_args:
        main(["refresh", "--bogus"])
    assert bad_args.value.code != 0
