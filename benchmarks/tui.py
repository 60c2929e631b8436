"""Measure the reader app on an archive: launch to first list, and search per keystroke.

Usage: python benchmarks/tui.py --home PATH [--query shoigu]

Prints figures; it is not a test. The app runs headless at 120x36; each keystroke's
time runs from the key press until its results are in the list.
"""

from __future__ import annotations

import time

START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import statistics  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


async def measure(home: Path, query: str) -> None:
    """Run the app, print the figures."""
    from tui_reader.archive import Archive
    from tui_reader.ui.screens.library import LibraryScreen

    LibraryScreen.debounce = 0.0  # measure the search itself, not the typing pause
    archive = Archive.open(home)
    # A remembered query would make the first list a search: measure a plain start, and
    # leave the reader's own state as it was.
    state = archive.paths.ui_state_path
    saved = state.read_bytes() if state.exists() else None
    state.unlink(missing_ok=True)
    try:
        await _drive(archive, query)
    finally:
        if saved is not None:
            state.write_bytes(saved)
        else:
            state.unlink(missing_ok=True)
        archive.close()


async def _drive(archive: Any, query: str) -> None:
    from textual.worker import WorkerCancelled

    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.widgets.article_list import ArticleList

    home = archive.paths.data_dir.parent
    app = ReaderApp(archive)
    first_list: list[float] = []
    loaded = asyncio.Event()

    def hook(message: object) -> None:
        if not isinstance(message, ArticleList.PageLoaded) or message.page.offset != 0:
            return
        try:
            current = app.screen.query_one(ArticleList).generation
        except Exception:  # the list is not mounted yet: this is the first page
            current = message.page.generation
        if message.page.generation != current:
            return  # a stale page from an earlier keystroke: not this keystroke's answer
        if not first_list:
            first_list.append(time.perf_counter() - START)
        loaded.set()

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        await asyncio.wait_for(loaded.wait(), 30)
        print(f"archive: {home} ({archive.count():,} articles)")
        print(f"launch to first list: {first_list[0] * 1000:.0f} ms (imports included)")
        with contextlib.suppress(WorkerCancelled):  # a newer job replaced an exclusive one
            await app.workers.wait_for_complete()
        await pilot.press("slash")
        times = []
        for index, char in enumerate(query):
            if index == 0:  # one letter is not searched (too broad to be useful)
                await pilot.press(char)
                continue
            loaded.clear()
            began = time.perf_counter()
            await pilot.press(char)
            await asyncio.wait_for(loaded.wait(), 30)
            elapsed = (time.perf_counter() - began) * 1000
            times.append(elapsed)
            total = app.screen.query_one(ArticleList).total
            print(f"  typed {query[: len(times) + 1]!r:<14} {elapsed:7.0f} ms  {total:,} hits")
        print(f"per keystroke: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")


def main() -> None:
    """Parse the arguments and measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True, help="the archive's home folder")
    parser.add_argument("--query", default="shoigu", help="what to type, one key at a time")
    args = parser.parse_args()
    asyncio.run(measure(args.home, args.query))


if __name__ == "__main__":
    main()
