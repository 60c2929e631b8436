"""Property tests: the query parser and the importers never fail in an unplanned way.

``Archive.search`` may only raise ``QueryError``; the importers only ``InputError``
(or its ``ExtractionError``), and ``read_items`` never raises at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import EN_VISIT, ID_VISIT
from tui_reader.archive import Archive
from tui_reader.config import Config, EntitiesConfig
from tui_reader.errors import InputError, QueryError
from tui_reader.extract import extract_html
from tui_reader.importer import draft_from_record, read_items
from tui_reader.paths import resolve_paths

EXAMPLES = 400 if os.environ.get("TUI_READER_SLOW") == "1" else 60
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays deterministic
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUERY_ALPHABET = st.sampled_from(
    list('abcAND OR NOT"()[]{}*?:^~+-<>=\\/!.,') + ["title:", "date:", "is:", "tag:", "\x00", "é"]
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    home = tmp_path_factory.mktemp("fuzz")
    config = Config(entities=EntitiesConfig(enabled=False))
    with Archive(resolve_paths(home), config) as opened:
        opened.add_draft(EN_VISIT)
        opened.add_draft(ID_VISIT)
        yield opened


@FUZZ
@given(st.one_of(st.text(max_size=80), st.lists(QUERY_ALPHABET, max_size=25).map("".join)))
def test_search_raises_only_query_error(archive: Archive, query: str) -> None:
    try:
        result = archive.search(query, limit=5)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert result.total >= 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
RECORD_KEYS = st.sampled_from(["title", "text", "url", "date", "lang", "site", "author", "tags"])


@FUZZ
@given(st.dictionaries(RECORD_KEYS, JSON_VALUES | st.text(max_size=300), max_size=8))
def test_draft_from_record_raises_only_input_error(record: dict[str, Any]) -> None:
    try:
        draft = draft_from_record(record)
    except InputError as exc:
        assert str(exc)
    else:
        assert draft.text.strip()
        assert all(c not in (draft.author or "") + (draft.site or "") for c in "\x1b\x07\n")


@FUZZ
@given(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_extract_html_raises_only_input_errors(data: bytes) -> None:
    try:
        draft = extract_html(b"<html><body><p>" + data + b"</p></body></html>")
    except InputError:
        return
    assert draft.title and "\x1b" not in draft.text


@FUZZ
@given(
    st.sampled_from(["a.jsonl", "a.html", "a.txt", "a.md", "a.jsonl.gz", "a.html.gz"]),
    st.lists(st.binary(max_size=300) | JSON_VALUES.map(lambda v: json.dumps(v).encode())),
)
def test_read_items_never_raises(tmp_path: Path, name: str, chunks: list[bytes]) -> None:
    path = tmp_path / name
    path.write_bytes(b"\n".join(chunks))
    items = list(read_items([path]))
    if ".jsonl" not in name:
        assert len(items) == 1  # one item per file, a failure included
    assert all(item.error or item.draft or item.html for item in items)
