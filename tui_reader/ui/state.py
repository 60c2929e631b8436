"""The small UI state file: theme, sidebar width, last query (JSON, 0600, atomic)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from tui_reader.paths import write_private_file

MIN_SIDEBAR = 16
MAX_SIDEBAR = 60


@dataclass(frozen=True, slots=True)
class UIState:
    """What the app remembers between runs."""

    theme: str = ""
    sidebar_width: int = 28
    last_query: str = ""

    def with_changes(self, **changes: Any) -> UIState:
        """A copy with some fields changed."""
        return replace(self, **changes)


def load_state(path: Path) -> UIState:
    """Read the state file; anything missing or malformed falls back to the defaults."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UIState()
    if not isinstance(data, dict):
        return UIState()
    defaults = UIState()
    theme = data.get("theme")
    width = data.get("sidebar_width")
    query = data.get("last_query")
    return UIState(
        theme=theme if isinstance(theme, str) else defaults.theme,
        sidebar_width=(
            min(max(width, MIN_SIDEBAR), MAX_SIDEBAR)
            if isinstance(width, int) and not isinstance(width, bool)
            else defaults.sidebar_width
        ),
        last_query=query[:2000] if isinstance(query, str) else defaults.last_query,
    )


def save_state(path: Path, state: UIState) -> None:
    """Write the state file atomically, readable only by the user."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = json.dumps(asdict(state), ensure_ascii=False, indent=2)
    write_private_file(path, text.encode("utf-8"))
