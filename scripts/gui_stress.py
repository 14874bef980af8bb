"""Stress the desktop app: quick start/stop cycles and closing the window at random moments.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/gui_stress.py [--cycles 50] [--closes 20]

Prints cycles, closes, crashes, orphan threads, Qt warnings and RSS drift (process memory after
the last start/stop cycle minus after the first); exits 1 when any check fails. The test suite runs
a quick profile of the same code (tests/qt/test_stress.py). Settings and logs go to a temporary
folder; nothing of the user's is touched.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
import psutil
from PySide6.QtCore import QMessageLogContext, QThread, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

PHASES = ("loading", "training", "exporting")
IGNORED = ("propagateSizeHints",)  # the offscreen platform's remark when a window is shown
MB = 1024 * 1024


@dataclass
class StressReport:
    """What one stress run found; `ok` is what the test and the exit status check."""

    cycles: int = 0
    closes: int = 0
    crashes: list[str] = field(default_factory=list)
    orphan_threads: list[str] = field(default_factory=list)
    qt_warnings: list[str] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)  # after each start/stop cycle
    seconds: float = 0.0

    @property
    def rss_drift_mb(self) -> float:
        return self.rss_mb[-1] - self.rss_mb[0] if self.rss_mb else 0.0

    @property
    def ok(self) -> bool:
        return not (self.crashes or self.orphan_threads or self.qt_warnings)

    def lines(self) -> list[str]:
        rss = self.rss_mb or [0.0]
        return [
            f"cycles:         {self.cycles}",
            f"closes:         {self.closes}",
            f"crashes:        {len(self.crashes)}",
            f"orphan threads: {len(self.orphan_threads)}",
            f"Qt warnings:    {len(self.qt_warnings)}",
            f"RSS after first cycle {rss[0]:.0f} MB, median {float(np.median(rss)):.0f} MB, "
            f"max {max(rss):.0f} MB, after last {rss[-1]:.0f} MB: drift {self.rss_drift_mb:+.1f} MB",
            "RSS by cycle:   "
            + ", ".join(f"{i}: {rss[i - 1]:.0f} MB" for i in (1, *range(10, len(rss) + 1, 10))),
            f"time:           {self.seconds:.1f} s",
            *[f"  crash: {c}" for c in self.crashes],
            *[f"  orphan: {t}" for t in self.orphan_threads],
            *[f"  warning: {w}" for w in self.qt_warnings],
        ]


def write_ratings_csv(folder: Path, n_users: int, n_items: int, n_ratings: int, seed: int) -> Path:
    """A synthetic low-rank ratings file, big enough that loading and training take a moment."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, n_users, n_ratings)
    items = rng.integers(0, n_items, n_ratings)
    truth = rng.normal(size=(n_users, 3)) @ rng.normal(size=(3, n_items))
    ratings = np.clip(np.round(3 + truth[users, items] + rng.normal(0, 0.5, n_ratings)), 1, 5)
    path = folder / "stress.csv"
    lines = ["user_id,item_id,rating"] + [
        f"{u},{i},{r:g}" for u, i, r in zip(users, items, ratings, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def pump_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run the event loop until `condition()` holds (the app's own signals drive it)."""
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the app did not reach the expected state in time")
        QApplication.processEvents()
        time.sleep(0.002)


def pump(seconds: float) -> None:
    end = time.perf_counter() + seconds
    pump_until(lambda: time.perf_counter() >= end, timeout=seconds + 60)


class Watch:
    """Collects Qt warnings (a message handler) and every error the app would show."""

    def __init__(self, report: StressReport) -> None:
        self.report = report

    def __enter__(self) -> Watch:
        from cfdesk.qt import crash_dialog, dialogs

        self._previous = qInstallMessageHandler(self._on_message)
        self._patched = [
            (dialogs, "show_error", dialogs.show_error),
            (crash_dialog, "show_crash", crash_dialog.show_crash),
        ]
        dialogs.show_error = lambda parent, exc, title="cfdesk": self._on_error(exc)
        crash_dialog.show_crash = lambda exc, parent=None: self._on_error(exc)
        self._hook = sys.excepthook
        sys.excepthook = lambda kind, exc, tb: self._on_error(exc)
        self._thread_hook = threading.excepthook
        threading.excepthook = lambda args: self._on_error(args.exc_value)
        return self

    def __exit__(self, *exc: object) -> None:
        qInstallMessageHandler(self._previous)
        for module, name, original in self._patched:
            setattr(module, name, original)
        sys.excepthook, threading.excepthook = self._hook, self._thread_hook

    def _on_message(self, kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
        quiet = kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg)
        if not quiet and not any(part in text for part in IGNORED):
            self.report.qt_warnings.append(text)
        if self._previous is not None:
            self._previous(kind, context, text)

    def _on_error(self, exc: BaseException | None) -> None:
        self.report.crashes.append(f"{type(exc).__name__}: {exc}")


def live_threads() -> list[str]:
    """Python threads and running QThreads (dummy entries stand for Qt threads counted here)."""
    names = [
        t.name
        for t in threading.enumerate()
        if t is not threading.main_thread() and not isinstance(t, threading._DummyThread)
    ]
    gc.collect()
    # type() rather than isinstance(): some of torch's lazy objects warn when asked for __class__.
    running = [o for o in gc.get_objects() if type(o) is QThread and o.isRunning()]
    return names + [f"QThread {t.objectName() or '?'}" for t in running]


def native_threads() -> int:
    """Every OS thread of the process (torch's pools, Qt's own), for a before/after count."""
    return psutil.Process().num_threads()


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / MB


def new_window():
    from cfdesk.qt.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 820)
    window.show()
    return window


def load(window, path: Path, wait: bool = True) -> None:
    """Load without the import dialog (the detected columns are right for this file)."""
    from cfdesk.core.data.loader import sniff
    from cfdesk.qt.import_dialog import ImportChoices

    window.files.load_data(ImportChoices(path, sniff(path).roles, False))
    if wait:
        pump_until(lambda: window.ratings is not None and not window.files.is_busy())


def small_config(window, epochs: int) -> None:
    config = window.form.config().with_changes(
        n_factors=16, batch_size=256, accum_steps=1, epochs=epochs, device="cpu", patience=0
    )
    window.form.set_config(config)


def start_stop_cycles(window, n: int, rng: random.Random, report: StressReport) -> None:
    """Start training, stop it after a random moment, wait until it has ended; n times."""
    small_config(window, epochs=1000)
    for _ in range(n):
        window.training.start()
        pump(rng.uniform(0.0, 0.15))
        window.training.stop()
        pump_until(lambda: not window.training.is_running())
        report.cycles += 1
        report.rss_mb.append(rss_mb())
    pump_until(lambda: not window.results.is_busy())


def close_at_random(path: Path, fitted, phase: str, rng: random.Random, out: Path) -> None:
    """Open a window, start `phase`, close the window at a random moment, check it let go."""
    window = new_window()
    if phase == "loading":
        load(window, path, wait=False)
    else:
        load(window, path)
    if phase == "training":
        small_config(window, epochs=1000)
        window.training.start()
    elif phase == "exporting":
        window.set_model(fitted, "stress model")
        pump_until(lambda: window.results.context is not None)
        dialog = window.results.open_export_dialog()
        dialog.path.setText(str(out / "recommendations.csv"))
        dialog.all_users.setChecked(True)
        dialog.start()
    pump(rng.uniform(0.0, 0.3))
    window.close()
    window.deleteLater()
    pump(0.05)


def run_profile(
    cycles: int, closes: int, seed: int = 0, size: tuple[int, int, int] = (600, 400, 30_000)
) -> StressReport:
    """The whole stress run in the current QApplication; returns what it found."""
    from cfdesk.qt.worker import _LIVE

    report = StressReport()
    rng = random.Random(seed)
    before = set(live_threads())
    began = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="cfdesk-stress-"))
    path = write_ratings_csv(folder, *size, seed=seed)
    with Watch(report):
        window = new_window()
        load(window, path)
        start_stop_cycles(window, 1, rng, report)  # torch's thread pools exist from here on
        native = native_threads()
        start_stop_cycles(window, cycles - 1, rng, report)
        fitted = window.fitted
        window.close()
        window.deleteLater()
        for i in range(closes):
            close_at_random(path, fitted, PHASES[i % len(PHASES)], rng, folder)
            report.closes += 1
        pump(0.2)
        report.orphan_threads = [t for t in live_threads() if t not in before]
        report.orphan_threads += [f"worker {w._thread.objectName()}" for w in _LIVE]
        extra = native_threads() - native
        report.orphan_threads += [f"{extra} more OS threads than after the first cycle"] * (
            extra > 0
        )
        leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
        report.crashes += [f"temporary file left behind: {name}" for name in leftovers]
    report.seconds = time.perf_counter() - began
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--closes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    scratch = tempfile.mkdtemp(prefix="cfdesk-stress-home-")
    os.environ["CFDESK_SETTINGS_DIR"] = scratch
    os.environ["CFDESK_LOG_DIR"] = scratch
    app = QApplication.instance() or QApplication(["cfdesk-stress"])
    app.setApplicationName("cfdesk")
    report = run_profile(args.cycles, args.closes, args.seed, size=(2_000, 1_500, 200_000))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
