"""Language identification with py3langid, restricted to languages a news reader meets.

The model takes ~0.5 s to load, so it is loaded on first use, once per process, into
our own identifier (``py3langid.set_languages`` would change the shared one that
trafilatura also uses).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

LANGUAGES = (
    "id", "ms", "jv", "en", "de", "fr", "es", "pt", "it", "nl", "pl", "ru", "uk",
    "tr", "ar", "zh", "ja", "ko", "vi", "th", "tl", "sv", "da", "no", "fi", "cs", "hu",
)  # fmt: skip
# Indonesian and Malay share most of their vocabulary; py3langid calls some Indonesian
# headlines Malay. A Malay verdict only stands when clearly ahead of Indonesian.
MALAY_MARGIN = 0.9
SAMPLE_CHARS = 2000

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    with _lock:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(LANGUAGES))
        return identifier


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
