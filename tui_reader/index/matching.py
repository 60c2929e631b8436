"""Query nodes of our own: :class:`HeapOr` (many alternatives) and :class:`ColumnRange`
(a date range read from a column). Searches are evaluated by
:mod:`~tui_reader.index.evaluate`, which reads these nodes directly; their matchers here
serve the queries it leaves to Whoosh's search.

Every word of a query is searched in six fields (title and body in three languages), and
a half-typed word adds its completions: unions of tens of posting lists. Whoosh joins
them in a binary tree of two-way unions, so each step walks the tree in Python. Here
the children's current documents sit in a heap (heapq, in C): a step touches only the
children on the current document.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import mcore

# Below this many alternatives Whoosh's tree is as fast.
MIN_CHILDREN = 4


class HeapUnionMatcher(mcore.Matcher):  # type: ignore[misc]
    """Documents matching any child; the score is the sum of the matching children's."""

    def __init__(self, children: Sequence[Any]) -> None:
        self._children = [m for m in children if m.is_active()]
        self._heap = [(m.id(), i) for i, m in enumerate(self._children)]
        heapq.heapify(self._heap)

    def _here(self) -> Iterator[Any]:
        current = self._heap[0][0]
        children = self._children
        return (children[i] for doc, i in self._heap if doc == current)

    def is_active(self) -> bool:
        return bool(self._heap)

    def id(self) -> int:
        return int(self._heap[0][0])

    def next(self) -> bool:
        heap, children = self._heap, self._children
        current = heap[0][0]
        while heap and heap[0][0] == current:
            child = children[heap[0][1]]
            child.next()
            if child.is_active():
                heapq.heapreplace(heap, (child.id(), heap[0][1]))
            else:
                heapq.heappop(heap)
        return False

    def skip_to(self, target: int) -> bool:
        if not self._heap or self._heap[0][0] >= target:
            return False
        children = self._children
        moved: list[tuple[int, int]] = []
        for doc, i in self._heap:
            if doc < target:
                child = children[i]
                child.skip_to(target)
                if child.is_active():
                    moved.append((child.id(), i))
            else:
                moved.append((doc, i))
        heapq.heapify(moved)
        self._heap = moved
        return False

    def score(self) -> float:
        return float(sum(child.score() for child in self._here()))

    def weight(self) -> float:
        return float(sum(child.weight() for child in self._here()))

    def spans(self) -> list[Any]:
        return sorted({span for child in self._here() for span in child.spans()})

    def supports(self, astype: str) -> bool:
        return all(child.supports(astype) for child in self._children)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        # An upper bound, as for Whoosh's own unions: every child matching at once.
        return float(sum(child.max_quality() for child in self._children if child.is_active()))

    def children(self) -> list[Any]:
        return list(self._children)

    def copy(self) -> HeapUnionMatcher:
        return HeapUnionMatcher([child.copy() for child in self._children])

    def depth(self) -> int:
        return 1 + max((child.depth() for child in self._children), default=0)

    def replace(self, minquality: float = 0) -> Any:
        # No pruning by quality: a child too weak alone still adds to a document's sum.
        active = [c for c in self._children if c.is_active()]
        replaced = [c.replace(0) for c in active]
        replaced = [c for c in replaced if c.is_active()]
        if not replaced:
            return mcore.NullMatcher()
        if len(replaced) == 1:
            return replaced[0]
        if len(replaced) == len(self._children) and all(
            a is b for a, b in zip(replaced, self._children, strict=True)
        ):
            return self
        return HeapUnionMatcher(replaced)

    def matching_terms(self, id: int | None = None) -> Iterator[Any]:
        if id is None and self.is_active():
            id = self.id()
        for child in self._children:
            if child.is_active() and child.id() == id:
                yield from child.matching_terms(id)

    def term_matchers(self) -> Iterator[Any]:
        for child in self._children:
            yield from child.term_matchers()


class HeapOr(wq.Or):  # type: ignore[misc]
    """An ``Or`` matched with :class:`HeapUnionMatcher` when it has many alternatives."""

    def _matcher(self, subs: Sequence[Any], searcher: Any, context: Any) -> Any:
        if len(subs) < MIN_CHILDREN:
            return super()._matcher(subs, searcher, context)
        matchers = [q.matcher(searcher, context) for q in subs]
        union: Any = HeapUnionMatcher(matchers)
        if self.boost != 1.0:
            union = matching.WrappingMatcher(union, self.boost)
        return union


