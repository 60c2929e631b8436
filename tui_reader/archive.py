"""The archive service: what the CLI and the UI call.

Ingest is prepare (extract, language, entities) -> store (one transaction) -> index.
The store is the truth; the index follows it and is reconciled whenever it lags
(after a crash, a deleted index folder, or another process's writes).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader.config import Config, load_config
from tui_reader.errors import ArchiveBusyError, StoreError
from tui_reader.language import set_cache_dir as set_language_cache_dir
from tui_reader.models import (
    Article,
    ArticleDraft,
    ArticleSummary,
    EntityCount,
    IndexDoc,
    IngestOutcome,
    IngestReport,
    IngestStatus,
    PreparedArticle,
    SavedSearch,
    SearchHit,
    SearchResult,
    SortOrder,
)
from tui_reader.paths import Paths, ensure_dir, resolve_paths
from tui_reader.store import ListFilter, Store

if TYPE_CHECKING:
    # Loaded on first use: the index (Whoosh) and the ingest pipeline are not needed to
    # open an archive and list it, which is what the reader does first.
    from tui_reader.importer import ImportItem
    from tui_reader.index import Index, RawResult
    from tui_reader.index.build import Prepare

Progress = Callable[[int], None]
STORE_BATCH = 200
INDEX_BATCH = 500
PARALLEL_INDEX_THRESHOLD = 2000  # below this, starting worker processes costs more
PARALLEL_THRESHOLD = 64
INDEX_WAIT = 60.0  # how long a writer queues behind another process's index writer
QUICK_WAIT = 1.0  # for a click: the change is in the store; the index may catch up later


@dataclass(slots=True)
class DoctorReport:
    """What ``doctor`` found (and fixed)."""

    problems: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    articles: int = 0
    indexed: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem remains."""
        return not self.problems


