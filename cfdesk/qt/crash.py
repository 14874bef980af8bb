"""Crash safety: unexpected errors from any thread are logged and shown, never fatal."""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.qt import crash_dialog

log = logging.getLogger("cfdesk")


class CrashReporter(QObject):
    """Receives unexpected errors from any thread and shows them on the UI thread, one at a time.

    Lives on the UI thread, so `caught` emitted from a worker thread arrives queued there.
    """

    caught = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._showing = False
        self.caught.connect(self._on_caught)
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> None:
        """Route sys.excepthook (UI thread, slots) and threading.excepthook (threads) here."""
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """Any thread: log now, show later on the UI thread (Ctrl+C still ends the app)."""
        if issubclass(kind, KeyboardInterrupt):
            self._previous[0](kind, exc, tb)
            return
        log.error("unexpected error", exc_info=(kind, exc, tb))
        self.caught.emit(exc.with_traceback(tb))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(object)
    def _on_caught(self, exc: BaseException) -> None:
        """One dialog at a time: errors raised while it is open are only logged (no dialog storm)."""
        if self._showing:
            return
        self._showing = True
        try:
            crash_dialog.show_crash(exc)
        except Exception:  # a dialog that cannot be shown must not feed this hook forever
            log.exception("could not show the error dialog")
        finally:
            self._showing = False
