"""Commands that fetch from the web: ``add``, ``feed``, ``refresh``, ``reextract``.

Each failure is one line on stderr, ``tui-reader: failed: URL: reason``; the rest of
the batch carries on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import sqlite3

    from tui_reader.archive import Archive
    from tui_reader.fetching import FetchService
    from tui_reader.importer import ImportItem
    from tui_reader.models import Feed, IngestReport, PreparedArticle

PROG = "tui-reader"
T = TypeVar("T")


def add_commands(commands: Any) -> None:
    """Register ``add``, ``feed ...``, ``refresh`` and ``reextract``."""
    p = commands.add_parser("add", help="fetch web pages and save their articles")
    p.add_argument("urls", nargs="+", metavar="URL")
    p.add_argument("--tag", action="append", default=[], help="tag the saved articles")
    p.set_defaults(handler=cmd_add)

    feed = commands.add_parser("feed", help="manage feed subscriptions")
    sub = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)
    p = sub.add_parser("add", help="subscribe to a feed (or to the feed a page links to)")
    p.add_argument("url", metavar="URL")
    p.add_argument("--tag", action="append", default=[], help="tag the feed's articles")
    p.set_defaults(handler=cmd_feed_add)
    p = sub.add_parser("list", help="list subscriptions with unread counts")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_feed_list)
    p = sub.add_parser("remove", help="unsubscribe from a feed")
    p.add_argument("feed", metavar="ID|URL")
    p.add_argument("--purge", action="store_true", help="also delete the feed's articles")
    p.set_defaults(handler=cmd_feed_remove)
    p = sub.add_parser("import", help="subscribe to the feeds of an OPML file")
    p.add_argument("file", type=Path, metavar="FILE.opml")
    p.set_defaults(handler=cmd_feed_import)
    p = sub.add_parser("export", help="write the subscriptions as OPML")
    p.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_feed_export)

    p = commands.add_parser("refresh", help="fetch new articles from feeds")
    p.add_argument("feeds", nargs="*", metavar="FEED", help="feed ids or URLs (default: all)")
    p.add_argument(
        "--summary-only", action="store_true", help="keep the feeds' own text; fetch no pages"
    )
    p.set_defaults(handler=cmd_refresh)

    p = commands.add_parser("reextract", help="extract stored pages again (after an upgrade)")
    p.add_argument("query", nargs="*", help="only the articles matching this search")
    p.set_defaults(handler=cmd_reextract)


def _run(args: argparse.Namespace, work: Callable[[FetchService], Awaitable[T]]) -> T:
    """Open the archive, run ``work`` with a fetching service, close everything."""
    from tui_reader.cli import open_archive
    from tui_reader.fetching import FetchService

    async def main(archive: Archive) -> T:
        service = FetchService(archive)
        try:
            return await work(service)
        finally:
            await service.aclose()

    with open_archive(args) as archive:
        return asyncio.run(main(archive))


def _fail(source: str, reason: str) -> None:
    print(f"{PROG}: failed: {source}: {reason}", file=sys.stderr)


def cmd_add(args: argparse.Namespace) -> int:
    """``add URL... [--tag T]``."""
    from tui_reader.cli import progress_bar

    with progress_bar("Fetching", len(args.urls), show=len(args.urls) > 3) as advance:
        report: IngestReport = _run(
            args, lambda s: s.add_urls(args.urls, args.tag, progress=lambda _: advance(1))
        )
    for line in report.failures:
        print(f"{PROG}: failed: {line}", file=sys.stderr)
    print(report.line())
    return 1 if report.failed else 0


def cmd_feed_add(args: argparse.Namespace) -> int:
    """``feed add URL [--tag T]``: subscribe, then fetch the feed's articles."""
    from tui_reader.errors import ReaderError

    async def work(service: FetchService) -> int:
        try:
            feed = await service.add_feed(args.url, args.tag)
        except ReaderError as exc:
            _fail(args.url, str(exc))
            return 1
        print(f"subscribed to #{feed.id}: {_safe(feed.title)} <{feed.url}>")
        report = await service.refresh([feed.id])
        for line in report.failures:
            print(f"{PROG}: failed: {line}", file=sys.stderr)
        print(report.line())
        return 1 if report.all_failed else 0

    return _run(args, work)


