"""The shipped CRF models: lazy, thread-safe loading and tagging of tokenised sentences."""

from __future__ import annotations

import threading
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from tui_reader.entities._features import encoded_sentence_features
from tui_reader.entities._gazetteer import gazetteer
from tui_reader.entities._tokens import Token

Span = tuple[int, int, str]  # first token, end token (exclusive), type

_LOCK = threading.Lock()
# A crfsuite tagger keeps the current sequence inside the C object: one caller at a time.
_TAG_LOCK = threading.Lock()
_TAGGERS: dict[str, Any] = {}  # lang -> pycrfsuite.Tagger, or None when no model is shipped
_MODEL_DIR: list[Path] = []  # an override for evaluation (benchmarks/ner_eval.py --model-dir)


def model_file(lang: str) -> str:
    """File name of the model for a language."""
    return f"ner-{lang}.crfsuite"


def use_model_dir(path: Path | None) -> None:
    """Load models from `path` instead of the package (for evaluating other trainings)."""
    with _LOCK:
        _MODEL_DIR.clear()
        _MODEL_DIR.extend([path] if path else [])
        _TAGGERS.clear()


def _open(lang: str) -> Any:
    """Open the tagger for `lang`, or return None when there is no model for it."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    if _MODEL_DIR:
        path = _MODEL_DIR[0] / model_file(lang)
        if not path.is_file():
            return None
        tagger.open(str(path))
        return tagger
    resource = files(__package__ or "tui_reader.entities").joinpath(model_file(lang))
    if not resource.is_file():
        return None
    # Tagger.open reads the whole file into memory, so a temporary extraction may vanish.
    with as_file(resource) as path:
        tagger.open(str(path))
    return tagger


def tagger(lang: str) -> Any:
    """The process-wide tagger for `lang` (None when no model is shipped), loaded once."""
    if lang not in _TAGGERS:
        with _LOCK:
            if lang not in _TAGGERS:
                _TAGGERS[lang] = _open(lang)
    return _TAGGERS[lang]


def has_model(lang: str) -> bool:
    """Whether a CRF model exists for `lang`."""
    return tagger(lang) is not None


def decode(tags: list[str]) -> list[Span]:
    """Turn BIO tags into token spans; a stray I- starts a new entity."""
    spans: list[Span] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag == "O" and start < 0:
            continue  # most tokens: nothing open, nothing to start
        kind, _, lab = tag.partition("-")
        if start >= 0 and (kind != "I" or lab != label):
            spans.append((start, i, label))
            start = -1
        if kind == "B" or (kind == "I" and start < 0):
            start, label = i, lab
    return spans


def tag_sentence(tokens: list[Token], lang: str) -> list[Span]:
    """Entity token spans of one sentence."""
    features = encoded_sentence_features([tok.text for tok in tokens], gazetteer())
    model = tagger(lang)
    with _TAG_LOCK:
        tags: list[str] = model.tag(features)
    return decode(tags)
