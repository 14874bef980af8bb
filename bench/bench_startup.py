"""Time from launch to the first painted window (the start-up card) and to the main window.

    .venv/bin/python bench/bench_startup.py [--runs 5] [--cold] [--source DIR]

Each run spawns a fresh `python` that starts the app the way `cfdesk` does (cfdesk.entry's
main, offscreen), with a Qt event filter noting the first paint of any top-level window and
of the main window; the app quits once the main window has painted. Printed per run and as
medians: seconds from process start (the spawn) and from the call of main() to the first paint,
and from process start to the main window's first paint; whether torch was already imported at
the first paint.

--cold first evicts this Python's site-packages and the cfdesk sources from the page cache
(posix_fadvise DONTNEED, no root needed), as after a reboot; otherwise runs are warm (one
unmeasured launch first). --source DIR runs the cfdesk found in DIR instead (e.g. an export of
another commit, to compare before and after in one session).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

marks = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
            now = time.time()
            if "first_paint" not in marks:
                message = obj.message() if hasattr(obj, "message") else ""
                marks.update(first_paint=now, first_kind=type(obj).__name__,
                             first_message=message, torch_loaded="torch" in sys.modules)
            if type(obj).__name__ == "MainWindow" and "window_paint" not in marks:
                marks["window_paint"] = now
                marks["card_left_open"] = any(
                    w.isVisible() and type(w).__name__ == marks["first_kind"]
                    for w in QApplication.topLevelWidgets() if w is not obj)
                QTimer.singleShot(0, obj.close)
                QTimer.singleShot(0, QApplication.quit)
        return False

app = QApplication(["cfdesk"])
spy = FirstPaint()
app.installEventFilter(spy)
import cfdesk
from cfdesk.entry import main
marks["cfdesk"] = cfdesk.__file__
marks["main_called"] = time.time()
main([])
print("MARKS " + json.dumps(marks), flush=True)
"""


def evict_from_page_cache(folders: list[Path]) -> int:
    """Ask the kernel to drop these files' cached pages; returns how many files were evicted."""
    count = 0
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(fd)
    return count


def launch(source: Path) -> dict:
    """One fresh app process; seconds from its spawn and from main() to the paints."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "PYTHONPATH": str(source),
        "CFDESK_SETTINGS_DIR": tempfile.mkdtemp(prefix="cfdesk-startup-"),
        "CFDESK_LOG_DIR": tempfile.mkdtemp(prefix="cfdesk-startup-logs-"),
    }
    spawned = time.time()
    out = subprocess.run(  # in `source`: `python -c` looks in the working folder first
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=300,
        cwd=source,
    )  # fmt: skip
    line = next((x for x in out.stdout.splitlines() if x.startswith("MARKS ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"the app did not start: {out.stderr[-600:]}")
    marks = json.loads(line[len("MARKS ") :])
    if Path(marks["cfdesk"]).parent.parent != source:
        raise RuntimeError(f"ran the cfdesk in {marks['cfdesk']}, not the one in {source}")
    return {
        "first_paint_from_start_s": marks["first_paint"] - spawned,
        "first_paint_from_main_s": marks["first_paint"] - marks["main_called"],
        "window_paint_from_start_s": marks["window_paint"] - spawned,
        "first_window": marks["first_kind"],
        "first_message": marks["first_message"],
        "torch_loaded_at_first_paint": marks["torch_loaded"],
        "card_left_open": marks["card_left_open"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="evict the files from the cache")
    parser.add_argument("--source", type=Path, default=ROOT, help="folder holding cfdesk/")
    args = parser.parse_args()
    source = args.source.resolve()
    cached = [Path(sysconfig.get_paths()["purelib"]), source / "cfdesk"]
    if not args.cold:
        launch(source)  # warm the caches
    rows = []
    for run in range(args.runs):
        if args.cold:
            evict_from_page_cache(cached)
        rows.append(launch(source))
        row = rows[-1]
        print(
            f"run {run + 1}: first paint ({row['first_window']}) "
            f"{row['first_paint_from_start_s']:.2f} s after launch, "
            f"{row['first_paint_from_main_s']:.2f} s after main(); main window "
            f"{row['window_paint_from_start_s']:.2f} s after launch; torch loaded at first "
            f"paint: {row['torch_loaded_at_first_paint']}",
            flush=True,
        )
    keys = ("first_paint_from_start_s", "first_paint_from_main_s", "window_paint_from_start_s")
    summary = {
        "source": str(source),
        "cold": args.cold,
        "runs": args.runs,
        "load_average_1min": os.getloadavg()[0],
        **{f"median_{k}": round(statistics.median(r[k] for r in rows), 3) for k in keys},
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
