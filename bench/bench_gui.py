"""GUI responsiveness while training the demo data on the CPU, beside a plain Trainer loop.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--epochs 15] [--runs 3] \\
        [--profile FILE] [--slow-events MS] [--late-ticks MS]

Prints, per run: the UI event loop's longest stall while training (a 10 ms QTimer probe
measuring lateness; its p99, and the share of ticks that came over a 60 Hz frame, 16 ms) and,
apart, during the results view's work after it; chart updates per second; and training
throughput in the app vs the plain loop (the CLI's), measured alternately in one process so
machine noise hits both alike. The window is shown and painted before run 1 (a user sees it long
before pressing Train); run 1 also opens the Train page from the Data page, as Ctrl+T does.
--profile writes cProfile statistics of the UI thread during the in-app runs and the settling
after them (pstats format) and prints the top 25.
--late-ticks 6 lists, for the probe ticks more than 6 ms late while training (the ones that make
a p99 over 16 ms), which events the UI thread ran while they were overdue and how much of the
lateness no event accounts for (the tracing itself runs Python around every event, so use it to find
causes, not for the figures).
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ.setdefault("CFDESK_SETTINGS_DIR", tempfile.mkdtemp(prefix="cfdesk-bench-"))
# The runs it trains are recorded (as in the app), but not in the user's run store.
os.environ.setdefault(
    "CFDESK_RUNS_DB", str(Path(tempfile.mkdtemp(prefix="cfdesk-bench-")) / "runs.sqlite")
)

from cfdesk.entry import configure_openmp

configure_openmp()  # as the app and the CLI do, before torch loads OpenMP

from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.demo import demo_ratings_path
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.data.summary import summarize
from cfdesk.core.training.trainer import EpochReport, Trainer
from cfdesk.qt.main_window import MainWindow
from cfdesk.qt.worker import wait_for_all

PROBE_MS = 10
FRAME_MS = 16  # one frame at 60 Hz: a p99 stall of at most this is the target
SETTLE_MS = 1500  # the results view's work after a run, kept out of the next run's figures


def run_event_loop(ms: int) -> None:
    """Let the UI thread handle whatever comes (paints, queued results) for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def plain_loop(ratings, config: TrainConfig) -> dict:
    """What `cfdesk train` does: iterate the reports, nothing else."""
    train, valid, _ = prepare_split(ratings, config)
    trainer = Trainer(train, valid, config)
    start = time.perf_counter()
    epochs = [r for r in trainer.reports() if isinstance(r, EpochReport)]
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "ratings_per_s": len(train) * len(epochs) / sum(e.seconds for e in epochs),
    }


class TracingApplication(QApplication):
    """Records every event the UI thread spends more than `threshold_ms` on (--slow-events):
    what it was and which object got it, e.g. a paint of a chart or a queued slot. With
    `outermost` on (--late-ticks) it also keeps every outermost event's start and end, so a late
    probe tick can be matched with what the UI thread was doing meanwhile."""

    threshold_ms = 5.0
    slow: list[tuple[float, float, str]] = []  # wall ms, UI-thread CPU ms, what
    outermost: list[tuple[float, float, float, str]] | None = None  # start, end (s), CPU ms, what
    _depth = 0

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        what = f"{event.type().name} -> {type(receiver).__name__} {receiver.objectName()}"
        start, cpu = time.perf_counter(), time.thread_time()
        TracingApplication._depth += 1
        try:
            return super().notify(receiver, event)
        finally:
            TracingApplication._depth -= 1
            end = time.perf_counter()
            cpu_ms = (time.thread_time() - cpu) * 1000
            if (end - start) * 1000 > self.threshold_ms:
                self.slow.append(((end - start) * 1000, cpu_ms, what.strip()))
            if self.outermost is not None and self._depth == 0:
                self.outermost.append((start, end, cpu_ms, what.strip()))


