"""Pool workers end with the process that started them, even when it is killed outright (``kill -9``).

A forked pool worker waits on a pipe whose write end it inherited itself, so it never sees its
parent go: without help it would live on, holding memory and a CPU, after the batch was killed.
Each worker therefore asks Linux to send it SIGKILL when its parent dies (``prctl``
``PR_SET_PDEATHSIG``), and, on every system, watches its parent's pid once a second and exits when
it changes. A worker only evaluates; the parent alone commits, so nothing is lost by ending it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 1.0


def _ask_linux(parent: int) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # no prctl here: the watchdog below still ends the worker


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)  # orphaned: re-parented to init or a subreaper


def die_with_parent(parent: int | None = None) -> None:
    """Call first thing in a pool worker (its initializer). ``parent``: the pid of the process that
    started the pool (``initargs=(os.getpid(),)``): a spawned worker takes a second to get here, and
    its parent may have died meanwhile (it would then be adopted, and watch the wrong process)."""
    parent = os.getppid() if parent is None else parent
    _ask_linux(parent)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="huiqi-lifeline", daemon=True).start()
