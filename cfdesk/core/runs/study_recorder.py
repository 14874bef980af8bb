"""The run store's side of Tune (events.TrialRecorder): a study row, and every trial a run under it.

    recorder = StudyRecorder(writer, describe_dataset(ratings), source="cli")
    Tuner(ratings, settings, base, test, recorder=recorder)

Each call only queues writes on the RunWriter's thread (the study's id is known there once its
row is written, before any trial's), so the search never waits for the disk.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path

from cfdesk.core.runs.dataset import DatasetInfo
from cfdesk.core.runs.events import TrialOutcome, TuneResult, TuneStarted
from cfdesk.core.runs.recorder import RunHandle, RunRecorder
from cfdesk.core.runs.store import RunStore
from cfdesk.core.runs.writer import RunWriter

# How a trial's end reads as a run status.
TRIAL_STATUS = {"complete": "finished", "pruned": "pruned", "stopped": "stopped"}


class StudyRecorder:
    """Records one Tune search; trials become runs with `source` and their trial number."""

    def __init__(
        self,
        writer: RunWriter,
        dataset: DatasetInfo,
        source: str = "tune",
        test_path: str | Path | None = None,
    ) -> None:
        self.study = RunHandle()  # the study's id, once its row is written
        self.trials: dict[int, RunHandle] = {}  # trial number -> its run
        self._writer, self._dataset, self._source = writer, dataset, source
        self._test_path = test_path
        self._best: tuple[float, int] | None = None  # (validation RMSE, trial number)
        self._ended = False
        self.problem = ""  # the first store error of the study ("" while all went well)

    def _problem(self, message: str) -> None:
        """Tell the writer's listener once per study, not once per trial."""
        if not self.problem:
            self.problem = message
            if self._writer.on_problem is not None:
                self._writer.on_problem(message)

    def study_started(self, event: TuneStarted) -> None:
        settings = {**asdict(event.settings), "n_train": event.n_train, "n_valid": event.n_valid}
        study, dataset = self.study, self._dataset

        def create(store: RunStore) -> None:
            try:
                study._settle(store.create_study(event.study, settings, dataset))
            except BaseException:
                study._settle(None)
                raise

        self._writer.submit(create, self._problem)

    def trial_finished(self, outcome: TrialOutcome) -> None:
        recorder = RunRecorder(
            self._writer, self._dataset, outcome.config, self._source, self._test_path,
            study=self.study, trial=outcome.number, on_problem=self._problem,
            started_ago=outcome.seconds,
        )  # fmt: skip
        for report in outcome.reports:
            recorder.note(report)
        if outcome.fitted is None or outcome.state == "failed":
            recorder.fail(outcome.error or "the trial failed")
        else:
            recorder.finish(outcome.fitted, TRIAL_STATUS.get(outcome.state, "finished"))
        self.trials[outcome.number] = recorder.handle
        complete = outcome.state == "complete" and math.isfinite(outcome.valid_rmse)
        if complete and (self._best is None or outcome.valid_rmse < self._best[0]):
            self._best = (outcome.valid_rmse, outcome.number)

    def study_finished(self, result: TuneResult) -> None:
        self._end("stopped" if result.stopped else "finished", result.summary())

    def study_failed(self, exc: BaseException) -> None:
        """The search ended with an error, or Ctrl+C (not in Tune's protocol: callers call it)."""
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        self._end(status, {"error": str(exc) or type(exc).__name__})

    def _end(self, status: str, summary: dict) -> None:
        if self._ended:
            return
        self._ended = True
        study = self.study
        best = self.trials.get(self._best[1]) if self._best is not None else None

        def finish(store: RunStore) -> None:
            if study.id is not None:
                best_id = best.id if best is not None else None
                store.finish_study(study.id, status, best_id, summary)

        self._writer.submit(finish, self._problem)
