"""Latencies a user waits for, once timed inside tests (time belongs in benchmarks, not tests).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_latency.py [--runs 5]

Prints the median and range over `--runs` of: generating the demo data (target ≤ 1 s: the first
*Try the demo data*), folding in a new user from 30 ratings on the demo model (target ≤ 0.5 s:
each star click on the New user page), and closing the window while a load runs that reaches a
progress point every 50 ms (target ≤ 2 s until close() returns).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
for _name in ("CFDESK_SETTINGS_DIR", "CFDESK_LOG_DIR", "CFDESK_DATA_DIR"):
    os.environ.setdefault(_name, tempfile.mkdtemp(prefix="cfdesk-bench-"))


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def demo_generation(runs: int) -> list[float]:
    from cfdesk.core.data.demo import generate_demo

    return [timed(lambda seed=seed: generate_demo(seed=seed)) for seed in range(runs)]


def fold_in_30(runs: int) -> list[float]:
    from cfdesk.core.config import TrainConfig
    from cfdesk.core.data.demo import demo_ratings_path
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.results.foldin import fold_in
    from cfdesk.core.training.trainer import fit

    fitted = fit(load_ratings(demo_ratings_path()), TrainConfig(epochs=1, device="cpu", seed=1))
    rng = np.random.default_rng(0)
    times = []
    for _ in range(runs):
        items = rng.choice(fitted.n_items, size=30, replace=False)
        pairs = list(zip(fitted.items.ids[items], rng.integers(1, 6, 30), strict=True))
        times.append(timed(lambda pairs=pairs: fold_in(fitted, pairs)))
    return times


def close_mid_load(runs: int) -> list[float]:
    from PySide6.QtWidgets import QApplication

    from cfdesk.core.data.demo import demo_ratings_path
    from cfdesk.core.data.loader import sniff
    from cfdesk.qt import file_control
    from cfdesk.qt.import_dialog import ImportChoices
    from cfdesk.qt.main_window import MainWindow

    app = QApplication.instance() or QApplication(["cfdesk-bench"])
    reached: list[float] = []

    def slow_load(path, progress=None, **options):
        """A long parse that reaches a progress point every 50 ms until it is cancelled."""
        began = time.perf_counter()
        while (elapsed := time.perf_counter() - began) < 30:
            reached.append(elapsed)
            progress(elapsed / 30)  # raises Cancelled once the window closes
            time.sleep(0.05)
        raise RuntimeError("the load was not cancelled within 30 s")

    file_control.load_with_summary = slow_load
    path = demo_ratings_path()
    times = []
    for _ in range(runs):
        window = MainWindow()
        window.show()
        reached.clear()
        window.files.load_data(ImportChoices(path, sniff(path).roles, False))
        while len(reached) < 3:
            app.processEvents()
            time.sleep(0.005)
        times.append(timed(window.close))
        window.deleteLater()
        app.processEvents()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, measure, target in (
        ("demo data generated", demo_generation, 1.0),
        ("new user folded in (30 ratings)", fold_in_30, 0.5),
        ("window closed mid-load", close_mid_load, 2.0),
    ):
        times = measure(args.runs)
        print(
            f"{name}: median {statistics.median(times):.3f} s "
            f"(range {min(times):.3f}–{max(times):.3f} s over {len(times)}; target ≤ {target} s)"
        )


if __name__ == "__main__":
    main()
