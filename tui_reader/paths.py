"""Where tui-reader keeps its data, configuration and cache.

Nothing is created at import time; directories are made lazily, mode 0700.
``TUI_READER_HOME`` (or ``--home``) puts everything under one folder.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "tui-reader"
HOME_ENV = "TUI_READER_HOME"


@dataclass(frozen=True, slots=True)
class Paths:
    """The folders of one archive."""

    data_dir: Path
    config_dir: Path
    cache_dir: Path

    @property
    def db_path(self) -> Path:
        """The SQLite archive: the single source of truth."""
        return self.data_dir / "archive.sqlite3"

    @property
    def index_dir(self) -> Path:
        """The Whoosh index: derived, rebuildable from the archive."""
        return self.data_dir / "index"

    @property
    def config_path(self) -> Path:
        """The user's TOML configuration file (optional)."""
        return self.config_dir / "config.toml"

    @property
    def ui_state_path(self) -> Path:
        """Small UI state: theme, sidebar width, last query."""
        return self.data_dir / "ui-state.json"


def resolve_paths(home: Path | str | None = None) -> Paths:
    """Return the folders to use, from ``home``, ``$TUI_READER_HOME`` or platformdirs."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        root = Path(chosen).expanduser().absolute()
        return Paths(data_dir=root / "data", config_dir=root, cache_dir=root / "cache")
    from platformdirs import PlatformDirs

    dirs = PlatformDirs(APP_NAME, appauthor=False)
    return Paths(
        data_dir=dirs.user_data_path,
        config_dir=dirs.user_config_path,
        cache_dir=dirs.user_cache_path,
    )


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) private to the user if it does not exist."""
    if not path.is_dir():
        # mkdir(parents=True) gives missing parents the umask's mode (often 0755); the
        # parents made here (e.g. the TUI_READER_HOME folder) are ours, so private too.
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
            folder.chmod(0o700)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (a reader sees the old file or the new
    one, whole), readable only by the user. The temporary file beside it has a unique
    name, so processes writing the same file at once do not mix their bytes."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
