"""Per-language text analysis for the index (the Whoosh analyzers).

Whoosh pickles analyzers into the index, so the custom filter lives here, in an
importable module of the package: moving or renaming it makes old indexes unreadable
(they are then rebuilt from the archive).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
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


@lru_cache(maxsize=1)
def _sastrawi() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def indonesian_stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stopword list."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


@lru_cache(maxsize=500_000)
def stem_indonesian(word: str) -> str:
    """Sastrawi's stem of one lower-case word (cached: raw Sastrawi is slow)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    stem = _sastrawi().stem(word)
    return str(stem) if stem else word


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