def late_tick_report(ticks: list[float], events: list, late_ms: float) -> str:
    """For the ticks that came over `late_ms` late: which events ran between the moment each
    was due and the moment it fired, and how much of that lateness no event accounts for (the
    UI thread waiting for the interpreter lock or a core, or the event loop's own work)."""
    late = [
        (before + PROBE_MS / 1000, after)  # due, fired
        for before, after in zip(ticks, ticks[1:], strict=False)
        if (after - before) * 1000 - PROBE_MS > late_ms
    ]
    kinds: dict[str, list[float]] = {}
    lateness = unexplained = 0.0
    for due, fired in late:
        covered = 0.0
        for start, end, cpu_ms, what in events:
            overlap = min(end, fired) - max(start, due)
            if overlap > 0:
                covered += overlap
                row = kinds.setdefault(
                    what.split(" -> ")[0] + " -> " + what.split(" ")[2], [0, 0, 0]
                )
                row[0] += 1
                row[1] += overlap * 1000
                row[2] += cpu_ms
        lateness += fired - due
        unexplained += max(0.0, (fired - due) - covered)
    n = max(len(late), 1)
    lines = [
        f"late ticks (over {late_ms:g} ms late): {len(late)} of {len(ticks) - 1} "
        f"({100 * len(late) / max(len(ticks) - 1, 1):.1f} %), {1000 * lateness / n:.1f} ms late "
        f"on average, {1000 * unexplained / n:.1f} ms of it outside any event"
    ]
    for what, (count, wall, cpu) in sorted(kinds.items(), key=lambda kv: -kv[1][1])[:12]:
        lines.append(f"  {what:48s} {count:5d} events, {wall / n:6.2f} ms of the lateness "
                     f"per late tick, {cpu / max(count, 1):5.2f} ms CPU each")  # fmt: skip
    return "\n".join(lines)


