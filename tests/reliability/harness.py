"""Shared by the reliability tests and ``benchmarks/crash.py``: run the real CLI in a
child process, kill it at a seeded moment, and check what the archive holds afterwards.

The checks read the database with a plain read-only sqlite3 connection, not through
``Store``, so a bug in the store cannot hide a broken archive from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.httpserver import LoopbackServer, Reply
from tui_reader.feeds import OpmlFeed, build_opml
from tui_reader.textutil import content_hash, word_count

WORDS = (
    "harbour", "river", "minister", "flood", "village", "market", "price", "rice",
    "council", "school", "road", "bridge", "storm", "ferry", "festival", "budget",
    "election", "hospital", "teacher", "farmer", "railway", "museum",
)  # fmt: skip

# Signs that a failure reached the user as something other than one clear line.
TRACEBACK = "Traceback (most recent call last)"
LOCK_WORDS = ("database is locked", "LockError", "locked")


def child_env(home: Path) -> dict[str, str]:
    """The environment of a child tui-reader: its own home, never a proxy."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["TUI_READER_HOME"] = str(home)
    env["NO_PROXY"] = "*"
    env["PYTHONWARNINGS"] = "ignore"
    env.pop("PYTHONSTARTUP", None)
    return env


def limit_memory(max_bytes: int) -> Callable[[], None]:
    """A ``preexec_fn`` capping the child's address space (and so its worker processes)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    return apply


def cli(
    home: Path,
    *args: str,
    timeout: float = 60.0,
    max_bytes: int | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``tui-reader ARGS`` to completion in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", *args],
        env=child_env(home),
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory(max_bytes) if max_bytes else None,
        start_new_session=True,
        check=False,
    )


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``tui-reader ARGS`` in its own process group (so its workers die with it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui_reader", *args],
        env=child_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the child and every process it started: a crash, not a shutdown."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


# -- inputs ------------------------------------------------------------------------------


def article_text(rng: random.Random, marker: str, words: int = 220) -> str:
    """A few paragraphs of seeded filler ending with a word unique to the article."""
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    half = len(body) // 2
    cut = body.index(" ", half)
    return f"{body[:cut]}.\n\n{body[cut + 1 :]} {marker}."


def write_jsonl(path: Path, run: int, count: int, seed: int) -> list[str]:
    """A JSONL file of ``count`` articles for ``run``; returns their URLs.

    A tenth of the URLs repeat an earlier run's so a kill can also land in an update.
    """
    rng = random.Random(seed * 7919 + run)
    urls: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            key = f"r{run - 1}-{i}" if run and i % 10 == 0 else f"r{run}-{i}"
            url = f"https://news.example.org/{key}"
            record = {
                "title": f"{rng.choice(WORDS).title()} report {key}",
                "text": article_text(rng, f"mark{key.replace('-', 'x')}"),
                "url": url,
                "lang": "en",
                "tags": [f"run{run}"],
            }
            out.write(json.dumps(record) + "\n")
            urls.append(url)
    return urls


def page_html(title: str, text: str) -> bytes:
    """A plain article page trafilatura extracts."""
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav>Home | World</nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>(c) Example</footer></body></html>"
    ).encode()


@dataclass
class FeedSite:
    """A news site on the loopback server whose ``feeds`` feeds grow by ``per_run`` items
    a run in all (dealt out in turn)."""

    server: LoopbackServer
    per_run: int
    seed: int
    feeds: int = 1
    generation: int = 0
    items: list[tuple[str, str]] = field(default_factory=list)  # (path, title)

    def __post_init__(self) -> None:
        for k in range(self.feeds):
            self.server.route(self._feed_path(k), lambda _, k=k: self._feed(k))

    @staticmethod
    def _feed_path(k: int) -> str:
        return "/feed.xml" if k == 0 else f"/feed-{k}.xml"

    @property
    def feed_url(self) -> str:
        """Where the (first) feed is served."""
        return self.server.url("/feed.xml")

    @property
    def feed_urls(self) -> list[str]:
        """Where every feed is served."""
        return [self.server.url(self._feed_path(k)) for k in range(self.feeds)]

    def next_generation(self) -> None:
        """Publish ``per_run`` new articles."""
        rng = random.Random(self.seed * 104729 + self.generation)
        for i in range(self.per_run):
            key = f"g{self.generation}x{i}"
            title = f"{rng.choice(WORDS).title()} story {key}"
            path = f"/news/{key}.html"
            self.server.route(path, Reply(body=page_html(title, article_text(rng, key))))
            self.items.append((path, title))
        self.generation += 1

    def _feed(self, k: int) -> Reply:
        own = self.items[k :: self.feeds]
        entries = "".join(
            f"<item><title>{title}</title><link>{self.server.url(path)}</link>"
            f"<guid>{self.server.url(path)}</guid><description>Summary of {title}."
            "</description></item>"
            for path, title in reversed(own[-60:])
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Loopback News</title><link>{self.server.base}/</link>{entries}"
            "</channel></rss>"
        ).encode()
        return Reply(body=body, headers={"Content-Type": "application/rss+xml"})


# -- checks ------------------------------------------------------------------------------


@dataclass
class StoreCheck:
    """What a read-only look at the database found."""

    problems: list[str]
    urls: set[str]
    count: int


def check_store(db_path: Path) -> StoreCheck:
    """Integrity, and every committed article complete and consistent."""
    if not db_path.exists():
        return StoreCheck([], set(), 0)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        problems = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in db.execute("PRAGMA foreign_key_check")]
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
            return StoreCheck(problems, set(), 0)
        urls: set[str] = set()
        rows = db.execute("SELECT id, url, title, text, content_hash, word_count FROM articles")
        count = 0
        for article_id, url, title, text, digest, words in rows:
            count += 1
            urls.add(url)
            if not title or not text:
                problems.append(f"#{article_id}: empty title or text")
            elif digest != content_hash(title, text):
                problems.append(f"#{article_id}: content_hash does not match the text")
            elif words != word_count(text):
                problems.append(f"#{article_id}: word_count {words} != {word_count(text)}")
        for table in ("tags", "mentions", "raw_pages"):
            orphans = db.execute(
                f"SELECT count(*) FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)"
            ).fetchone()[0]
            if orphans:
                problems.append(f"{orphans} {table} rows for missing articles")
        return StoreCheck(problems, urls, count)
    finally:
        db.close()


def article_rows(db_path: Path) -> list[tuple[object, ...]]:
    """Every article row, for before/after comparisons."""
    if not db_path.exists():
        return []
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute(
            "SELECT id, url, title, text, content_hash, is_read, is_starred FROM articles "
            "ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def one_line_error(stderr: str) -> bool:
    """True when stderr holds no traceback and every line reads as one message."""
    return TRACEBACK not in stderr and all(
        line.startswith(("tui-reader:", "note:", "Did you mean", "analysing"))
        or line.strip() == ""
        or "matching articles" in line
        for line in stderr.splitlines()
    )


# -- a kill run ------------------------------------------------------------------------


@dataclass
class KillResult:
    """One run: when it was killed, and what was wrong afterwards (empty: survived)."""

    command: str
    killed_after: float
    finished: bool
    problems: list[str]
    committed: int = 0  # articles the killed run had committed
    lagging: int = 0  # of those and older ones, how many the index had not caught up with


def kill_run(
    home: Path,
    args: Sequence[str],
    moment: Moment,
    previous_urls: set[str],
    *,
    heal_with_cli: bool,
) -> tuple[KillResult, set[str]]:
    """Start ``tui-reader ARGS``, SIGKILL it at ``moment``, then check and heal."""
    db_path = home / "data" / "archive.sqlite3"
    proc = start(home, *args)
    finished = _wait_for(proc, db_path, moment)
    if finished:
        _, err = proc.communicate()
        if TRACEBACK in err:
            result = KillResult(args[0], moment.delay, True, [f"traceback: {err[-300:]}"])
            return result, previous_urls
    else:
        kill_group(proc)
    found = check_store(db_path)
    problems = list(found.problems)
    committed = len(found.urls - previous_urls)
    lagging = _pending_index(db_path)
    lost = previous_urls - found.urls
    if lost:
        problems.append(f"{len(lost)} committed articles lost, e.g. {sorted(lost)[:3]}")
    problems += heal_and_check(home, with_cli=heal_with_cli)
    result = KillResult(args[0], moment.delay, finished, problems, committed, lagging)
    return result, found.urls | previous_urls


@dataclass(frozen=True)
class Moment:
    """When to kill: ``delay`` seconds after the start, or after the child's first commit."""

    delay: float
    after_commit: bool


