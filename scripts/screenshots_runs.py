"""Render the Runs page of the real app to docs/screenshots/runs*.png (Xvfb, the screen's size).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_runs.py [--dark]

Trains the demo data three times with different settings (recorded in a throw-away run
database, never the user's), then shows the Runs page with the three runs selected: their
validation curves overlaid and their settings side by side, differences highlighted.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ["CFDESK_RUNS_DB"] = str(Path(tempfile.mkdtemp(prefix="cfdesk-runs-")) / "runs.sqlite")

from screenshots import load_demo, make_app, open_window, wait_until
from screenshots_results import shoot

SETTINGS = (  # three runs worth comparing: the default, more factors, the neural net
    {"epochs": 8},
    {"epochs": 8, "n_factors": 100, "weight_decay": 0.5},
    {"epochs": 8, "model": "nn", "lr": 0.005},
)


def main() -> int:
    _app = make_app(sys.argv)
    window = open_window()
    load_demo(window)
    base = window.form.config()
    for changes in SETTINGS:
        window.form.set_config(base.with_changes(**changes))
        window.training.start()
        wait_until(lambda: not window.training.is_running() and window.fitted is not None)
    window.runs.show()
    wait_until(lambda: not window.runs.loader.is_busy() and window.runs_page.model.rowCount() == 3)
    page = window.runs_page
    page.select_runs([r.id for r in page.model.records()])
    wait_until(lambda: page.chart.curve_count() == 3)  # curves are read in the background
    page.table.setFocus()
    shoot("runs")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
