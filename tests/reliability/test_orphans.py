"""Worker processes never outlive a killed tui-reader."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.reliability.harness import child_env

PARENT = """
import os, time
from tui_reader.pipeline import process_pool

if __name__ == "__main__":
    pool = process_pool(2)
    workers = {pool.submit(os.getpid).result() for _ in range(8)}
    print(" ".join(map(str, workers)), flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().split()[2] != "Z"


def test_pool_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    command = [sys.executable, "-c", PARENT]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=child_env(tmp_path)
    ) as child:
        assert child.stdout is not None
        workers = [int(p) for p in child.stdout.readline().split()]
        assert workers and all(_alive(p) for p in workers)
        child.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers)
