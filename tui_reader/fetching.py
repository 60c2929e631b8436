"""The fetching service: add pages, subscribe to feeds, refresh them.

Network I/O is async (httpx); parsing and extraction run in a worker process pool
(or a thread for small jobs); every write goes through one writer thread, so the
event loop never blocks and the archive sees one writer at a time.

A refresh has two phases: new items are stored first (listable at once, language and
entities not yet known), then analysed in parallel and indexed in one commit (many items
are analysed by the processes that write the index, just before they index them).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx

from tui_reader import fetch
from tui_reader.errors import InputError, ReaderError
from tui_reader.feed_table import FeedResult, FeedTable
from tui_reader.feeds import (
    OpmlFeed,
    build_opml,
    discover_feeds,
    feed_articles,
    looks_like_feed,
    parse_feed,
)
from tui_reader.fetch import Fetcher, FetchSettings, PageInput, Response, check_url
from tui_reader.models import (
    Analysis,
    ArticleDraft,
    Feed,
    IngestOutcome,
    IngestReport,
    IngestStatus,
    PreparedArticle,
)

if TYPE_CHECKING:
    from tui_reader.archive import Archive

T = TypeVar("T")
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
    "text/html;q=0.5,*/*;q=0.1"
)
POOL_MIN_JOBS = 8  # below this, a worker process costs more to start than it saves
STORE_BATCH = 200
ANALYSE_CHUNK = 32
INDEX_SEND_BATCH = 200  # articles read from the store and sent to the index workers at once
# From this many new items, worker processes analyse and index them (this process, busy
# with the network and the store, would be the bottleneck); fewer are analysed in the pool
# and indexed here.
PARALLEL_INDEX_ITEMS = 1000
# Articles an earlier refresh left unanalysed that one refresh catches up on, at most.
UNANALYSED_LIMIT = 2000
RefreshStatus = Literal["ok", "unchanged", "failed"]


class RefreshCancelled(Exception):
    """Raised in the writer thread to stop work whose refresh was cancelled."""


@dataclass(frozen=True, slots=True)
class RefreshEvent:
    """What happened to one feed during a refresh."""

    feed_id: int
    url: str
    title: str
    status: RefreshStatus
    new: int = 0
    message: str = ""


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """Totals of a refresh, and one line per failed feed."""

    new_articles: int
    feeds_ok: int
    feeds_failed: int
    failures: tuple[str, ...]
    events: tuple[RefreshEvent, ...]

    @property
    def all_failed(self) -> bool:
        """True when there were feeds and none of them could be refreshed."""
        return self.feeds_failed > 0 and self.feeds_ok == 0

    def line(self) -> str:
        """The summary line the CLI prints."""
        return (
            f"{self.new_articles} new articles from {self.feeds_ok} feeds, "
            f"{self.feeds_failed} failed"
        )


class FetchService:
    """Fetch pages and feeds into an archive.

    Args:
        archive: the archive to store into.
        settings: client settings (default: from the archive's ``[fetch]`` config).
        transport: an httpx transport to use instead of the network (tests).
        workers: worker processes for parsing and analysis (0: threads only).
    """

    def __init__(
        self,
        archive: Archive,
        *,
        settings: FetchSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        workers: int | None = None,
    ) -> None:
        self.archive = archive
        self.settings = settings or archive.config.fetch
        self.feeds = FeedTable(archive)
        self._transport = transport
        self._workers = (os.cpu_count() or 1) if workers is None else workers
        self._fetcher: Fetcher | None = None
        self._pool: Executor | None = None
        self._pool_start: asyncio.Future[Executor] | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tui-reader-writer")

    @property
    def entities(self) -> bool:
        """Whether entity recognition runs on new articles."""
        return self.archive.config.entities.enabled

    def _client(self) -> Fetcher:
        if self._fetcher is None:  # made lazily: the client belongs to the running loop
            self._fetcher = Fetcher(self.settings, self._transport)
        return self._fetcher

    async def aclose(self) -> None:
        """Close connections and stop worker processes."""
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
        if self._pool_start is not None:
            starting, self._pool_start = self._pool_start, None
            with contextlib.suppress(Exception):  # a pool that failed to start has no workers
                await starting
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown)
        await asyncio.to_thread(self._writer.shutdown)

    # -- running work off the event loop ---------------------------------------------

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn, *args)

    async def _cpu(self, heavy: bool, fn: Callable[..., T], *args: Any) -> T:
        pool = await self._worker_pool() if heavy else None
        if pool is None:
            return await asyncio.to_thread(fn, *args)
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    def _start_workers(self) -> None:
        """Start the worker processes now, off the event loop, so that their start overlaps
        with the network: starting one waits until the fork server has imported what the
        workers run, which would stall every download meanwhile."""
        if self._workers > 1 and self._pool_start is None:
            self._pool_start = asyncio.ensure_future(asyncio.to_thread(self._new_pool))

    async def _worker_pool(self) -> Executor | None:
        self._start_workers()
        return await self._pool_start if self._pool_start is not None else None

    def _new_pool(self) -> Executor:
        """In a thread: a pool with its processes started (see :meth:`_start_workers`)."""
        from tui_reader.pipeline import process_pool as make_pool

        # Models load on first use: the feeds are parsed first, and their items are
        # stored (listable) before any is analysed.
        pool = make_pool(self._workers, stems_path=self.archive.stems_path(), models=False)
        for _ in range(self._workers):
            pool.submit(fetch.warm_up)  # a pool starts its processes on demand
        self._pool = pool
        return pool

    # -- pages -----------------------------------------------------------------------

    async def add_url(self, url: str, tags: Sequence[str] = ()) -> IngestOutcome:
        """Fetch a page, extract its article, store and index it. Never raises."""
        report = await self.add_urls([url], tags)
        return report_outcomes(report, [url])[0]

    async def add_urls(
        self,
        urls: Sequence[str],
        tags: Sequence[str] = (),
        progress: Callable[[IngestOutcome], None] | None = None,
    ) -> IngestReport:
        """Add many pages concurrently; stored in batches, one line per failure."""
        heavy = len(urls) >= POOL_MIN_JOBS
        if heavy:
            self._start_workers()
        jobs = [asyncio.create_task(self._page(url, tuple(tags), heavy)) for url in urls]
        report = IngestReport()
        pending: list[tuple[str, PreparedArticle]] = []
        for job in asyncio.as_completed(jobs):
            source, result = await job
            if isinstance(result, str):
                _record(
                    report, IngestOutcome(IngestStatus.FAILED, source, message=result), progress
                )
                continue
            pending.append((source, result))
            if len(pending) >= 50:
                await self._store_pages(pending, report, progress)
                pending = []
        await self._store_pages(pending, report, progress)
        return report

    async def _page(
        self, url: str, tags: tuple[str, ...], heavy: bool
    ) -> tuple[str, PreparedArticle | str]:
        try:
            response = await self._client().get(check_url(url), accept=HTML_ACCEPT)
            if looks_like_feed(response.content_type, response.body):
                raise InputError("this is a feed, not an article page (use `feed add`)")
            return url, await self._cpu(
                heavy, fetch.page_article, _page_input(response), tags, True, self.entities
            )
        except ReaderError as exc:
            return url, str(exc)
        except Exception as exc:  # never let one hostile page stop the batch
            return url, f"cannot process the page ({type(exc).__name__})"

    async def _store_pages(
        self,
        items: list[tuple[str, PreparedArticle]],
        report: IngestReport,
        progress: Callable[[IngestOutcome], None] | None,
    ) -> None:
        if not items:
            return
        try:
            outcomes = await self._write(self.archive.add_prepared, [p for _, p in items])
        except ReaderError as exc:
            outcomes = [IngestOutcome(IngestStatus.FAILED, s, message=str(exc)) for s, _ in items]
        for (source, _), outcome in zip(items, outcomes, strict=True):
            _record(report, replace(outcome, source=source), progress)

    # -- feeds -----------------------------------------------------------------------

    async def add_feed(self, url: str, tags: Sequence[str] = ()) -> Feed:
        """Subscribe to a feed, given its URL or the URL of a page that links to it.

        Raises:
            InputError: bad URL, no feed found, or already subscribed.
            FetchError: the feed could not be fetched.
        """
        response = await self._client().get(check_url(url), accept=FEED_ACCEPT)
        if not looks_like_feed(response.content_type, response.body):
            response = await self._discovered(response)
        parsed = await self._cpu(
            False, parse_feed, response.body, response.url, response.content_type
        )
        clean_tags = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
        return await self._write(
            self.feeds.insert,
            OpmlFeed(response.url, parsed.title, parsed.site_url, clean_tags),
        )

    async def _discovered(self, page: Response) -> Response:
        links = discover_feeds(page.body, page.url) if fetch.is_html(page.content_type) else []
        if not links:
            raise InputError("no feed found: the page is neither a feed nor links to one")
        last: ReaderError | None = None
        for link in links[:5]:
            try:
                response = await self._client().get(link, accept=FEED_ACCEPT)
                if looks_like_feed(response.content_type, response.body):
                    return response
            except ReaderError as exc:
                last = exc
        raise last or InputError("no feed found: the linked feeds are not RSS or Atom")

    def list_feeds(self) -> list[Feed]:
        """Every subscription, by title, with unread and total article counts."""
        return self.feeds.all()

    def find_feed(self, ref: str) -> Feed:
        """A feed by id (``12``) or URL. Raises NotFoundError."""
        return self.feeds.find(ref)

    def remove_feed(self, feed_id: int, purge: bool = False) -> None:
        """Unsubscribe; with ``purge``, also delete the feed's articles."""
        self.feeds.remove(feed_id, purge)
        self.archive.sync_index()

    def import_opml(self, data: bytes) -> list[Feed]:
        """Subscribe to every feed of an OPML file not yet subscribed; returns those."""
        from tui_reader.feeds import parse_opml

        return self.feeds.insert_many(parse_opml(data))

    def export_opml(self) -> str:
        """Every subscription as an OPML 2.0 document (tags become folders)."""
        return build_opml([OpmlFeed(f.url, f.title, f.site_url, f.tags) for f in self.feeds.all()])

    # -- refresh ---------------------------------------------------------------------

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        summary_only: bool = False,
        progress: Callable[[RefreshEvent], None] | None = None,
        on_stored: Callable[[int], None] | None = None,
    ) -> RefreshReport:
        """Fetch feeds (all, or ``feed_ids``) and store their new entries.

        ``progress`` gets one event per feed once its items are stored; ``on_stored``
        is called with the number of new articles once all are stored (listable),
        before they are analysed and indexed.

        Raises:
            NotFoundError: when a feed id does not exist.
        """
        feeds = await asyncio.to_thread(self.feeds.select, feed_ids)
        # The workers start with the first feed that changed (its parse waits for them,
        # the other downloads do not): a refresh where every feed answers 304 needs none.
        heavy = len(feeds) >= POOL_MIN_JOBS
        jobs = [asyncio.create_task(self._refresh_one(f, summary_only, heavy)) for f in feeds]
        events: list[RefreshEvent] = []
        stored: list[tuple[int, PreparedArticle]] = []
        batch: list[FeedResult] = []
        for job in asyncio.as_completed(jobs):
            batch.append(await job)
            if sum(len(r.items or ()) for r in batch) >= STORE_BATCH:
                await self._commit(batch, events, stored, progress)
                batch = []
        await self._commit(batch, events, stored, progress)
        if on_stored:
            on_stored(len(stored))
        new = {article_id for article_id, _ in stored}
        earlier = await self._write(self._unanalysed, new) if self.entities else []
        await self._analyse(stored + earlier)
        return _report(events)

    def _unanalysed(self, new: set[int]) -> list[tuple[int, PreparedArticle]]:
        """Writer thread: articles an earlier refresh stored but did not get to analyse
        (cancelled, or killed, after storing them), as analysis needs them: this refresh
        analyses them too, so they do not stay without language and entities."""
        store = self.archive.store
        ids = [i for i in store.unanalysed(UNANALYSED_LIMIT + len(new)) if i not in new]
        ids = ids[:UNANALYSED_LIMIT]
        if not ids:
            return []
        # They may be indexed already (without analysis): until this refresh's commit
        # holds their analysis, they are pending again.
        store.mark_for_index(ids)
        return [(d.id, _for_analysis(d.title, d.text, d.lang)) for d in store.index_docs(ids)]

    async def _refresh_one(self, feed: Feed, summary_only: bool, heavy: bool) -> FeedResult:
        result = FeedResult(feed)
        try:
            result.response = await self._client().get(
                feed.url, accept=FEED_ACCEPT, etag=feed.etag, last_modified=feed.last_modified
            )
            if result.response.not_modified:
                return result
            response = result.response
            parsed, items = await self._cpu(
                heavy, feed_articles, response.body, response.url, feed, response.content_type
            )
            result.parsed = parsed
            items = await asyncio.to_thread(self.feeds.unseen, feed.id, items)
            if not summary_only:
                items = list(await asyncio.gather(*(self._full_page(i, heavy) for i in items)))
            result.items = items
        except ReaderError as exc:
            result.error = str(exc)
        except Exception as exc:  # a parser failing on hostile input must not stop the rest
            result.error = f"cannot process the feed ({type(exc).__name__})"
        return result

    async def _full_page(self, item: PreparedArticle, heavy: bool) -> PreparedArticle:
        """The entry's page when it extracts to more than the feed's own content."""
        if not item.draft.url:
            return item
        try:
            response = await self._client().get(item.draft.url, accept=HTML_ACCEPT)
            page = await self._cpu(heavy, fetch.page_article, _page_input(response), (), False)
        except Exception:  # any failure: the feed's content stands in, summary only
            return item
        return fetch.merge_page(item, page)

    async def _commit(
        self,
        batch: list[FeedResult],
        events: list[RefreshEvent],
        stored: list[tuple[int, PreparedArticle]],
        progress: Callable[[RefreshEvent], None] | None,
    ) -> None:
        if not batch:
            return
        new_events, saved = await self._write(self._store_results, batch)
        stored.extend(saved)
        events.extend(new_events)
        if progress:
            for event in new_events:
                progress(event)

    def _store_results(
        self, batch: list[FeedResult]
    ) -> tuple[list[RefreshEvent], list[tuple[int, PreparedArticle]]]:
        """Writer thread: one transaction for the items, then the feeds' state."""
        items = [item for r in batch for item in r.items or ()]
        try:
            outcomes = self.archive.store.save_batch(items)
        except ReaderError as exc:
            for r in batch:
                r.items, r.error = None, r.error or f"cannot store: {exc}"
            outcomes = []
        saved = [
            (o.article_id, item)
            for o, item in zip(outcomes, items, strict=True)
            if o.article_id is not None and o.status is not IngestStatus.DUPLICATE
        ]
        new_by_feed = _count_by_feed(items, outcomes)
        self.feeds.record(batch)
        return [_event(r, new_by_feed.get(r.feed.id, 0)) for r in batch], saved

    async def _analyse(self, stored: list[tuple[int, PreparedArticle]]) -> None:
        """Phase two: language and entities in the pool; the writer thread stores each
        finished part and adds it to one index commit while the workers go on (for many
        articles, see :meth:`_analyse_while_indexing`)."""
        if not stored:
            return
        if len(stored) >= PARALLEL_INDEX_ITEMS and self._workers > 1:
            stop = threading.Event()
            try:
                await self._write(self._analyse_while_indexing, [i for i, _ in stored], stop)
            except BaseException:  # cancelled: the writer thread gives up at its next batch
                stop.set()
                raise
            return
        heavy = len(stored) >= POOL_MIN_JOBS * 4
        known_stems = await self._write(self.archive.load_stem_cache)
        chunks = [stored[i : i + ANALYSE_CHUNK] for i in range(0, len(stored), ANALYSE_CHUNK)]
        jobs = [
            asyncio.ensure_future(
                self._cpu(heavy, fetch.analyse, [_text_only(p) for _, p in chunk], self.entities)
            )
            for chunk in chunks
        ]
        indexing = contextlib.ExitStack()
        procs = self._workers if len(stored) >= PARALLEL_INDEX_ITEMS else 1
        add = await self._write(indexing.enter_context, self.archive.indexing(procs=procs))
        writes: list[asyncio.Future[Any]] = []
        try:
            for chunk, job in zip(chunks, jobs, strict=True):
                results = await job
                ids = [article_id for article_id, _ in chunk]
                writes.append(self._write_later(self._save_analysis, ids, results, add))
            await asyncio.gather(*writes)
        except BaseException as exc:
            await self._write(indexing.__exit__, type(exc), exc, exc.__traceback__)
            raise
        await self._write(indexing.close)
        await self._write(self.archive.save_stem_cache, known_stems)

    def _save_analysis(
        self, ids: list[int], results: list[PreparedArticle], index: Callable[[list[int]], None]
    ) -> None:
        """Writer thread: store the analysis and index the articles (with the stems the
        workers found, so they are not computed again)."""
        from tui_reader.index.analysis import learn_stems

        for prepared in results:
            learn_stems(prepared.stems)
        self.archive.store.save_analysis(
            [Analysis(i, p.lang, p.entities) for i, p in zip(ids, results, strict=True)]
        )
        index(ids)

    def _analyse_while_indexing(self, ids: list[int], stop: threading.Event) -> None:
        """Writer thread, for many new articles: the processes that write the index
        analyse each article just before they index it, and this thread stores what
        they found. Each article's text goes to a worker once, and its analysis comes
        back once (a separate analysis pool sent the text there and back again, and
        this process then read it all once more to index it).

        Once ``stop`` is set, the index commit is cancelled at the next batch: the
        articles stay stored, and pending for the index.
        """
        from tui_reader.language import cache_dir as language_cache_dir
        from tui_reader.pipeline import DocAnalysis

        known_stems = self.archive.load_stem_cache()
        with self.archive.indexing(
            procs=self._workers,
            prepare=DocAnalysis(self.entities, language_cache_dir()),
            on_prepared=functools.partial(self.archive.store.save_analysis, reindex=False),
        ) as add:
            for start in range(0, len(ids), INDEX_SEND_BATCH):
                if stop.is_set():
                    raise RefreshCancelled("the refresh was cancelled")
                add(ids[start : start + INDEX_SEND_BATCH])
        self.archive.save_stem_cache(known_stems)

    def _write_later(
        self, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> asyncio.Future[Any]:
        """Queue a write on the writer thread without waiting for it (order is kept)."""
        call = functools.partial(fn, *args, **kwargs)
        return asyncio.get_running_loop().run_in_executor(self._writer, call)


def _for_analysis(title: str, text: str, lang: str | None) -> PreparedArticle:
    """A stored article as analysis takes it (its title, text and language)."""
    draft = ArticleDraft(title=title, text=text, lang=lang, origin="feed")
    return PreparedArticle(draft=draft, lang=lang, content_hash="", word_count=0)


def _text_only(item: PreparedArticle) -> PreparedArticle:
    """A stored item as analysis needs it: without its page's HTML (already stored, and
    ~100 kB a page to send to a worker and back)."""
    if item.draft.raw_html is None:
        return item
    return replace(item, draft=replace(item.draft, raw_html=None))


def _page_input(response: Response) -> PageInput:
    return PageInput(response.url, response.body, response.content_type, response.charset)


def _record(
    report: IngestReport,
    outcome: IngestOutcome,
    progress: Callable[[IngestOutcome], None] | None,
) -> None:
    report.record(outcome)
    if progress:
        progress(outcome)


def report_outcomes(report: IngestReport, sources: list[str]) -> list[IngestOutcome]:
    """Rebuild the outcome of a one-item report (for :meth:`FetchService.add_url`)."""
    source = sources[0]
    if report.failed:
        message = report.failures[0].removeprefix(f"{source}: ")
        return [IngestOutcome(IngestStatus.FAILED, source, message=message)]
    article_id = report.article_ids[0] if report.article_ids else None
    status = (
        IngestStatus.ADDED
        if report.added
        else IngestStatus.UPDATED
        if report.updated
        else IngestStatus.DUPLICATE
    )
    return [IngestOutcome(status, source, article_id=article_id)]


def _count_by_feed(items: list[PreparedArticle], outcomes: list[IngestOutcome]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item, outcome in zip(items, outcomes, strict=False):
        if outcome.status is IngestStatus.ADDED and item.draft.feed_id is not None:
            counts[item.draft.feed_id] = counts.get(item.draft.feed_id, 0) + 1
    return counts


def _event(result: FeedResult, new: int) -> RefreshEvent:
    feed = result.feed
    title = result.parsed.title if result.parsed else feed.title
    if result.error is not None:
        return RefreshEvent(feed.id, feed.url, title, "failed", message=result.error)
    if result.response is not None and result.response.not_modified:
        return RefreshEvent(feed.id, feed.url, title, "unchanged")
    return RefreshEvent(feed.id, feed.url, title, "ok", new=new)


def _report(events: list[RefreshEvent]) -> RefreshReport:
    failed = [e for e in events if e.status == "failed"]
    return RefreshReport(
        new_articles=sum(e.new for e in events),
        feeds_ok=len(events) - len(failed),
        feeds_failed=len(failed),
        failures=tuple(f"{e.url}: {e.message}" for e in failed),
        events=tuple(events),
    )