def _wait_for(proc: subprocess.Popen[str], db_path: Path, moment: Moment) -> bool:
    """Wait until ``moment``; True if the child finished first."""
    if moment.after_commit:
        deadline = time.monotonic() + 120
        watcher = _CommitWatcher(db_path)
        try:
            while not watcher.changed():
                if proc.poll() is not None:
                    return True
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
        finally:
            watcher.close()
    try:
        proc.wait(timeout=moment.delay)
        return True
    except subprocess.TimeoutExpired:
        return False


class _CommitWatcher:
    """Notices another connection's commit through ``PRAGMA data_version``."""

    def __init__(self, db_path: Path) -> None:
        self.db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        self.version = self._version()

    def _version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        return self._version() != self.version

    def close(self) -> None:
        self.db.close()


def _pending_index(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            db.execute("SELECT count(*) FROM articles WHERE needs_index > 0").fetchone()[0]
            + db.execute("SELECT count(*) FROM index_deletions").fetchone()[0]
        )
    except sqlite3.OperationalError:  # killed before the schema was created
        return 0
    finally:
        db.close()


def heal_and_check(home: Path, *, with_cli: bool) -> list[str]:
    """The next start reconciles the index; then ``doctor`` must be clean."""
    if with_cli:
        search = cli(home, "search", "x", timeout=120)
        if TRACEBACK in search.stderr or search.returncode not in (0,):
            return [f"search after the kill failed: {search.stderr.strip()[-300:]}"]
        doctor = cli(home, "doctor", timeout=120)
        if doctor.returncode != 0:
            return [f"doctor after search: {doctor.stdout.strip()[-300:]}"]
        return []
    from tui_reader.archive import Archive

    with Archive.open(home) as archive:
        archive.ensure_index()
        report = archive.doctor()
        if not report.ok:
            return [f"doctor after ensure_index: {report.problems}"]
    return []


