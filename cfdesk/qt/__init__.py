"""The desktop GUI: thin Qt views over cfdesk.core, work done in worker threads."""

from __future__ import annotations

import ctypes
import sys


def _keep_bools_alive() -> None:
    """Guard against PySide6 6.12's Signal.emit(), which drops a reference to True on every call.

    Measured here (PySide6-Essentials 6.12.0, Python 3.11): each emit from Python lowers
    sys.getrefcount(True) by one, so after a few thousand emits (pyqtgraph emits on every paint)
    the interpreter aborts with "bool_dealloc: deallocating True or False". Python 3.12+ makes
    True and False immortal, which is all this does on older versions: a huge extra count.
    """
    if sys.version_info >= (3, 12):
        return
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 40


_keep_bools_alive()
