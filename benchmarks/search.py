"""Search latency over the committed query mix, as submitted and as typed.

    .venv/bin/python benchmarks/search.py --home PATH [--repeat 3]

What one timed search is (``page``): what the article list needs for a screenful, i.e.
the index's top 50 (``Index.search(limit=50)``) turned into results the way
``Archive.search`` does it, with snippets for the 20 visible rows and none for the
other 30 (two calls of ``Archive._result``). When that private helper is gone, the
public API is timed instead: ``search(limit=50, snippets=False)`` plus
``search(limit=20, snippets=True)`` (slower: the query runs twice). The search runs with
the article list's own settings: a wildcard stands for its 8 most common words
(``TYPING_EXPANSION``), and the total is exact only when the page is not full
(``exact_total=False``: the list says "about N" until it reaches the end).

Submitted queries run with ``suggest=True`` (did-you-mean when nothing matched).
While typing, every prefix from 2 characters on (the UI skips 1) is sent as the search
box sends it (``ListSource(query=prefix).index_query()``, e.g. ``(kim (jo OR jo*))``)
with ``suggest=False``. A prefix that is not a valid query yet (an open quote or
bracket) raises QueryError in the UI too: it is timed, and counted as an error.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from common import Goal, Section, environment, load_line, summarize_ms, table, write_json

PAGE = 50
VISIBLE = 20
SEARCH_P95_GOAL_MS = 50.0
SLOW_SECONDS = 1.0  # a search slower than this in the warm-up is not run again
QUERIES = Path(__file__).with_name("queries.json")


def load_mix(path: Path = QUERIES) -> dict[str, Any]:
    """The committed query mix (queries and word families)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def as_typed(text: str) -> str:
    """What the search box sends for ``text`` (the UI's own function, no Textual)."""
    from tui_reader.ui.search import ListSource

    return ListSource(query=text).index_query()


def prefixes(query: str) -> list[str]:
    """Every state of the search box while ``query`` is typed (2 characters on)."""
    return [query[:n] for n in range(2, len(query) + 1) if query[:n].strip()]


def page_function(archive: Any) -> tuple[str, Callable[[str, bool], int]]:
    """The timed operation (see the module docstring) and its description."""
    from tui_reader.ui.search import TYPING_EXPANSION

    settings: dict[str, Any] = {"max_expansion": TYPING_EXPANSION, "exact_total": False}
    if hasattr(archive, "_result") and hasattr(archive.index, "search"):

        def page(query: str, suggest: bool) -> int:
            raw = archive.index.search(query, limit=PAGE, suggest=suggest, **settings)
            archive._result(query, replace(raw, hits=raw.hits[:VISIBLE]), True)
            archive._result(query, replace(raw, hits=raw.hits[VISIBLE:]), False)
            return int(raw.total)

        return f"top {PAGE} + snippets for {VISIBLE} (Index.search + Archive._result)", page

    def public(query: str, suggest: bool) -> int:
        result = archive.search(query, limit=PAGE, snippets=False, suggest=suggest, **settings)
        archive.search(query, limit=VISIBLE, snippets=True, suggest=suggest, **settings)
        return int(result.total)

    return f"search(limit={PAGE}, snippets=False) + search(limit={VISIBLE}, snippets=True)", public


def time_query(page: Callable[[str, bool], int], query: str, suggest: bool) -> tuple[float, int]:
    """Seconds for one search, and its hit count (-1 when the query is rejected)."""
    from tui_reader.errors import QueryError

    began = time.perf_counter()
    try:
        hits = page(query, suggest)
    except QueryError:
        hits = -1
    return time.perf_counter() - began, hits