class Probe(QObject):
    """Counts chart updates and measures how late a 10 ms timer fires (the UI's stalls)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.updates = 0
        self._last_update = 0.0
        self.lateness: list[float] = []
        self.ticks: list[float] = []  # perf_counter of every tick (--late-ticks)
        self.epoch_seconds: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)
        runner = window.training.runner
        runner.batchesReady.connect(self._on_update)
        runner.epochCompleted.connect(self._on_epoch)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _tick(self) -> None:
        elapsed = self._clock.nsecsElapsed() / 1e6
        self._clock.restart()
        self.lateness.append(max(0.0, elapsed - PROBE_MS))
        self.ticks.append(time.perf_counter())

    def _count_redraw(self) -> None:
        """Signals handled in the same flush share one redraw."""
        now = time.perf_counter()
        if now - self._last_update > 0.005:
            self.updates += 1
        self._last_update = now

    @Slot(object)
    def _on_update(self, _reports) -> None:
        self._count_redraw()

    @Slot(object)
    def _on_epoch(self, report) -> None:
        self._count_redraw()
        self.epoch_seconds.append(report.seconds)


def in_app(
    window: MainWindow, config: TrainConfig, n_train: int, late_ms: float | None = None
) -> dict:
    """Train through the window's own controls and watch the event loop meanwhile."""
    window.form.set_config(config)
    probe = Probe(window)
    if late_ms is not None:
        TracingApplication.outermost = []
    loop = QEventLoop()
    window.training.runner.runningChanged.connect(loop.quit)  # fires at start; re-enter below
    probe.start()
    start, cpu_start = time.perf_counter(), time.thread_time()
    window.training.start()
    while window.training.is_running():
        loop.exec()
    seconds = time.perf_counter() - start
    ui_cpu = time.thread_time() - cpu_start
    window.training.runner.runningChanged.disconnect(loop.quit)
    lateness, probe.lateness = sorted(probe.lateness), []
    late_ticks = ""
    if late_ms is not None:
        events = TracingApplication.outermost or []
        late_ticks = late_tick_report(probe.ticks, events, late_ms) + (
            f"\nevents account for {sum(e[2] for e in events):.0f} ms of the UI thread's "
            f"{1000 * ui_cpu:.0f} ms CPU while training"
        )
        TracingApplication.outermost = None
    run_event_loop(SETTLE_MS)
    probe.stop()
    return {
        "seconds": seconds,
        "ratings_per_s": n_train * len(probe.epoch_seconds) / sum(probe.epoch_seconds),
        "max_stall_ms": lateness[-1] + PROBE_MS,
        "p99_stall_ms": lateness[int(0.99 * (len(lateness) - 1))] + PROBE_MS,
        "over_frame_percent": 100 * sum(x + PROBE_MS > FRAME_MS for x in lateness) / len(lateness),
        "chart_updates_per_s": probe.updates / seconds,
        "ui_cpu_ms_per_update": 1000 * ui_cpu / max(probe.updates, 1),
        "after_max_stall_ms": max(probe.lateness, default=0.0) + PROBE_MS,
        "late_ticks": late_ticks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # A p99 needs a run of 100+ probe ticks: 5 demo epochs last about 0.6 s (60 ticks), where
    # the p99 is the run's longest stall. 3 runs: the first one also opens the Train page.
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the UI thread into FILE")
    parser.add_argument(
        "--slow-events", type=float, metavar="MS", help="list UI events that took over MS ms"
    )
    parser.add_argument(
        "--late-ticks",
        type=float,
        metavar="MS",
        help="for the probe ticks over MS ms late while training, what the UI thread ran meanwhile",
    )
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.profile else None
    TracingApplication.threshold_ms = args.slow_events or math.inf
    traced = args.slow_events or args.late_ticks is not None
    app = (TracingApplication if traced else QApplication)([])
    path = Path(demo_ratings_path())
    ratings = load_ratings(path)
    config = TrainConfig(device="cpu", epochs=args.epochs)
    train, _, _ = prepare_split(ratings, config)
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    window.set_ratings(ratings, summarize(ratings), path)
    plain_loop(ratings, config.with_changes(epochs=1))  # warm-up: allocator, threads
    wait_for_all()  # the window's own warm-up (torch's lazy imports) has finished
    run_event_loop(SETTLE_MS)  # the window's first paint, which a user sees long before Train
    rows = []
    for run in range(args.runs):
        wait_for_all()  # the results view's work after the previous run must not overlap
        cli = plain_loop(ratings, config)
        if profiler is not None:
            profiler.enable()
        gui = in_app(window, config, len(train), args.late_ticks)
        if profiler is not None:
            profiler.disable()
        rows.append(
            {
                "run": run + 1,
                "cli": cli,
                "gui": gui,
                "throughput_ratio": gui["ratings_per_s"] / cli["ratings_per_s"],
            }
        )
        print(
            f"run {run + 1}: CLI {cli['ratings_per_s']:,.0f} ratings/s, app "
            f"{gui['ratings_per_s']:,.0f} ratings/s (ratio {rows[-1]['throughput_ratio']:.2f}); "
            f"longest UI stall {gui['max_stall_ms']:.0f} ms (p99 {gui['p99_stall_ms']:.0f} ms, "
            f"{gui['over_frame_percent']:.1f} % of ticks over {FRAME_MS} ms); "
            f"{gui['chart_updates_per_s']:.1f} chart updates/s "
            f"({gui['ui_cpu_ms_per_update']:.1f} ms UI-thread CPU each); "
            f"longest stall in the {SETTLE_MS / 1000:g} s after it {gui['after_max_stall_ms']:.0f} ms",
            flush=True,
        )
        if gui["late_ticks"]:
            print(gui["late_ticks"], flush=True)
    window.close()
    summary = {
        "epochs": args.epochs,
        "load_average_1min": os.getloadavg()[0],
        "median_throughput_ratio": statistics.median(r["throughput_ratio"] for r in rows),
        "worst_max_stall_ms": max(r["gui"]["max_stall_ms"] for r in rows),
        "median_p99_stall_ms": statistics.median(r["gui"]["p99_stall_ms"] for r in rows),
        "worst_p99_stall_ms": max(r["gui"]["p99_stall_ms"] for r in rows),
        "median_over_frame_percent": statistics.median(
            r["gui"]["over_frame_percent"] for r in rows
        ),
        "worst_after_run_stall_ms": max(r["gui"]["after_max_stall_ms"] for r in rows),
        "min_chart_updates_per_s": min(r["gui"]["chart_updates_per_s"] for r in rows),
        "median_ui_cpu_ms_per_update": statistics.median(
            r["gui"]["ui_cpu_ms_per_update"] for r in rows
        ),
    }
    print(json.dumps(summary))
    for ms, cpu, what in sorted(TracingApplication.slow, reverse=True)[:40]:
        print(f"{ms:7.1f} ms ({cpu:5.1f} ms CPU)  {what}")
    if profiler is not None:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
