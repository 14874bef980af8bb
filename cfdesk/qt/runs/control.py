"""The window's run store: records every training without the UI thread and feeds the Runs page.

Writes go through a RunWriter thread (the training thread only queues them); the table is read
on a background task. A store that cannot be used costs a status-bar sentence, never a run.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.runs.dataset import DatasetInfo, describe_dataset
from cfdesk.core.runs.export import write_runs_csv
from cfdesk.core.runs.recorder import RunRecorder
from cfdesk.core.runs.records import RunRecord
from cfdesk.core.runs.store import RunStore
from cfdesk.core.runs.study_recorder import StudyRecorder
from cfdesk.core.runs.writer import RunWriter
from cfdesk.qt import dialogs
from cfdesk.qt.runs.table_model import RunRow, make_rows
from cfdesk.qt.tasks import BackgroundTask

log = logging.getLogger("cfdesk")
FLUSH_SECONDS = 3.0  # a reload waits this long for queued writes (a locked store: 2 s each)


def load_runs(
    store: RunStore, writer: RunWriter, describe: Callable[[], DatasetInfo | None]
) -> tuple[list[RunRow], DatasetInfo | None]:
    """Worker-thread job: apply queued writes, read every run (no epochs), prepare the rows."""
    writer.flush(FLUSH_SECONDS)
    return make_rows(store.list_runs()), describe()


def load_curves(store: RunStore, runs: list[RunRecord]) -> list[RunRecord]:
    """Worker-thread job: the runs with their epochs; a run deleted meanwhile stays as it was."""
    found = {r.id: r for r in store.get_runs([r.id for r in runs], missing_ok=True)}
    return [found.get(r.id, r) for r in runs]


def delete_runs(store: RunStore, writer: RunWriter, run_ids: list[int]) -> int:
    """Worker-thread job: delete after the queued writes, so a just-finished run can go too."""
    writer.flush(FLUSH_SECONDS)
    return store.delete_runs(run_ids)


class RunsControl(QObject):
    """Owns the store and its writer; the Runs page and the training runner are wired here.

    `problem(sentence)` may be emitted on the writer thread; it arrives queued on the UI thread.
    """

    problem = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.page = window.runs_page
        self.store = RunStore.default()
        self.writer = RunWriter(self.store, on_problem=self.problem.emit)
        self.loader = BackgroundTask(self)
        self.editor = BackgroundTask(self)  # deletes and exports
        self.curves = BackgroundTask(self)  # the compared runs' epochs
        self._curves: dict[int, RunRecord] = {}  # run id -> record with epochs, while unchanged
        self._wanted: list[RunRecord] = []  # the runs whose curves the page waits for
        self._described: tuple[weakref.ref, DatasetInfo] | None = None  # never keeps old data
        self._recorder: RunRecorder | None = None  # the latest run's (set on the worker thread)
        self._recorders: weakref.WeakKeyDictionary[FittedModel, RunRecorder] = (
            weakref.WeakKeyDictionary()
        )
        self._stale = True  # the page's rows no longer match the store
        runner = window.training.runner
        runner.recording = self._recorder_for
        runner.trainingFinished.connect(self._on_trained)
        runner.runningChanged.connect(self._on_running)
        tune = window.training.tune.runner
        tune.recording = self._study_recorder_for
        tune.tuneFailed.connect(self._on_tune_failed)
        tune.runningChanged.connect(self._on_running)
        self._study: StudyRecorder | None = None  # the latest search's (set on its thread)
        window.files.model_files.succeeded.connect(self._on_model_file)
        window.files.loader.succeeded.connect(self._on_data_loaded)
        window.actions.runs.triggered.connect(self.show)
        window.pages.currentChanged.connect(self._on_page_changed)
        self.problem.connect(self._on_problem)
        # Open the store now, off the UI thread: runs a closed cfdesk left running are marked
        # interrupted, and a damaged file is reported before anyone trains.
        self.writer.submit(RunStore.count_runs)
        self.loader.succeeded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.busyChanged.connect(self._on_loader_busy)
        self.editor.succeeded.connect(self._on_edited)
        self.editor.failed.connect(self._on_edit_failed)
        self.page.trainRequested.connect(self.use_settings)
        self.page.deleteRequested.connect(self.confirm_delete)
        self.page.exportRequested.connect(self.choose_export_path)
        self.page.curvesWanted.connect(self._on_curves_wanted)
        self.curves.succeeded.connect(self._on_curves)
        self.curves.busyChanged.connect(self._on_curves_busy)
        settings = window.settings
        self.page.restore_view(settings.runs_view(), settings.runs_header())
        sizes = [settings.splitter_sizes(n) for n in ("runs", "runs_lower")]
        for splitter, saved in zip((self.page.splitter, self.page.lower), sizes, strict=True):
            if len(saved) == splitter.count() and sum(saved) > 0:
                splitter.setSizes(saved)

    # ---- recording ----------------------------------------------------------------------------
    def _describe(self, ratings: Ratings) -> DatasetInfo:
        """Worker threads: the data set's fingerprint, read once per data set opened."""
        described = self._described
        if described is None or described[0]() is not ratings:
            described = self._described = (weakref.ref(ratings), describe_dataset(ratings))
        return described[1]

    def _recorder_for(self, ratings: Ratings, config: TrainConfig) -> RunRecorder | None:
        """Called on the training worker thread: fingerprint the data and start the record."""
        self._recorder = self._unless_failing(
            lambda: RunRecorder(self.writer, self._describe(ratings), config, source="app")
        )
        return self._recorder

    def _study_recorder_for(self, ratings: Ratings) -> StudyRecorder | None:
        """Called on the search's worker thread: its study, and every trial a run under it."""
        self._study = self._unless_failing(
            lambda: StudyRecorder(self.writer, self._describe(ratings), source="app")
        )
        return self._study

    def _unless_failing(self, make: Callable[[], object]) -> object:
        """Whatever goes wrong starting a record costs the record, never the training: None."""
        try:
            return make()
        except Exception as exc:  # an unreadable file, a bug: train anyway
            log.exception("run store: could not start recording")
            self.problem.emit(dialogs.error_text(exc))
            return None

    @Slot(object)
    def _on_tune_failed(self, exc: BaseException) -> None:
        if self._study is not None:
            self._study.study_failed(exc)

    @Slot(object, bool)
    def _on_trained(self, fitted: FittedModel, _stopped: bool) -> None:
        if self._recorder is not None:
            self._recorders[fitted] = self._recorder

    @Slot(object)
    def _on_model_file(self, value: object) -> None:
        """A save finished: the current model's run remembers the file (FileControl ran first)."""
        window = self._window
        recorder = self._recorders.get(window.fitted) if window.fitted is not None else None
        if isinstance(value, Path) and recorder is not None and not window.unsaved:
            recorder.set_model_path(value)
            self._stale = True

    @Slot(str)
    def _on_problem(self, sentence: str) -> None:
        log.warning("run store: %s", sentence)
        self._window.statusBar().showMessage(f"Runs are not recorded: {sentence}", 15_000)

    # ---- the page -----------------------------------------------------------------------------
    @Slot()
    def show(self) -> None:
        """Train → Runs (Ctrl+R): the page, read again from the store."""
        self._stale = True
        if self.is_visible():
            self.reload()
        else:
            self._window.show_page("Runs")  # the page change reloads

    def is_visible(self) -> bool:
        return self._window.pages.currentWidget() is self.page

    def reload(self) -> None:
        """Read the store in the background; a request during a read reads again after it."""
        self._stale = False
        if self.loader.is_busy():
            self._stale = True
            return
        ratings = self._window.ratings
        describe = (lambda: self._describe(ratings)) if ratings is not None else (lambda: None)
        self.loader.run(load_runs, self.store, self.writer, describe)

    @Slot(int)
    def _on_page_changed(self, _index: int) -> None:
        if self.is_visible() and self._stale:
            self.reload()

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.page.set_training(running)
        self._stale = True
        if self.is_visible():
            self.reload()

    @Slot(object)
    def _on_data_loaded(self, _loaded: object) -> None:
        self._stale = True

    @Slot(object)
    def _on_loaded(self, loaded: tuple[list[RunRow], DatasetInfo | None]) -> None:
        rows, dataset = loaded
        fingerprint = dataset.fingerprint if dataset is not None else None
        self.page.set_rows(rows, fingerprint, dataset.name if dataset is not None else "")

    @Slot(object)
    def _on_load_failed(self, exc: BaseException) -> None:
        self.page.count.setText(dialogs.error_text(exc))
        self._window.statusBar().showMessage(dialogs.error_text(exc), 15_000)

    @Slot(bool)
    def _on_loader_busy(self, busy: bool) -> None:
        if not busy and self._stale and self.is_visible():
            self.reload()

    @Slot(object)
    def _on_curves_wanted(self, runs: list[RunRecord]) -> None:
        """Curves come from the cache while a run is unchanged, else from one background read."""
        self._wanted = runs
        cached = [self._cached(r) for r in runs]
        if all(c is not None for c in cached):
            self.page.show_curves(cached)
        elif not self.curves.is_busy():  # else: asked again when the running read ends
            self.curves.run(load_curves, self.store, runs)

    def _cached(self, run: RunRecord) -> RunRecord | None:
        hit = self._curves.get(run.id)
        return hit if hit is not None and hit.updated >= run.updated else None

    @Slot(object)
    def _on_curves(self, records: list[RunRecord]) -> None:
        for record in records:
            self._curves[record.id] = record

    @Slot(bool)
    def _on_curves_busy(self, busy: bool) -> None:
        if not busy:
            self._on_curves_wanted(self._wanted)

    @Slot(object)
    def use_settings(self, run: RunRecord) -> None:
        """ "Train with these settings": the run's settings go into the form."""
        window = self._window
        window.form.set_config(TrainConfig.from_dict(run.config))
        window.show_page("Train")
        window.statusBar().showMessage(
            f"Settings of run {run.id} are in the form: press Train (Ctrl+T) to train with them.",
            10_000,
        )

    @Slot(object)
    def confirm_delete(self, run_ids: list[int]) -> None:
        if self.editor.is_busy() or not dialogs.ask_delete_runs(self._window, len(run_ids)):
            return
        self.editor.run(delete_runs, self.store, self.writer, list(run_ids))

    @Slot()
    def choose_export_path(self) -> None:
        window = self._window
        start = str(Path(window.settings.last_dir()) / "runs.csv")
        path, _ = QFileDialog.getSaveFileName(window, "Export runs", start, "CSV (*.csv)")
        if path:
            self.export_csv(path if path.endswith(".csv") else path + ".csv")

    def export_csv(self, path: str) -> None:
        """Write the runs shown, in the order shown, in the background (atomically)."""
        if not self.editor.is_busy():
            self.editor.run(write_runs_csv, self.page.model.records(), Path(path))

    @Slot(object)
    def _on_edited(self, result: object) -> None:
        bar = self._window.statusBar()
        if isinstance(result, Path):
            bar.showMessage(f"Exported the runs to {result}", 8000)
            return
        bar.showMessage(f"Deleted {result} run{'s' if result != 1 else ''}.", 8000)
        self.reload()

    @Slot(object)
    def _on_edit_failed(self, exc: BaseException) -> None:
        dialogs.show_error(self._window, exc)

    # ---- window life --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Window closing (after training stopped): remember the view, apply queued writes."""
        settings = self._window.settings
        settings.set_runs_view(self.page.view_state(), self.page.header_state())
        settings.set_splitter_sizes("runs", self.page.splitter.sizes())
        settings.set_splitter_sizes("runs_lower", self.page.lower.sizes())
        self.loader.close()
        self.editor.close()
        self.curves.close()
        if not self.writer.close(FLUSH_SECONDS):
            log.warning("run store: some writes were not applied before closing")
