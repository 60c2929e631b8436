"""Shared pieces of the benchmark suite: timing, tables, JSON, the corpus and archives.

Nothing here is a test: it measures and prints. Corpus records are read at run time
from ``--corpus`` (never copied into the repository); built archives are cached under
``--work`` keyed by their article count so repeated runs reuse them.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NEWS_FILES = ("id-clickid", "id-indosum", "en-bbc", "en-reuters21578")
Record = dict[str, Any]


# -- timing ----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/max/mean of samples given in seconds, in milliseconds."""
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "max_ms": round(max(ms), 3) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 3) if ms else 0.0,
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn`` once; (seconds, its result)."""
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


# -- reporting ---------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))

    def line(values: Sequence[str]) -> str:
        parts = [v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]) for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def ratio(theirs: float | None, ours: float | None) -> float | None:
    """How many times ``theirs`` is ``ours`` (>1: we are faster)."""
    if not theirs or not ours:
        return None
    return theirs / ours


@dataclass
class Goal:
    """A target from the issue, with the measured value and the verdict."""

    name: str
    measured: float | None
    target: str
    passed: bool | None
    unit: str = ""

    def row(self) -> list[Any]:
        """The goal as a table row."""
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]
        shown = "-" if self.measured is None else f"{_cell(self.measured)}{self.unit}"
        return [self.name, shown, self.target, verdict]


@dataclass
class Section:
    """What one benchmark section measured: printed tables, JSON figures, goals."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def emit(self, text: str = "") -> None:
        """Print a line (sections print as they go, so long runs show progress)."""
        print(text, flush=True)

    def note(self, text: str) -> None:
        """Print and keep a note for the JSON."""
        self.notes.append(text)
        self.emit(f"note: {text}")


def environment() -> dict[str, Any]:
    """Machine and load figures to save next to every result."""
    load = os.getloadavg()
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": [round(x, 2) for x in load],
        "sqlite": sqlite3.sqlite_version,
    }


def load_line() -> str:
    """The current load average, for the tables (the machine may be shared)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def write_json(out: Path, name: str, data: dict[str, Any]) -> Path:
    """Save ``data`` as ``out/name.json``; returns the path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- corpus ------------------------------------------------------------------------------


def news_paths(corpus: Path) -> list[Path]:
    """The corpus's news files that exist, Indonesian first."""
    paths = [corpus / "news" / f"{name}.jsonl.gz" for name in NEWS_FILES]
    found = [p for p in paths if p.exists()]
    if not found:
        raise SystemExit(f"no news files under {corpus / 'news'}")
    return found


def _line_counts(paths: Sequence[Path]) -> list[int]:
    counts = []
    for path in paths:
        with gzip.open(path, "rb") as stream:
            counts.append(sum(1 for line in stream if line.strip()))
    return counts


def corpus_size(corpus: Path) -> int:
    """How many news records the corpus holds."""
    return sum(_line_counts(news_paths(corpus)))


def news_records(corpus: Path, limit: int) -> Iterator[Record]:
    """The first records of every news file, in proportion to the files' sizes.

    Each file contributes its first ``round(limit * share)`` records (deterministic),
    interleaved so any prefix of the output mixes Indonesian and English.
    """
    paths = news_paths(corpus)
    counts = _line_counts(paths)
    total = sum(counts)
    limit = min(limit, total)
    quotas = [min(c, round(limit * c / total)) for c in counts]
    quotas[counts.index(max(counts))] += limit - sum(quotas)
    streams = [_records(p, q) for p, q in zip(paths, quotas, strict=True)]
    while streams:
        for stream in list(streams):
            record = next(stream, None)
            if record is None:
                streams.remove(stream)
            else:
                yield record


def _records(path: Path, quota: int) -> Iterator[Record]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for n, line in enumerate(stream):
            if n >= quota:
                return
            if line.strip():
                yield json.loads(line)


def write_jsonl(records: Iterator[Record], path: Path, *, drop_lang: bool = False) -> int:
    """Write records as JSON Lines (``drop_lang`` makes import run language id)."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            if drop_lang:
                record = {k: v for k, v in record.items() if k != "lang"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def html_pages(corpus: Path, limit: int) -> list[Path]:
    """Up to ``limit`` extraction pages, alternating between the two page sets."""
    sets = [
        sorted((corpus / "extraction" / name / "html").glob("*.htm*"))
        for name in ("scrapinghub-aeb", "trafilatura-eval")
    ]
    pages: list[Path] = []
    for pair in zip(*sets, strict=False):
        pages.extend(pair)
    longer = max(sets, key=len)
    pages.extend(longer[min(len(s) for s in sets) :])
    return pages[:limit]


# -- archives ----------------------------------------------------------------------------


def build_archive(
    home: Path, records: Iterator[Record], scratch: Path, *, drop_lang: bool = False
) -> dict[str, Any]:
    """Import ``records`` into a new archive at ``home`` the way ``tui-reader import`` does."""
    from tui_reader.archive import Archive
    from tui_reader.importer import count_items, read_items

    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / "articles.jsonl"
    written = write_jsonl(records, source, drop_lang=drop_lang)
    expected = count_items([source])
    with Archive.open(home) as archive:
        seconds, report = timed(
            lambda: archive.import_items(read_items([source]), expected=expected)
        )
        stored = archive.count()
    source.unlink()
    return {
        "records": written,
        "stored": stored,
        "seconds": seconds,
        "report": f"added {report.added}, duplicates {report.duplicates}, failed {report.failed}",
    }


def cached_archive(work: Path, corpus: Path, articles: int) -> Path:
    """An archive of the first ``articles`` corpus records, built once and reused."""
    available = corpus_size(corpus)
    count = min(articles, available)
    home = work / f"archive-{count}"
    done = home / "complete.json"
    if done.exists():
        return home
    if home.exists():
        import shutil

        shutil.rmtree(home)  # a build that did not finish
    print(f"building a {count:,}-article archive in {home} (cached for later runs)...", flush=True)
    figures = build_archive(home, news_records(corpus, count), work / f"scratch-{count}")
    done.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"  built in {figures['seconds']:.0f} s: {figures['report']}", flush=True)
    return home


def db_path(home: Path) -> Path:
    """The archive database of a home folder (via the app's own path rules)."""
    from tui_reader.paths import resolve_paths

    return resolve_paths(home).db_path


def readonly_db(home: Path) -> sqlite3.Connection:
    """A read-only connection to an archive's database (safe while others write)."""
    uri = f"file:{db_path(home)}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    db.row_factory = sqlite3.Row
    return db
