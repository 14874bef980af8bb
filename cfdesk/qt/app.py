"""Start the desktop app: QApplication, names, then the main window."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def main(argv: Sequence[str] | None = None) -> int:
    """GUI entry point (`cfdesk-gui`, `cfdesk` without subcommand, `python main.py`)."""
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from cfdesk import __version__

    argv = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("cfdesk")
    app.setOrganizationName("cfdesk")
    app.setApplicationVersion(__version__)
    window = QMainWindow()
    window.setWindowTitle("cfdesk")
    window.setCentralWidget(QLabel("cfdesk — collaborative filtering on the desktop"))
    window.resize(1100, 720)
    window.show()
    return app.exec()
