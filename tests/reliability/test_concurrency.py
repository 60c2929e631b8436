"""Concurrency: a reader holds the archive open (reads, searches, star toggles) while
``tui-reader refresh`` and ``tui-reader import`` run in two other processes.

No "database is locked" or index ``LockError`` may reach anyone: writers queue or
retry for a bounded time. The reader sees the new articles when the writers are done.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import EN_VISIT, ID_VISIT
from tests.httpserver import LoopbackServer, serving
from tests.reliability.harness import (
    LOCK_WORDS,
    TRACEBACK,
    FeedSite,
    check_store,
    cli,
    start,
    write_jsonl,
)
from tui_reader.archive import Archive
from tui_reader.config import Config, EntitiesConfig
from tui_reader.paths import resolve_paths

SEED = 11


@dataclass
class RunOutcome:
    """What one concurrent run saw."""

    errors: list[str] = field(default_factory=list)
    reader_operations: int = 0

    @property
    def lock_error(self) -> bool:
        """True when a lock or busy error reached a user."""
        return any(word in e for e in self.errors for word in LOCK_WORDS)


def _reader_loop(archive: Archive, stop: threading.Event, outcome: RunOutcome) -> None:
    rng = random.Random(SEED)
    while not stop.is_set():
        try:
            summaries = archive.list_articles(limit=50)
            archive.search(rng.choice(["river", "minister", "flood OR storm", "harbour"]))
            # A person toggles a star now and then, not a hundred times a second.
            if summaries and outcome.reader_operations % 5 == 0:
                chosen = rng.choice(summaries)
                archive.set_starred(chosen.id, not chosen.is_starred)
                archive.get(chosen.id)
            outcome.reader_operations += 1
            stop.wait(0.02)
        except Exception as exc:  # any error here is one the user would see in the app
            outcome.errors.append(f"reader: {type(exc).__name__}: {exc}")


def concurrent_run(
    home: Path, workdir: Path, site: FeedSite, run: int, archive: Archive
) -> RunOutcome:
    """Refresh and import in two processes while ``archive`` reads and writes."""
    outcome = RunOutcome()
    site.next_generation()
    jsonl = workdir / f"concurrent{run}.jsonl"
    urls = write_jsonl(jsonl, 100 + run, 50, SEED)
    stop = threading.Event()
    reader = threading.Thread(target=_reader_loop, args=(archive, stop, outcome))
    reader.start()
    try:
        writers = [start(home, "refresh"), start(home, "import", str(jsonl))]
        for proc in writers:
            _, err = proc.communicate(timeout=240)
            if proc.returncode != 0 or TRACEBACK in err:
                outcome.errors.append(f"{proc.args[3]} exit {proc.returncode}: {err[-400:]}")
            elif any(word in err for word in LOCK_WORDS):
                outcome.errors.append(f"{proc.args[3]}: {err[-400:]}")
    finally:
        stop.set()
        reader.join(timeout=120)
    _check_reader_sees(archive, site, urls, run, outcome)
    return outcome


def _check_reader_sees(
    archive: Archive, site: FeedSite, urls: list[str], run: int, outcome: RunOutcome
) -> None:
    stored = check_store(archive.paths.db_path)
    outcome.errors += [f"store: {p}" for p in stored.problems]
    newest = site.server.url(site.items[-1][0])
    missing = [u for u in (*urls, newest) if u not in stored.urls]
    if missing:
        outcome.errors.append(f"not stored: {missing[:3]}")
    # The reader's own, long-open Archive finds both writers' articles by their words.
    marker = f"markr{100 + run}x1"
    key = site.items[-1][0].rsplit("/", 1)[1].removesuffix(".html")
    for word in (marker, key):
        if archive.search(word).total < 1:
            outcome.errors.append(f"the reader does not find {word!r}")
    if not archive.doctor().ok:
        outcome.errors.append(f"doctor: {archive.doctor().problems}")


def concurrency_campaign(tmp_path: Path, server: LoopbackServer, runs: int) -> list[RunOutcome]:
    """``runs`` concurrent runs against one archive."""
    home = tmp_path / "home"
    site = FeedSite(server, 15, SEED)
    site.next_generation()
    # Entities off in the reader: its own writes stay quick; the children use the default.
    with Archive(resolve_paths(home), Config(entities=EntitiesConfig(enabled=False))) as first:
        first.add_draft(EN_VISIT)
        first.add_draft(ID_VISIT)
    added = cli(home, "feed", "add", site.feed_url)
    assert added.returncode == 0, added.stderr
    outcomes: list[RunOutcome] = []
    with Archive(resolve_paths(home), Config(entities=EntitiesConfig(enabled=False))) as archive:
        for run in range(runs):
            outcomes.append(concurrent_run(home, tmp_path, site, run, archive))
    return outcomes


def _assert_clean(outcomes: list[RunOutcome]) -> None:
    clean = [o for o in outcomes if not o.errors]
    assert len(clean) == len(outcomes), [o.errors for o in outcomes if o.errors]
    assert all(o.reader_operations > 0 for o in outcomes)


def test_reader_refresh_and_import_at_once(tmp_path: Path) -> None:
    with serving() as server:
        _assert_clean(concurrency_campaign(tmp_path, server, runs=2))


@pytest.mark.slow
def test_reader_refresh_and_import_at_once_many_times(tmp_path: Path) -> None:
    with serving() as server:
        _assert_clean(concurrency_campaign(tmp_path, server, runs=10))
