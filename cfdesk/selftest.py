"""`cfdesk --self-test`: prove an installation or a bundle works end to end, with no display needed.

Demo data -> loader -> one training epoch -> recommendations CSV -> the main window built offscreen
(that last check comes from `cfdesk.qt.selfcheck`, handed in by `cfdesk.entry`),
all inside a temporary folder, so a build pipeline can check a bundle by its exit code.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

Step = Callable[[dict], None]


@dataclass
class SelfTestResult:
    """Outcome, the one-line summary, and figures for --json."""

    ok: bool
    line: str
    figures: dict = field(default_factory=dict)


def _demo(ctx: dict) -> None:
    from cfdesk.core.data.demo import write_demo

    ctx["csv"] = write_demo(ctx["dir"] / "demo")


def _load(ctx: dict) -> None:
    from cfdesk.core.data.loader import load_ratings

    ratings = load_ratings(ctx["csv"])
    ctx["ratings"] = ratings
    ctx["figures"].update(users=ratings.n_users, items=ratings.n_items, ratings=ratings.n_ratings)


def _train(ctx: dict) -> None:
    from cfdesk.core.config import TrainConfig
    from cfdesk.core.training.trainer import fit

    fitted = fit(ctx["ratings"], TrainConfig(epochs=1))
    ctx["fitted"] = fitted
    ctx["figures"].update(device=fitted.metrics["device"], valid_rmse=fitted.metrics["valid_rmse"])


def _export(ctx: dict) -> None:
    from cfdesk.core.errors import CfdeskError
    from cfdesk.core.results.recommend import Recommender
    from cfdesk.core.storage.export import export_recommendations

    path = ctx["dir"] / "recommendations.csv"
    summary = export_recommendations(Recommender(ctx["fitted"]), path, n=10)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    users = {row["user_id"] for row in rows}
    if not rows or len(rows) != summary.rows or len(users) != ctx["fitted"].n_users:
        raise CfdeskError(
            f"{path} has {len(rows)} rows for {len(users)} users; expected {summary.rows} rows "
            f"for {ctx['fitted'].n_users} users"
        )
    ctx["figures"].update(recommendations=len(rows))


STEPS: tuple[tuple[str, Step], ...] = (
    ("demo data", _demo),
    ("load", _load),
    ("train", _train),
    ("export", _export),
)


def _summary(figures: dict, seconds: float) -> str:
    f = figures
    window = f"main window built offscreen (Qt {f['qt']})" if "qt" in f else "no window checked"
    return (
        f"cfdesk self-test ok: {f['users']:,} users × {f['items']:,} items × {f['ratings']:,} "
        f"ratings; 1 epoch on {f['device']} (validation RMSE {f['valid_rmse']:.3f}); "
        f"{f['recommendations']:,} recommendations written; {window}; {seconds:.1f} s"
    )


@contextlib.contextmanager
def _isolated(folder: str) -> Iterator[None]:
    """Offscreen Qt, settings and data in `folder`: never a window or a write to the user's files."""
    wanted = {
        "QT_QPA_PLATFORM": "offscreen",
        "CFDESK_SETTINGS_DIR": folder,
        "CFDESK_DATA_DIR": folder,
        "CFDESK_RUNS_DB": os.path.join(folder, "runs.sqlite"),  # the window opens its run store
    }
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_self_test(window_check: Step | None = None) -> SelfTestResult:
    """Run every step in a temporary folder (the GUI's `window_check` last, when given); stop at
    the first failure and name its step."""
    start = time.perf_counter()
    steps = (*STEPS, ("gui", window_check)) if window_check else STEPS
    with tempfile.TemporaryDirectory(prefix="cfdesk-selftest-") as tmp, _isolated(tmp):
        ctx: dict = {"dir": Path(tmp), "figures": {}}
        for name, step in steps:
            try:
                step(ctx)
            except Exception as exc:  # reported with its traceback: the point of a self-test
                detail = "".join(traceback.format_exception(exc))
                line = f"cfdesk self-test FAILED at step '{name}': {type(exc).__name__}: {exc}"
                return SelfTestResult(False, line, {**ctx["figures"], "traceback": detail})
    seconds = time.perf_counter() - start
    figures = {**ctx["figures"], "seconds": round(seconds, 2)}
    return SelfTestResult(True, _summary(figures, seconds), figures)