def cmd_feed_list(args: argparse.Namespace) -> int:
    """``feed list [--json]``."""
    from tui_reader.cli import open_archive
    from tui_reader.feed_table import FeedTable

    with open_archive(args, heal=False) as archive:
        feeds = FeedTable(archive).all()
    if args.json:
        print(json.dumps([_feed_json(f) for f in feeds], ensure_ascii=False, indent=2))
        return 0
    for f in feeds:
        when = f.last_success.isoformat(sep=" ", timespec="minutes") if f.last_success else "never"
        print(f"#{f.id:<4} {_safe(f.title)}  [{f.unread} unread / {f.total}]  updated {when}")
        print(f"      {f.url}" + (f"  tags: {', '.join(f.tags)}" if f.tags else ""))
        if f.last_error:
            print(f"      last error ({f.error_count}x): {_safe(f.last_error)}")
    print(f"{len(feeds)} feeds", file=sys.stderr)
    return 0


def _feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "title": feed.title,
        "url": feed.url,
        "site_url": feed.site_url,
        "tags": list(feed.tags),
        "unread": feed.unread,
        "total": feed.total,
        "last_update": feed.last_success.isoformat() if feed.last_success else None,
        "last_error": feed.last_error,
        "error_count": feed.error_count,
    }


def _safe(text: str) -> str:
    from tui_reader.textutil import clean_line

    return clean_line(text)


def cmd_feed_remove(args: argparse.Namespace) -> int:
    """``feed remove ID|URL [--purge]``."""
    from tui_reader.cli import open_archive
    from tui_reader.feed_table import FeedTable

    with open_archive(args, heal=False) as archive:
        table = FeedTable(archive)
        feed = table.find(args.feed)
        table.remove(feed.id, args.purge)
        archive.sync_index()
    what = f" and its {feed.total} articles" if args.purge else ""
    print(f"removed #{feed.id}: {_safe(feed.title)}{what}")
    return 0


def cmd_feed_import(args: argparse.Namespace) -> int:
    """``feed import FILE.opml``."""
    from tui_reader.cli import open_archive
    from tui_reader.errors import InputError
    from tui_reader.feed_table import FeedTable
    from tui_reader.feeds import parse_opml

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise InputError(f"{args.file}: cannot read ({exc.strerror})") from None
    entries = parse_opml(data)
    with open_archive(args, heal=False) as archive:
        new = FeedTable(archive).insert_many(entries)
    print(f"subscribed to {len(new)} new feeds ({len(entries) - len(new)} already subscribed)")
    return 0


