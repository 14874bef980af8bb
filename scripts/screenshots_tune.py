"""Render a Tune in progress in the real app to docs/screenshots/tune-*.png (Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_tune.py [--dark]

Loads the demo data in a throw-away settings folder, starts a 5-minute search blending the best
3 trials, and photographs the Train page's Tune tab once the chart has TRIALS points and the
importance chart has bars; then stops the search (the best so far becomes the current model)
and photographs the finished tab. Names follow scripts/screenshots.py (-WxH, -dark).
"""

from __future__ import annotations

import sys

from screenshots import load_demo, make_app, open_window, shoot, wait_until

TRIALS = 8


def main() -> int:
    _app = make_app(sys.argv)
    window = open_window()
    load_demo(window)
    panel = window.tune_panel
    panel.minutes.setValue(5)
    panel.trials.setValue(0)
    panel.ensemble.setValue(3)
    window.training.tune.request_start()
    wait_until(
        lambda: panel.trial_chart.point_count() >= TRIALS and bool(panel.importance_chart.names()),
        timeout=600,
    )
    shoot("tune-in-progress")
    window.training.stop()
    wait_until(lambda: not window.training.is_running(), timeout=300)
    shoot("tune-stopped")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
