"""Sessions: the changes that go into one index commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tui_reader.index.build import Prepare, SegmentBuilder, add_documents, batched
from tui_reader.index.fields import STEMMED_FIELDS
from tui_reader.models import IndexDoc

BUILD_BATCH = 200  # documents per message to an index-building worker


class IndexSession:
    """Changes going into one index commit.

    With ``prepare``, new documents first go through it, and its report to
    ``on_prepared`` (see :class:`~tui_reader.index.build.SegmentBuilder`).
    """

    def __init__(
        self,
        writer: Any,
        prepare: Prepare | None = None,
        on_prepared: Callable[[Any], None] | None = None,
    ) -> None:
        self._writer = writer
        self._prepare = prepare
        self._on_prepared = on_prepared
        self.words: dict[str, set[str]] = {field: set() for field in STEMMED_FIELDS}
        self._sent: set[int] = set()
        # Articles left out of this commit (see _first_copies): they stay pending.
        self.repeated: set[int] = set()

    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace documents; returns how many."""
        new = list(self._first_copies(docs))
        if self._prepare is not None:
            new, report = self._prepare(new)
            if self._on_prepared is not None:
                self._on_prepared(report)
        return add_documents(self._writer, new, self.words, replace=True)

    def _first_copies(self, docs: Iterable[IndexDoc]) -> Iterator[IndexDoc]:
        """Each article once per commit: the old version a second copy should replace
        is not committed yet, so both would stay. A repeat is left pending in the store,
        and the next sync replaces the first copy with it."""
        for doc in docs:
            if doc.id in self._sent:
                self.repeated.add(doc.id)
            else:
                self._sent.add(doc.id)
                yield doc

    def delete(self, article_ids: Iterable[int]) -> None:
        """Drop documents."""
        with self._writer.searcher() as searcher:
            for article_id in article_ids:
                self._writer.delete_by_term("article_id", article_id, searcher=searcher)


class ParallelSession(IndexSession):
    """A session whose new documents are written by worker processes (a segment each);
    this process only drops the documents they replace."""

    def __init__(self, writer: Any, builder: SegmentBuilder) -> None:
        super().__init__(writer)
        self._builder = builder

    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Replace documents; returns how many were sent to the workers."""
        sent = 0
        for batch in batched(self._first_copies(docs), BUILD_BATCH):
            self.delete(doc.id for doc in batch)
            self._builder.send(batch)
            sent += len(batch)
        return sent
