"""Snippets: the passage shown under a search hit, and the marks in it."""

import random
from pathlib import Path

from tui_reader.index.analysis import find_words, word_normalizer
from tui_reader.index.engine import Index
from tui_reader.index.snippets import SCAN_CHARS, SNIPPET_CHARS, make_snippet


def _spans(text: str, word: str) -> list[tuple[int, int]]:
    normalize = word_normalizer("en")
    return find_words(text, "en", frozenset({normalize(word) or word}))


def test_the_passage_with_most_matches_is_shown_and_marked() -> None:
    text = (
        "flood "
        + "filler words here. " * 40
        + "flood after flood and flood again. "
        + ("more filler. " * 40)
    )
    snippet, marks = make_snippet(text, _spans(text, "flood"))
    assert [snippet[a:b] for a, b in marks] == ["flood", "flood", "flood"]
    assert len(snippet) <= SNIPPET_CHARS + 4


def test_no_match_shows_the_lead() -> None:
    text = "A first sentence.\nAnd a second one that goes on. " * 20
    snippet, marks = make_snippet(text, [])
    assert marks == () and snippet.startswith("A first sentence. And") and snippet.endswith("…")


def test_window_choice_matches_a_plain_count() -> None:
    rng = random.Random(3)
    words = [rng.choice(["flood", "rain", "river", "town", "water"]) for _ in range(400)]
    text = " ".join(words)
    spans = _spans(text, "flood")
    best_count = max(
        sum(1 for s, e in spans[i:] if e <= start + SNIPPET_CHARS - 40)
        for i, (start, _) in enumerate(spans)
    )
    snippet, marks = make_snippet(text, spans)
    assert len(marks) >= best_count


def test_a_match_past_the_scanned_part_is_still_found(tmp_path: Path) -> None:
    text = "nothing to see here. " * (SCAN_CHARS // 10) + "the flood came."
    index = Index(tmp_path / "index")  # nothing is opened for a snippet
    snippet, marks = index.snippet(text, "en", {"en": frozenset({"flood"})})
    assert [snippet[a:b] for a, b in marks] == ["flood"]
