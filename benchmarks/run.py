"""The benchmark suite of issue 6: every section, one table each, JSON for all of it.

    .venv/bin/python benchmarks/run.py --corpus ../shared/corpus --articles 50000
    .venv/bin/python benchmarks/run.py --only search,compare --home /path/to/archive

Sections (``--only``, comma-separated; default all): ``ingest`` (JSONL and HTML import
against their bare steps), ``reindex`` (index build from the store at each of
``--reindex-sizes``), ``search`` (the committed query mix, as submitted and as typed),
``compare`` (LIKE, FTS5, rg side by side, recall on word families), ``tui`` (launch to
first list, first search result, peak RSS; runs ``benchmarks/tui.py``).

The archive for reindex/search/compare/tui is ``--home`` when given (used read-only:
reindex works on copies), otherwise the first ``--articles`` corpus records imported
once into ``--work`` and reused by later runs (asking for more than the corpus holds
gives the whole corpus). Figures go to ``--out`` (default ``bench-out/``, git-ignored).
The machine's load average is printed and saved: compare runs made under like loads.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from common import Goal, Section, cached_archive, environment, load_line, table, write_json

SECTIONS = ("ingest", "reindex", "search", "compare", "tui")
LAUNCH_GOAL_S = 1.0
RSS_GOAL_MB = 250.0
HERE = Path(__file__).resolve().parent


def run_tui(home: Path, query: str) -> Section:
    """Run ``benchmarks/tui.py`` in a child process; parse its figures, take its peak RSS."""
    section = Section("tui")
    command = [sys.executable, str(HERE / "tui.py"), "--home", str(home), "--query", query]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        began = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # wait4: the child's own peak RSS
        wall = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    rss = usage.ru_maxrss / 1024  # Linux reports KB
    if child.returncode:
        section.note(f"tui.py failed (exit {child.returncode}): {err.strip()[-400:]}")
        return section
    launch = _number(r"launch to first list: (\d+) ms", out)
    keys = [float(m) for m in re.findall(r"typed .*?\s(\d+) ms", out)]
    first = keys[0] if keys else None
    rows = [
        ["launch to first painted list", launch],
        [f"first search result (typing {query[:2]!r})", first],
        ["per keystroke, median", sorted(keys)[len(keys) // 2] if keys else None],
        ["per keystroke, max", max(keys) if keys else None],
    ]
    section.emit(f"tui: {home}; {load_line()}")
    section.emit(out.rstrip())
    section.emit(table(["figure", "ms"], rows))
    section.emit(f"peak RSS of the app process: {rss:.0f} MB; whole run {wall:.1f} s")
    section.figures.update(
        launch_ms=launch, first_result_ms=first, keystrokes_ms=keys, peak_rss_mb=rss, output=out
    )
    section.goals.append(
        Goal(
            "launch to first list",
            None if launch is None else launch / 1000,
            f"<= {LAUNCH_GOAL_S:.1f} s",
            launch is not None and launch / 1000 <= LAUNCH_GOAL_S,
            " s",
        )
    )
    section.goals.append(
        Goal("peak RSS, archive open", rss, f"<= {RSS_GOAL_MB:.0f} MB", rss <= RSS_GOAL_MB, " MB")
    )
    return section


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--home", type=Path, help="an existing archive to measure (read-only)")
    parser.add_argument("--work", type=Path, default=Path("bench-out/work"))
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query")
    parser.add_argument("--ingest-articles", type=int, default=2000)
    parser.add_argument("--html-pages", type=int, default=200)
    parser.add_argument("--reindex-sizes", default="10000,50000")
    parser.add_argument("--tui-query", default="jokowi")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))} (known: {SECTIONS})")
    return args


def archive_home(args: argparse.Namespace) -> Path:
    """The archive to measure: ``--home`` or the cached corpus archive."""
    if args.home is not None:
        return Path(args.home)
    return cached_archive(args.work, args.corpus, args.articles)


def run_sections(args: argparse.Namespace) -> Iterator[Section]:
    """Run the chosen sections in order, yielding each as it finishes."""
    wanted = args.sections
    if "ingest" in wanted:
        yield _guarded("ingest", lambda: _ingest(args))
    if not set(wanted) & {"reindex", "search", "compare", "tui"}:
        return
    home = archive_home(args)
    if "reindex" in wanted:
        yield _guarded("reindex", lambda: _reindex(args, home))
    for name in ("search", "compare"):
        if name in wanted:
            yield _guarded(name, partial(_searching, args, home, name))
    if "tui" in wanted:
        yield _guarded("tui", lambda: run_tui(home, args.tui_query))


def _guarded(name: str, work: Callable[[], Section]) -> Section:
    """One section; a failure is reported and the other sections still run."""
    try:
        return work()
    except Exception as exc:
        traceback.print_exc()
        section = Section(name)
        section.note(f"the {name} section failed: {type(exc).__name__}: {exc}")
        return section


def _ingest(args: argparse.Namespace) -> Section:
    from ingest import run_ingest

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        return run_ingest(args.corpus, args.ingest_articles, args.html_pages, Path(tmp))


def _reindex(args: argparse.Namespace, home: Path) -> Section:
    from common import readonly_db
    from ingest import run_reindex

    db = readonly_db(home)
    available = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    sizes = sorted({min(int(s), available) for s in args.reindex_sizes.split(",") if s})
    with tempfile.TemporaryDirectory(prefix="bench-reindex-") as tmp:
        return run_reindex(home, sizes, Path(tmp))


def _searching(args: argparse.Namespace, home: Path, name: str) -> Section:
    import compare
    import search

    from tui_reader.archive import Archive

    mix = search.load_mix()
    with Archive.open(home) as archive:
        if name == "search":
            return search.run(archive, mix, args.repeat)
        return compare.run(archive, home, mix, args.repeat)


def main(argv: list[str] | None = None) -> int:
    """Run, print the goals, save the JSON."""
    args = parse_args(argv)
    env = environment()
    print(f"tui-reader benchmarks, {env['when']}; Python {env['python']}, SQLite {env['sqlite']}")
    print(load_line())
    sections: list[Section] = []
    for section in run_sections(args):  # saved as soon as done: a later failure loses nothing
        sections.append(section)
        data = {"env": environment(), "notes": section.notes, **section.figures}
        data["goals"] = [g.__dict__ for g in section.goals]
        write_json(args.out, section.name, data)
    goals = [g for s in sections for g in s.goals]
    env_after = environment()
    print()
    print(f"GOALS ({load_line()} at the end)")
    print(table(["goal", "measured", "target", "verdict"], [g.row() for g in goals]))
    summary: dict[str, Any] = {
        "env_start": env,
        "env_end": env_after,
        "args": {k: str(v) for k, v in vars(args).items()},
        "goals": [g.__dict__ for g in goals],
    }
    path = write_json(args.out, "summary", summary)
    print(f"figures saved under {path.parent}/ ({', '.join(s.name for s in sections)})")
    return 0 if all(g.passed is not False for g in goals) else 1


if __name__ == "__main__":
    raise SystemExit(main())
