"""Our search side by side with what other readers do, on the same articles.

    .venv/bin/python benchmarks/compare.py --home PATH [--repeat 3]

Engines, each over the archive's own articles (title and text):

* ours: the search section's timed operation (top 50 + snippets for 20).
* LIKE, date-ordered: ``WHERE (title LIKE '%w%' OR text LIKE '%w%') AND ... ORDER BY
  date DESC`` fetching every hit (what newsboat and wallabag do: a date-ordered list
  of all matches, so the whole table is scanned).
* LIKE, first 20: the same condition, unordered, ``LIMIT 20`` (stops early).
* FTS5 + bm25 (what shiori does): a separate temporary database with an ``fts5(title,
  text)`` table (default unicode61 tokenizer, no stemming); top 50 by bm25 plus
  ``snippet()`` for 20.
* rg: ``rg -il`` over a plain-text dump, one file per article (a process per word;
  words after the first are searched in the files the previous one matched).

Only the mix's ``plain`` queries run here (LIKE, FTS5 and rg have no fields or
dates). Ratios are theirs / ours at p50: above 1 means we are faster.

Recall on morphological variants: for each word family in ``queries.json``, the
relevant articles are those whose title or text matches the family's regex; each
engine is asked for one member (``ask``); recall = |found & relevant| / |relevant|.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from common import (
    Goal,
    Section,
    environment,
    load_line,
    percentile,
    ratio,
    readonly_db,
    table,
    write_json,
)
from search import load_mix, page_function

LIKE_GOAL = 10.0
RECALL_GOAL = 0.95
RG_CHUNK = 2000


def words_of(query: str) -> list[str]:
    """A plain query as LIKE/rg terms: a phrase stays whole, words are AND-ed."""
    if query.startswith('"') and query.endswith('"'):
        return [query.strip('"')]
    return query.split()


def fts_query(query: str) -> str:
    """The same query for FTS5 (every word quoted: implicit AND; a phrase stays one)."""
    return " ".join(f'"{w}"' for w in words_of(query))


def articles(db: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(id, title, text) of every article."""
    for row in db.execute("SELECT id, title, text FROM articles ORDER BY id"):
        yield row[0], row[1], row[2]


# -- the other engines ----------------------------------------------------------------


def like_condition(words: list[str]) -> tuple[str, list[str]]:
    """SQL and parameters: every word in the title or the text."""
    clause = " AND ".join("(title LIKE ? OR text LIKE ?)" for _ in words)
    params = [p for w in words for p in (f"%{w}%", f"%{w}%")]
    return clause, params


def like_dated(db: sqlite3.Connection, query: str) -> list[int]:
    """Every hit, newest first (the whole table is scanned)."""
    clause, params = like_condition(words_of(query))
    sql = f"SELECT id, title FROM articles WHERE {clause} ORDER BY coalesce(published, added) DESC"
    return [row[0] for row in db.execute(sql, params)]


def like_first(db: sqlite3.Connection, query: str) -> list[int]:
    """The first 20 hits in table order (stops early on common words)."""
    clause, params = like_condition(words_of(query))
    return [
        row[0] for row in db.execute(f"SELECT id FROM articles WHERE {clause} LIMIT 20", params)
    ]


def build_fts(db: sqlite3.Connection, path: Path) -> tuple[sqlite3.Connection, float]:
    """An FTS5 table of the same articles in a new database; (connection, build seconds)."""
    began = time.perf_counter()
    fts = sqlite3.connect(path)
    fts.execute("PRAGMA journal_mode = OFF")
    fts.execute("PRAGMA synchronous = OFF")
    fts.execute("CREATE VIRTUAL TABLE fts USING fts5(title, text)")
    with fts:
        fts.executemany("INSERT INTO fts(rowid, title, text) VALUES (?, ?, ?)", articles(db))
    return fts, time.perf_counter() - began


def fts_search(fts: sqlite3.Connection, query: str) -> list[int]:
    """Top 50 by bm25, then snippets for the first 20."""
    match = fts_query(query)
    ids = [
        row[0]
        for row in fts.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 50", (match,)
        )
    ]
    fts.execute(
        "SELECT rowid, snippet(fts, 1, '[', ']', '…', 24) FROM fts WHERE fts MATCH ? "
        "ORDER BY bm25(fts) LIMIT 20",
        (match,),
    ).fetchall()
    return ids


