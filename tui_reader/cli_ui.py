"""Commands that open the reader: the default command and ``demo``.

Textual is imported only inside the handlers, so other commands start fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_commands(commands: Any) -> None:
    """Register the UI commands (being written)."""


def cmd_open(args: argparse.Namespace) -> int:
    """Open the reader on the archive."""
    print(
        "tui-reader: the reader app is not available yet; see `tui-reader --help`", file=sys.stderr
    )
    return 2