def kill_moments(rng: random.Random, runs: int, span: float, startup: float) -> list[Moment]:
    """Seeded kill moments for runs that take ``span`` seconds, ``startup`` of them idle.

    One kill in four lands anywhere in the run (start-up included: opening the
    database); the rest land a random time after the child's first commit, which is
    where a store batch, the index commit or the bookkeeping between them happens.
    """
    work = max(0.3, span - startup)
    return [
        Moment(rng.uniform(0.05, span), False)
        if rng.random() < 0.25
        else Moment(rng.uniform(0.0, work), True)
        for _ in range(runs)
    ]


def startup_seconds(home: Path) -> float:
    """How long a child takes to open the archive and do nothing (``doctor``)."""
    return timed(lambda: cli(home, "doctor", timeout=60))


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn`` takes."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# -- campaigns (the tests run a few kills; benchmarks/crash.py runs hundreds) ---------------


@dataclass
class Campaign:
    """Kill runs of one command, and whether everything came through in the end."""

    command: str
    results: list[KillResult] = field(default_factory=list)
    final_problems: list[str] = field(default_factory=list)

    @property
    def survived(self) -> int:
        """Kill runs after which nothing was wrong."""
        return sum(1 for r in self.results if not r.problems)

    @property
    def tried(self) -> int:
        """Kill runs attempted."""
        return len(self.results)

    @property
    def mid_write(self) -> int:
        """Kills that landed after some articles were stored but before all were indexed."""
        return sum(1 for r in self.results if not r.finished and r.committed and r.lagging)

    @property
    def killed(self) -> int:
        """Runs really killed (not already finished when the moment came)."""
        return sum(1 for r in self.results if not r.finished)


Report = Callable[[KillResult], None]


