"""Tune's progress on stderr: one line per trial (redrawn within a trial on a terminal)."""

from __future__ import annotations

import math
import sys
from typing import TextIO

from cfdesk.core.runs.events import TrialOutcome, TuneStage, TuneStarted
from cfdesk.core.runs.search_space import describe
from cfdesk.core.runs.trial import TrialEpoch


def _num(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4f}"


class TuneProgress:
    """Prints Tune's events; `update` takes each event of `Tuner.events()`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()

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

    def _line(self, text: str, final: bool) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()
