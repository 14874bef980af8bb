"""Which process records a run, so a later start can tell a live run from one left by a dead process."""

from __future__ import annotations

import functools
import os
import socket

import psutil


def _process_start(pid: int) -> int | None:
    """Whole seconds since the epoch the process started; None when there is no such process.

    Raises psutil.AccessDenied for another user's process (it exists, its start is unknown)."""
    try:
        return int(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, ProcessLookupError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def this_process() -> str:
    """`host:pid:start`: the start time keeps a recycled pid from looking alive."""
    pid = os.getpid()
    try:
        start = _process_start(pid)
    except psutil.AccessDenied:  # some sandboxes hide even our own process
        start = None
    return f"{socket.gethostname()}:{pid}:{start}"


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
    try:
        return str(_process_start(int(pid))) == start
    except psutil.AccessDenied:  # another user's live process: leave its run alone
        return True
