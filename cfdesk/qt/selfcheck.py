"""The self-test's GUI step: proves Qt, its plugins and the main window work in this install."""

from __future__ import annotations


def check_main_window(ctx: dict) -> None:
    """The self-test's last step: the icon renders and the main window builds offscreen."""
    from PySide6 import __version__ as qt_version
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from cfdesk.assets import asset_path
    from cfdesk.core.errors import CfdeskError
    from cfdesk.qt.app import Application
    from cfdesk.qt.main_window import MainWindow

    app = QApplication.instance() or Application(["cfdesk"])  # the class the app runs in
    icon = QIcon(str(asset_path("icons/cfdesk.svg")))
    if icon.pixmap(64, 64).isNull():
        raise CfdeskError("the app icon does not render: the Qt SVG plugin is missing")
    window = MainWindow()
    app.processEvents()
    window.close()
    window.deleteLater()
    app.processEvents()
    ctx["figures"].update(qt=qt_version)
