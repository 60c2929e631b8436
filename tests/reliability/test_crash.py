"""Crash safety: SIGKILL ``import`` and ``refresh`` at seeded moments.

After every kill the database passes ``integrity_check``, every committed article is
complete, nothing committed earlier is gone, and the next start heals the index so
``doctor`` is clean. ``benchmarks/crash.py --runs 200`` is the large version.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.httpserver import serving
from tests.reliability.harness import Campaign, import_campaign, refresh_campaign

SEED = int(os.environ.get("TUI_READER_CRASH_SEED", "7"))


def _assert_all_survived(campaign: Campaign) -> None:
    failed = [r for r in campaign.results if r.problems]
    assert not failed, failed
    assert not campaign.final_problems, campaign.final_problems
    assert campaign.killed >= 1, "no run was killed mid-way: the kill moments are all too late"


def test_import_survives_kills(tmp_path: Path) -> None:
    campaign = import_campaign(tmp_path / "home", tmp_path, runs=4, seed=SEED, per_run=60)
    _assert_all_survived(campaign)


def test_refresh_survives_kills(tmp_path: Path) -> None:
    with serving() as server:
        campaign = refresh_campaign(tmp_path / "home", server, runs=3, seed=SEED, per_run=10)
    _assert_all_survived(campaign)


@pytest.mark.slow
def test_import_survives_many_kills(tmp_path: Path) -> None:
    campaign = import_campaign(tmp_path / "home", tmp_path, runs=20, seed=SEED + 100)
    _assert_all_survived(campaign)


@pytest.mark.slow
def test_refresh_survives_many_kills(tmp_path: Path) -> None:
    with serving() as server:
        campaign = refresh_campaign(tmp_path / "home", server, runs=15, seed=SEED + 100)
    _assert_all_survived(campaign)


def test_a_large_refresh_survives_kills(tmp_path: Path) -> None:
    """1,200 new items a run: analysed by the processes that write the index, killed
    anywhere in that; the next refresh analyses what a killed one stored."""
    with serving() as server:
        campaign = refresh_campaign(
            tmp_path / "home", server, runs=2, seed=SEED, per_run=1200, feeds=60,
            summary_only=True,
        )  # fmt: skip
    _assert_all_survived(campaign)
