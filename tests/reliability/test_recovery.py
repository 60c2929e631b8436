"""Recovery: a deleted index is rebuilt on the next start (and says so); an archive from
an older schema is backed up, then migrated, when a newer tui-reader opens it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.harness import TRACEBACK, child_env, cli


def _imported_home(tmp_path: Path, count: int = 5) -> Path:
    home = tmp_path / "home"
    source = tmp_path / "a.jsonl"
    source.write_text(
        "".join(
            f'{{"title": "Ferry {i}", "text": "harbour ferry council story number{i}"}}\n'
            for i in range(count)
        )
    )
    assert cli(home, "import", str(source)).returncode == 0
    return home


def test_deleted_index_is_rebuilt_on_the_next_start(tmp_path: Path) -> None:
    home = _imported_home(tmp_path)
    shutil.rmtree(home / "data" / "index")
    result = cli(home, "search", "harbour")
    assert result.returncode == 0, result.stderr
    assert "rebuilt the search index (5 articles)" in result.stderr
    assert result.stdout.count("#") == 5
    assert cli(home, "doctor").returncode == 0


def test_damaged_index_is_rebuilt_on_the_next_start(tmp_path: Path) -> None:
    home = _imported_home(tmp_path)
    for toc in (home / "data" / "index").glob("*.toc"):
        toc.write_bytes(b"garbage")
    result = cli(home, "search", "harbour")
    assert result.returncode == 0 and TRACEBACK not in result.stderr, result.stderr
    assert "rebuilt the search index" in result.stderr
    assert cli(home, "doctor").returncode == 0


@pytest.mark.parametrize("damage", ["delete", "garbage"])
def test_a_lost_or_damaged_word_list_is_rebuilt_on_the_next_start(
    tmp_path: Path, damage: str
) -> None:
    home = _imported_home(tmp_path)
    words = home / "data" / "index" / "words.sqlite"
    words.unlink()
    if damage == "garbage":
        words.write_bytes(b"not a database" * 100)
    result = cli(home, "search", "harb*")
    assert result.returncode == 0 and TRACEBACK not in result.stderr, result.stderr
    assert "rebuilt the search index" in result.stderr
    assert result.stdout.count("#") >= 1  # the prefix expands again
    assert cli(home, "doctor").returncode == 0


NEWER_CLI = """
import sys
import tui_reader.store as store
store.MIGRATIONS = (*store.MIGRATIONS, "CREATE TABLE added_later (x)")
store.LATEST_VERSION = len(store.MIGRATIONS)
from tui_reader.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_older_schema_is_backed_up_then_migrated_by_the_cli(tmp_path: Path) -> None:
    home = _imported_home(tmp_path)
    db_path = home / "data" / "archive.sqlite3"
    version = sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()[0]
    # The next release (one more migration) opens this archive from the command line.
    newer = subprocess.run(
        [sys.executable, "-c", NEWER_CLI, "search", "harbour"],
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert newer.returncode == 0, newer.stderr
    assert newer.stdout.count("#") == 5
    backup = db_path.with_name(f"archive.sqlite3.v{version}.bak")
    assert backup.exists() and backup.stat().st_mode & 0o077 == 0
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == version
    assert old.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == version + 1
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    # The older release refuses the newer archive with one clear line.
    refused = cli(home, "search", "harbour")
    assert refused.returncode == 1 and TRACEBACK not in refused.stderr
    assert "newer tui-reader" in refused.stderr