def import_campaign(
    home: Path,
    workdir: Path,
    runs: int,
    seed: int,
    *,
    per_run: int = 120,
    report: Report | None = None,
) -> Campaign:
    """Import a new file per run and kill each import at a seeded moment."""
    campaign = Campaign("import")
    rng = random.Random(seed)
    first = workdir / "run0.jsonl"
    expected = set(write_jsonl(first, 0, per_run, seed))
    span = timed(lambda: cli(home, "import", str(first), timeout=300))
    urls = check_store(home / "data" / "archive.sqlite3").urls
    files = [first]
    startup = startup_seconds(home)
    for run, moment in enumerate(kill_moments(rng, runs, span, startup), start=1):
        path = workdir / f"run{run}.jsonl"
        expected |= set(write_jsonl(path, run, per_run, seed))
        files.append(path)
        args = ("import", str(path))
        result, urls = kill_run(home, args, moment, urls, heal_with_cli=run % 3 == 0)
        campaign.results.append(result)
        if report:
            report(result)
    # Finally import everything, unkilled: every article of every run must be there.
    done = cli(home, "import", *map(str, files[-20:]), timeout=600)
    found = check_store(home / "data" / "archive.sqlite3")
    missing = {u for u in expected if u not in found.urls}
    if len(files) > 20:  # the early files were not re-imported; only check what was
        missing = {u for u in missing if any(f"/r{n}-" in u for n in range(runs - 19, runs + 1))}
    campaign.final_problems = found.problems + heal_and_check(home, with_cli=True)
    if done.returncode != 0 or missing:
        campaign.final_problems.append(f"final import: {done.stderr[-300:]} missing={len(missing)}")
    return campaign


def refresh_campaign(
    home: Path,
    server: LoopbackServer,
    runs: int,
    seed: int,
    *,
    per_run: int = 30,
    feeds: int = 1,
    summary_only: bool = False,
    report: Report | None = None,
) -> Campaign:
    """Publish new items before each refresh and kill each refresh at a seeded moment.

    With 1,000 new items a run or more (``per_run``, over ``feeds`` feeds), a refresh
    analyses them in the processes that write the index: that path is killed too.
    """
    campaign = Campaign("refresh" if per_run < 1000 else "large refresh")
    rng = random.Random(seed + 1)
    site = FeedSite(server, per_run, seed, feeds)
    site.next_generation()
    if feeds == 1:
        added = cli(home, "feed", "add", site.feed_url, timeout=120)
    else:
        opml = home.parent / f"{home.name}-feeds.opml"
        opml.write_text(build_opml([OpmlFeed(url, "", None, ()) for url in site.feed_urls]))
        added = cli(home, "feed", "import", str(opml), timeout=120)
    if added.returncode != 0:
        campaign.final_problems.append(f"subscribing failed: {added.stderr.strip()}")
        return campaign
    command = ("refresh", "--summary-only") if summary_only else ("refresh",)
    span = timed(lambda: cli(home, *command, timeout=300))
    urls = check_store(home / "data" / "archive.sqlite3").urls
    startup = startup_seconds(home)
    for run, moment in enumerate(kill_moments(rng, runs, span, startup), start=1):
        site.next_generation()
        result, urls = kill_run(home, command, moment, urls, heal_with_cli=run % 3 == 0)
        campaign.results.append(result)
        if report:
            report(result)
    done = cli(home, *command, timeout=600)
    found = check_store(home / "data" / "archive.sqlite3")
    recent = {server.url(path) for path, _ in site.items[-60:]}
    missing = recent - found.urls
    campaign.final_problems = found.problems + heal_and_check(home, with_cli=True)
    if done.returncode != 0 or missing:
        campaign.final_problems.append(f"final refresh: {done.stderr[-300:]} missing={missing}")
    # What killed runs stored unanalysed, the next refreshes analyse: each catches up on a
    # bounded number (several killed runs may have left more), so each must make progress.
    unanalysed = _unanalysed(home / "data" / "archive.sqlite3")
    while unanalysed:
        cli(home, *command, timeout=600)
        before, unanalysed = unanalysed, _unanalysed(home / "data" / "archive.sqlite3")
        if unanalysed >= before:
            campaign.final_problems.append(f"{unanalysed} articles left without analysis")
            break
    return campaign


def _unanalysed(db_path: Path) -> int:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute("SELECT count(*) FROM articles WHERE entities_done = 0")
        return int(rows.fetchone()[0])
    finally:
        db.close()
