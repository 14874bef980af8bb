"""Render Help → About, the crash dialog and the unsaved-model question to docs/screenshots/08-*.png,
09-*.png and 10-unsaved-model.png (Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_reliability.py

The crash is a real exception raised inside a slot, so the dialog shows what a user would see; the
unsaved-model question is what File → Quit asks after training the demo data for 3 epochs.
Settings and logs go to a throw-away folder.
"""

from __future__ import annotations

import os
import tempfile

os.environ["CFDESK_LOG_DIR"] = os.path.join(tempfile.mkdtemp(prefix="cfdesk-logs-"), "logs")

from PySide6.QtCore import QTimer
from screenshots import center, make_app, open_window, shoot, shoot_modal, wait_until

from cfdesk.core.data.demo import demo_ratings_path
from cfdesk.core.data.loader import sniff
from cfdesk.qt.crash import CrashReporter
from cfdesk.qt.crash_log import setup_logging


def broken_slot() -> None:
    """Stands in for a bug: a slot that raises, as Qt would call it."""
    ratings = {"user 42": 4.0}
    print(ratings["user 7"])


def main() -> int:
    app = make_app(["cfdesk"])
    setup_logging()
    reporter = CrashReporter(app)
    reporter.install()
    window = open_window()
    dialog = window.show_about()
    center(dialog)
    shoot("08-about")
    dialog.tabs.setCurrentIndex(1)
    shoot("08-about-shortcuts")
    dialog.close()
    taken: list[str] = []
    shoot_modal("09-crash-dialog", taken)
    QTimer.singleShot(0, broken_slot)
    wait_until(lambda: taken)
    reporter.uninstall()
    shoot_unsaved_question(window, taken)
    window.close()
    return 0


def shoot_unsaved_question(window, taken: list[str]) -> None:
    """Train the demo data briefly, then File → Quit: the question comes up (closed as Cancel)."""
    from cfdesk.qt.import_dialog import ImportChoices

    demo = demo_ratings_path()
    fmt = sniff(demo)
    window.files.load_data(ImportChoices(demo, fmt.roles, fmt.item_file or False))
    wait_until(lambda: window.ratings is not None)
    window.show_page("Train")
    window.form.set_config(window.form.config().with_changes(epochs=3))
    window.training.start()
    wait_until(lambda: window.fitted is not None and not window.training.is_running())
    shoot_modal("10-unsaved-model", taken)
    window.actions.quit.trigger()  # returns once the question is closed (Cancel keeps the window)
    wait_until(lambda: "10-unsaved-model" in taken)


if __name__ == "__main__":
    raise SystemExit(main())
