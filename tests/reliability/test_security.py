"""Security: private files, http(s)-only browsing, no shell, escaped exports, inert config."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from tests.helpers import EN_VISIT
from tests.reliability.harness import cli
from tui_reader.archive import Archive
from tui_reader.config import Config, EntitiesConfig
from tui_reader.models import ArticleDraft
from tui_reader.paths import resolve_paths
from tui_reader.ui.state import UIState, save_state

PACKAGE = Path(__file__).resolve().parents[2] / "tui_reader"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def used_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home a child process created and used: import, search, export, UI state."""
    tmp_path = tmp_path_factory.mktemp("security")
    home = tmp_path / "home"
    source = tmp_path / "a.jsonl"
    source.write_text('{"title": "Private", "text": "harbour ferry council news"}\n')
    assert cli(home, "import", str(source)).returncode == 0
    assert cli(home, "search", "harbour").returncode == 0
    assert cli(home, "export", "--output", str(home / "export.jsonl")).returncode == 0
    save_state(resolve_paths(home).ui_state_path, UIState(theme="x"))
    return home


def test_data_and_config_folders_are_private(used_home: Path) -> None:
    paths = resolve_paths(used_home)
    for folder in (paths.config_dir, paths.data_dir):
        assert _mode(folder) == 0o700, folder


def test_database_state_and_exports_are_private(used_home: Path) -> None:
    data = resolve_paths(used_home).data_dir
    files = [data / "archive.sqlite3", data / "ui-state.json", used_home / "export.jsonl"]
    files += [p for p in data.glob("archive.sqlite3-*")]  # -wal, -shm while they exist
    for path in files:
        assert _mode(path) == 0o600, path


def test_index_files_written_by_the_cli_are_private(used_home: Path) -> None:
    index = resolve_paths(used_home).index_dir
    assert _mode(index) == 0o700
    assert not [p.name for p in index.iterdir() if _mode(p) & 0o077]


def test_index_files_are_private_without_the_cli_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        config = Config(entities=EntitiesConfig(enabled=False))
        with Archive(resolve_paths(tmp_path / "home"), config) as archive:
            archive.add_draft(EN_VISIT)
    finally:
        os.umask(previous)
    index = resolve_paths(tmp_path / "home").index_dir
    loose = [p.name for p in index.iterdir() if _mode(p) & 0o077]
    assert not loose, loose


def test_no_shell_anywhere_in_the_package() -> None:
    pattern = re.compile(r"shell\s*=\s*True|os\.system\(|os\.popen\(|\beval\(|\bexec\(")
    hits = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not hits, hits


def test_config_values_are_data_never_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    marker = tmp_path / "pwned"
    payload = f"$(touch {marker}); `touch {marker}`"
    home.mkdir()
    (home / "config.toml").write_text(f'[ui]\ntheme = "{payload}"\n', encoding="utf-8")
    assert cli(home, "stats").returncode == 0
    (home / "config.toml").write_text(f'[ui]\nbrowser = "{payload}"\n', encoding="utf-8")
    result = cli(home, "stats")
    assert result.returncode == 1 and "unknown key" in result.stderr
    assert not marker.exists()


async def test_browser_opens_only_http_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.messages import OpenArticle

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    config = Config(entities=EntitiesConfig(enabled=False))
    archive = Archive(resolve_paths(tmp_path / "home"), config)
    bad = archive.add_draft(
        ArticleDraft(title="Bad link", text=EN_VISIT.text + " x", url="javascript:alert(1)")
    )
    good = archive.add_draft(EN_VISIT)
    app = ReaderApp(archive, heal_index=False)
    async with app.run_test(size=(120, 36)) as pilot:
        for outcome in (bad, good):
            assert outcome.article_id is not None
            app.post_message(OpenArticle(outcome.article_id))
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.press("o")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.press("escape")
            await pilot.pause()
    archive.close()
    assert opened == ["https://news.example.com/minister-flood"]
