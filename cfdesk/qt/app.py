"""Start the desktop app: QApplication, names, style, then the main window (optionally a file)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFileOpenEvent, QIcon
from PySide6.QtWidgets import QApplication

log = logging.getLogger("cfdesk")


class Application(QApplication):
    """Turns macOS Finder's "Open With" (a FileOpen event) into a signal, and lets the main
    windows refuse a Quit event (macOS Dock → Quit, `quit()`) while they hold an unsaved model.
    Overriding `event` sees only events sent to the application itself, so unlike an
    application-wide event filter it costs nothing per widget event."""

    fileOpenRequested = Signal(str)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            self.fileOpenRequested.emit(event.file())
            return True
        if event.type() == QEvent.Type.Quit and not self.windows_agree_to_quit():
            event.ignore()  # macOS then cancels the termination
            return True
        return super().event(event)

    def windows_agree_to_quit(self) -> bool:
        """Ask each shown main window, as File → Quit does, before Qt closes them unasked."""
        from cfdesk.qt.main_window import MainWindow

        windows = [w for w in self.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        return all(window.confirm_quit() for window in windows)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window; `cfdesk.entry` parses the command line, so `argv` is [FILE], ["--demo"]
    or empty, and FILE may be a ratings file or a model."""
    from cfdesk import __version__
    from cfdesk.assets import asset_path
    from cfdesk.qt.crash import CrashReporter
    from cfdesk.qt.crash_log import enable_fatal_log, setup_logging
    from cfdesk.qt.main_window import MainWindow
    from cfdesk.qt.theme import load_stylesheet
    from cfdesk.qt.worker import wait_for_all

    argv = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or Application([sys.argv[0], *argv])
    app.setApplicationName("cfdesk")
    app.setOrganizationName("cfdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("cfdesk")
    icon = asset_path("icons/cfdesk.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    app.setStyleSheet(load_stylesheet())
    setup_logging()
    enable_fatal_log()
    reporter = CrashReporter(app)
    reporter.install()
    window = MainWindow()
    if isinstance(app, Application):
        app.fileOpenRequested.connect(window.open_path)
    window.show()
    files = [a for a in argv if not a.startswith("-")]
    if files:
        window.open_path(files[0])
    elif "--demo" in argv:
        window.files.open_demo()
    try:
        return app.exec()
    finally:
        # The window waited 10 s for its work; a very long load may still be ending now.
        wait_for_all(None)
        reporter.uninstall()
        log.info("cfdesk closed")
