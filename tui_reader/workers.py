"""Helpers for worker processes (kept light: every worker imports this first)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from multiprocessing.context import ForkServerContext

# What worker processes run: the forkserver imports it once, and every worker forked from
# it starts with it loaded (each used to spend ~0.3 s of CPU importing it again).
# "__main__" is skipped by this Python's forkserver (it looks for a "main_path" that
# multiprocessing's preparation data never holds), so each worker still runs a script's
# top level once more: a script that starts workers should keep its top level light.
PRELOAD = (
    "__main__",
    "tui_reader.pipeline",
    "tui_reader.index.build",
    "feedparser",
    "py3langid.langid",  # numpy, imported on a worker's first language detection
)


def forkserver_context() -> ForkServerContext:
    """The context for worker processes: forked from a clean server process (never from
    one that may hold threads: the UI, a Whoosh writer), with :data:`PRELOAD` loaded."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))  # no effect once the server runs
    return context


def exit_with_parent(parent_pid: int, interval: float = 1.0) -> None:
    """In a worker process: exit as soon as ``parent_pid`` is gone.

    A worker blocked on a queue whose other end is also held by its siblings would
    otherwise outlive a killed ``tui-reader`` forever (found with ``kill -9`` during an
    import). A daemon thread checks the parent once per ``interval``.
    """

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, owned by someone else (cannot happen here)
                continue

    threading.Thread(target=watch, name="tui-reader-parent-watch", daemon=True).start()
