"""Language identification, and the decoded model kept in the cache folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui_reader import language

SAMPLES = {
    "id": "Presiden Joko Widodo meresmikan jalan tol baru di Jawa Timur pada hari Senin.",
    "en": "The minister said the new railway would open to passengers next spring.",
    "de": "Die Regierung hat am Montag ein neues Gesetz zum Klimaschutz beschlossen.",
    "fr": "Le gouvernement a présenté mercredi un projet de loi sur les retraites.",
    "ru": "Правительство объявило о новых мерах поддержки малого бизнеса в регионах.",
    "ja": "政府は月曜日、新しい経済対策を発表しました。国内の消費を支えるためです。",
}


@pytest.fixture
def fresh_identifier() -> Iterator[None]:
    """Each test builds the identifier anew, and leaves the process as it found it."""
    before = language.cache_dir()
    language._identifier.cache_clear()
    yield
    language._identifier.cache_clear()
    language.set_cache_dir(before)


def _package_identifier() -> Any:
    """py3langid's own way: the whole model, then restricted to our languages."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(language.LANGUAGES))
    return identifier


def test_detects_the_languages_of_news() -> None:
    for expected, text in SAMPLES.items():
        assert language.detect_language(text) == expected
    assert language.detect_language("OK") is None  # too little to tell


def test_cached_model_gives_the_same_ranking(tmp_path: Path, fresh_identifier: None) -> None:
    language.set_cache_dir(tmp_path)
    stale = [tmp_path / "langid-0123456789abcdef.npz", tmp_path / "langid-0123456789abcdef.states"]
    for path in stale:  # left by an older py3langid
        path.write_bytes(b"old")
    built = language._identifier()  # from the package's model, then cached
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".npz", ".states"]
    assert not any(path.exists() for path in stale)
    language._identifier.cache_clear()
    cached = language._identifier()
    reference = _package_identifier()
    for text in SAMPLES.values():
        assert built.rank(text) == cached.rank(text) == reference.rank(text)


def test_cache_is_read_without_the_package_model(
    tmp_path: Path, fresh_identifier: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    language.set_cache_dir(tmp_path)
    language._identifier()
    language._identifier.cache_clear()

    def no_package_model(path: Any) -> Any:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr("py3langid.modelio.load_model", no_package_model)
    assert language.detect_language(SAMPLES["de"]) == "de"


def test_damaged_or_unwritable_cache_only_costs_time(
    tmp_path: Path, fresh_identifier: None
) -> None:
    language.set_cache_dir(tmp_path)
    language._identifier()
    states = next(tmp_path.glob("*.states"))
    states.write_bytes(states.read_bytes()[:1000])  # truncated
    language._identifier.cache_clear()
    assert language.detect_language(SAMPLES["fr"]) == "fr"
    assert states.stat().st_size > 1000  # rebuilt whole
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    language.set_cache_dir(blocked / "cache")
    language._identifier.cache_clear()
    assert language.detect_language(SAMPLES["en"]) == "en"
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind


def test_the_automaton_is_no_deeper_than_the_array_walk_assumes() -> None:
    """Every state is reached from the start within the recorded depth (breadth-first), so
    the state after a byte depends on that many last bytes only. A new py3langid model
    fails here until its depth is checked and added to DFA_DEPTHS."""
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    recorded = language.DFA_DEPTHS.get((MODEL_DIR / MODEL_FILE).stat().st_size)
    assert recorded, "py3langid's model changed: check its automaton's depth"
    identifier = language._identifier()
    identifier.rank("the automaton's arrays are made on first use")
    moves, rows, _ = identifier._arrays
    depth = np.full(len(rows), -1)
    depth[0] = 0
    frontier, steps = np.array([0]), 0
    while frontier.size:
        reached = np.unique(moves[(rows[frontier][:, None] + np.arange(256)).ravel()])
        frontier = reached[depth[reached] < 0]
        steps += 1
        depth[frontier] = steps
    assert depth.min() == 0
    assert depth.max() <= recorded


def test_array_walk_scores_exactly_as_py3langid() -> None:
    import random

    from py3langid.langid import LanguageIdentifier

    identifier = language._identifier()
    rng = random.Random(7)
    texts = [*SAMPLES.values(), "", "a", "ab", "abcdef", "é", "日本", "!!", "   "]
    alphabet = "aeinrstkmgu ÄöşçЖжя日本語,.-0123456789\n"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400))) for _ in range(50)]
    for text in texts:
        data = identifier._encode(text)
        plain = LanguageIdentifier._raw_score(identifier, data)
        assert identifier._raw_score(data).tolist() == plain.tolist()


def test_an_unchecked_model_is_walked_byte_by_byte(
    fresh_identifier: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from py3langid.langid import LanguageIdentifier

    monkeypatch.setattr(language, "DFA_DEPTHS", {})
    identifier = language._identifier()
    assert type(identifier) is LanguageIdentifier
    assert language.detect_language(SAMPLES["id"]) == "id"
