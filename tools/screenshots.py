"""Regenerate the SVG screenshots in ``screenshots/`` from the bundled demo archive.

Usage: python tools/screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

SIZE = (120, 36)


async def _settle(pilot: object, app: object) -> None:
    for _ in range(3):
        await pilot.pause()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def shoot(out: Path) -> None:
    """Drive the app through the demo and save four screenshots."""
    from tui_reader.demo import ensure_demo
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.screens.library import LibraryScreen

    LibraryScreen.debounce = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        archive = ensure_demo(Path(tmp) / "demo")
        app = ReaderApp(archive)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot, app)
            app.save_screenshot(str(out / "library.svg"))
            await pilot.press("slash", *"jakarta", "enter")
            await _settle(pilot, app)
            app.save_screenshot(str(out / "search.svg"))
            await pilot.press("enter")
            await _settle(pilot, app)
            app.save_screenshot(str(out / "article.svg"))
            await pilot.press("question_mark")
            await _settle(pilot, app)
            app.save_screenshot(str(out / "help.svg"))
        archive.close()


def main() -> None:
    """Parse the arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(args.out))
    print(f"screenshots written to {args.out}")


if __name__ == "__main__":
    main()