def fts_all(fts: sqlite3.Connection, query: str) -> list[int]:
    """Every FTS5 hit (for recall)."""
    return [
        r[0] for r in fts.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (fts_query(query),))
    ]


def dump_texts(db: sqlite3.Connection, folder: Path) -> float:
    """One ``<id>.txt`` per article (title, blank line, text); returns seconds."""
    began = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, title, text in articles(db):
        (folder / f"{article_id}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return time.perf_counter() - began


def rg_search(rg: str, folder: Path, query: str) -> list[int]:
    """Files containing every word (case-insensitive, fixed strings), as article ids."""
    files: list[str] | None = None
    for word in words_of(query):
        targets = [[str(folder)]] if files is None else _chunks(files)
        found: list[str] = []
        for chunk in targets:
            if not chunk:
                continue
            done = subprocess.run(
                [rg, "-il", "-F", "--no-messages", "-e", word, *chunk],
                capture_output=True,
                text=True,
                check=False,
            )
            found.extend(line for line in done.stdout.splitlines() if line)
        files = found
        if not files:
            break
    return [int(Path(f).stem) for f in files or []]


def _chunks(files: list[str]) -> list[list[str]]:
    return [files[i : i + RG_CHUNK] for i in range(0, len(files), RG_CHUNK)]


# -- timing ---------------------------------------------------------------------------


def _time(fn: Callable[[str], Any], query: str, repeat: int) -> tuple[list[float], Any]:
    fn(query)  # warm-up
    samples = []
    result: Any = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn(query)
        samples.append(time.perf_counter() - began)
    return samples, result


def run(archive: Any, home: Path, mix: dict[str, Any], repeat: int = 3) -> Section:
    """Latency side by side, then recall on word families."""
    section = Section("compare")
    db = readonly_db(home)
    count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    section.emit(f"compare: {count:,} articles (same store for every engine); {load_line()}")
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        fts, fts_seconds = build_fts(db, Path(tmp) / "fts.sqlite3")
        fts_mb = (Path(tmp) / "fts.sqlite3").stat().st_size / 1e6
        section.emit(f"FTS5 table built in {fts_seconds:.1f} s ({fts_mb:.0f} MB)")
        rg = shutil.which("rg")
        dump = Path(tmp) / "dump"
        if rg:
            section.emit(f"text dump written in {dump_texts(db, dump):.1f} s")
        else:
            section.note("rg (ripgrep) is not installed: its column is skipped")
        _, page = page_function(archive)
        engines: dict[str, Callable[[str], Any]] = {
            "ours": lambda q: page(q, True),
            "LIKE date-ordered": lambda q: like_dated(db, q),
            "LIKE first 20": lambda q: like_first(db, q),
            "FTS5 bm25": lambda q: fts_search(fts, q),
        }
        if rg:
            engines["rg -il"] = lambda q: rg_search(rg, dump, q)
        _latency(
            section, engines, [q["q"] for q in mix["queries"] if q.get("plain")], repeat, db, fts
        )
        _recall(section, archive, db, fts, rg, dump, mix["families"])
        section.figures.update(articles=count, fts_build_s=fts_seconds, fts_mb=fts_mb)
        fts.close()
    db.close()
    return section


def _latency(
    section: Section,
    engines: dict[str, Callable[[str], Any]],
    queries: list[str],
    repeat: int,
    db: sqlite3.Connection,
    fts: sqlite3.Connection,
) -> None:
    per_engine: dict[str, list[float]] = {name: [] for name in engines}
    rows: list[list[Any]] = []
    per_query: list[dict[str, Any]] = []
    for query in queries:
        row: dict[str, Any] = {"query": query}
        for name, fn in engines.items():
            samples, _ = _time(fn, query, repeat)
            per_engine[name].extend(samples)
            row[name] = percentile(samples, 50) * 1000
        row["LIKE hits"] = len(like_dated(db, query))
        row["FTS5 hits"] = len(fts_all(fts, query))
        per_query.append(row)
        rows.append([query, *(row[n] for n in engines), row["LIKE hits"], row["FTS5 hits"]])
    section.emit("per query, p50 ms:")
    section.emit(table(["query", *engines, "LIKE hits", "FTS5 hits"], rows))
    ours = percentile(per_engine["ours"], 50) * 1000
    summary: list[list[Any]] = []
    figures: dict[str, Any] = {}
    for name, samples in per_engine.items():
        ms = [s * 1000 for s in samples]
        p50 = percentile(ms, 50)
        figures[name] = {"p50_ms": p50, "p95_ms": percentile(ms, 95), "max_ms": max(ms)}
        figures[name]["ratio_to_ours_p50"] = ratio(p50, ours)
        summary.append([name, p50, percentile(ms, 95), max(ms), ratio(p50, ours)])
    section.emit("all plain queries together (ratio = theirs / ours at p50; > 1: we are faster):")
    section.emit(table(["engine", "p50 ms", "p95 ms", "max ms", "ratio"], summary))
    section.figures.update(latency=figures, latency_per_query=per_query)
    like = figures["LIKE date-ordered"]["ratio_to_ours_p50"]
    section.goals.append(
        Goal(
            "faster than date-ordered LIKE (p50)",
            like,
            f">= {LIKE_GOAL:.0f}x",
            like is not None and like >= LIKE_GOAL,
            "x",
        )
    )
    for name in ("LIKE first 20", "FTS5 bm25", "rg -il"):
        if name in figures:
            value = figures[name]["ratio_to_ours_p50"]
            section.goals.append(Goal(f"{name} / ours (p50)", value, "reported", None, "x"))


def _recall(
    section: Section,
    archive: Any,
    db: sqlite3.Connection,
    fts: sqlite3.Connection,
    rg: str | None,
    dump: Path,
    families: list[dict[str, Any]],
) -> None:
    patterns = {f["name"]: re.compile(f["regex"], re.IGNORECASE) for f in families}
    relevant: dict[str, set[int]] = {name: set() for name in patterns}
    for article_id, title, text in articles(db):
        whole = f"{title}\n{text}"
        for name, pattern in patterns.items():
            if pattern.search(whole):
                relevant[name].add(article_id)
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    engines: dict[str, Callable[[str], list[int]]] = {
        "ours": lambda q: [
            h.article_id for h in archive.index.search(q, limit=max(total, 1), suggest=False).hits
        ],
        "FTS5": lambda q: fts_all(fts, q),
        "LIKE": lambda q: like_dated(db, q),
    }
    if rg:
        engines["rg"] = lambda q: rg_search(rg, dump, q)
    rows: list[list[Any]] = []
    pooled: dict[tuple[str, str], list[int]] = {}
    figures: list[dict[str, Any]] = []
    for family in families:
        rel = relevant[family["name"]]
        row: dict[str, Any] = {
            "family": family["name"],
            "lang": family["lang"],
            "ask": family["ask"],
            "relevant": len(rel),
        }
        for name, fn in engines.items():
            found = set(fn(family["ask"]))
            hit = len(found & rel)
            row[name] = hit / len(rel) if rel else None
            row[f"{name}_found"] = len(found)
            sums = pooled.setdefault((family["lang"], name), [0, 0])
            sums[0] += hit
            sums[1] += len(rel)
        figures.append(row)
        rows.append(
            [
                f"{family['name']} ({family['lang']}): {family['ask']}",
                len(rel),
                *(_pct(row[n]) for n in engines),
            ]
        )
    for lang in ("id", "en"):
        rows.append(
            [
                f"ALL {lang}",
                pooled.get((lang, "ours"), [0, 0])[1],
                *(_pct(_share(pooled.get((lang, n)))) for n in engines),
            ]
        )
    section.emit("recall on morphological variants (asked for one member of each family):")
    section.emit(table(["family: asked", "relevant", *engines], rows))
    section.figures["recall"] = figures
    for lang, label in (("id", "Indonesian"), ("en", "English")):
        ours = _share(pooled.get((lang, "ours")))
        fts_recall = _share(pooled.get((lang, "FTS5")))
        shown = f">= {RECALL_GOAL:.0%} (FTS5: {_pct(fts_recall)})"
        section.goals.append(
            Goal(
                f"recall on {label} variants",
                None if ours is None else ours * 100,
                shown,
                ours is not None and ours >= RECALL_GOAL,
                " %",
            )
        )
        section.figures[f"recall_{lang}"] = {n: _share(pooled.get((lang, n))) for n in engines}


def _share(sums: list[int] | None) -> float | None:
    return sums[0] / sums[1] if sums and sums[1] else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def main() -> int:
    """Run the comparison alone."""
    from tui_reader.archive import Archive

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    with Archive.open(args.home) as archive:
        section = run(archive, args.home, load_mix(), args.repeat)
    print(table(["goal", "measured", "target", "verdict"], [g.row() for g in section.goals]))
    write_json(args.out, "compare", {"env": environment(), **section.figures})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