class Archive:
    """A person's archive: the store, its index and the settings."""

    def __init__(self, paths: Paths, config: Config | None = None) -> None:
        self.paths = paths
        self.config = config or load_config(paths.config_path)
        # Language detection (here and in worker processes) keeps its model decoded here.
        set_language_cache_dir(paths.cache_dir)
        ensure_dir(paths.data_dir)
        self.store = Store(paths.db_path)
        # The words each recent query matched, for highlighting article after article.
        self._query_words: dict[str, dict[str, frozenset[str]]] = {}

    @cached_property
    def index(self) -> Index:
        """The search index (opened on first use)."""
        from tui_reader.index import Index

        return Index(self.paths.index_dir)

    @classmethod
    def open(cls, home: Path | str | None = None) -> Archive:
        """Open the archive at ``home`` (or ``$TUI_READER_HOME``, or the user's data dir)."""
        return cls(resolve_paths(home))

    def close(self) -> None:
        """Release the index and the database."""
        if "index" in self.__dict__:
            self.index.close()
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest --------------------------------------------------------------------

    def add_draft(self, draft: ArticleDraft) -> IngestOutcome:
        """Prepare, store and index one article (fetching and the UI use this)."""
        from tui_reader.pipeline import prepare_draft

        prepared = prepare_draft(draft, entities=self.config.entities.enabled)
        return self.add_prepared([prepared])[0]

    def add_prepared(self, items: Sequence[PreparedArticle]) -> list[IngestOutcome]:
        """Store prepared articles in one transaction and index them."""
        outcomes = self.store.save_batch(items)
        self.sync_index()
        return outcomes

    def import_items(
        self,
        items: Iterable[ImportItem],
        *,
        progress: Progress | None = None,
        workers: int | None = None,
        expected: int = 0,
        index_workers: int | None = None,
    ) -> IngestReport:
        """Import many items: prepared in worker processes while this one stores them and
        (for a large import) ``index_workers`` processes index them.

        Each batch is one store transaction; the index gets one commit at the end (a crash
        before it leaves the articles stored and flagged for indexing on the next start).
        """
        from tui_reader.pipeline import prepare_many

        if workers is None:
            workers = (os.cpu_count() or 1) if expected >= PARALLEL_THRESHOLD else 1
        report = IngestReport()
        batch: list[tuple[str, PreparedArticle]] = []
        known_stems = self.load_stem_cache()
        stream = prepare_many(
            items,
            entities=self.config.entities.enabled,
            workers=workers,
            stems_path=self.stems_path(),
        )
        # A large import also indexes in worker processes (one segment each), so the
        # index is not written by this one process at the end.
        if index_workers is None:
            index_workers = workers if expected >= PARALLEL_INDEX_THRESHOLD else 1
        with self.indexing(procs=index_workers) as index:
            for item, prepared in stream:
                if isinstance(prepared, tuple):
                    failure = IngestOutcome(IngestStatus.FAILED, prepared[0], message=prepared[1])
                    report.record(failure)
                else:
                    batch.append((item.source, prepared))
                if len(batch) >= STORE_BATCH:
                    index(self._store_batch(batch, report))
                    batch = []
                if progress:
                    progress(1)
            index(self._store_batch(batch, report))
        self.sync_index()
        self.save_stem_cache(known_stems)
        return report

    def _store_batch(
        self, batch: list[tuple[str, PreparedArticle]], report: IngestReport
    ) -> list[int]:
        """Store a batch; returns the ids of the articles stored (to index)."""
        if not batch:
            return []
        from tui_reader.index.analysis import learn_stems

        outcomes = self.store.save_batch([prepared for _, prepared in batch])
        for (source, prepared), outcome in zip(batch, outcomes, strict=True):
            report.record(_with_source(outcome, source))
            learn_stems(prepared.stems)
        stored = {o.article_id for o in outcomes if o.status is not IngestStatus.DUPLICATE}
        return sorted(i for i in stored if i is not None)

    # -- index upkeep ------------------------------------------------------------------

    def sync_index(
        self, *, bulk: bool = False, progress: Progress | None = None, wait: float | None = None
    ) -> int:
        """Bring the index up to date with the store, in one index commit.

        Returns the number of articles (re)indexed. Articles are marked indexed only after
        the commit, so a crash in between leaves them pending for the next run.
        """
        to_index, to_drop = self.store.pending_index()
        if not to_index and not to_drop:
            return 0

        versions: dict[int, int] = {}

        def docs() -> Iterator[IndexDoc]:
            for start in range(0, len(to_index), INDEX_BATCH):
                chunk = to_index[start : start + INDEX_BATCH]
                for doc in self.store.index_docs(chunk):
                    versions[doc.id] = doc.version
                    yield doc
                if progress:
                    progress(len(chunk))

        with self.index.session(bulk=bulk, wait=INDEX_WAIT if wait is None else wait) as session:
            session.delete(to_drop)
            session.add(docs())
        self.store.mark_indexed(versions, to_drop)
        return len(to_index)

    @contextlib.contextmanager
    def indexing(
        self,
        *,
        procs: int = 1,
        wait: float | None = None,
        progress: Progress | None = None,
        prepare: Prepare | None = None,
        on_prepared: Callable[[Any], None] | None = None,
    ) -> Iterator[Callable[[Sequence[int]], None]]:
        """Index stored articles as they become ready, in one index commit at the end
        (written by ``procs`` worker processes when more than one, which report each
        batch written to ``progress``). With ``prepare``, the documents go through it
        first, in those processes (see :meth:`~tui_reader.index.engine.Index.session`).

        Yields a function taking article ids; they are marked indexed once the commit is
        done. For a stream of work (a refresh's analysis): one commit writes each common
        word once, where a commit per part would write it again every time.
        """
        versions: dict[int, int] = {}
        with self.index.session(
            bulk=True,
            wait=INDEX_WAIT if wait is None else wait,
            procs=procs,
            stems_path=self.stems_path(),
            progress=progress,
            prepare=prepare,
            on_prepared=on_prepared,
        ) as session:

            def add(ids: Sequence[int]) -> None:
                if not ids:
                    return
                docs = self.store.index_docs(list(ids))
                session.add(docs)
                versions.update((d.id, d.version) for d in docs if d.id not in session.repeated)

            yield add
        self.store.mark_indexed(versions)

    def _sync_soon(self) -> None:
        """Index a small change now if the index is free; otherwise it stays pending
        (flagged in the store) and the next sync picks it up: never an error for a click."""
        with contextlib.suppress(ArchiveBusyError):
            self.sync_index(wait=QUICK_WAIT)

    def stems_path(self) -> Path:
        """The on-disk cache of Indonesian stems (worker processes start from it)."""
        from tui_reader.index.analysis import STEMMER_VERSION

        return ensure_dir(self.paths.cache_dir) / f"stems-id-v{STEMMER_VERSION}.marshal"

    def load_stem_cache(self) -> int:
        """Load the on-disk stem cache once per process; returns the stems known now."""
        from tui_reader.index.analysis import cached_stem_count, load_stems

        if cached_stem_count() < 1000:
            load_stems(self.stems_path())
        return cached_stem_count()

    def save_stem_cache(self, known_before: int) -> None:
        """Save the stem cache when this run taught it many new words."""
        from tui_reader.index.analysis import cached_stem_count, save_stems

        if cached_stem_count() - known_before > 1000:
            save_stems(self.stems_path())

    def reindex(self, progress: Progress | None = None, procs: int | None = None) -> int:
        """Rebuild the whole index from the store, with ``procs`` worker processes
        (by default one per core for a large archive, none for a small one)."""
        known_stems = self.load_stem_cache()
        self.index.create()
        self.store.mark_all_for_index()
        to_index, _ = self.store.pending_index()
        if procs is None:
            procs = (os.cpu_count() or 1) if len(to_index) >= PARALLEL_INDEX_THRESHOLD else 1
        if procs > 1 and to_index:
            with self.indexing(procs=procs, progress=progress) as index:
                for start in range(0, len(to_index), INDEX_BATCH):
                    index(to_index[start : start + INDEX_BATCH])
            count = len(to_index)
        else:
            count = self.sync_index(bulk=True, progress=progress)
        self.save_stem_cache(known_stems)
        return count

    def ensure_index(self, progress: Progress | None = None) -> str | None:
        """Heal the index if it lags behind the store; returns what was done, if anything."""
        try:
            rebuilt = not self.index.exists() or self.index.is_outdated()
            if not rebuilt:
                self.index.doc_count()
        except StoreError:
            rebuilt = True
        if rebuilt:
            count = self.reindex(progress)
            if count == 0:
                return None
            return f"rebuilt the search index ({count} articles)"
        done = self.sync_index(progress=progress)
        if self.index.doc_count() != self.store.count():
            report = self.doctor(repair=True)
            return "; ".join(report.fixed) or None
        return f"indexed {done} articles" if done else None

    def doctor(self, repair: bool = False) -> DoctorReport:
        """Check the store's integrity and that index and store agree."""
        report = DoctorReport()
        report.problems.extend(self.store.integrity_problems())
        stored = set(self.store.all_ids())
        report.articles = len(stored)
        if self.index.exists() and self.index.is_outdated():
            if not repair:
                report.problems.append("the search index was built by another version")
                return report
            report.fixed.append(f"rebuilt the search index ({self.reindex()} articles)")
        indexed = self.index.doc_ids() if self.index.exists() else set()
        report.indexed = len(indexed)
        missing = sorted(stored - indexed)
        orphans = sorted(indexed - stored)
        pending, _ = self.store.pending_index()
        if missing:
            report.problems.append(f"{len(missing)} articles missing from the search index")
        if orphans:
            report.problems.append(f"{len(orphans)} index entries for articles not in the archive")
        stale = sorted(set(pending) - set(missing))
        if stale:
            report.problems.append(f"{len(stale)} articles changed since they were indexed")
        if repair and (missing or orphans or stale):
            docs = self.store.index_docs(missing + stale)
            self.index.update(docs, orphans, bulk=True)
            self.store.mark_indexed({doc.id: doc.version for doc in docs})
            report.fixed.append(
                f"indexed {len(missing) + len(stale)} articles, dropped {len(orphans)} orphans"
            )
            report.problems = [p for p in report.problems if "index" not in p]
            report.indexed = report.articles
        return report

    # -- reading ---------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        """One whole article."""
        return self.store.get(article_id)

    def list_articles(
        self,
        which: ListFilter = "all",
        *,
        feed_id: int | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ArticleSummary]:
        """Articles newest first."""
        return self.store.list_summaries(
            which, feed_id=feed_id, tag=tag, limit=limit, offset=offset
        )

    def count(
        self, which: ListFilter = "all", *, feed_id: int | None = None, tag: str | None = None
    ) -> int:
        """How many articles :meth:`list_articles` can show."""
        return self.store.count(which, feed_id=feed_id, tag=tag)

    def search(
        self,
        query: str,
        *,
        limit: int | None = None,
        offset: int = 0,
        sort: SortOrder = "relevance",
        snippets: bool = True,
        suggest: bool = True,
        max_expansion: int | None = None,
        exact_total: bool = True,
    ) -> SearchResult:
        """Ranked search; see the README for the query language.

        ``max_expansion`` caps each wildcard's words (default: the configured cap); search
        as you type uses a lower one.

        Raises:
            QueryError: when the query cannot be understood.
        """
        limit = limit if limit is not None else self.config.search.limit
        raw = self.index.search(
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            max_expansion=max_expansion or self.config.search.max_expansion,
            suggest=suggest,
            exact_total=exact_total,
        )
        return self._result(query, raw, snippets)

    def _result(self, query: str, raw: RawResult, snippets: bool) -> SearchResult:
        ids = [h.article_id for h in raw.hits]
        summaries = self.store.summaries(ids)
        texts = self.store.texts(ids) if snippets and ids else {}
        hits: list[SearchHit] = []
        for hit in raw.hits:
            summary = summaries.get(hit.article_id)
            if summary is None:  # index ahead of a deletion: skip, doctor will drop it
                continue
            snippet: str = ""
            marks: tuple[tuple[int, int], ...] = ()
            if hit.article_id in texts:
                snippet, marks = self.index.snippet(texts[hit.article_id], summary.lang, raw.words)
            hits.append(SearchHit(summary, hit.score, snippet, marks))
        terms = tuple(sorted(set().union(*raw.words.values()))) if raw.words else ()
        return SearchResult(
            query, tuple(hits), raw.total, raw.suggestion, raw.notices, terms, raw.total_exact
        )

    def match_spans(self, article: Article, query: str) -> list[tuple[int, int]]:
        """Offsets in the article's text of every word the query matches."""
        if not query.strip():
            return []
        words = self._query_words.get(query)
        if words is None:
            raw = self.index.search(
                query,
                limit=1,
                max_expansion=self.config.search.max_expansion,
                suggest=False,
                exact_total=False,
            )
            words = raw.words
            if len(self._query_words) > 64:  # the reader moves along one result list
                self._query_words.clear()
            self._query_words[query] = words
        return self.index.match_spans(article.text, article.summary.lang, words)

    def related(self, article: Article, limit: int = 10) -> list[ArticleSummary]:
        """Articles like this one: by words, then by shared entities."""
        hits = self.index.more_like(article.id, article.text, limit=limit)
        summaries = self.store.summaries([h.article_id for h in hits])
        return [summaries[h.article_id] for h in hits if h.article_id in summaries]

    def export(self, query: str | None = None) -> Iterator[Article]:
        """Every article (or every match of ``query``), newest first."""
        if query:
            # One pass: no match can be beyond the number of stored articles.
            everything = max(self.store.count(), 1)
            result = self.index.search(
                query, limit=everything, sort="date", suggest=False, exact_total=False
            )
            ids = [h.article_id for h in result.hits]
        else:
            ids = [s.id for s in self.store.list_summaries("all", limit=-1)]
        for article_id in ids:
            yield self.store.get(article_id)

    # -- changes ---------------------------------------------------------------------

    def set_read(self, article_id: int, read: bool = True) -> None:
        """Mark an article read or unread."""
        self.store.set_flag(article_id, "is_read", read)
        self._sync_soon()

    def set_starred(self, article_id: int, starred: bool = True) -> None:
        """Star or unstar an article."""
        self.store.set_flag(article_id, "is_starred", starred)
        self._sync_soon()

    def set_tags(self, article_id: int, tags: Iterable[str]) -> None:
        """Replace an article's tags."""
        self.store.set_tags(article_id, sorted({t.strip() for t in tags if t.strip()}))
        self._sync_soon()

    def set_reading_position(self, article_id: int, position: float) -> None:
        """Remember where the reader stopped in an article (0..1)."""
        self.store.set_reading_position(article_id, position)

    def delete(self, article_id: int) -> None:
        """Remove an article from the archive."""
        self.store.delete_article(article_id)
        self._sync_soon()

    # -- entities, tags, saved searches, figures ---------------------------------------

    def top_entities(self, entity_type: str | None = None, limit: int = 20) -> list[EntityCount]:
        """The entities mentioned in the most articles."""
        return self.store.top_entities(entity_type, limit)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with its article count."""
        return self.store.all_tags()

    def save_search(self, query: str, name: str | None = None) -> SavedSearch:
        """Save a query for the sidebar."""
        return self.store.save_search(name or query, query)

    def saved_searches(self) -> list[SavedSearch]:
        """The saved queries."""
        return self.store.saved_searches()

    def delete_saved_search(self, search_id: int) -> None:
        """Forget a saved query."""
        self.store.delete_saved_search(search_id)

    def stats(self) -> dict[str, Any]:
        """Counts by language, site and month, and the sizes on disk."""
        figures = self.store.stats()
        figures["index_bytes"] = self.index.size_bytes()
        figures["index_documents"] = self.index.doc_count() if self.index.exists() else 0
        return figures


def _with_source(outcome: IngestOutcome, source: str) -> IngestOutcome:
    if outcome.source == source:
        return outcome
    return IngestOutcome(
        outcome.status, source, outcome.article_id, outcome.duplicate_of, outcome.message
    )
