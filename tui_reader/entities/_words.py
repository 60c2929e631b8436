"""Corpus statistics of Indonesian words (`words-id.tsv`, built by `tools/build_word_features.py`).

Each word maps to two digits: how often news writes it capitalised inside a sentence (0-4) and
how frequent it is (0-9); words usually written with capitals also keep that form (`KPK`).
Loaded on first use, once per process.
"""

from __future__ import annotations

import threading
from importlib.resources import files
from typing import NamedTuple

_FILE = "words-id.tsv"
_LOCK = threading.Lock()


class WordTable(NamedTuple):
    """Buckets per lower-cased word, and the usual form of words not written in lower case."""

    codes: dict[str, str]
    forms: dict[str, str]


_CACHE: list[WordTable] = []


def _load() -> WordTable:
    table = WordTable({}, {})
    resource = files(__package__ or "tui_reader.entities").joinpath(_FILE)
    if not resource.is_file():
        return table
    for line in resource.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, code, *form = line.split("\t")
            table.codes[word] = code
            if form:
                table.forms[word] = form[0]
    return table


def word_table() -> WordTable:
    """The process-wide table (empty when the data file is missing)."""
    if not _CACHE:
        with _LOCK:
            if not _CACHE:
                _CACHE.append(_load())
    return _CACHE[0]


def word_stats() -> dict[str, str]:
    """Lower-cased word -> capitalised-ratio and frequency buckets."""
    return word_table().codes
