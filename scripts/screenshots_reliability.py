"""Render Help → About and the crash dialog to docs/screenshots/08-*.png, 09-*.png (Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_reliability.py

The crash is a real exception raised inside a slot, so the dialog shows what a user would see.
Settings and logs go to a throw-away folder.
"""

from __future__ import annotations

import os
import tempfile

os.environ["CFDESK_LOG_DIR"] = os.path.join(tempfile.mkdtemp(prefix="cfdesk-logs-"), "logs")

from PySide6.QtCore import QTimer
from screenshots import center, make_app, open_window, shoot, shoot_modal, wait_until

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
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
