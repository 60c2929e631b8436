"""The feeds table: subscriptions and what each refresh learnt about them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tui_reader.errors import InputError, NotFoundError
from tui_reader.feeds import OpmlFeed, ParsedFeed
from tui_reader.fetch import Response
from tui_reader.models import Feed, PreparedArticle
from tui_reader.store import now
from tui_reader.textutil import normalize_url

if TYPE_CHECKING:
    from tui_reader.archive import Archive


@dataclass(slots=True)
class FeedResult:
    """What fetching one feed gave: the response, the parsed feed, its items or an error."""

    feed: Feed
    response: Response | None = None
    parsed: ParsedFeed | None = None
    items: list[PreparedArticle] | None = None
    error: str | None = None


_FEED_COLUMNS = (
    "f.id, f.url, f.title, f.site_url, f.tags, f.etag, f.last_modified, f.last_success, "
    "f.last_error, f.error_count, f.added"
)


class FeedTable:
    """SQL for subscriptions. Reads may run anywhere; writes only on the writer thread."""

    def __init__(self, archive: Archive) -> None:
        self.store = archive.store

    def all(self) -> list[Feed]:
        """Every feed, by title, with unread and total counts."""
        rows = self.store.query(
            f"SELECT {_FEED_COLUMNS}, count(a.id) AS total, "
            "coalesce(sum(a.is_read = 0), 0) AS unread "
            "FROM feeds f LEFT JOIN articles a ON a.feed_id = f.id "
            "GROUP BY f.id ORDER BY lower(f.title), f.id"
        )
        return [_feed(r) for r in rows]

    def select(self, ids: Sequence[int] | None) -> list[Feed]:
        """The feeds with these ids (all when None). Raises NotFoundError."""
        feeds = self.all()
        if ids is None:
            return feeds
        by_id = {f.id: f for f in feeds}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise NotFoundError(f"no feed #{missing[0]}")
        return [by_id[i] for i in dict.fromkeys(ids)]

    def find(self, ref: str) -> Feed:
        """A feed by id or URL. Raises NotFoundError."""
        for feed in self.all():
            if ref.strip() in (str(feed.id), feed.url):
                return feed
        raise NotFoundError(f"no feed {ref!r} (see `feed list`)")

    def insert(self, item: OpmlFeed) -> Feed:
        """Subscribe. Raises InputError when the URL is already subscribed."""
        existing = self.store.query("SELECT id FROM feeds WHERE url = ?", (item.url,))
        if existing:
            raise InputError(f"already subscribed to {item.url} (feed #{existing[0][0]})")
        self.insert_many([item])
        return self.find(item.url)

    def insert_many(self, items: Sequence[OpmlFeed]) -> list[Feed]:
        """Subscribe to each feed not yet subscribed; returns the new ones."""
        stamp = now().isoformat(timespec="seconds")
        with self.store.transaction() as db:
            new = [
                item.url
                for item in items
                if db.execute(
                    "INSERT OR IGNORE INTO feeds (url, title, site_url, tags, added) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (item.url, item.title or item.url, item.site_url, _tags(item.tags), stamp),
                ).rowcount
            ]
        return [f for f in self.all() if f.url in set(new)]

    def remove(self, feed_id: int, purge: bool) -> None:
        """Delete a feed; its articles stay (unlinked) unless ``purge``."""
        with self.store.transaction() as db:
            if not db.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone():
                raise NotFoundError(f"no feed #{feed_id}")
            if purge:
                db.execute(
                    "INSERT OR IGNORE INTO index_deletions "
                    "SELECT id FROM articles WHERE feed_id = ?",
                    (feed_id,),
                )
                db.execute("DELETE FROM articles WHERE feed_id = ?", (feed_id,))
            else:  # the index records the feed id: re-index the articles without it
                db.execute(
                    "UPDATE articles SET needs_index = needs_index + 1 WHERE feed_id = ?",
                    (feed_id,),
                )
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def unseen(self, feed_id: int, items: list[PreparedArticle]) -> list[PreparedArticle]:
        """The items neither stored from this feed (by guid) nor stored by URL."""
        guids = [i.draft.guid or "" for i in items]
        urls = [normalize_url(i.draft.url) for i in items if i.draft.url]
        marks_g, marks_u = ",".join("?" * len(guids)), ",".join("?" * len(urls))
        seen = {
            r[0]
            for r in self.store.query(
                f"SELECT guid FROM articles WHERE feed_id = ? AND guid IN ({marks_g})",
                [feed_id, *guids],
            )
        }
        known_urls = {
            r[0]
            for r in self.store.query(f"SELECT url FROM articles WHERE url IN ({marks_u})", urls)
        }
        return [
            i
            for i in items
            if i.draft.guid not in seen
            and not (i.draft.url and normalize_url(i.draft.url) in known_urls)
        ]

    def record(self, batch: Sequence[FeedResult]) -> None:
        """Remember each feed's outcome: validators and success, or the error."""
        stamp = now().isoformat(timespec="seconds")
        with self.store.transaction() as db:
            for r in batch:
                if r.error is not None:
                    db.execute(
                        "UPDATE feeds SET last_error = ?, error_count = error_count + 1 "
                        "WHERE id = ?",
                        (r.error, r.feed.id),
                    )
                    continue
                db.execute(
                    "UPDATE feeds SET last_success = ?, last_error = NULL, error_count = 0 "
                    "WHERE id = ?",
                    (stamp, r.feed.id),
                )
                if r.response is not None and not r.response.not_modified:
                    _record_validators(db, r)


def _record_validators(db: sqlite3.Connection, r: FeedResult) -> None:
    assert r.response is not None
    title = r.parsed.title if r.parsed else None
    site = r.parsed.site_url if r.parsed else None
    db.execute(
        "UPDATE feeds SET etag = ?, last_modified = ?, "
        "title = CASE WHEN title IN ('', url) AND ? IS NOT NULL THEN ? ELSE title END, "
        "site_url = coalesce(site_url, ?) WHERE id = ?",
        (r.response.etag, r.response.last_modified, title, title, site, r.feed.id),
    )


def _tags(tags: Sequence[str]) -> str:
    return json.dumps(list(tags), ensure_ascii=False)


def _feed(row: sqlite3.Row) -> Feed:
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_success=when(row["last_success"]),
        last_error=row["last_error"],
        error_count=row["error_count"],
        added=when(row["added"]) or now(),
        unread=row["unread"],
        total=row["total"],
    )
