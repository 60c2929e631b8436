"""Commands that fetch from the web: ``add``, ``feed``, ``refresh``, ``reextract``."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Register the fetching commands (being written)."""