def cmd_feed_export(args: argparse.Namespace) -> int:
    """``feed export [--output FILE]``."""
    from tui_reader.cli import open_archive
    from tui_reader.feed_table import FeedTable
    from tui_reader.feeds import OpmlFeed, build_opml

    with open_archive(args, heal=False) as archive:
        feeds = FeedTable(archive).all()
    text = build_opml([OpmlFeed(f.url, f.title, f.site_url, f.tags) for f in feeds])
    if args.output:
        from tui_reader.cli import open_private

        tmp = args.output.with_name(args.output.name + ".part")
        with open_private(tmp) as out:
            out.write(text + "\n")
        tmp.replace(args.output)
        print(f"exported {len(feeds)} feeds to {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """``refresh [FEED...] [--summary-only]``; exit 1 only when every feed failed."""
    from tui_reader.cli import progress_bar

    async def work(service: FetchService) -> int:
        ids = [service.find_feed(ref).id for ref in args.feeds] or None
        total = len(ids) if ids else len(service.list_feeds())
        with progress_bar("Refreshing", total, show=total > 1) as advance:
            report = await service.refresh(
                ids,
                summary_only=args.summary_only,
                progress=lambda _: advance(1),
                on_stored=lambda n: _note_indexing(n),
            )
        for line in report.failures:
            print(f"{PROG}: failed: {line}", file=sys.stderr)
        print(report.line())
        return 1 if report.all_failed else 0

    return _run(args, work)


def _note_indexing(count: int) -> None:
    if count and sys.stderr.isatty():
        print(f"analysing and indexing {count} new articles…", file=sys.stderr)


def cmd_reextract(args: argparse.Namespace) -> int:
    """``reextract [QUERY]``: extract stored raw pages again; same URL updates."""
    from tui_reader.cli import open_archive, progress_bar

    query = " ".join(args.query) or None
    with open_archive(args) as archive:
        ids = _article_ids(archive, query)
        with progress_bar("Re-extracting", len(ids), show=len(ids) > 3) as advance:
            report, skipped = reextract(archive, ids, advance)
    for line in report.failures:
        print(f"{PROG}: failed: {line}", file=sys.stderr)
    print(f"{report.line()}; {skipped} without a stored page")
    return 1 if report.failed else 0


def _article_ids(archive: Archive, query: str | None) -> list[int]:
    if not query:
        return archive.store.all_ids()
    total = archive.search(query, limit=1, snippets=False).total
    hits = archive.search(query, limit=max(total, 1), snippets=False).hits
    return [h.article.id for h in hits]


def reextract(
    archive: Archive, ids: list[int], advance: Callable[[int], None]
) -> tuple[IngestReport, int]:
    """Re-run extraction on the stored pages of ``ids``, keeping each one's feed link.

    Results go through the store's usual dedupe: the same URL updates the article.
    Returns the report and how many articles had no stored page (or no URL to match).
    """
    import os

    from tui_reader.models import IngestOutcome, IngestReport, IngestStatus
    from tui_reader.pipeline import prepare_many

    items, rows = _reextract_items(archive, ids)
    report = IngestReport()
    workers = (os.cpu_count() or 1) if len(items) >= 64 else 1
    batch: list[PreparedArticle] = []
    entities = archive.config.entities.enabled
    for item, prepared in prepare_many(items, entities=entities, workers=workers):
        if isinstance(prepared, tuple):
            report.record(IngestOutcome(IngestStatus.FAILED, prepared[0], message=prepared[1]))
        else:
            batch.append(_keep_origin(prepared, rows[item.source]))
        if len(batch) >= 200:
            report_batch(archive, batch, report)
            batch = []
        advance(1)
    report_batch(archive, batch, report)
    archive.sync_index()
    return report, len(ids) - len(items)


def _reextract_items(
    archive: Archive, ids: list[int]
) -> tuple[list[ImportItem], dict[str, sqlite3.Row]]:
    from tui_reader.importer import ImportItem

    items: list[ImportItem] = []
    rows: dict[str, sqlite3.Row] = {}
    for article_id in ids:
        found = archive.store.query(
            "SELECT url, origin, feed_id, guid, published FROM articles WHERE id = ?",
            (article_id,),
        )
        raw = archive.store.raw_html(article_id) if found and found[0]["url"] else None
        if raw is not None:
            url = found[0]["url"]
            items.append(ImportItem(source=url, html=raw, url=url))
            rows[url] = found[0]
    return items, rows


def _keep_origin(prepared: PreparedArticle, row: sqlite3.Row) -> PreparedArticle:
    """The stored article's origin, feed and guid survive re-extraction."""
    from datetime import datetime

    stored = datetime.fromisoformat(row["published"]) if row["published"] else None
    draft = replace(
        prepared.draft,
        origin=row["origin"],
        feed_id=row["feed_id"],
        guid=row["guid"],
        published=prepared.draft.published or stored,
        summary_only=False,
    )
    return replace(prepared, draft=draft)


def report_batch(archive: Archive, batch: list[PreparedArticle], report: IngestReport) -> None:
    """Store a batch in one transaction and count the outcomes."""
    if batch:
        for outcome in archive.store.save_batch(batch):
            report.record(outcome)
