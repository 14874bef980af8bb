"""Connects the Tune panel to a background search, importances to a worker, results to the window."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.core.errors import CfdeskError
from cfdesk.core.runs.tune import param_importances
from cfdesk.qt import dialogs
from cfdesk.qt.tasks import BackgroundTask
from cfdesk.qt.tune_runner import TuneRunner

log = logging.getLogger("cfdesk")


def tuned_title(result) -> str:
    """How the window title names the model a search produced."""
    members = getattr(result.fitted.module, "members", None)
    if members is not None:
        return f"ensemble of {len(members)} tuned models (not saved)"
    config = result.fitted.config
    return f"tuned {config.model}, {config.n_factors} factors (not saved)"


class TuneControl(QObject):
    """Start, stop and "use the best" for the window's Tune tab; `runningChanged` follows the
    search, so the window can lock training meanwhile."""

    runningChanged = Signal(bool)

    def __init__(self, window, panel) -> None:
        super().__init__(window)
        self._window, self.panel = window, panel
        self.runner = TuneRunner(self)
        self.importance_task = BackgroundTask(self)
        self._pending_trials: tuple | None = None  # the newest trials waiting for a worker
        self.runner.trialStarted.connect(panel.on_trial_started)
        self.runner.trialEpoch.connect(panel.on_trial_epoch)
        self.runner.trialFinished.connect(self._on_trial_finished)
        self.runner.stageChanged.connect(panel.on_stage)
        self.runner.tuneFinished.connect(self._on_finished)
        self.runner.tuneFailed.connect(self._on_failed)
        self.runner.runningChanged.connect(self._on_running)
        self.importance_task.succeeded.connect(self._on_importances)
        self.importance_task.failed.connect(self._on_importances_failed)
        self.importance_task.busyChanged.connect(self._on_importance_busy)
        panel.startRequested.connect(self.request_start)
        window.actions.tune.triggered.connect(self.request_start)
        panel.stopRequested.connect(self.stop)
        panel.useBestRequested.connect(window.form.set_config)
        panel.set_settings(window.settings.tune_settings())

    def is_running(self) -> bool:
        return self.runner.is_running()

    @Slot()
    def request_start(self) -> None:
        """The user's Start: asks first when the result would replace an unsaved model."""
        window = self._window
        if window.ratings is None or window.training.is_running():
            return
        if window.resolve_unsaved("tuning", self.request_start):
            self.start()

    def start(self) -> None:
        """Search with the panel's budget; the form gives the validation share, device, seed."""
        window = self._window
        base = window.form.config()
        settings = self.panel.settings(base.seed)
        try:
            settings.check()
        except CfdeskError as exc:  # a budget or choice that cannot run: say which
            dialogs.show_error(window, exc)
            return
        window.settings.set_tune_settings(self.panel.remembered())
        window.show_page("Train")
        window.train_modes.setCurrentWidget(self.panel)
        self.panel.start(settings)
        log.info("tuning started: %s", settings)
        self.runner.start(window.ratings, settings, base)

    @Slot()
    def stop(self) -> None:
        if self.runner.is_running():
            self.panel.on_stage("Stopping after the current batch; the best trials so far stay")
            self.runner.stop()

    def shutdown(self) -> None:
        self.runner.shutdown()
        self.importance_task.close()

    @Slot(object)
    def _on_trial_finished(self, outcome) -> None:
        self.panel.on_trial_finished(outcome)
        self._pending_trials = outcome.trials
        self._compute_importances()

    def _compute_importances(self) -> None:
        """fANOVA takes up to seconds: on a worker, one at a time, on the newest trials."""
        if self._pending_trials is None or self.importance_task.is_busy():
            return
        trials, self._pending_trials = self._pending_trials, None
        self.importance_task.run(param_importances, trials)

    @Slot(object)
    def _on_importances(self, importances: object) -> None:
        self.panel.set_importances(importances)

    @Slot(object)
    def _on_importances_failed(self, exc: BaseException) -> None:
        """Importances are a side view: a failure is logged, the search goes on."""
        log.warning("parameter importances failed: %s", dialogs.error_text(exc))

    @Slot(bool)
    def _on_importance_busy(self, busy: bool) -> None:
        if not busy:
            self._compute_importances()

    @Slot(object)
    def _on_finished(self, result) -> None:
        if result.fitted is None:
            self.panel.finish("Stopped before any trial finished: nothing to keep.")
            return
        word = "Stopped" if result.stopped else "Finished"
        figure = f"validation RMSE {result.valid_rmse:.4f}"
        self.panel.finish(
            f"{word} after {result.n_trials} trials ({result.n_pruned} pruned); {figure}. "
            "The model is now current: browse it under Results or save it with File → Save model."
        )
        log.info("tuning %s: %s trials, %s", word.lower(), result.n_trials, figure)
        self._window.set_model(result.fitted, tuned_title(result), unsaved=True)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.panel.finish(f"Tuning failed: {dialogs.error_text(exc)}")
        dialogs.show_error(self._window, exc)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.panel.set_running(running)
        self.runningChanged.emit(running)
