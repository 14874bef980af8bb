"""Records one training run from the trainer's reports; the trainer never knows it is watched.

    recorder = RunRecorder(writer, describe_dataset(ratings), config, source="cli")
    fitted = train_recorded(trainer, recorder, on_report=bar.update)   # or, in a generator:
    fitted = yield from recorder.run(trainer)

Every store write goes through the RunWriter's thread, so recording costs the training thread a
queue put per report it keeps (FitStarted and one per epoch). A store that cannot be written is
reported once per run through `on_problem`; training is never interrupted by the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterable
from pathlib import Path

from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.runs.dataset import DatasetInfo
from cfdesk.core.runs.drive import drive
from cfdesk.core.runs.records import EpochRow
from cfdesk.core.runs.store import RunStore
from cfdesk.core.runs.writer import RunWriter
from cfdesk.core.training.reports import BatchReport, EpochReport, FitStarted
from cfdesk.core.training.trainer import Trainer

Report = FitStarted | BatchReport | EpochReport
# How the trainer's outcome reads as a run status: stop() is the user's, early stopping is not.
OUTCOME_STATUS = {"cancelled": "stopped"}


class RunHandle:
    """The stored id of a run being recorded; set on the writer thread once its row exists."""

    def __init__(self) -> None:
        self.id: int | None = None
        self.problem = ""  # the first store error of this run, "" while all went well
        self._known = threading.Event()

    def wait(self, timeout: float | None = None) -> int | None:
        """The id once the start was written (None if it could not be, or not in time)."""
        self._known.wait(timeout)
        return self.id

    def _settle(self, run_id: int | None) -> None:
        self.id = run_id
        self._known.set()


class RunRecorder:
    """Turns one run's reports into store writes; each method returns at once."""

    def __init__(
        self,
        writer: RunWriter,
        dataset: DatasetInfo,
        config: TrainConfig,
        source: str = "app",
        test_path: str | Path | None = None,
        study: int | RunHandle | None = None,
        trial: int | None = None,
        on_problem: Callable[[str], None] | None = None,
        started_ago: float = 0.0,
    ) -> None:
        """`study`: a study's id, or the handle of one whose creation is still queued;
        `started_ago`: seconds since the run began, for a run recorded after the fact."""
        self.handle = RunHandle()
        self._writer = writer
        self._on_problem = on_problem if on_problem is not None else writer.on_problem
        self._ended = False
        self._t0 = time.perf_counter() - started_ago
        created = time.time() - started_ago
        test = str(Path(test_path).resolve()) if test_path else ""
        settings = config.to_dict()
        handle = self.handle

        def start(store: RunStore) -> None:
            study_id = study.id if isinstance(study, RunHandle) else study
            try:
                run_id = store.start_run(
                    dataset, settings, source, test, study_id, trial, created=created
                )
            except BaseException:
                handle._settle(None)
                raise
            handle._settle(run_id)

        if not self._writer.submit(start, self._problem):  # the writer is closed
            handle._settle(None)

    def _problem(self, message: str) -> None:
        """First store error of this run: tell the user once, stay quiet after."""
        if not self.handle.problem:
            self.handle.problem = message
            if self._on_problem is not None:
                self._on_problem(message)

    def _submit(self, job: Callable[[RunStore, int], None]) -> None:
        handle = self.handle

        def apply(store: RunStore) -> None:
            if handle.id is not None:  # the start was written
                job(store, handle.id)

        self._writer.submit(apply, self._problem)

    def note(self, report: Report) -> None:
        """Record what a report tells: the device at the start, then every epoch."""
        if isinstance(report, FitStarted):
            device = report.device
            self._submit(lambda store, run: store.set_device(run, device))
        elif isinstance(report, EpochReport):
            row = EpochRow(
                report.epoch, report.train_rmse, report.valid_rmse, report.valid_mae,
                report.lr, report.seconds,
            )  # fmt: skip
            self._submit(lambda store, run: store.add_epoch(run, row))

    def finish(self, fitted: FittedModel, status: str | None = None) -> None:
        """The run ended with a model: its metrics, and "finished" or "stopped" (or `status`)."""
        metrics = dict(fitted.metrics)
        outcome = str(metrics.get("outcome", "finished"))
        self._end(status or OUTCOME_STATUS.get(outcome, "finished"), metrics)

    def fail(self, exc: BaseException | str) -> None:
        """The run ended with an error; its sentence is kept with the run."""
        if isinstance(exc, BaseException):
            exc = str(exc) if isinstance(exc, CfdeskError) else f"{type(exc).__name__}: {exc}"
        self._end("failed", {}, exc)

    def interrupt(self) -> None:
        """The run was cut short without a model (window closed, Ctrl+C)."""
        self._end("interrupted", {}, "ended before the run did")

    def _end(self, status: str, metrics: dict, error: str = "") -> None:
        if self._ended:
            return
        self._ended = True
        duration = time.perf_counter() - self._t0
        self._submit(lambda store, run: store.finish_run(run, status, metrics, duration, error))

    def add_metrics(self, metrics: dict) -> None:
        """Figures computed after the run (NDCG@10, a test RMSE), merged into its metrics."""
        extra = dict(metrics)
        self._submit(lambda store, run: store.add_metrics(run, extra))

    def set_model_path(self, path: str | Path) -> None:
        """The model was saved (now or later): remember the file with the run."""
        self._submit(lambda store, run: store.set_model_path(run, path))

    def watch(self, reports: Iterable[Report]) -> Generator[Report, None, None]:
        """Yield `reports` on, recording each; an error or an early close ends the run."""
        try:
            for report in reports:
                self.note(report)
                yield report
        except (GeneratorExit, KeyboardInterrupt):
            self.interrupt()
            raise
        except BaseException as exc:
            self.fail(exc)
            raise

    def run(self, trainer: Trainer) -> Generator[Report, None, FittedModel]:
        """Train with `trainer`, yielding its reports; returns its result, recorded."""
        yield from self.watch(trainer.reports())
        try:
            fitted = trainer.result()
        except BaseException as exc:
            self.fail(exc)
            raise
        self.finish(fitted)
        return fitted


def train_recorded(
    trainer: Trainer, recorder: RunRecorder, on_report: Callable[[Report], None] | None = None
) -> FittedModel:
    """Train to the end, recorded, handing each report to `on_report` (the CLI's progress bar);
    an exception there (Ctrl+C) ends the run as interrupted."""
    return drive(recorder.run(trainer), on_report)
