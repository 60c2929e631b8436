"""A union matcher for queries with many alternatives.

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