def run(archive: Any, mix: dict[str, Any], repeat: int = 3, slow: float = SLOW_SECONDS) -> Section:
    """Time the whole mix; returns the section with its tables' figures and goal."""
    section = Section("search")
    described, page = page_function(archive)
    queries: list[dict[str, Any]] = mix["queries"]
    jobs: list[tuple[str, str, str, bool]] = []  # (group, label, query sent, suggest)
    for item in queries:
        jobs.append((item["kind"], item["q"], item["q"], True))
        for prefix in prefixes(item["q"]):
            jobs.append(("as-you-type", prefix, as_typed(prefix), False))
    section.emit(f"search: {archive.count():,} articles; timing: {described}")
    section.emit(
        f"{len(queries)} queries, {len(jobs) - len(queries)} as-you-type prefixes, "
        f"{repeat} timed runs each after a warm-up; {load_line()}"
    )
    samples: dict[int, list[float]] = {i: [] for i in range(len(jobs))}
    hits: dict[int, int] = {}
    slow_jobs: set[int] = set()
    for item in queries:  # warm the process first (models, caches, the OS page cache)
        time_query(page, item["q"], True)
    first: dict[tuple[str, bool], int] = {}
    twins = {i: first.setdefault((job[2], job[3]), i) for i, job in enumerate(jobs)}
    unique = [i for i, twin in twins.items() if twin == i]  # "pe" is a prefix of many
    for i in unique:  # each search's own warm-up
        _, _, sent, suggest = jobs[i]
        seconds, hits[i] = time_query(page, sent, suggest)
        if seconds > slow:
            # Not worth repeating (the caches are not what makes it slow): its one
            # time stands for every run, so it weighs as much as the others.
            slow_jobs.add(i)
            samples[i] = [seconds] * repeat
    for _ in range(repeat):
        for i in unique:
            if i not in slow_jobs:
                seconds, hits[i] = time_query(page, jobs[i][2], jobs[i][3])
                samples[i].append(seconds)
    for i, twin in twins.items():  # the same search sent again: the same figures
        samples[i], hits[i] = samples[twin], hits[twin]
    if slow_jobs:
        section.note(
            f"{len(slow_jobs)} searches took over {slow:.1f} s in the warm-up and were not "
            "repeated (their one time is counted for each run)"
        )
    _report(section, jobs, samples, hits)
    section.figures["timed_operation"] = described
    section.figures["repeat"] = repeat
    section.figures["not_repeated"] = [jobs[i][2] for i in sorted(slow_jobs)]
    return section


def _report(
    section: Section,
    jobs: Sequence[tuple[str, str, str, bool]],
    samples: dict[int, list[float]],
    hits: dict[int, int],
) -> None:
    groups: dict[str, list[float]] = {}
    for i, (group, *_rest) in enumerate(jobs):
        # Rejected prefixes (an open quote or bracket) fail in the parser, fast: shown
        # apart so they do not flatter the figures of real searches.
        name = f"{group} (rejected)" if hits[i] < 0 else group
        groups.setdefault(name, []).extend(samples[i])
    valid = [i for i in samples if hits[i] >= 0]
    submitted = [s for i in valid if jobs[i][0] != "as-you-type" for s in samples[i]]
    everything = [s for i in valid for s in samples[i]]
    rows: list[list[Any]] = []
    figures: dict[str, Any] = {}
    for name, values in [
        *groups.items(),
        ("all submitted", submitted),
        ("WHOLE MIX (valid)", everything),
    ]:
        stats = summarize_ms(values)
        figures[name] = stats
        rows.append([name, stats["n"], stats["p50_ms"], stats["p95_ms"], stats["max_ms"]])
    section.emit(table(["group", "samples", "p50 ms", "p95 ms", "max ms"], rows))
    per_query: list[dict[str, Any]] = [
        {
            "group": job[0],
            "query": job[1],
            "sent": job[2],
            "hits": hits[i],
            **summarize_ms(samples[i]),
        }
        for i, job in enumerate(jobs)
    ]
    slowest = sorted(per_query, key=lambda r: r["max_ms"], reverse=True)[:10]
    section.emit("slowest searches (by max):")
    section.emit(
        table(
            ["sent to the index", "hits", "p50 ms", "max ms"],
            [[r["sent"], r["hits"], r["p50_ms"], r["max_ms"]] for r in slowest],
        )
    )
    submitted_rows = [r for r in per_query if r["group"] != "as-you-type"]
    section.emit(
        table(
            ["submitted query", "kind", "hits", "p50 ms", "max ms"],
            [[r["query"], r["group"], r["hits"], r["p50_ms"], r["max_ms"]] for r in submitted_rows],
        )
    )
    errors = sum(1 for i in hits if hits[i] < 0)
    if errors:
        section.note(f"{errors} prefixes were not valid queries yet (QueryError, as in the UI)")
    section.figures.update(groups=figures, queries=per_query, query_errors=errors)
    p95 = figures["WHOLE MIX (valid)"]["p95_ms"]
    section.goals.append(
        Goal(
            "search p95, whole mix incl. as-you-type",
            p95,
            f"<= {SEARCH_P95_GOAL_MS:.0f} ms",
            p95 <= SEARCH_P95_GOAL_MS,
            " ms",
        )
    )


def main() -> int:
    """Run the search section alone."""
    from tui_reader.archive import Archive

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    with Archive.open(args.home) as archive:
        section = run(archive, load_mix(), args.repeat)
    for goal in section.goals:
        print(" | ".join(str(c) for c in goal.row()))
    write_json(args.out, "search", {"env": environment(), **section.figures})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
