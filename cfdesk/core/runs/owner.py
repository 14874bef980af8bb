"""Which process records a run, so a later start can tell a live run from one left by a dead process."""

from __future__ import annotations

import functools
import os
import socket

import psutil


def _process_start(pid: int) -> int | None:
    """Whole seconds since the epoch the process started; None when there is no such process."""
    try:
        return int(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def this_process() -> str:
    """`host:pid:start`: the start time keeps a recycled pid from looking alive."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def is_alive(owner: str) -> bool:
    """True when `owner` still runs; runs recorded on another host count as alive (unknowable)."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3:
        return False
    host, pid, start = parts
    if host != socket.gethostname():
        return True
    if not pid.isdigit():
        return False
    return str(_process_start(int(pid))) == start