_NO_END = 1 << 62  # above any date a column holds


class ColumnRange(wq.Query):  # type: ignore[misc]
    """Documents whose number in a column lies in [start, end]: a date range read from the
    ``datecol`` column instead of the date field's terms.

    Whoosh turns a range into a union of every indexed value it covers: for a month of a
    news archive, tens of thousands of documents loaded before ``banjir`` can narrow them.
    Read from the column, a range only checks the documents the rest of the query reaches
    (and a range alone reads the column once, in order). Missing values (0) never match.
    """

    def __init__(self, fieldname: str, start: int | None, end: int | None, boost: float = 1.0):
        self.fieldname = fieldname
        self.start = start
        self.end = end
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColumnRange) and (
            self.fieldname,
            self.start,
            self.end,
            self.boost,
        ) == (other.fieldname, other.start, other.end, other.boost)

    def __hash__(self) -> int:
        return hash((ColumnRange, self.fieldname, self.start, self.end, self.boost))

    def __repr__(self) -> str:
        return f"ColumnRange({self.fieldname!r}, {self.start!r}, {self.end!r})"

    def is_range(self) -> bool:
        return True

    def bounds(self) -> tuple[int, int]:
        """The lowest and highest values matched (0, a missing value, never is)."""
        return (
            1 if self.start is None else max(self.start, 1),
            _NO_END if self.end is None else self.end,
        )

    def estimate_size(self, ixreader: Any) -> int:
        # Counted from the cached columns (deleted versions included: an upper bound).
        low, high = self.bounds()
        total = 0
        for reader, _ in ixreader.leaf_readers():
            if reader.has_column(self.fieldname):
                values = column_values(reader, self.fieldname)
                total += sum(1 for v in values if low <= v <= high)
        return total

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        if not reader.has_column(self.fieldname):
            return mcore.NullMatcher()
        values = column_values(reader, self.fieldname)
        deleted: frozenset[int] = frozenset()
        if reader.has_deletions():
            perdoc = getattr(reader, "_perdoc", None)  # a segment reader's own deletion list
            found = (
                perdoc.deleted_docs()
                if perdoc is not None
                else (d for d in range(len(values)) if reader.is_deleted(d))
            )
            deleted = frozenset(found)
        return ColumnRangeMatcher(values, *self.bounds(), deleted, self.boost)


_COLUMNS: dict[tuple[str, str], list[int]] = {}
MAX_CACHED_COLUMNS = 32


def column_values(reader: Any, fieldname: str) -> list[int]:
    """A segment's column as a list, loaded once (segments never change their columns)."""
    segment = getattr(reader, "segment", None)
    key = (segment().segment_id(), fieldname) if callable(segment) else None
    if key is not None and key in _COLUMNS:
        return _COLUMNS[key]
    values = list(reader.column_reader(fieldname).load())
    if key is not None:
        if len(_COLUMNS) >= MAX_CACHED_COLUMNS:
            _COLUMNS.clear()
        _COLUMNS[key] = values
    return values


class ColumnRangeMatcher(mcore.Matcher):  # type: ignore[misc]
    """Walks a loaded column; constant score."""

    def __init__(
        self,
        values: Sequence[int],
        low: int,
        high: int,
        deleted: frozenset[int],
        boost: float,
        at: int = 0,
    ) -> None:
        self._values = values
        self._low = low
        self._high = high
        self._deleted = deleted
        self._boost = boost
        self._at = self._find(at)

    def _find(self, start: int) -> int:
        values, low, high, deleted = self._values, self._low, self._high, self._deleted
        for doc in range(start, len(values)):
            value = values[doc]
            if low <= value <= high and doc not in deleted:
                return doc
        return len(values)

    def is_active(self) -> bool:
        return self._at < len(self._values)

    def id(self) -> int:
        return self._at

    def next(self) -> bool:
        self._at = self._find(self._at + 1)
        return False

    def skip_to(self, target: int) -> bool:
        if target > self._at:
            self._at = self._find(target)
        return False

    def score(self) -> float:
        return self._boost

    def weight(self) -> float:
        return self._boost

    def supports(self, astype: str) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self._boost

    def copy(self) -> ColumnRangeMatcher:
        return ColumnRangeMatcher(
            self._values, self._low, self._high, self._deleted, self._boost, self._at
        )

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else mcore.NullMatcher()

    def matching_terms(self, id: int | None = None) -> Iterator[Any]:
        return iter(())

    def term_matchers(self) -> Iterator[Any]:
        return iter(())
