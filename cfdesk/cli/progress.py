"""Progress on stderr: a one-line bar for training reports (epoch, RMSE, ETA), a line per trial
for Tune."""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

from cfdesk.core.runs.events import TrialOutcome, TuneStage, TuneStarted
from cfdesk.core.runs.search_space import describe
from cfdesk.core.runs.trial import TrialEpoch
from cfdesk.core.training.reports import BatchReport, EpochReport, FitStarted

WIDTH = 24


def _eta(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds}s"


def _num(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4f}"


class StatusLines:
    """Lines on stderr: a terminal redraws the current line, a file or pipe gets final lines."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()

    def _line(self, text: str, final: bool) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()


class ProgressBar(StatusLines):
    """Redraws one line on a terminal; writes one line per epoch when stderr is a file or pipe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
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


class TuneProgress(StatusLines):
    """One line per trial (redrawn within a trial on a terminal); `update` takes each event of
    `Tuner.events()`."""

    def update(self, event: object) -> None:
        """Show one event."""
        if isinstance(event, TuneStarted):
            budget = []
            if event.settings.minutes is not None:
                budget.append(f"{event.settings.minutes:g} min")
            if event.settings.trials is not None:
                budget.append(f"{event.settings.trials} trials")
            self._line(
                f"tuning on {event.n_train:,} ratings, judged on {event.n_valid:,} validation "
                f"ratings; budget {' or '.join(budget)}",
                final=True,
            )
        elif isinstance(event, TrialEpoch) and self.live:
            report = event.report
            self._line(
                f"trial {event.number}: epoch {report.epoch}/{report.epochs} "
                f"valid {_num(report.valid_rmse)}",
                final=False,
            )
        elif isinstance(event, TrialOutcome):
            self._line(
                f"trial {event.number} {event.state}: valid {_num(event.valid_rmse)} "
                f"(best {_num(event.best_valid_rmse)}) {event.seconds:.1f}s "
                f"{describe(event.params)}",
                final=True,
            )
        elif isinstance(event, TuneStage):
            self._line(event.text, final=True)
