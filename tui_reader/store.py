"""The archive database: SQLite in WAL mode, the single source of truth.

Every write is one transaction, so an interrupted ingest leaves no half article.
The connection is shared by threads behind a lock (SQLite serialises writers anyway);
other processes wait on ``busy_timeout``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from tui_reader.errors import ArchiveBusyError, NotFoundError, StoreError
from tui_reader.models import (
    Analysis,
    Article,
    ArticleSummary,
    EntityCount,
    EntityMention,
    IndexDoc,
    IngestOutcome,
    IngestStatus,
    PreparedArticle,
    SavedSearch,
)
from tui_reader.paths import ensure_dir
from tui_reader.schema import LATEST_VERSION, MIGRATIONS
from tui_reader.textutil import normalize_url

BUSY_TIMEOUT_MS = 15_000
ListFilter = Literal["all", "unread", "starred"]

_SUMMARY_COLUMNS = (
    "a.id, a.title, a.url, a.site, a.author, a.published, a.added, a.lang, a.word_count, "
    "a.is_read, a.is_starred, a.feed_id"
)


def now() -> datetime:
    """The current local time, to the second (what the archive records)."""
    return datetime.now().replace(microsecond=0)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def entity_ids_sql(names: int) -> str:
    """The ids of the entities with one of ``names`` names (any type). By name alone, so
    that the (name, type) index answers it: matching pairs scanned the whole table."""
    return f"SELECT id, name, type FROM entities WHERE name IN ({','.join('?' * names)})"


class Store:
    """Typed access to the archive database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        ensure_dir(path.parent)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
            )
            self._configure()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the archive ({exc})") from None
        path.chmod(0o600)

    def _configure(self) -> None:
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > LATEST_VERSION:
            raise StoreError(
                f"{self.path}: the archive is from a newer tui-reader (schema {version}); "
                "upgrade tui-reader to open it"
            )
        if 0 < version < LATEST_VERSION:
            self.backup(self.path.with_name(f"{self.path.name}.v{version}.bak"))
        for number in range(version, LATEST_VERSION):
            with self.transaction() as db:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    def backup(self, target: Path) -> None:
        """Copy the whole archive to ``target`` consistently (SQLite's backup API)."""
        with self._lock, sqlite3.connect(target) as copy:
            self._db.backup(copy)
        target.chmod(0o600)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one immediate transaction, translating lock timeouts."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _translate(exc) from None
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._db.execute("ROLLBACK")
                raise _translate(exc) from None

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise _translate(exc) from None

    # -- ingest --------------------------------------------------------------------

    def save_batch(self, items: Sequence[PreparedArticle]) -> list[IngestOutcome]:
        """Store prepared articles in one transaction, with dedupe.

        Same normalised URL updates the stored article; the same content from another
        URL is reported as a duplicate and not stored again.
        """
        outcomes: list[IngestOutcome] = []
        found: list[tuple[int, Sequence[EntityMention]]] = []
        with self.transaction() as db:
            for item in items:
                outcome = self._save_one(db, item)
                outcomes.append(outcome)
                if item.entities is not None and outcome.status is not IngestStatus.DUPLICATE:
                    assert outcome.article_id is not None
                    found.append((outcome.article_id, item.entities))
            self._replace_mentions(db, found)
        return outcomes

    def _save_one(self, db: sqlite3.Connection, item: PreparedArticle) -> IngestOutcome:
        draft = item.draft
        source = draft.url or draft.title
        url = normalize_url(draft.url) if draft.url else None
        existing = (
            db.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone() if url else None
        )
        if existing is None:
            twin = db.execute(
                "SELECT id FROM articles WHERE content_hash = ? LIMIT 1", (item.content_hash,)
            ).fetchone()
            if twin is not None:
                return IngestOutcome(
                    IngestStatus.DUPLICATE,
                    source,
                    article_id=twin["id"],
                    duplicate_of=twin["id"],
                    message=f"duplicate of #{twin['id']}",
                )
        stamp = _iso(now())
        values = {
            "url": url,
            "title": draft.title,
            "author": draft.author,
            "site": draft.site,
            "published": _iso(draft.published),
            "updated": stamp,
            "lang": item.lang,
            "text": draft.text,
            "description": draft.description,
            "word_count": item.word_count,
            "content_hash": item.content_hash,
            "origin": draft.origin,
            "feed_id": draft.feed_id,
            "guid": draft.guid,
            "image": draft.image,
            "categories": json.dumps(list(draft.categories), ensure_ascii=False),
            "summary_only": int(draft.summary_only),
            "entities_done": int(item.entities is not None),
        }
        if existing is None:
            values["added"] = stamp
            columns = ", ".join(values)
            marks = ", ".join(f":{k}" for k in values)
            article_id = db.execute(
                f"INSERT INTO articles ({columns}) VALUES ({marks})", values
            ).lastrowid
            assert article_id is not None
            status = IngestStatus.ADDED
        else:
            article_id = existing["id"]
            sets = ", ".join(f"{k} = :{k}" for k in values)
            db.execute(
                f"UPDATE articles SET {sets}, needs_index = needs_index + 1 WHERE id = :id",
                {**values, "id": article_id},
            )
            status = IngestStatus.UPDATED
        if draft.raw_html is not None:
            db.execute(
                "INSERT OR REPLACE INTO raw_pages (article_id, html) VALUES (?, ?)",
                (article_id, zlib.compress(draft.raw_html, 6)),
            )
        self._add_tags(db, article_id, draft.tags)
        return IngestOutcome(status, source, article_id=article_id)

    @staticmethod
    def _add_tags(db: sqlite3.Connection, article_id: int, tags: Iterable[str]) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)",
            [(article_id, tag) for tag in tags],
        )

    @staticmethod
    def _replace_mentions(
        db: sqlite3.Connection, found: Sequence[tuple[int, Sequence[EntityMention]]]
    ) -> None:
        """Replace the mentions of each article with its entities (a batch at a time:
        one statement per kind of row, not three per mention)."""
        if not found:
            return
        db.executemany("DELETE FROM mentions WHERE article_id = ?", [(a,) for a, _ in found])
        names = list(dict.fromkeys((e.name, e.type) for _, entities in found for e in entities))
        db.executemany("INSERT OR IGNORE INTO entities (name, type) VALUES (?, ?)", names)
        ids: dict[tuple[str, str], int] = {}
        distinct = list(dict.fromkeys(name for name, _ in names))
        for start in range(0, len(distinct), 500):  # under old limits on parameters
            part = distinct[start : start + 500]
            rows = db.execute(entity_ids_sql(len(part)), part)
            ids.update(((name, kind), entity_id) for entity_id, name, kind in rows)
        db.executemany(
            "INSERT OR REPLACE INTO mentions (article_id, entity_id, count, spans) "
            "VALUES (?, ?, ?, ?)",
            [
                (article_id, ids[e.name, e.type], e.count, json.dumps(e.spans))
                for article_id, entities in found
                for e in entities
            ],
        )

    def set_entities(self, article_id: int, entities: Sequence[EntityMention]) -> None:
        """Replace an article's entities (after recognition ran again)."""
        with self.transaction() as db:
            self._replace_mentions(db, [(article_id, entities)])
            db.execute(
                "UPDATE articles SET entities_done = 1, needs_index = needs_index + 1 WHERE id = ?",
                (article_id,),
            )

    def save_analysis(self, found: Sequence[Analysis], *, reindex: bool = True) -> None:
        """Store language and entities computed after the articles were stored.

        The articles then need indexing again, unless ``reindex`` is False: the index
        documents being written already hold this analysis (they were read before it was
        stored, so their version is the one to mark indexed).
        """
        bump = 1 if reindex else 0
        with self.transaction() as db:
            db.executemany(
                "UPDATE articles SET lang = ?, entities_done = ?, "
                "needs_index = needs_index + ? WHERE id = ?",
                [(a.lang, int(a.entities is not None), bump, a.article_id) for a in found],
            )
            self._replace_mentions(
                db, [(a.article_id, a.entities) for a in found if a.entities is not None]
            )

    def unanalysed(self, limit: int) -> list[int]:
        """Up to ``limit`` articles whose entities were never computed, oldest first."""
        rows = self._query(
            "SELECT id FROM articles WHERE entities_done = 0 ORDER BY id LIMIT ?", (limit,)
        )
        return [r[0] for r in rows]

    def delete_article(self, article_id: int) -> None:
        """Remove an article (and queue its removal from the index)."""
        with self.transaction() as db:
            if db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 0:
                raise NotFoundError(f"no article #{article_id}")
            db.execute("INSERT OR IGNORE INTO index_deletions VALUES (?)", (article_id,))

    # -- reading -------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        """One whole article.

        Raises:
            NotFoundError: when there is no such article.
        """
        rows = self._query(
            f"SELECT {_SUMMARY_COLUMNS}, a.text, a.description, a.origin, a.content_hash, "
            "a.summary_only, a.reading_position FROM articles a WHERE a.id = ?",
            (article_id,),
        )
        if not rows:
            raise NotFoundError(f"no article #{article_id}")
        row = rows[0]
        summary = self._summaries_from_rows(rows)[0]
        return Article(
            summary=summary,
            text=row["text"],
            description=row["description"],
            origin=row["origin"],
            content_hash=row["content_hash"],
            summary_only=bool(row["summary_only"]),
            reading_position=row["reading_position"],
            entities=tuple(self.article_entities(article_id)),
        )

    def raw_html(self, article_id: int) -> bytes | None:
        """The page an article was extracted from, when it was kept."""
        rows = self._query("SELECT html FROM raw_pages WHERE article_id = ?", (article_id,))
        return zlib.decompress(rows[0][0]) if rows else None

    def summaries(self, ids: Sequence[int]) -> dict[int, ArticleSummary]:
        """Summaries of the given articles, by id (missing ids are left out)."""
        found: dict[int, ArticleSummary] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT {_SUMMARY_COLUMNS} FROM articles a WHERE a.id IN ({marks})", chunk
            )
            found.update((s.id, s) for s in self._summaries_from_rows(rows))
        return found

    def texts(self, ids: Sequence[int]) -> dict[int, str]:
        """The stored text of the given articles, by id."""
        marks = ",".join("?" * len(ids))
        rows = self._query(f"SELECT id, text FROM articles WHERE id IN ({marks})", list(ids))
        return {r["id"]: r["text"] for r in rows}

    def list_summaries(
        self,
        which: ListFilter = "all",
        *,
        feed_id: int | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ArticleSummary]:
        """Articles newest first, filtered; a page of ``limit`` from ``offset``."""
        where, params = self._filter(which, feed_id, tag)
        rows = self._query(
            f"SELECT {_SUMMARY_COLUMNS} FROM articles a {where} "
            "ORDER BY coalesce(a.published, a.added) DESC, a.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return self._summaries_from_rows(rows)

    def count(
        self, which: ListFilter = "all", *, feed_id: int | None = None, tag: str | None = None
    ) -> int:
        """How many articles :meth:`list_summaries` would list in all."""
        where, params = self._filter(which, feed_id, tag)
        return int(self._query(f"SELECT count(*) FROM articles a {where}", params)[0][0])

    @staticmethod
    def _filter(which: ListFilter, feed_id: int | None, tag: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if which == "unread":
            clauses.append("a.is_read = 0")
        elif which == "starred":
            clauses.append("a.is_starred = 1")
        if feed_id is not None:
            clauses.append("a.feed_id = ?")
            params.append(feed_id)
        if tag is not None:
            clauses.append("a.id IN (SELECT article_id FROM tags WHERE tag = ?)")
            params.append(tag)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _summaries_from_rows(self, rows: Sequence[sqlite3.Row]) -> list[ArticleSummary]:
        tags = self._tags_of([r["id"] for r in rows])
        return [
            ArticleSummary(
                id=r["id"],
                title=r["title"],
                url=r["url"],
                site=r["site"],
                author=r["author"],
                published=_dt(r["published"]),
                added=_dt(r["added"]) or now(),
                lang=r["lang"],
                word_count=r["word_count"],
                is_read=bool(r["is_read"]),
                is_starred=bool(r["is_starred"]),
                tags=tags.get(r["id"], ()),
                feed_id=r["feed_id"],
            )
            for r in rows
        ]

    def _tags_of(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        found: dict[int, list[str]] = {}
        for r in self._query(
            f"SELECT article_id, tag FROM tags WHERE article_id IN ({marks}) ORDER BY tag",
            list(ids),
        ):
            found.setdefault(r[0], []).append(r[1])
        return {k: tuple(v) for k, v in found.items()}

    def all_ids(self) -> list[int]:
        """Every article id, ascending."""
        return [r[0] for r in self._query("SELECT id FROM articles ORDER BY id")]

    def ids_matching(self, which: ListFilter) -> set[int]:
        """Ids of all unread or starred articles (for quick filters)."""
        where, params = self._filter(which, None, None)
        return {r[0] for r in self._query(f"SELECT a.id FROM articles a {where}", params)}

    # -- flags -----------------------------------------------------------------------

    def set_flag(self, article_id: int, flag: Literal["is_read", "is_starred"], on: bool) -> None:
        """Set an article's read or starred flag."""
        with self.transaction() as db:
            changed = db.execute(
                f"UPDATE articles SET {flag} = ?, needs_index = needs_index + 1 WHERE id = ?",
                (int(on), article_id),
            ).rowcount
        if not changed:
            raise NotFoundError(f"no article #{article_id}")

    def set_reading_position(self, article_id: int, position: float) -> None:
        """Remember how far (0..1) into an article the reader got."""
        with self.transaction() as db:
            db.execute(
                "UPDATE articles SET reading_position = ? WHERE id = ?",
                (min(1.0, max(0.0, position)), article_id),
            )

    def set_tags(self, article_id: int, tags: Iterable[str]) -> None:
        """Replace an article's tags."""
        with self.transaction() as db:
            db.execute("DELETE FROM tags WHERE article_id = ?", (article_id,))
            self._add_tags(db, article_id, tags)
            db.execute(
                "UPDATE articles SET needs_index = needs_index + 1 WHERE id = ?", (article_id,)
            )

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag with its article count."""
        rows = self._query("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag")
        return [(r[0], r[1]) for r in rows]

    # -- index bookkeeping -------------------------------------------------------------

    def pending_index(self) -> tuple[list[int], list[int]]:
        """Articles to (re)index, and deleted articles to drop from the index."""
        to_index = [r[0] for r in self._query("SELECT id FROM articles WHERE needs_index > 0")]
        to_drop = [r[0] for r in self._query("SELECT article_id FROM index_deletions")]
        return to_index, to_drop

    def mark_indexed(self, versions: dict[int, int], dropped: Sequence[int] = ()) -> None:
        """Record that the index now holds these articles as of these versions.

        An article changed since (its version moved on) stays pending.
        """
        with self.transaction() as db:
            db.executemany(
                "UPDATE articles SET needs_index = 0 WHERE id = ? AND needs_index = ?",
                list(versions.items()),
            )
            db.executemany(
                "DELETE FROM index_deletions WHERE article_id = ?", [(i,) for i in dropped]
            )

    def mark_for_index(self, ids: Sequence[int]) -> None:
        """Flag articles for indexing again."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE articles SET needs_index = needs_index + 1 WHERE id = ?",
                [(article_id,) for article_id in ids],
            )

    def mark_all_for_index(self) -> None:
        """Flag every article for indexing (before a full rebuild)."""
        with self.transaction() as db:
            db.execute("UPDATE articles SET needs_index = needs_index + 1")
            db.execute("DELETE FROM index_deletions")

    def index_docs(self, ids: Sequence[int]) -> list[IndexDoc]:
        """What the index needs for the given articles."""
        docs: list[IndexDoc] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                "SELECT id, title, text, lang, site, author, url, published, added, is_read, "
                f"is_starred, feed_id, needs_index FROM articles WHERE id IN ({marks})",
                chunk,
            )
            tags = self._tags_of(chunk)
            entities = self._entities_of(chunk, spans=False)  # the index needs no offsets
            docs.extend(
                IndexDoc(
                    id=r["id"],
                    title=r["title"],
                    text=r["text"],
                    lang=r["lang"],
                    site=r["site"],
                    author=r["author"],
                    url=r["url"],
                    published=_dt(r["published"]),
                    added=_dt(r["added"]) or now(),
                    tags=tags.get(r["id"], ()),
                    is_read=bool(r["is_read"]),
                    is_starred=bool(r["is_starred"]),
                    feed_id=r["feed_id"],
                    entities=tuple(entities.get(r["id"], ())),
                    version=r["needs_index"],
                )
                for r in rows
            )
        return docs

    # -- entities ----------------------------------------------------------------------

    def _entities_of(
        self, ids: Sequence[int], *, spans: bool = True
    ) -> dict[int, list[EntityMention]]:
        """Each article's entities; without their offsets (empty) unless ``spans``."""
        marks = ",".join("?" * len(ids))
        found: dict[int, list[EntityMention]] = {}
        for r in self._query(
            f"SELECT m.article_id, e.name, e.type, m.count, {'m.spans' if spans else 'NULL'} "
            f"FROM mentions m JOIN entities e ON e.id = m.entity_id "
            f"WHERE m.article_id IN ({marks}) ORDER BY m.count DESC, e.name",
            list(ids),
        ):
            offsets = tuple((int(a), int(b)) for a, b in json.loads(r[4])) if spans else ()
            found.setdefault(r[0], []).append(
                EntityMention(r["name"], r["type"], r["count"], offsets)
            )
        return found

    def article_entities(self, article_id: int) -> list[EntityMention]:
        """One article's entities, most mentioned first."""
        return self._entities_of([article_id]).get(article_id, [])

    def top_entities(self, entity_type: str | None = None, limit: int = 20) -> list[EntityCount]:
        """The entities mentioned in the most articles."""
        where = "WHERE e.type = ?" if entity_type else ""
        params: list[Any] = [entity_type] if entity_type else []
        rows = self._query(
            "SELECT e.name, e.type, count(*) AS articles, sum(m.count) AS mentions "
            f"FROM mentions m JOIN entities e ON e.id = m.entity_id {where} "
            "GROUP BY m.entity_id ORDER BY articles DESC, mentions DESC, e.name LIMIT ?",
            [*params, limit],
        )
        return [EntityCount(r[0], r[1], r[2], r[3]) for r in rows]

    # -- saved searches -------------------------------------------------------------------

    def save_search(self, name: str, query: str) -> SavedSearch:
        """Save (or rename) a search."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO saved_searches (name, query, added) VALUES (?, ?, ?) "
                "ON CONFLICT(query) DO UPDATE SET name = excluded.name",
                (name, query, _iso(now())),
            )
            row = db.execute("SELECT id FROM saved_searches WHERE query = ?", (query,)).fetchone()
        return SavedSearch(row[0], name, query)

    def saved_searches(self) -> list[SavedSearch]:
        """Every saved search, in the order saved."""
        rows = self._query("SELECT id, name, query FROM saved_searches ORDER BY id")
        return [SavedSearch(r[0], r[1], r[2]) for r in rows]

    def delete_saved_search(self, search_id: int) -> None:
        """Forget a saved search."""
        with self.transaction() as db:
            db.execute("DELETE FROM saved_searches WHERE id = ?", (search_id,))

    # -- health and figures ------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA integrity_check`` and ``foreign_key_check`` report (empty when ok)."""
        problems = [r[0] for r in self._query("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [
            f"foreign key: {r[0]} row {r[1]} -> {r[2]}"
            for r in self._query("PRAGMA foreign_key_check")
        ]
        return problems

    def stats(self) -> dict[str, Any]:
        """Counts by language, site and month."""

        def pairs(sql: str) -> dict[str, int]:
            return {str(r[0]): r[1] for r in self._query(sql)}

        return {
            "articles": self.count(),
            "unread": self.count("unread"),
            "starred": self.count("starred"),
            "by_language": pairs(
                "SELECT coalesce(lang, '?'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
            ),
            "by_site": pairs(
                "SELECT coalesce(site, '?'), count(*) FROM articles GROUP BY 1 "
                "ORDER BY 2 DESC LIMIT 25"
            ),
            "by_month": pairs(
                "SELECT substr(coalesce(published, added), 1, 7), count(*) FROM articles "
                "GROUP BY 1 ORDER BY 1 DESC LIMIT 36"
            ),
            "database_bytes": self.path.stat().st_size,
        }

    # -- feeds (rows as dicts; the fetching layer gives them meaning) ------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run one statement in its own transaction and return its rows."""
        with self.transaction() as db:
            return db.execute(sql, params).fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only statement and return its rows."""
        return self._query(sql, params)


def _translate(exc: sqlite3.OperationalError) -> Exception:
    if "locked" in str(exc) or "busy" in str(exc):
        return ArchiveBusyError(
            "the archive is busy in another tui-reader process; try again in a moment"
        )
    return StoreError(f"archive error: {exc}")
