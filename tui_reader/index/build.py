"""Building a whole index with one process per core.

Whoosh's own multi-process writer (``procs=2``) crashes a child now and then (an
``IndexError`` upstream never fixed) and forks the calling process, threads and all.
This does the same job in plain steps: each worker process (started by forkserver)
writes complete segments from the batches it is sent, and the caller, holding the
index lock all along, commits those segments in one new table of contents. A failure
anywhere cancels the whole build; the index is left as it was.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tui_reader.errors import StoreError
from tui_reader.models import IndexDoc

WORKER_LIMIT_MB = 128
RESULT_WAIT_SECONDS = 5.0


def add_documents(
    writer: Any, docs: Iterable[IndexDoc], words: dict[str, set[str]], *, replace: bool
) -> int:
    """Write ``docs`` with ``writer``; gather their unstemmed words into ``words`` (field
    → words, for the fields it names)."""
    from tui_reader.index.analysis import Analysed
    from tui_reader.index.fields import index_fields

    write = writer.update_document if replace else writer.add_document
    written = 0
    for doc in docs:
        fields = index_fields(doc)
        for name, value in fields.items():
            if isinstance(value, Analysed) and name in words:
                words[name].update(value.words)
        write(**fields)
        written += 1
    return written


def build_segments(
    writer: Any,
    directory: Path,
    batches: Iterable[Sequence[IndexDoc]],
    *,
    procs: int,
    stems_path: Path | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Any], dict[str, set[str]]]:
    """Index ``batches`` in ``procs`` worker processes, one segment each.

    ``writer`` is the caller's (it holds the lock). Returns the new segments and the
    words they hold, per stemmed field; stems the workers computed are learnt here.

    Raises:
        StoreError: when a worker fails (the caller cancels its writer).
    """
    context = multiprocessing.get_context("forkserver")
    jobs: Any = context.Queue(procs * 2)
    results: Any = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(str(directory), jobs, results, str(stems_path) if stems_path else None),
            daemon=True,
        )
        for _ in range(procs)
    ]
    for worker in workers:
        worker.start()
    collector = _Collector(results, progress)
    try:
        for batch in batches:
            while True:
                collector.drain()
                try:
                    jobs.put(list(batch), timeout=0.2)
                    break
                except queue.Full:
                    _check_alive(workers, collector)
        for _ in workers:
            jobs.put(None)
        while collector.finished < len(workers):
            collector.drain(block=True)
            if collector.finished < len(workers):
                _check_alive(workers, collector)
    finally:
        for worker in workers:
            if collector.error or collector.finished < len(workers):
                worker.kill()
            worker.join()
        jobs.close()
        results.close()
    return collector.segments, collector.words


class _Collector:
    """What the workers report: progress, finished segments, or an error."""

    def __init__(self, results: Any, progress: Callable[[int], None] | None) -> None:
        self._results = results
        self._progress = progress
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


def _check_alive(workers: list[Any], collector: _Collector) -> None:
    collector.drain()
    dead = [w for w in workers if not w.is_alive() and w.exitcode not in (0, None)]
    if dead:
        raise StoreError(
            f"building the search index failed: a worker process died (exit {dead[0].exitcode})"
        )


def _worker(directory: str, jobs: Any, results: Any, stems_path: str | None) -> None:
    """One worker: index every batch it is sent into one segment, then report it."""
    try:
        results.put(("done", *_write_segment(Path(directory), jobs, results, stems_path)))
    except BaseException as exc:  # reported to the parent, which cancels the build
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _write_segment(
    directory: Path, jobs: Any, results: Any, stems_path: str | None
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
        results.put(("batch", add_documents(writer, batch, words, replace=False)))
    segment = writer._finalize_segment() if writer._added else None
    if segment is None:
        writer._close_segment()
    return segment, words, analysis.stems_after(known)
