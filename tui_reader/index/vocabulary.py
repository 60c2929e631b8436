"""The unstemmed words of the index, for wildcards and "did you mean".

The index holds stems (``kunjung``), but people type words (``berkunj…``): a prefix is
matched against the words as written, then each match is stemmed. Whoosh can keep such
a word list itself (``spelling=True``), but it does so by writing a posting for every
word of every document, which cost a third of the indexing time. This is a plain sorted
list instead, one per stemmed field (``title_id``, ``body_en``…), in a small SQLite file
beside the index.

Words are only ever added: a word whose articles were all deleted stays, and finds no
stem in the index (callers check). Rebuilding the index starts the list afresh.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tui_reader.errors import StoreError

FILE_NAME = "words.sqlite"
BUSY_TIMEOUT_MS = 30_000
# Beyond every character a word can hold: the upper bound of a prefix range.
_MAX_CHAR = "\U0010ffff"


class Vocabulary:
    """Sorted word lists per field, in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def exists(self) -> bool:
        """True when the word list has been created and can be read."""
        if not self.path.is_file():
            return False
        with self._lock:
            try:
                self._connect().execute("SELECT 1 FROM words LIMIT 1").fetchall()
            except (sqlite3.Error, StoreError):
                self._close_unlocked()
                return False
        return True

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS words (field TEXT NOT NULL, word TEXT NOT NULL,"
                    " PRIMARY KEY (field, word)) WITHOUT ROWID"
                )
            except sqlite3.Error as exc:
                raise StoreError(f"the search index's word list cannot be opened ({exc})") from None
            self._db = db
        return self._db

    def create(self) -> None:
        """Make the (empty) word list."""
        with self._lock:
            self._connect()

    def close(self) -> None:
        """Close the file (the next use reopens it)."""
        with self._lock:
            self._close_unlocked()

    def _close_unlocked(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = None

    def add(self, words: Mapping[str, Iterable[str]]) -> None:
        """Add words (field → words); words already known are skipped."""
        with self._lock:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                for field, found in words.items():
                    db.executemany(
                        "INSERT OR IGNORE INTO words (field, word) VALUES (?, ?)",
                        ((field, word) for word in found),
                    )
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise StoreError(f"cannot write the search index's word list ({exc})") from None

    def _select(self, sql: str, args: tuple[Any, ...]) -> list[str]:
        with self._lock:
            try:
                return [row[0] for row in self._connect().execute(sql, args)]
            except sqlite3.Error:
                return []  # a damaged list costs completions, never the search

    def iter_prefix(self, field: str, prefix: str, page: int = 2000) -> Iterator[str]:
        """Every word starting with ``prefix``, in order, read a page at a time."""
        low, high = prefix, prefix + _MAX_CHAR
        first = True
        while True:
            words = self._select(
                "SELECT word FROM words WHERE field = ? AND word "
                + (">=" if first else ">")
                + " ? AND word < ? ORDER BY word LIMIT ?",
                (field, low, high, page),
            )
            yield from words
            if len(words) < page:
                return
            low, first = words[-1], False

    def shortest_with_prefix(self, field: str, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words starting with ``prefix``, the shortest first: a half-typed
        word is most likely heading for a short, common one."""
        return self._select(
            "SELECT word FROM words WHERE field = ? AND word >= ? AND word < ?"
            " ORDER BY length(word), word LIMIT ?",
            (field, prefix, prefix + _MAX_CHAR, limit),
        )

    def next_word(self, field: str, word: str) -> str | None:
        """The first word at or after ``word``, if any."""
        found = self._select(
            "SELECT word FROM words WHERE field = ? AND word >= ? ORDER BY word LIMIT 1",
            (field, word),
        )
        return found[0] if found else None

    def count(self, field: str) -> int:
        """How many words of ``field`` the list holds."""
        with self._lock:
            try:
                row = (
                    self._connect()
                    .execute("SELECT count(*) FROM words WHERE field = ?", (field,))
                    .fetchone()
                )
            except sqlite3.Error:
                return 0
            return int(row[0])


class WordReader:
    """The few index-reader methods Whoosh's pattern queries use to expand themselves,
    answered from the vocabulary, so ``Wildcard``/``Prefix`` logic is Whoosh's own."""

    def __init__(self, vocabulary: Vocabulary, schema: Any) -> None:
        self.schema = schema
        self._vocabulary = vocabulary

    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[bytes]:
        """Words starting with ``prefix`` (as bytes, like an index reader's terms)."""
        for word in self._vocabulary.iter_prefix(fieldname, prefix):
            yield word.encode("utf-8")

    def lexicon(self, fieldname: str) -> Iterator[bytes]:
        """Every word."""
        return self.expand_prefix(fieldname, "")


def suggest_words(vocabulary: Vocabulary, field: str, word: str, maxdist: int = 2) -> list[str]:
    """Words of the list within ``maxdist`` edits of ``word`` (Whoosh's Levenshtein
    automaton, walked over the sorted list)."""
    from whoosh.automata.fsa import find_all_matches
    from whoosh.automata.lev import levenshtein_automaton

    dfa = levenshtein_automaton(word, maxdist, 0).to_dfa()
    found = find_all_matches(dfa, lambda text: vocabulary.next_word(field, text))
    return [w for w in found if w != word]
