"""The UI state file, and the theme remembered across runs."""

from __future__ import annotations

import json
import stat

from tests.ui.helpers import settle
from tui_reader.archive import Archive
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.state import UIState, load_state, save_state


def test_state_round_trip_is_private(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ui-state.json"
    save_state(path, UIState(theme="nord", sidebar_width=30, last_query="kim"))
    assert load_state(path) == UIState("nord", 30, "kim")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bad_state_falls_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ui-state.json"
    path.write_text(json.dumps({"theme": 3, "sidebar_width": "wide", "last_query": None}))
    assert load_state(path) == UIState()
    path.write_text("{not json")
    assert load_state(path) == UIState()


async def test_theme_persists(empty_archive: Archive) -> None:
    app = ReaderApp(empty_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await settle(pilot)
    assert load_state(empty_archive.paths.ui_state_path).theme == "nord"
    again = ReaderApp(empty_archive)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
