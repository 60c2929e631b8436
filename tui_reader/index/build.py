"""Building a whole index with one process per core.

Whoosh's own multi-process writer (``procs=2``) crashes a child now and then (an
``IndexError`` upstream never fixed) and forks the calling process, threads and all.
This does the same job in plain steps: each worker process (started by forkserver)
writes complete segments from the batches it is sent, and the caller, holding the
index lock all along, commits those segments in one new table of contents. A failure
anywhere cancels the whole build; the index is left as it was.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from tui_reader.errors import StoreError
from tui_reader.models import IndexDoc
from tui_reader.workers import forkserver_context

WORKER_LIMIT_MB = 128
REPLACE_BATCH = 200
RESULT_WAIT_SECONDS = 5.0
# Run on each batch before it is written: (documents to write, a report for the caller).
Prepare = Callable[[list[IndexDoc]], tuple[list[IndexDoc], Any]]


def add_documents(
    writer: Any, docs: Iterable[IndexDoc], words: dict[str, set[str]], *, replace: bool
) -> int:
    """Write ``docs`` with ``writer`` (replacing earlier versions when ``replace``);
    gather their unstemmed words into ``words`` (field → words, for the fields it names)."""
    from tui_reader.index.analysis import Analysed
    from tui_reader.index.fields import index_fields

    written = 0
    for chunk in batched(docs, REPLACE_BATCH):
        # Whoosh's update_document opens a searcher (a reader of every segment) per
        # document to find the old version; one per chunk does the same job.
        searcher = writer.searcher() if replace else None
        try:
            for doc in chunk:
                fields = index_fields(doc)
                for name, value in fields.items():
                    if isinstance(value, Analysed) and name in words:
                        words[name].update(value.words)
                if searcher is not None:
                    writer.delete_by_term("article_id", doc.id, searcher=searcher)
                writer.add_document(**fields)
                written += 1
        finally:
            if searcher is not None:
                searcher.close()
    return written


def batched(items: Iterable[IndexDoc], size: int) -> Iterator[list[IndexDoc]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class SegmentBuilder:
    """Worker processes that each write one new segment from the batches sent to them.

    The caller holds the index's writer (and so its lock) from start to commit. With
    ``prepare`` (picklable), each worker first passes every batch through it, writes the
    documents it returns, and sends its report back to ``on_prepared``, which runs in
    this process, in the thread that sends batches and finishes.
    """

    def __init__(
        self,
        directory: Path,
        *,
        procs: int,
        stems_path: Path | None = None,
        progress: Callable[[int], None] | None = None,
        prepare: Prepare | None = None,
        on_prepared: Callable[[Any], None] | None = None,
    ) -> None:
        context = forkserver_context()
        self._jobs: Any = context.Queue(procs * 2)
        self._results: Any = context.Queue()
        stems = str(stems_path) if stems_path else None
        parent = os.getpid()
        self._workers = [
            context.Process(
                target=_worker,
                args=(str(directory), self._jobs, self._results, stems, parent, prepare),
                daemon=True,
            )
            for _ in range(procs)
        ]
        for worker in self._workers:
            worker.start()
        self._collector = _Collector(self._results, progress, on_prepared)
        self._stopped = False

    def send(self, batch: Sequence[IndexDoc]) -> None:
        """Queue a batch of new documents (waits while the workers are busy).

        Raises:
            StoreError: when a worker has failed.
        """
        while True:
            self._collector.drain()
            try:
                self._jobs.put(list(batch), timeout=0.2)
                return
            except queue.Full:
                self._check_alive()

    def finish(self) -> tuple[list[Any], dict[str, set[str]]]:
        """Wait for every segment; returns them and their words per stemmed field (the
        stems the workers computed are learnt here).

        Raises:
            StoreError: when a worker fails.
        """
        try:
            for _ in self._workers:
                self._jobs.put(None)
            while self._collector.finished < len(self._workers):
                self._collector.drain(block=True)
                if self._collector.finished < len(self._workers):
                    self._check_alive()
        finally:
            self._stop()
        return self._collector.segments, self._collector.words

    def abort(self) -> None:
        """Stop the workers; their unfinished segments are left for the writer to drop."""
        self._collector.error = self._collector.error or "cancelled"
        self._stop()

    def _stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for worker in self._workers:
            if self._collector.error or self._collector.finished < len(self._workers):
                worker.kill()
            worker.join()
        self._jobs.close()
        self._results.close()

    def _check_alive(self) -> None:
        self._collector.drain()
        dead = [w for w in self._workers if not w.is_alive() and w.exitcode not in (0, None)]
        if dead:
            raise StoreError(
                f"building the search index failed: a worker process died (exit {dead[0].exitcode})"
            )


class _Collector:
    """What the workers report: progress, finished segments, or an error."""

    def __init__(
        self,
        results: Any,
        progress: Callable[[int], None] | None,
        on_prepared: Callable[[Any], None] | None = None,
    ) -> None:
        self._results = results
        self._progress = progress
        self._on_prepared = on_prepared
        self.segments: list[Any] = []
        self.words: dict[str, set[str]] = {}
        self.finished = 0
        self.error: str | None = None

    def drain(self, *, block: bool = False) -> None:
        while True:
            try:
                message = self._results.get(timeout=RESULT_WAIT_SECONDS if block else 0)
            except queue.Empty:
                return
            self._take(message)
            block = False

    def _take(self, message: tuple[Any, ...]) -> None:
        from tui_reader.index.analysis import learn_stems

        kind = message[0]
        if kind == "batch" and self._progress:
            self._progress(message[1])
        elif kind == "prepared" and self._on_prepared:
            self._on_prepared(message[1])
        elif kind == "done":
            _, segment, words, stems = message
            if segment is not None:
                self.segments.append(segment)
            for field, found in words.items():
                self.words.setdefault(field, set()).update(found)
            learn_stems(stems)
            self.finished += 1
        elif kind == "error":
            self.error = message[1]
            raise StoreError(f"building the search index failed: {message[1]}")


def _worker(
    directory: str,
    jobs: Any,
    results: Any,
    stems_path: str | None,
    parent_pid: int,
    prepare: Prepare | None = None,
) -> None:
    """One worker: index every batch it is sent into one segment, then report it."""
    from tui_reader.workers import exit_with_parent

    exit_with_parent(parent_pid)
    try:
        segment = _write_segment(Path(directory), jobs, results, stems_path, prepare)
        results.put(("done", *segment))
    except BaseException as exc:  # reported to the parent, which cancels the build
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _write_segment(
    directory: Path, jobs: Any, results: Any, stems_path: str | None, prepare: Prepare | None
) -> tuple[Any, dict[str, set[str]], dict[str, str]]:
    from whoosh import index as windex
    from whoosh.writing import SegmentWriter

    from tui_reader.index import analysis
    from tui_reader.index.fields import STEMMED_FIELDS
    from tui_reader.index.patches import apply as apply_patches

    apply_patches()
    if stems_path:
        analysis.load_stems(Path(stems_path))
    known = analysis.cached_stem_count()
    ix = windex.open_dir(str(directory))
    writer = SegmentWriter(ix, _lk=False, limitmb=WORKER_LIMIT_MB, compound=False)
    words: dict[str, set[str]] = {field: set() for field in STEMMED_FIELDS}
    # The temporary folder is shared by every writer of the index: the parent's writer
    # removes it when it commits or cancels.
    while (batch := jobs.get()) is not None:
        if prepare is not None:
            batch, report = prepare(batch)
            results.put(("prepared", report))
        results.put(("batch", add_documents(writer, batch, words, replace=False)))
    segment = writer._finalize_segment() if writer._added else None
    if segment is None:
        writer._close_segment()
    return segment, words, analysis.stems_after(known)
