"""The full-text index: Whoosh 2.7.4, derived from the archive and rebuildable.

One long-lived searcher is refreshed only when the index changed. Writers retry a
bounded time when another process holds the index lock.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.index import LockError

from tui_reader.errors import ArchiveBusyError, QueryError, StoreError
from tui_reader.index.analysis import (
    ANALYSIS_VERSION,
    find_words,
    language_kind,
    word_normalizer,
)
from tui_reader.index.build import Prepare, SegmentBuilder
from tui_reader.index.evaluate import Evaluator
from tui_reader.index.fields import (
    BODY_FIELDS,
    KINDS,
    STEMMED_KINDS,
    TEXT_FIELDS,
    build_schema,
)
from tui_reader.index.patches import apply as apply_patches
from tui_reader.index.query import cap_expansions, make_parser, parse_query
from tui_reader.index.session import IndexSession, ParallelSession
from tui_reader.index.snippets import make_snippet, scan_part
from tui_reader.index.vocabulary import Vocabulary, suggest_words
from tui_reader.models import IndexDoc

apply_patches()

WRITE_WAIT_SECONDS = 30.0
VERSION_FILE = "analysis-version"


@dataclass(frozen=True, slots=True)
class RawHit:
    """An index hit: article id and score."""

    article_id: int
    score: float


@dataclass(frozen=True, slots=True)
class RawResult:
    """What the index found for one query."""

    hits: tuple[RawHit, ...]
    total: int
    words: dict[str, frozenset[str]]
    suggestion: str | None
    notices: tuple[str, ...]
    total_exact: bool = True


class Index:
    """A Whoosh index in one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.RLock()
        self._ix: Any = None
        self._searcher: Any = None
        self._parser: Any = None
        self._evaluator: Evaluator | None = None
        self.vocabulary = Vocabulary(directory)

    # -- opening ---------------------------------------------------------------------

    def exists(self) -> bool:
        """True when an index has been created in the folder (it may still be damaged:
        then opening it raises StoreError, and Archive.ensure_index rebuilds it)."""
        return self.directory.is_dir() and any(self.directory.glob("_MAIN_*.toc"))

    def is_outdated(self) -> bool:
        """True when the index was built with other text analysis (stems, stopwords)
        than this version's (its words would not match the queries'), or its word list
        is missing or unreadable."""
        if not self.vocabulary.exists():
            return True
        try:
            built = (self.directory / VERSION_FILE).read_text(encoding="ascii").strip()
        except OSError:
            return True
        return built != str(ANALYSIS_VERSION)

    def _open(self) -> Any:
        with self._lock:
            if self._ix is None:
                if not self.exists():
                    self.create()
                    return self._ix
                try:
                    ix = windex.open_dir(str(self.directory))
                except Exception as exc:  # unpickling or a damaged table of contents
                    raise StoreError(f"the search index cannot be opened ({exc})") from None
                self._ix = ix
                self._parser = make_parser(ix.schema)
            return self._ix

    def create(self) -> None:
        """Make a new, empty index (dropping any old one)."""
        with self._lock:
            self.close()
            if self.directory.exists():
                shutil.rmtree(self.directory)
            self.directory.mkdir(mode=0o700, parents=True)
            ix = windex.create_in(str(self.directory), build_schema())
            self.vocabulary.create()
            (self.directory / VERSION_FILE).write_text(f"{ANALYSIS_VERSION}\n", encoding="ascii")
            _make_private(self.directory)
            self._ix = ix
            self._parser = make_parser(ix.schema)

    def close(self) -> None:
        """Release the searcher and the index."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._evaluator = None
            self._ix = None
            self.vocabulary.close()

    def _current_searcher(self) -> Any:
        """The long-lived searcher, reopened only when the index has changed.

        A fresh searcher rather than ``refresh()``: refresh leaves the replaced segment
        files open, and reopening the unchanged ones is cheap with plain segments.
        """
        ix = self._open()
        if self._searcher is not None and not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = ix.searcher()
        return self._searcher

    # -- writing ---------------------------------------------------------------------

    def update(
        self, docs: Iterable[IndexDoc], deleted: Sequence[int] = (), *, bulk: bool = False
    ) -> int:
        """Add or replace ``docs`` and drop ``deleted`` in one commit. Returns docs written."""
        with self.session(bulk=bulk) as session:
            session.delete(deleted)
            return session.add(docs)

    @contextmanager
    def session(
        self,
        *,
        bulk: bool = False,
        wait: float = WRITE_WAIT_SECONDS,
        procs: int = 1,
        stems_path: Path | None = None,
        progress: Callable[[int], None] | None = None,
        prepare: Prepare | None = None,
        on_prepared: Callable[[Any], None] | None = None,
    ) -> Iterator[IndexSession]:
        """One writer for many changes, committed once at the end (cancelled on error).

        With ``procs`` > 1, new documents are written by that many worker processes
        (a :class:`ParallelSession`; they start from the stems cached at ``stems_path``
        and report each batch written to ``progress``). New documents go through
        ``prepare`` first, in those processes when there are some, and its reports to
        ``on_prepared`` (see :class:`~tui_reader.index.build.SegmentBuilder`).

        Raises:
            ArchiveBusyError: when another process holds the index for over ``wait`` s.
            StoreError: when an index worker fails; the index is then unchanged.
        """
        writer = self._writer(self._open(), bulk, wait)
        if procs <= 1:
            session = IndexSession(writer, prepare, on_prepared)
            try:
                yield session
                # Words first: should the commit fail, a few extra words are harmless.
                self.vocabulary.add(session.words)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=not bulk)
        else:
            builder = SegmentBuilder(
                self.directory,
                procs=procs,
                stems_path=stems_path,
                progress=progress,
                prepare=prepare,
                on_prepared=on_prepared,
            )
            try:
                yield ParallelSession(writer, builder)
                segments, words = builder.finish()
                self.vocabulary.add(words)
                kept = writer._merge_segments(None, None, False)  # no merging: keep them all
                writer._close_segment()
                writer._commit_toc(kept + segments)
                writer._finish()
            except BaseException:
                builder.abort()
                with contextlib.suppress(Exception):
                    writer.cancel()
                raise
        _make_private(self.directory)

    def _writer(self, ix: Any, bulk: bool, wait: float = WRITE_WAIT_SECONDS) -> Any:
        deadline = time.monotonic() + wait
        delay = 0.05
        while True:
            try:
                # Not compound: Whoosh reads a compound segment by copying it into memory
                # (BytesIO over the mmap), hundreds of MB for a large archive.
                return ix.writer(limitmb=256 if bulk else 64, compound=False)
            except LockError:
                if time.monotonic() > deadline:
                    raise ArchiveBusyError(
                        "the search index is being written by another tui-reader process; "
                        "try again in a moment"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    # -- reading ---------------------------------------------------------------------

    def doc_ids(self) -> set[int]:
        """Ids of every article in the index."""
        with self._lock:
            searcher = self._current_searcher()
            return {int(fields["article_id"]) for fields in searcher.all_stored_fields()}

    def doc_count(self) -> int:
        """Number of documents in the index."""
        with self._lock:
            return int(self._current_searcher().doc_count())

    def size_bytes(self) -> int:
        """Size of the index folder on disk."""
        if not self.directory.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.directory.iterdir() if p.is_file())

    def search(
        self,
        text: str,
        *,
        limit: int = 50,
        offset: int = 0,
        sort: str = "relevance",
        max_expansion: int = 64,
        suggest: bool = True,
        exact_total: bool = True,
    ) -> RawResult:
        """Run a query; BM25F ranking, or newest first with ``sort="date"``.

        Queries are evaluated whole (:mod:`~tui_reader.index.evaluate`), which counts
        every match. The few shapes it leaves to Whoosh (a query of only ``NOT``) count
        them with a second pass; with ``exact_total=False`` they give Whoosh's estimate
        once the page is full.

        Raises:
            QueryError: when the query cannot be understood.
        """
        with self._lock:
            searcher = self._current_searcher()
            q = parse_query(self._parser, text)
            q, capped = cap_expansions(q, searcher.reader(), max_expansion, self.vocabulary)
            notices = tuple(
                f"{pattern}* matches many words; searched the {max_expansion} most common"
                for pattern in capped
            )
            page = offset + limit
            found = self._evaluate(searcher, q, page, sort == "date")
            if found is not None:
                top, total = found
                stored = searcher.stored_fields
                hits = tuple(
                    RawHit(int(stored(doc)["article_id"]), score) for doc, score in top[offset:page]
                )
                exact = True
            else:
                hits, total, exact = self._whoosh_search(
                    searcher, q, offset, page, sort, exact_total
                )
            words = self._query_words(q, searcher)
            suggestion = self._suggest(q, text, searcher) if suggest and total == 0 else None
        return RawResult(hits, total, words, suggestion, notices, exact)

    def _evaluate(
        self, searcher: Any, q: Any, page: int, by_date: bool
    ) -> tuple[list[tuple[int, float]], int] | None:
        """The page and the exact total from the whole-list evaluator; None when the
        query needs Whoosh's own search."""
        try:
            if self._evaluator is None or self._evaluator.searcher is not searcher:
                self._evaluator = Evaluator(searcher)
            return self._evaluator.top(q, max(page, 1), by_date)
        except Exception:  # Unsupported, or an odd query: Whoosh's search runs it or says
            return None  # what is wrong with it

    def _whoosh_search(
        self, searcher: Any, q: Any, offset: int, page: int, sort: str, exact_total: bool
    ) -> tuple[tuple[RawHit, ...], int, bool]:
        sorting: dict[str, Any] = (
            {"sortedby": "sortdate", "reverse": True} if sort == "date" else {}
        )
        try:
            # optimize=False: Whoosh 2.7.4's block-quality skipping drops documents that
            # belong in the top N (seen on "kabut asap"), and saves no time here.
            results = searcher.search(q, limit=max(page, 1), optimize=False, **sorting)
        except Exception as exc:  # Whoosh raises odd errors for odd queries
            raise QueryError(f"cannot run the query ({exc})") from None
        hits = tuple(
            RawHit(int(hit["article_id"]), float(hit.score or 0.0)) for hit in results[offset:page]
        )
        total, exact = self._total(searcher, q, results, page, exact_total)
        return hits, total, exact

    @staticmethod
    def _total(
        searcher: Any, q: Any, results: Any, page: int, exact_total: bool
    ) -> tuple[int, bool]:
        """How many documents match, and whether that is exact.

        Whoosh's own count is wrong once the first page is full: the collector drops
        sub-queries that can no longer reach the page (which keeps the page exact), then
        counts only what it still visits. A full page gets a second pass when an exact
        count is asked for, else the query's own (generous) estimate.
        """
        scored = results.scored_length()
        if scored < page:  # the page never filled: nothing was dropped
            return scored, True
        if exact_total:
            return sum(1 for _ in searcher.docs_for_query(q)), True
        return max(q.estimate_size(searcher.reader()), page), False

    def _query_words(self, q: Any, searcher: Any) -> dict[str, frozenset[str]]:
        """The (analysed) words a query matched, per analyzer family, for highlighting."""
        words: dict[str, set[str]] = {kind: set() for kind in KINDS}
        reader = searcher.reader()
        # Query.existing_terms() has a bug in 2.7.4 (a loop variable shadows its
        # ``fieldname`` argument and drops every field after the first): walk leaves.
        for leaf in q.leaves():
            try:
                terms = leaf.expanded_terms(reader, phrases=True)
            except Exception:
                continue
            for field, term in terms:
                if field in TEXT_FIELDS and (field, term) in reader:
                    word = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                    words[field.rsplit("_", 1)[1]].add(word)
        return {kind: frozenset(found) for kind, found in words.items()}

    def _suggest(self, q: Any, text: str, searcher: Any) -> str | None:
        """A "did you mean" query: each unknown word replaced by a close indexed word."""
        reader = searcher.reader()
        spans: dict[tuple[int, int], list[Any]] = {}
        for token in q.all_tokens():
            if (
                token.fieldname in TEXT_FIELDS
                and token.startchar is not None
                and "*" not in str(token.text)
                and "?" not in str(token.text)
            ):
                spans.setdefault((token.startchar, token.endchar), []).append(token)
        replacements: list[tuple[int, int, str]] = []
        for (start, end), tokens in spans.items():
            if any((t.fieldname, t.text) in reader for t in tokens):
                continue
            word = text[start:end].lower()
            best = self._closest(searcher, word)
            if best and best != word:
                replacements.append((start, end, best))
        if not replacements:
            return None
        out = text
        for start, end, word in sorted(replacements, reverse=True):
            out = out[:start] + word + out[end:]
        return out

    def _closest(self, searcher: Any, word: str) -> str | None:
        """The indexed word nearest ``word`` (one edit away if any is, else two), the most
        common first."""
        for maxdist in (1, 2):
            candidates = self._candidates(searcher, word, maxdist)
            if candidates:
                break
        else:
            return None
        return max(candidates, key=lambda w: (candidates[w], -abs(len(w) - len(word))))

    def _candidates(self, searcher: Any, word: str, maxdist: int) -> dict[str, int]:
        """Indexed words within ``maxdist`` edits of ``word``, with their frequencies."""
        candidates: dict[str, int] = {}
        reader = searcher.reader()
        for kind in KINDS:
            field = f"body_{kind}"
            if kind in STEMMED_KINDS:
                found = suggest_words(self.vocabulary, field, word, maxdist)
            else:
                try:
                    found = searcher.corrector(field).suggest(word, limit=10, maxdist=maxdist)
                except Exception:  # a field with no words yet
                    continue
            normalize = word_normalizer(kind)
            for suggestion in found:
                term = normalize(suggestion)
                freq = reader.doc_frequency(field, term) if term else 0
                if freq:
                    candidates[suggestion] = candidates.get(suggestion, 0) + freq
        return candidates

    def more_like(self, article_id: int, text: str, limit: int = 10) -> list[RawHit]:
        """Articles whose words are most like ``text`` (the article's own text)."""
        with self._lock:
            searcher = self._current_searcher()
            docnum = searcher.document_number(article_id=article_id)
            if docnum is None:
                return []
            hits: list[RawHit] = []
            for field in BODY_FIELDS:
                try:
                    results = searcher.more_like(docnum, field, text=text, top=limit)
                except Exception:
                    continue
                hits.extend(RawHit(int(h["article_id"]), float(h.score or 0.0)) for h in results)
            hits.sort(key=lambda h: h.score, reverse=True)
            return [h for h in hits if h.article_id != article_id][:limit]

    # -- highlighting ------------------------------------------------------------------

    def snippet(
        self, text: str, lang: str | None, words: dict[str, frozenset[str]]
    ) -> tuple[str, tuple[tuple[int, int], ...]]:
        """The best passage of ``text`` for the query, with the matches' offsets in it."""
        part = scan_part(text)
        spans = self.match_spans(part, lang, words)
        if not spans and len(part) < len(text):
            spans = self.match_spans(text, lang, words)
        return make_snippet(text, spans)

    def match_spans(
        self, text: str, lang: str | None, words: dict[str, frozenset[str]]
    ) -> list[tuple[int, int]]:
        """Offsets in ``text`` of every word that matches the query's words."""
        kind = language_kind(lang)
        return find_words(text, kind, words.get(kind, frozenset()))


def _make_private(directory: Path) -> None:
    """Whoosh creates files with the process umask; the index holds article text."""
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
