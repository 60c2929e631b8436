"""The reading view: entities, hits, entity search, flags, reading position."""

from __future__ import annotations

import pytest

from tests.ui.helpers import settle
from tui_reader.archive import Archive
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.article import ArticleScreen
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.widgets.article_body import ArticleBody, BodyBlock
from tui_reader.ui.widgets.article_list import ArticleList


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LibraryScreen, "debounce", 0.0)


async def open_seed(pilot: object, app: ReaderApp) -> ArticleScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("slash", *"shoigu", "enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ArticleScreen)
    return app.screen


async def test_entities_land_on_their_words(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_seed(pilot, app)
        shown = {
            (block.block.text[s:e], kind)
            for block in screen.query(BodyBlock)
            for s, e, kind in block.entities
        }
        assert shown == {("Sergei Shoigu", "PER"), ("Vladivostok", "LOC"), ("TASS", "ORG")}
        await pilot.press("e")
        assert not screen.query_one(ArticleBody).show_entities


async def test_next_hit_and_opening_marks_read(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_seed(pilot, app)
        body = screen.query_one(ArticleBody)
        assert len(body.hit_places) >= 2
        words = {b.block.text[s:e].lower() for b, i in body.hit_places for s, e in [b.hits[i]]}
        assert words == {"shoigu"}
        await pilot.press("n", "n")
        assert body.current_hit == 1
        await pilot.press("N")
        assert body.current_hit == 0
        assert screen.article is not None
        assert archive.get(screen.article.id).summary.is_read


async def test_entity_enter_searches_for_it(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_seed(pilot, app)
        await pilot.press("tab")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.source.query.startswith(("person:", "place:", "org:"))
        assert len(app.screen.query_one(ArticleList).hits) == 1


async def test_star_back_and_position(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(60, 15)) as pilot:
        screen = await open_seed(pilot, app)
        await pilot.press("s", "G")
        await settle(pilot)
        article_id = screen.article.id if screen.article else 0
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
    article = archive.get(article_id)
    assert article.summary.is_starred
    assert article.reading_position > 0


async def test_next_article_and_keys_without_a_url(archive: Archive) -> None:
    app = ReaderApp(archive)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("end", "enter")  # the oldest: no URL
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        for key in ("o", "c", "n", "j", "k", "space", "b", "g", "G", "right_square_bracket"):
            await pilot.press(key)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.screen.article_id != app.screen_stack[-2].query_one(ArticleList).hits[-1]
