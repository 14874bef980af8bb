"""The run store's cost in the app: UI-thread time per recorded epoch, and the Runs page with
1,000 stored runs.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_runs.py [--pairs 3] [--epochs 5]

1. Recording: the demo data trains in the real window, alternately with recording on and off
   (same process, so machine noise hits both). Every function of the run store, the recorder,
   the writer and the Runs page is timed where it runs (not the table's paint callbacks); the
   figure is the time spent on the UI thread per epoch (target ≤ 5 ms), with the Runs page
   hidden and shown (shown, it is read again at each run's start and end: per run). Also: the
   UI thread's whole CPU time per epoch on and off, the longest UI stall, and the time spent
   on other threads (the training thread's queueing, the writer's commits, the page's reads).
2. The Runs page: 1,000 generated runs (10 epochs each) in a fresh store; from Ctrl+R to the
   table filled (read on a worker thread, rows prepared there), then a sort by validation RMSE
   and by start time (target: opens and sorts in ≤ 200 ms).
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ["CFDESK_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="cfdesk-bench-")
os.environ["CFDESK_RUNS_DB"] = str(Path(tempfile.mkdtemp(prefix="cfdesk-bench-")) / "runs.sqlite")

from bench_gui import in_app  # configures OpenMP as the app does
from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QApplication

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.demo import demo_ratings_path
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.data.summary import summarize
from cfdesk.core.runs import dataset, recorder, store, writer
from cfdesk.core.runs.dataset import DatasetInfo
from cfdesk.core.runs.records import EpochRow
from cfdesk.core.runs.store import RunStore
from cfdesk.qt.main_window import MainWindow
from cfdesk.qt.runs import control, page, table_model
from cfdesk.qt.runs.table_model import COLUMNS
from cfdesk.qt.worker import wait_for_all

MAIN = threading.main_thread()
SPENT: dict[str, float] = defaultdict(float)  # "ui", "ui_cpu", "other" -> seconds in that code


_DEPTH = threading.local()  # nested timed calls count once, in the outermost


def _timed(func):
    """Count the seconds `func` runs, apart for the UI thread and the others."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if getattr(_DEPTH, "inside", False):
            return func(*args, **kwargs)
        _DEPTH.inside = True
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            where = "ui" if threading.current_thread() is MAIN else "other"
            SPENT[where] += time.perf_counter() - start
            SPENT[f"{where}_cpu"] += time.thread_time() - cpu
            _DEPTH.inside = False

    return wrapper


