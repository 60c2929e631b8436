"""Per-language text analysis for the index (the Whoosh analyzers).

Whoosh pickles analyzers into the index, so the custom filter lives here, in an
importable module of the package: moving or renaming it makes old indexes unreadable
(they are then rebuilt from the archive).
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.analyzers import Analyzer
from whoosh.support.charset import accent_map

# Words joined by hyphens stay one token ("senjata-senjata", "Geran-25") as well as
# their parts would not: Indonesian reduplication is one word.
TOKEN_PATTERN = r"\w+(?:[-'’]\w+)*"
WORD_PATTERN = re.compile(TOKEN_PATTERN)


# Sastrawi's root list holds a few rare words that capture common news words: with
# "unjung" there, "mengunjungi" and "pengunjung" stem to "unjung", not "kunjung"; with
# "lidi", "penyelidikan" becomes "lidi"; "pemilu" (election) is missing, so it becomes
# "pilu". Changing this list changes the stems: bump STEMMER_VERSION (it names the
# on-disk stem cache) and ANALYSIS_VERSION (indexes built before are rebuilt).
ROOTS_REMOVED = frozenset({"unjung", "lidi", "milu"})
ROOTS_ADDED = frozenset({"pemilu"})
# 4: bodies and titles indexed through analyse(); unstemmed words kept in the vocabulary.
# 5: article ids indexed at one precision; the sort date is a column only.
# 6: the publication date as a column too (date ranges).
ANALYSIS_VERSION = 6
STEMMER_VERSION = 2


@lru_cache(maxsize=1)
def _sastrawi() -> Any:
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    words = set(StemmerFactory().get_words_from_file()) - ROOTS_REMOVED | ROOTS_ADDED
    return Stemmer(ArrayDictionary(sorted(words)))


@lru_cache(maxsize=1)
def indonesian_stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stopword list."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


# Sastrawi manages ~10k words/s; an archive's vocabulary is a few hundred thousand words,
# so stems are cached per process, shared from worker processes to the indexing one
# (learn_stems) and kept on disk between runs (save_stems/load_stems).
_STEMS: dict[str, str] = {}
MAX_CACHED_STEMS = 2_000_000


def stem_indonesian(word: str) -> str:
    """Sastrawi's stem of one lower-case word (cached)."""
    stem = _STEMS.get(word)
    if stem is None:
        stem = _compute_stem(word)
        if len(_STEMS) < MAX_CACHED_STEMS:
            _STEMS[word] = stem
    return stem


def _compute_stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    stem = _sastrawi().stem(word)
    return str(stem) if stem else word


def new_indonesian_stems(text: str) -> dict[str, str]:
    """Stem every word of ``text`` this process has not stemmed before; return those."""
    fresh: dict[str, str] = {}
    stops = indonesian_stopwords()
    for match in WORD_PATTERN.finditer(text):
        word = match.group().lower().translate(accent_map)
        if word not in _STEMS and word not in stops:
            fresh[word] = stem_indonesian(word)
    return fresh


def learn_stems(stems: dict[str, str]) -> None:
    """Add stems computed elsewhere (a worker process) to this process's cache."""
    if len(_STEMS) < MAX_CACHED_STEMS:
        _STEMS.update(stems)


def save_stems(path: Path) -> None:
    """Write the stem cache to ``path`` (atomically)."""
    from tui_reader.paths import write_private_file

    write_private_file(path, marshal.dumps(_STEMS))


def load_stems(path: Path) -> int:
    """Load a stem cache written by :func:`save_stems`; returns how many stems it held."""
    try:
        stems = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return 0
    if isinstance(stems, dict):
        learn_stems(stems)
        return len(stems)
    return 0


def cached_stem_count() -> int:
    """How many stems this process knows."""
    return len(_STEMS)


def stems_after(count: int) -> dict[str, str]:
    """The stems learnt since the cache held ``count`` (it keeps them in order)."""
    return dict(islice(_STEMS.items(), count, None))


class SastrawiStemFilter(Filter):  # type: ignore[misc]
    """Stems Indonesian tokens with Sastrawi."""

    is_morph = True  # tells Whoosh to keep unstemmed words for spelling suggestions

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SastrawiStemFilter)

    def __hash__(self) -> int:
        return hash(SastrawiStemFilter)

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            if not token.stopped:
                token.text = stem_indonesian(token.text)
            yield token


def _tokens() -> Any:
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def indonesian_analyzer() -> Analyzer:
    """Lower-case, Sastrawi stopwords removed, Sastrawi stems."""
    stops = StopFilter(stoplist=indonesian_stopwords(), minsize=1)
    return _tokens() | stops | SastrawiStemFilter()


