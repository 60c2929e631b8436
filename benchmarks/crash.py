"""The on-demand crash run: SIGKILL ``import`` and ``refresh`` many times.

    .venv/bin/python benchmarks/crash.py --runs 200 [--seed 7] [--command import|refresh|both]
    .venv/bin/python benchmarks/crash.py --runs 20 --command large-refresh

Each run starts the real CLI in a child process (own TUI_READER_HOME under a temporary
folder), kills its whole process group at a seeded moment, then checks the database
(integrity, complete articles, nothing committed lost) and that the next start heals
the index so ``doctor`` is clean. Prints one line per run and the totals; exit 1 if
any run lost or broke anything. ``large-refresh`` refreshes 1,200 new items a run from 60
feeds: a refresh that large analyses them in the processes that write the index.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.httpserver import serving  # noqa: E402
from tests.reliability.harness import (  # noqa: E402
    Campaign,
    KillResult,
    import_campaign,
    refresh_campaign,
)


def _line(result: KillResult) -> None:
    state = "finished" if result.finished else "killed"
    verdict = "ok" if not result.problems else "; ".join(result.problems)
    print(
        f"{result.command:8} {state:8} at {result.killed_after:5.2f}s  "
        f"committed {result.committed:3}  index behind by {result.lagging:3}  {verdict}",
        flush=True,
    )


def _summary(campaign: Campaign) -> str:
    final = "ok" if not campaign.final_problems else "; ".join(campaign.final_problems)
    return (
        f"{campaign.command}: {campaign.survived}/{campaign.tried} kills survived "
        f"({campaign.killed} killed before finishing, {campaign.mid_write} between a store "
        f"commit and the index catching up); final check: {final}"
    )


def main() -> int:
    """Run the campaigns and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="kill runs in all")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--command", choices=["import", "refresh", "both", "large-refresh"], default="both"
    )
    args = parser.parse_args()
    commands = ["import", "refresh"] if args.command == "both" else [args.command]
    share = max(1, args.runs // len(commands))
    campaigns: list[Campaign] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tui-reader-crash-") as tmp:
        root = Path(tmp)
        if "import" in commands:
            work = root / "import"
            work.mkdir()
            campaigns.append(import_campaign(work / "home", work, share, args.seed, report=_line))
        if "refresh" in commands:
            with serving() as server:
                campaigns.append(
                    refresh_campaign(root / "refresh", server, share, args.seed, report=_line)
                )
        if "large-refresh" in commands:
            with serving() as server:
                home = root / "large-refresh"
                campaign = refresh_campaign(
                    home, server, share, args.seed, per_run=1200, feeds=60,
                    summary_only=True, report=_line,
                )  # fmt: skip
                campaigns.append(campaign)
    for campaign in campaigns:
        print(_summary(campaign))
    survived = sum(c.survived for c in campaigns)
    tried = sum(c.tried for c in campaigns)
    print(f"kills survived / tried: {survived}/{tried} in {time.perf_counter() - started:.0f} s")
    clean = survived == tried and not any(c.final_problems for c in campaigns)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
