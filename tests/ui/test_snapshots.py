"""SVG snapshots at a fixed size (dates in the data are fixed; no clock is shown)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import build
from tests.ui.helpers import settle
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.library import LibraryScreen


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LibraryScreen, "debounce", 0.0)


def test_help_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    archive = build(tmp_path / "snap", [])

    async def ready(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    try:
        assert snap_compare(ReaderApp(archive), terminal_size=(100, 30), run_before=ready)
    finally:
        archive.close()
