"""Commands that open the reader: the default command and ``demo``.

Textual is imported only inside the handlers, so other commands start fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_commands(commands: Any) -> None:
    """Register ``open`` and ``demo``."""
    p = commands.add_parser("open", help="open the reader on the archive (the default)")
    p.set_defaults(handler=cmd_open)
    p = commands.add_parser("demo", help="open the reader on a bundled demo archive")
    p.add_argument("--rebuild", action="store_true", help="rebuild the demo archive first")
    p.set_defaults(handler=cmd_demo)


def cmd_open(args: argparse.Namespace) -> int:
    """Open the reader on the archive."""
    from tui_reader.archive import Archive

    return _run(Archive.open(getattr(args, "home", None)))


def cmd_demo(args: argparse.Namespace) -> int:
    """Build (or reuse) the demo archive, then open the reader on it."""
    from tui_reader.demo import demo_home, ensure_demo

    home = demo_home(getattr(args, "home", None))
    print(f"tui-reader: demo archive at {home}", file=sys.stderr)
    archive = ensure_demo(home, rebuild=args.rebuild)
    return _run(archive)


def _run(archive: Any) -> int:
    from tui_reader.ui.app import ReaderApp

    try:
        ReaderApp(archive).run()
    finally:
        archive.close()
    return 0
