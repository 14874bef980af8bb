"""UI-thread CPU time of the training monitor's updates, without a training thread beside it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_monitor.py [--updates 100] [--repeats 3]

Shows the main window at 1280×800 on the Train page and feeds its monitor what a 15-epoch run
of the demo data sends (about 20 batch reports per epoch, coalesced as the runner does), then
lets the window paint and lay out (40 ms of event loop after each). Reports the UI thread's CPU
time (time.thread_time, so other programs' load hardly moves it) per update of the RMSE chart
and progress, per memory-chart update and per epoch report, each with the paints it causes;
medians over the updates and the repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ.setdefault("CFDESK_SETTINGS_DIR", tempfile.mkdtemp(prefix="cfdesk-bench-"))

import torch
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from cfdesk.core.training.memory import memory_sample
from cfdesk.core.training.reports import BatchReport, EpochReport
from cfdesk.qt.main_window import MainWindow
from cfdesk.qt.worker import wait_for_all

EPOCHS = 15
BATCHES = 88  # the demo data's steps per epoch at batch 1024
PER_FLUSH = 3  # batch reports per 150 ms flush at the demo's pace
SETTLE_MS = 40  # long enough for an update's whole cascade of events, short of the next one


def settle(app: QApplication) -> None:
    """Run the event loop for SETTLE_MS: every posted event, paint and the layout requests
    that each post the next (a few calls to processEvents() would miss the later ones)."""
    loop = QEventLoop()
    QTimer.singleShot(SETTLE_MS, loop.quit)
    loop.exec()


def cpu_ms(app: QApplication, action) -> float:
    start = time.thread_time()
    action()
    settle(app)
    return (time.thread_time() - start) * 1000


def one_run(app: QApplication, window: MainWindow, updates: int) -> dict[str, list[float]]:
    monitor, device = window.monitor, torch.device("cpu")
    monitor.start(EPOCHS, "CPU")
    settle(app)
    costs: dict[str, list[float]] = {"batches": [], "memory": [], "epoch": []}
    step, loss = 0, 1.3
    every = max(1, BATCHES // 20)
    for _ in range(updates):
        reports = []
        for _ in range(PER_FLUSH):
            step += every
            epoch, batch = step // BATCHES + 1, step % BATCHES or 1
            loss *= 0.995
            reports.append(
                BatchReport(epoch, batch, BATCHES, step / (BATCHES * EPOCHS), loss, 0.01,
                            memory_sample(device))
            )  # fmt: skip
        costs["batches"].append(cpu_ms(app, lambda r=reports: monitor.on_batches(r)))
        costs["memory"].append(cpu_ms(app, monitor._flush_memory))
        if reports[-1].epoch > reports[0].epoch:
            report = EpochReport(
                reports[0].epoch, EPOCHS, loss, loss + 0.05, loss, 0.01, 0.2, 4e5, True
            )
            costs["epoch"].append(cpu_ms(app, lambda r=report: monitor.on_epoch(r)))
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.show_page("Train")
    settle(app)
    wait_for_all()  # the window's warm-up thread (torch's lazy imports) must not compete
    one_run(app, window, 5)  # warm-up: first paints, fonts
    totals: dict[str, list[float]] = {"batches": [], "memory": [], "epoch": []}
    for _ in range(args.repeats):
        for key, values in one_run(app, window, args.updates).items():
            totals[key] += values
    summary = {
        f"median_{key}_cpu_ms": round(statistics.median(values), 2)
        for key, values in totals.items()
    }
    summary |= {
        f"p90_{k}_cpu_ms": round(statistics.quantiles(v, n=10)[-1], 2)
        for k, v in totals.items()
        if len(v) >= 2  # a short run may hold a single epoch update
    }
    summary["load_average_1min"] = os.getloadavg()[0]
    print(json.dumps(summary))
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
