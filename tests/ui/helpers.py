"""Driving the app without sleeping: wait for workers and the messages they post."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Let workers finish and their messages (which may start more workers) be handled."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