def english_analyzer() -> Analyzer:
    """Lower-case, English stopwords removed, Snowball (Porter 2) stems."""
    return _tokens() | StopFilter(minsize=1) | StemFilter(lang="en", cachesize=200_000)


def plain_analyzer() -> Analyzer:
    """Lower-case and accent-folded, no stemming: every other language."""
    return _tokens()


def keyword_analyzer() -> Analyzer:
    """For names (sites, authors, entities): lower-case words, nothing removed."""
    return _tokens()


ANALYZER_KIND = {"id": "id", "ms": "id", "en": "en"}


def language_kind(lang: str | None) -> str:
    """Which analyzer family (``id``, ``en`` or ``xx``) a language uses."""
    return ANALYZER_KIND.get(lang or "", "xx")


@lru_cache(maxsize=3)
def word_normalizer(kind: str) -> Callable[[str], str | None]:
    """A fast function from one raw word to the term the ``kind`` analyzer indexes for it
    (None for a stopword). Used to find matches in stored text without running the
    whole analyzer chain: snippets and hit highlighting."""
    stem: Callable[[str], str]
    if kind == "id":
        stops = indonesian_stopwords()
        stem = stem_indonesian
    elif kind == "en":
        from whoosh.lang import stemmer_for_language

        stops = StopFilter().stops
        stem = stemmer_for_language("en")
    else:
        stops = frozenset()
        stem = str

    @lru_cache(maxsize=200_000)
    def normalize(word: str) -> str | None:
        folded = word.lower().translate(accent_map)
        return None if folded in stops else stem(folded)

    return normalize


def find_words(text: str, kind: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Offsets of the words in ``text`` that the ``kind`` analyzer turns into ``terms``.

    Each distinct word is analysed once; the few that match are then looked for with
    ``str.find`` and kept where :data:`WORD_PATTERN` would see them as whole tokens.
    """
    if not terms:
        return []
    normalize = word_normalizer(kind)
    found = [w for w in set(WORD_PATTERN.findall(text)) if normalize(w) in terms]
    spans: list[tuple[int, int]] = []
    for word in found:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if _is_token(text, start, end):
                spans.append((start, end))
            start = text.find(word, start + 1)
    spans.sort()
    return spans


_WORD_CHAR = re.compile(r"\w")
_JOINERS = "-'’"


def _is_token(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a whole token of :data:`WORD_PATTERN`: not inside
    a longer word, nor a part of a hyphenated or apostrophed one."""
    word_char = _WORD_CHAR.match
    if start > 0 and (
        word_char(text, start - 1)
        or (start > 1 and text[start - 1] in _JOINERS and word_char(text, start - 2))
    ):
        return False
    return not (
        end < len(text)
        and (word_char(text, end) or (text[end] in _JOINERS and word_char(text, end + 1)))
    )


@dataclass(slots=True)
class Analysed:
    """One text as the index sees it: each term with its word positions, and the
    unstemmed (lower-cased, accent-folded) words, stopwords left out."""

    kind: str
    positions: dict[str, list[int]]
    words: set[str]


MAX_FOLD_CACHE = 500_000
_FOLDS: dict[str, dict[str, tuple[str, str]]] = {}


def analyse(text: str, kind: str) -> Analysed:
    """What the ``kind`` analyzer makes of ``text``, about four times faster.

    Indexing runs every article through this instead of Whoosh's token pipeline (which
    queries still use); the result is the same terms at the same positions, a property
    the tests check against the analyzers themselves. Like Whoosh's StopFilter, the
    first kept word keeps its own position and the later ones follow it without gaps.
    """
    folds = _FOLDS.setdefault(kind, {})
    fold = _folder(kind)
    positions: dict[str, list[int]] = {}
    words: set[str] = set()
    pos = -1
    for index, word in enumerate(WORD_PATTERN.findall(text)):
        hit = folds.get(word)
        if hit is None:
            hit = fold(word)
            if len(folds) < MAX_FOLD_CACHE:
                folds[word] = hit
        folded, term = hit
        if not term and kind != "xx":
            continue
        pos = index if pos < 0 else pos + 1
        words.add(folded)
        found = positions.get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)
    return Analysed(kind, positions, words)


@lru_cache(maxsize=3)
def _folder(kind: str) -> Callable[[str], tuple[str, str]]:
    """From a raw word to (folded word, indexed term), the term empty for a stopword."""
    normalize = word_normalizer(kind)

    def fold(word: str) -> tuple[str, str]:
        folded = word.lower().translate(accent_map)
        if kind == "xx":
            return folded, folded
        term = normalize(word) if folded else None
        return folded, term or ""

    return fold
