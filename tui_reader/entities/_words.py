"""Corpus statistics of Indonesian words (`words-id.tsv`, built by `tools/build_word_features.py`).

Each word maps to two digits: how often news writes it capitalised inside a sentence (0-4) and
how frequent it is (0-9); words usually written with capitals also keep that form (`KPK`),
which only the training and evaluation tools read. Loaded on first use, once per process.
"""

from __future__ import annotations

import re
import threading
from importlib.resources import files

_FILE = "words-id.tsv"
_LOCK = threading.Lock()
_CODES: list[dict[str, str]] = []
# One regular expression over the whole file: several times faster than a loop over lines,
# which matters for the cold start of a process (about 43,000 words).
_CODE_LINE = re.compile(r"^([^\t\n#][^\t\n]*)\t(\d\d)", re.MULTILINE)
_FORM_LINE = re.compile(r"^([^\t\n#][^\t\n]*)\t\d\d\t([^\t\n]+)$", re.MULTILINE)


def _text() -> str:
    resource = files(__package__ or "tui_reader.entities").joinpath(_FILE)
    return resource.read_text("utf-8") if resource.is_file() else ""


def word_stats() -> dict[str, str]:
    """Lower-cased word -> capitalised-ratio and frequency buckets (empty without the file)."""
    if not _CODES:
        with _LOCK:
            if not _CODES:
                _CODES.append(dict(_CODE_LINE.findall(_text())))
    return _CODES[0]


def usual_forms() -> dict[str, str]:
    """Lower-cased word -> its usual written form, for words not usually lower case (`KPK`)."""
    return dict(_FORM_LINE.findall(_text()))
