"""Language identification with py3langid, restricted to languages a news reader meets.

py3langid's model is LZMA-compressed and takes ~0.7 s of CPU to load, in every process
that detects a language (each worker of an import or a refresh, each ``tui-reader add``).
So it is loaded on first use, once per process, into our own identifier
(``py3langid.set_languages`` would change the shared one that trafilatura also uses),
and the part we use is kept decoded in the archive's cache folder, where the next
process reads it in a tenth of the time. The cache is only ever a copy: a missing,
stale or unreadable one is rebuilt from the package's model.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = (
    "id", "ms", "jv", "en", "de", "fr", "es", "pt", "it", "nl", "pl", "ru", "uk",
    "tr", "ar", "zh", "ja", "ko", "vi", "th", "tl", "sv", "da", "no", "fi", "cs", "hu",
)  # fmt: skip
# Indonesian and Malay share most of their vocabulary; py3langid calls some Indonesian
# headlines Malay. A Malay verdict only stands when clearly ahead of Indonesian.
MALAY_MARGIN = 0.9
SAMPLE_CHARS = 2000
CACHE_FORMAT = 1
# The deepest state of py3langid's byte n-gram automaton, for the model files checked (by
# size): the state after any byte depends on the last that many bytes only. Found
# breadth-first; tests/unit/test_language.py checks the installed model. Another model is
# walked a byte at a time, as py3langid does, until it is checked and added here.
DFA_DEPTHS = {4_586_720: 6}  # py3langid 0.4.0

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache_dir: Path | None = None


def set_cache_dir(path: Path | None) -> None:
    """Keep the decoded model in ``path`` (None: do not cache)."""
    global _cache_dir
    _cache_dir = path


def cache_dir() -> Path | None:
    """Where this process keeps the decoded model (worker processes are told)."""
    return _cache_dir


@lru_cache(maxsize=1)
def _identifier() -> Any:
    with _lock:
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        depth = DFA_DEPTHS.get((MODEL_DIR / MODEL_FILE).stat().st_size)
        identifier_class = _array_identifier_class(depth) if depth else LanguageIdentifier
        try:
            return _cached_identifier(identifier_class, MODEL_DIR / MODEL_FILE)
        except Exception:  # another py3langid than the one this was written for
            log.debug("language model cache not usable", exc_info=True)
        identifier = identifier_class.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(LANGUAGES))
        return identifier


def _array_identifier_class(depth: int) -> Any:
    """py3langid's identifier, with its automaton walked for all bytes at once.

    py3langid walks its byte n-gram automaton one byte at a time in Python (~1 µs a byte,
    most of a detection). When the state after a byte depends only on the last ``depth``
    bytes, starting every position ``depth`` bytes back and taking ``depth`` steps for
    all positions at once with NumPy reaches the same states, hence the same features and
    counts, and the same scores.
    """
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    class ArrayIdentifier(LanguageIdentifier):  # type: ignore[misc]
        __slots__ = ("_arrays",)

        def _raw_score(self, text: bytes) -> Any:
            if not hasattr(self, "_arrays"):  # the automaton, as arrays sharing its memory
                moves = self.tk_nextmove
                self._arrays = (
                    np.frombuffer(moves, dtype=f"u{moves.itemsize}"),
                    np.asarray(self._rowbase, dtype=np.int64),
                    np.asarray(self.tk_output, dtype=np.int32),
                )
            moves, rows, outputs = self._arrays
            data = np.frombuffer(text, dtype=np.uint8)
            size = len(data)
            states = np.zeros(size, dtype=np.int64)
            for back in range(depth - 1, -1, -1):  # oldest byte first
                if back < size:  # position i reads byte i - back
                    states[back:] = moves[rows[states[back:]] + data[: size - back]]
            found = outputs[states]
            found = found[found >= 0]
            if not found.size:
                return super()._raw_score(text)
            features, first, counts = np.unique(found, return_index=True, return_counts=True)
            order = np.argsort(first)  # py3langid's order (first seen): the same sums
            weights = np.log1p(counts[order].astype(np.float32))
            return weights @ self.nb_ptc[features[order]] + self.nb_pc

    return ArrayIdentifier


def _cached_identifier(identifier_class: Any, model_path: Path) -> Any:
    """Our languages' part of the model: from the cache, else from the package model
    (then cached). Same arrays as ``set_languages`` would select, so same results."""
    import numpy as np

    files = _cache_files(model_path)
    model = _read_cache(*files) if files else None
    if model is None:
        from py3langid.modelio import load_model

        ptc, pc, classes, nextmove, rows, output = load_model(model_path)
        keep = [i for i, lang in enumerate(classes) if lang in LANGUAGES]
        model = (
            np.ascontiguousarray(ptc[:, keep]),
            np.asarray(pc)[keep],
            [classes[i] for i in keep],
            nextmove,
            rows,
            output,
        )
        if files:
            _write_cache(model, *files)
    ptc, pc, classes, nextmove, rows, output = model
    return identifier_class(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=rows)


def _cache_files(model_path: Path) -> tuple[Path, Path] | None:
    """The cache's two files, named after the model file and our languages."""
    if _cache_dir is None:
        return None
    stat = model_path.stat()
    key = f"{CACHE_FORMAT}|{stat.st_size}|{stat.st_mtime_ns}|{','.join(LANGUAGES)}"
    name = "langid-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return _cache_dir / f"{name}.npz", _cache_dir / f"{name}.states"


