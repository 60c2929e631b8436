import stat
from pathlib import Path

import pytest

from tui_reader.paths import ensure_dir, resolve_paths, write_private_file


def test_home_env_puts_everything_under_one_folder(reader_home: Path) -> None:
    paths = resolve_paths()
    assert paths.data_dir == reader_home / "data"
    assert paths.config_path == reader_home / "config.toml"
    assert paths.db_path.parent == paths.data_dir


def test_explicit_home_wins(tmp_path: Path) -> None:
    assert resolve_paths(tmp_path / "x").data_dir == tmp_path / "x" / "data"


def test_platform_dirs_when_no_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TUI_READER_HOME")
    paths = resolve_paths()
    assert "tui-reader" in str(paths.data_dir)
    assert str(paths.data_dir).startswith(str(tmp_path))  # XDG vars point into tmp_path


def test_nothing_is_created_until_needed(reader_home: Path) -> None:
    resolve_paths()
    assert not reader_home.exists()


def test_dirs_are_private(tmp_path: Path) -> None:
    made = ensure_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_private_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "cache.bin"
    target.write_bytes(b"old")
    write_private_file(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["cache.bin"]  # no temporary file left
