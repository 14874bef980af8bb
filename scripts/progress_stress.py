"""Stress the export's progress path, the one that segfaulted under load (issue 13).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/progress_stress.py [--runs 500] [--load 2]

Each run is what `test_cancelling_leaves_no_file` does: an export of the demo model with one user
per batch (progress for every user), pytest-qt waiting for the first `progressed`, Cancel, then
waiting for the export to end. Runs happen in child processes (`--per-process` each, faulthandler
on) beside `--load` busy-loop processes; a child that dies of a signal is a crash, one that stops
answering for `--hang-after` seconds is a hang, and the next child carries on with the remaining
runs. Prints runs, crashes, hangs and the first crash's traceback; exits 1 on any crash or hang.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

BUSY_LOOP = "while True: pass"


def wait_signal(signal: object) -> object:
    """What `qtbot.waitSignal(signal)` returns: a blocker that waits on leaving its `with`."""
    from pytestqt.wait_signal import SignalBlocker

    blocker = SignalBlocker(timeout=30_000)
    blocker.connect(signal)
    return blocker


def child(runs: int) -> int:
    """Build the demo model once, then export-and-cancel `runs` times; prints one line per run."""
    import faulthandler

    faulthandler.enable()
    from PySide6.QtWidgets import QApplication
    from pytestqt.qt_compat import qt_api

    qt_api.set_qt_api("pyside6")
    app = QApplication.instance() or QApplication(["cfdesk-progress-stress"])
    from cfdesk.core.atomic import Cancelled
    from cfdesk.core.config import TrainConfig
    from cfdesk.core.data.demo import demo_ratings_path
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.results.context import ResultsContext
    from cfdesk.core.training.trainer import fit
    from cfdesk.qt.results.export_dialog import ExportDialog

    fitted = fit(load_ratings(demo_ratings_path()), TrainConfig(epochs=1, device="cpu", seed=1))
    context = ResultsContext.build(fitted)
    folder = Path(tempfile.mkdtemp(prefix="cfdesk-progress-stress-"))
    for run in range(runs):
        dialog = ExportDialog(context)
        dialog.batch_size = 1  # one user per batch: progress for every user, as in the test
        dialog.path.setText(str(folder / "recs.csv"))
        with wait_signal(dialog.exportFinished) as finished:
            with wait_signal(dialog.task.progressed):  # no name kept, as in the test
                dialog.start()
            dialog.cancel_button.click()
        if not isinstance(finished.args[0], Cancelled) or any(folder.iterdir()):
            print(f"failed {run}: {finished.args[0]!r}", flush=True)
            return 1
        dialog.deleteLater()
        app.processEvents()
        print(f"ok {run}", flush=True)
    return 0


def run_children(total: int, per_process: int, hang_after: float) -> dict:
    """Children until `total` runs are done; counts crashes and hangs, keeps the first trace."""
    found = {"runs": 0, "crashes": 0, "hangs": 0, "failures": 0, "processes": 0, "trace": ""}
    while found["runs"] < total:
        want = min(per_process, total - found["runs"])
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(want)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        found["processes"] += 1
        try:
            out, err = proc.communicate(timeout=hang_after + 60 + want * hang_after / 10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            found["hangs"] += 1
        done = sum(line.startswith("ok ") for line in out.splitlines())
        found["runs"] += done
        if proc.returncode is not None and proc.returncode < 0:
            found["crashes"] += 1
            found["runs"] += 1  # the run that crashed
            found["trace"] = found["trace"] or f"{signal.Signals(-proc.returncode).name}\n{err}"
        elif proc.returncode not in (0, None, -signal.SIGKILL):
            found["failures"] += 1
            found["runs"] += 1
            found["trace"] = found["trace"] or out[-2000:] + err[-4000:]
        print(
            f"  {found['runs']}/{total} runs, {found['crashes']} crashes, {found['hangs']} hangs",
            flush=True,
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="export-and-cancel runs in all")
    parser.add_argument("--per-process", type=int, default=50, help="runs per child process")
    parser.add_argument("--load", type=int, default=2, help="busy-loop processes beside it")
    parser.add_argument("--hang-after", type=float, default=60.0, help="seconds without answer")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    scratch = tempfile.mkdtemp(prefix="cfdesk-progress-stress-home-")
    for name in ("CFDESK_SETTINGS_DIR", "CFDESK_LOG_DIR", "CFDESK_DATA_DIR"):
        os.environ[name] = scratch
    busy = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(args.load)]
    began = time.perf_counter()
    try:
        found = run_children(args.runs, args.per_process, args.hang_after)
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
    print(f"runs:      {found['runs']} in {found['processes']} processes, {args.load} busy loops")
    print(f"crashes:   {found['crashes']}")
    print(f"hangs:     {found['hangs']}")
    print(f"failures:  {found['failures']}")
    print(f"time:      {time.perf_counter() - began:.0f} s")
    if found["trace"]:
        print("first crash or failure:\n" + found["trace"][-4000:])
    return 1 if found["crashes"] or found["hangs"] or found["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
