"""Render each view of the real app to docs/screenshots/*.png (run under Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots.py [--dark]

The window fills the Xvfb screen. At 1280×800 (the README's size) the files are *.png; at any
other size, e.g. the smallest supported window (-screen 0 1024x700x24), *-1024x700.png.
--dark applies a dark Fusion palette (as a dark system theme would) and adds -dark to the names.

Uses a throw-away settings folder and the demo data; never touches the user's settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ["CFDESK_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="cfdesk-shots-")

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from cfdesk import __version__
from cfdesk.assets import asset_path
from cfdesk.core.data.demo import demo_ratings_path
from cfdesk.core.data.loader import sniff
from cfdesk.qt import import_dialog
from cfdesk.qt.main_window import MainWindow
from cfdesk.qt.splash import Splash
from cfdesk.qt.theme import load_stylesheet
from cfdesk.qt.worker import wait_for_all

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
README_SIZE = (1280, 800)
DARK = "--dark" in sys.argv


def dark_palette() -> QPalette:
    """What a dark desktop theme hands Qt: dark window and base, light text."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, color in {
        roles.Window: "#2b2d31",
        roles.WindowText: "#e6e6e6",
        roles.Base: "#1e1f22",
        roles.AlternateBase: "#2b2d31",
        roles.Text: "#e6e6e6",
        roles.Button: "#3a3d42",
        roles.ButtonText: "#e6e6e6",
        roles.Highlight: "#3b82f6",
        roles.HighlightedText: "#ffffff",
        roles.Mid: "#8a8f98",
        roles.PlaceholderText: "#8a8f98",
        roles.ToolTipBase: "#3a3d42",
        roles.ToolTipText: "#e6e6e6",
    }.items():
        palette.setColor(role, QColor(color))
    for role in (roles.Text, roles.ButtonText, roles.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7078"))
    return palette


def pump(seconds: float) -> None:
    """Let the event loop run (paints, worker signals) for a while."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def wait_until(condition, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the app did not reach the expected state in time")
        pump(0.05)


def load_demo(window: MainWindow) -> None:
    """Load the built-in demo ratings (their movie file too) without the import dialog."""
    demo = demo_ratings_path()
    fmt = sniff(demo)
    window.files.load_data(import_dialog.ImportChoices(demo, fmt.roles, fmt.item_file or False))
    wait_until(lambda: window.ratings is not None)


def screen_size() -> tuple[int, int]:
    size = QGuiApplication.primaryScreen().size()
    return size.width(), size.height()


def shot_path(name: str) -> Path:
    """docs/screenshots/NAME[-WxH][-dark].png: the size only when it is not the README's."""
    size = screen_size()
    dims = "" if size == README_SIZE else f"-{size[0]}x{size[1]}"
    return OUT / f"{name}{dims}{'-dark' if DARK else ''}.png"


def shoot(name: str) -> None:
    """The whole screen, so dialogs and their parent window appear together."""
    pump(0.4)
    path = shot_path(name)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path), "PNG")
    print(f"{path.name}: {path.stat().st_size // 1024} KB")


def shoot_modal(name: str, taken: list) -> None:
    """Photograph the next modal dialog, then close it; appends the name to `taken`."""

    def take() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(100, take)
            return
        shoot(name)
        modal.close()
        taken.append(name)

    QTimer.singleShot(300, take)


def make_app(argv: list[str]) -> QApplication:
    """The app as cfdesk styles it, dark when --dark was given (shared by the screenshot scripts)."""
    app = QApplication(argv)
    app.setApplicationName("cfdesk")
    app.setWindowIcon(QIcon(str(asset_path("icons/cfdesk.svg"))))
    if DARK:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    app.setStyleSheet(load_stylesheet())
    return app


def open_window() -> MainWindow:
    """A screen-sized main window, shown once the torch warm-up has ended."""
    window = MainWindow()
    window.setGeometry(0, 0, *screen_size())
    window.show()
    pump(1.0)
    wait_for_all()  # torch warm-up
    return window


def center(dialog: QWidget) -> None:
    """Place a dialog in the middle of the screen, as a window manager would."""
    width, height = screen_size()
    dialog.move((width - dialog.width()) // 2, (height - dialog.height()) // 2)


def main() -> int:
    _app = make_app(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    splash = Splash(QApplication.windowIcon(), __version__)
    splash.show_now("Starting…")
    shoot("00-starting")
    splash.close()
    window = open_window()
    shoot("01-welcome")

    demo = demo_ratings_path()
    dialog = import_dialog.ImportDialog(sniff(demo), window)
    dialog.show()
    center(dialog)
    shoot("02-import-dialog")
    choices = dialog.choices()
    dialog.close()

    window.files.load_data(choices)
    wait_until(lambda: window.ratings is not None)
    shoot("03-data-view")

    window.form.set_config(window.form.config().with_changes(epochs=30))
    window.training.start()
    wait_until(lambda: window.monitor.rmse_chart.point_counts()["train"] >= 3)
    shoot("04-training-mid-run")
    wait_until(lambda: not window.training.is_running())
    shoot("05-training-finished")

    window.training.find_lr()
    wait_until(lambda: not window.training.is_running())
    shoot("06-lr-finder")
    if DARK or screen_size() != README_SIZE:
        window.close()
        return 0

    bad = Path(tempfile.mkdtemp()) / "ratings.csv"
    bad.write_text("user,item,rating\n1,10,4\n2,11,five\n", encoding="utf-8")
    taken: list[str] = []
    shoot_modal("07-error", taken)
    window.files.load_data(import_dialog.ImportChoices(bad, sniff(bad).roles, False))
    wait_until(lambda: taken)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
