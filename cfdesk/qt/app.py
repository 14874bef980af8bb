"""Start the desktop app: QApplication, a start-up card, then the main window (optionally a file)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFileOpenEvent, QIcon
from PySide6.QtWidgets import QApplication

log = logging.getLogger("cfdesk")


class Application(QApplication):
    """Turns macOS Finder's "Open With" (a FileOpen event) into a signal. Overriding `event`
    sees only events sent to the application itself, so unlike an application-wide event filter
    it costs nothing per widget event."""

    fileOpenRequested = Signal(str)

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        # Files asked for while the start-up card shows, before the window listens.
        self._early: list[str] | None = []

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            if self._early is None:
                self.fileOpenRequested.emit(event.file())
            else:
                self._early.append(event.file())
            return True
        return super().event(event)

    def deliver_files_to(self, open_path: Callable[[str], None]) -> None:
        """From now on FileOpen requests go to `open_path`, starting with any that came early."""
        early, self._early = self._early or [], None
        self.fileOpenRequested.connect(open_path)
        for path in early:
            open_path(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window; `cfdesk.entry` parses the command line, so `argv` is [FILE], ["--demo"]
    or empty, and FILE may be a ratings file or a model.

    A start-up card is on screen before torch and the window's modules are imported (4-7 s
    on a slow disk), so a launch gets feedback at once (bench/bench_startup.py measures it).
    """
    from cfdesk import __version__
    from cfdesk.assets import asset_path
    from cfdesk.qt.splash import Splash

    argv = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or Application([sys.argv[0], *argv])
    app.setApplicationName("cfdesk")
    app.setOrganizationName("cfdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("cfdesk")
    icon = asset_path("icons/cfdesk.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    splash = Splash(app.windowIcon(), __version__)
    splash.show_now("Starting…")

    from cfdesk.qt.crash import CrashReporter
    from cfdesk.qt.crash_log import enable_fatal_log, setup_logging
    from cfdesk.qt.main_window import MainWindow
    from cfdesk.qt.theme import load_stylesheet
    from cfdesk.qt.worker import wait_for_all

    splash.say("Opening the window…")
    app.setStyleSheet(load_stylesheet())
    setup_logging()
    enable_fatal_log()
    reporter = CrashReporter(app)
    reporter.install()
    window = MainWindow()
    window.show()
    splash.close()
    files = [a for a in argv if not a.startswith("-")]
    if files:
        window.open_path(files[0])
    elif "--demo" in argv:
        window.files.open_demo()
    if isinstance(app, Application):
        app.deliver_files_to(window.open_path)
    try:
        return app.exec()
    finally:
        # The window waited 10 s for its work; a very long load may still be ending now.
        wait_for_all(None)
        reporter.uninstall()
        log.info("cfdesk closed")
