"""The library screen: listing, searching, the sidebar, saved searches, flags."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.ui.helpers import settle
from tui_reader.archive import Archive
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.preview import Preview
from tui_reader.ui.widgets.sidebar import Sidebar


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LibraryScreen, "debounce", 0.0)


def titles(app: ReaderApp) -> list[str]:
    return [hit.article.title for hit in app.screen.query_one(ArticleList).hits]


def status(app: ReaderApp) -> str:
    return str(app.screen.query_one("#status", Static).content)


async def test_lists_the_archive_newest_first(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert titles(app)[0] == "Harbour ferries stop as crews strike"
        assert len(titles(app)) == 3
        assert "3 articles" in status(app)
        assert app.screen.query_one(Preview).hit is not None


async def test_search_narrows_the_list_as_you_type(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"shoi")
        await settle(pilot)
        assert titles(app) == ["Kim Jong Un bertemu Shoigu di Vladivostok"]
        preview = app.screen.query_one(Preview)
        assert preview.hit is not None and preview.hit.marks
        await pilot.press("escape")
        assert isinstance(app.focused, ArticleList)
        assert app.state.last_query == "shoi"


async def test_query_errors_show_inline(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *'"unbalanced')
        await settle(pilot)
        assert "quote" in status(app)
        assert app.screen.query_one("#status").has_class("-error")


async def test_star_and_read_persist(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(ArticleList).hits[0].article.id
        await pilot.press("s", "r")
        await settle(pilot)
    summary = archive.get(first).summary
    assert summary.is_starred and summary.is_read


async def test_saved_search_appears_in_the_sidebar(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"rice", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert [s.query for s in archive.saved_searches()] == ["rice"]
        sidebar = app.screen.query_one(Sidebar)
        assert [(s.query, n) for s, n in sidebar.data.saved] == [("rice", 1)]


async def test_sidebar_entity_searches_for_it(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(Sidebar)
        sidebar.post_message(Sidebar.Chosen("entity", "PER\tSergei Shoigu"))
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == 'person:"Sergei Shoigu"'
        assert titles(app) == ["Kim Jong Un bertemu Shoigu di Vladivostok"]


async def test_empty_archive_and_tiny_terminal(empty_archive: Archive) -> None:
    app = ReaderApp(empty_archive)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        assert "0 articles" in status(app)
        for key in ("enter", "s", "r", "o", "ctrl+s", "question_mark"):
            await pilot.press(key)
            await settle(pilot, 1)
        await pilot.press("escape", "slash", *"nothing", "enter")
        await settle(pilot)
        assert titles(app) == []
