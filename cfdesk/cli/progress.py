"""A one-line progress bar on stderr for training reports (epoch, RMSE, ETA)."""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

from cfdesk.core.training.reports import BatchReport, EpochReport, FitStarted

WIDTH = 24


def _eta(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds}s"


def _num(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4f}"


class ProgressBar:
    """Redraws one line on a terminal; writes one line per epoch when stderr is a file or pipe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._t0 = time.monotonic()
        self._epochs = 1

    def update(self, report: FitStarted | BatchReport | EpochReport) -> None:
        """Show one report."""
        if isinstance(report, FitStarted):
            self._epochs = report.epochs
            self._line(
                f"training {report.model} on {report.device_name}: {report.n_train:,} ratings, "
                f"batch {report.batch_size}, {report.lr_rule}",
                final=True,
            )
            if report.device_note:
                self._line(report.device_note, final=True)
        elif isinstance(report, BatchReport) and self.live:
            self._bar(
                report.fraction, f"epoch {report.epoch}/{self._epochs} loss {report.loss_rmse:.4f}"
            )
        elif isinstance(report, EpochReport):
            text = (
                f"epoch {report.epoch}/{report.epochs} train {_num(report.train_rmse)} "
                f"valid {_num(report.valid_rmse)} {report.seconds:.2f}s"
                + (" *" if report.is_best and not math.isnan(report.valid_rmse) else "")
            )
            self._line(text, final=True)

    def _bar(self, fraction: float, label: str) -> None:
        done = int(WIDTH * fraction)
        elapsed = time.monotonic() - self._t0
        eta = elapsed / fraction * (1 - fraction) if fraction > 0 else 0.0
        self._line(
            f"[{'#' * done}{' ' * (WIDTH - done)}] {fraction:4.0%} {label} ETA {_eta(eta)}",
            final=False,
        )

    def _line(self, text: str, final: bool) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