def _read_cache(arrays_path: Path, states_path: Path) -> tuple[Any, ...] | None:
    """The cached model, or None when it is missing or does not add up."""
    import numpy as np

    try:
        with np.load(arrays_path, allow_pickle=False) as data:
            ptc, pc, classes = data["ptc"], data["pc"], data["classes"].tolist()
            rows = array(str(data["rows_type"]), data["rows"].tobytes())
            output = data["output"].tolist()
            states_type, states_count = str(data["states_type"]), int(data["states_count"])
        nextmove = array(states_type, states_path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None
    if len(nextmove) != states_count or not ptc.shape[1] == len(classes) == len(pc):
        return None
    return ptc, pc, classes, nextmove, rows, output


def _write_cache(model: tuple[Any, ...], arrays_path: Path, states_path: Path) -> None:
    """Write the cache (each file whole, then renamed); a failure only costs speed."""
    import numpy as np

    from tui_reader.paths import ensure_dir, write_private_file

    ptc, pc, classes, nextmove, rows, output = model
    try:
        ensure_dir(arrays_path.parent)
        write_private_file(states_path, nextmove.tobytes())  # first: the arrays file vouches for it
        buffer = io.BytesIO()
        np.savez(
            buffer,
            ptc=ptc,
            pc=pc,
            classes=np.array(classes),
            rows=np.frombuffer(rows, dtype=f"u{rows.itemsize}"),
            rows_type=np.array(rows.typecode),
            output=np.asarray(output, dtype=np.int32),
            states_type=np.array(nextmove.typecode),
            states_count=np.array(len(nextmove)),
        )
        write_private_file(arrays_path, buffer.getvalue())
        # A cache made for another model or language list (an upgrade) is never read again.
        for old in arrays_path.parent.glob("langid-*"):
            if old.stem != arrays_path.stem and old.suffix in (".npz", ".states"):
                old.unlink(missing_ok=True)
    except OSError:
        log.debug("cannot cache the language model in %s", arrays_path.parent, exc_info=True)


def detect_language(text: str) -> str | None:
    """Return an ISO 639-1 code for ``text``, or None when there is too little to tell."""
    sample = text[:SAMPLE_CHARS].strip()
    if len(sample) < 20:
        return None
    ranked = _identifier().rank(sample)
    best, best_p = ranked[0]
    if best == "ms":
        id_p = next((p for lang, p in ranked if lang == "id"), 0.0)
        if best_p - id_p < MALAY_MARGIN:
            return "id"
    return str(best)