class PageShower(QObject):
    """Brings the Runs page up once training has started (Train shows the Train page first)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window, self.active = window, False
        window.training.runner.fitStarted.connect(self._on_started)

    @Slot(object)
    def _on_started(self, _report) -> None:
        if self.active:
            self.window.show_page("Runs")


# Not timed: waiting (the writer's idle loop, flush) is no work, and the table's paint-time
# callbacks are Qt drawing, thousands of calls a wrapper would slow down more than it measures.
UNTIMED = {"_loop", "flush", "close", "data", "rowCount", "columnCount", "headerData"}


def instrument() -> None:
    """Wrap every function of the recording path: store, writer, recorder, control, page."""
    for cls in (store.RunStore, writer.RunWriter, recorder.RunRecorder, control.RunsControl,
                page.RunsPage, table_model.RunsTableModel):  # fmt: skip
        for name, value in list(vars(cls).items()):
            if inspect.isfunction(value) and not name.startswith("__") and name not in UNTIMED:
                setattr(cls, name, _timed(value))
    dataset.describe_dataset = _timed(dataset.describe_dataset)
    control.describe_dataset = dataset.describe_dataset


def recording(window: MainWindow, ratings, config: TrainConfig, args) -> dict:
    """Alternate recorded and unrecorded runs; returns medians per epoch."""
    runner = window.training.runner
    record = runner.recording
    n_train = len(prepare_split(ratings, config)[0])
    rows: dict[str, list[dict]] = defaultdict(list)
    shower = PageShower(window)
    modes = ("off", "on", "on, Runs page shown")
    for pair in range(args.pairs):
        for mode in modes[pair % 3 :] + modes[: pair % 3]:  # each mode goes first in turn
            runner.recording = None if mode == "off" else record
            shower.active = mode.endswith("shown")
            wait_for_all()
            SPENT.clear()
            cpu = time.thread_time()
            gui = in_app(window, config, n_train)
            wait_for_all()  # the reload after the run belongs to this run
            QApplication.processEvents()
            gui["ui_cpu_ms_per_epoch"] = 1000 * (time.thread_time() - cpu) / config.epochs
            gui["recording_ui_ms_per_epoch"] = 1000 * SPENT["ui"] / config.epochs
            gui["recording_ui_cpu_ms_per_epoch"] = 1000 * SPENT["ui_cpu"] / config.epochs
            gui["recording_other_ms_per_epoch"] = 1000 * SPENT["other"] / config.epochs
            gui["recording_ui_ms_per_run"] = 1000 * SPENT["ui"]
            rows[mode].append(gui)
            print(
                f"pair {pair + 1} recording {mode:19}: run-store code on the UI thread "
                f"{gui['recording_ui_ms_per_epoch']:.3f} ms/epoch (CPU "
                f"{gui['recording_ui_cpu_ms_per_epoch']:.3f}; "
                f"{gui['recording_ui_ms_per_run']:.1f} ms per run), elsewhere "
                f"{gui['recording_other_ms_per_epoch']:.2f} ms/epoch; UI thread CPU "
                f"{gui['ui_cpu_ms_per_epoch']:.0f} ms/epoch; longest stall "
                f"{gui['max_stall_ms']:.0f} ms (p99 {gui['p99_stall_ms']:.0f})",
                flush=True,
            )
    runner.recording = record
    keys = ("recording_ui_ms_per_epoch", "recording_ui_cpu_ms_per_epoch", "recording_ui_ms_per_run",
            "recording_other_ms_per_epoch", "ui_cpu_ms_per_epoch",
            "max_stall_ms", "p99_stall_ms", "ratings_per_s")  # fmt: skip
    return {
        mode: {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}
        for mode, runs in rows.items()
    }


def fill_store(path: Path, n_runs: int, here: DatasetInfo) -> None:
    """`n_runs` finished runs of 10 epochs, a third of them on another data set."""
    other = DatasetInfo("other.csv", "/x/other.csv", 1, "0123456789abcdef", 10, 2, 2)
    runs = RunStore(path)
    for i in range(n_runs):
        config = TrainConfig(n_factors=8 + i % 64, lr=0.001 * (1 + i % 17)).to_dict()
        run = runs.start_run(here if i % 3 else other, config, "cli")
        for epoch in range(1, 11):
            valid = 0.9 + ((i * 7919) % 1000) / 10_000 + 0.01 / epoch
            runs.add_epoch(run, EpochRow(epoch, valid - 0.05, valid, 0.7, 0.01, 0.3))
        runs.finish_run(run, "finished", {"valid_rmse": valid, "best_epoch": 10}, 3.0)


def runs_page(window: MainWindow, repeats: int) -> dict:
    """Ctrl+R to a filled table, then two sorts, `repeats` times (a fresh read each time)."""
    valid = [c[0] for c in COLUMNS].index("Valid RMSE")
    table = window.runs_page.table
    opens, sorts = [], []
    for _ in range(repeats):
        window.show_page("Train")
        start = time.perf_counter()
        window.actions.runs.trigger()
        while window.runs.loader.is_busy() or window.runs_page.model.rowCount() == 0:
            QApplication.processEvents()
            time.sleep(0.001)
        QApplication.processEvents()  # the table's first paint
        opened = time.perf_counter()
        for column, order in (
            (valid, Qt.SortOrder.AscendingOrder),
            (1, Qt.SortOrder.DescendingOrder),
        ):
            table.sortByColumn(column, order)
            QApplication.processEvents()
        sorted_at = time.perf_counter()
        opens.append(1000 * (opened - start))
        sorts.append(1000 * (sorted_at - opened) / 2)
    shown = window.runs_page.model.rowCount()
    print(
        f"Runs page, {window.runs_page.model.total():,} runs stored ({shown:,} on this data set): "
        f"open {statistics.median(opens):.0f} ms (median of {repeats}; "
        f"{min(opens):.0f}-{max(opens):.0f}), sort {statistics.median(sorts):.1f} ms; "
        f"open + sort {statistics.median(o + s for o, s in zip(opens, sorts, strict=True)):.0f} ms",
        flush=True,
    )
    return {
        "open_ms": statistics.median(opens),
        "sort_ms": statistics.median(sorts),
        "open_and_sort_ms": statistics.median(o + s for o, s in zip(opens, sorts, strict=True)),
        "open_ms_max": max(opens),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1000, help="runs stored for the page test")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    instrument()
    path = Path(demo_ratings_path())
    ratings = load_ratings(path)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.set_ratings(ratings, summarize(ratings), path)
    wait_for_all()
    fill_store(window.runs.store.path, args.runs, dataset.describe_dataset(ratings))
    page_figures = runs_page(window, args.repeats)
    config = TrainConfig(device="cpu", epochs=args.epochs)
    record_figures = recording(window, ratings, config, args)
    window.close()
    print(json.dumps({"epochs": args.epochs, "load_average_1min": os.getloadavg()[0],
                      "runs_page": page_figures, "recording": record_figures}))  # fmt: skip
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
