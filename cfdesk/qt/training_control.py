"""Connects the training form, the monitor and the LR finder to background runs for the window."""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.errors import OutOfMemoryError, TrainingError
from cfdesk.qt import dialogs
from cfdesk.qt.tasks import BackgroundTask
from cfdesk.qt.training_runner import TrainingRunner, warm_up
from cfdesk.qt.tune_control import TuneControl

log = logging.getLogger("cfdesk")


def run_lr_finder(ratings: Ratings, config: TrainConfig, progress, should_stop):
    """Worker-thread job: split like training does, sweep rates on the train part, then check
    the suggestion against the form's rate (the first half of the progress is the sweep)."""
    from cfdesk.core.data.split import prepare_split
    from cfdesk.core.training.lr_check import check_rates
    from cfdesk.core.training.lr_finder import find_lr

    def on_step(step) -> None:
        progress(0.5 * step.step / max(step.n_steps, 1))

    def on_check(fraction: float) -> None:
        progress(0.5 + 0.5 * fraction)

    train, _, _ = prepare_split(ratings, config)
    found = find_lr(train, config, progress=on_step, should_stop=should_stop)
    return found, check_rates(train, config, found.config_lr, on_check, should_stop)


def model_title(config: TrainConfig) -> str:
    """How the window title names a freshly trained model."""
    return f"{config.model}, {config.n_factors} factors (not saved)"


class TrainingControl(QObject):
    """The window's training controller: start, stop, find LR, and what happens after each.

    `idle` is emitted whenever the last of training and the LR finder has ended.
    """

    idle = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.runner = TrainingRunner(self, between_batches=window.monitor.ui_turn.wait)
        self.lr_task = BackgroundTask(self)
        self.warm_task = BackgroundTask(self)
        self.warm_task.succeeded.connect(self._on_warm)
        self.warm_task.run(warm_up)
        self._config: TrainConfig | None = None
        self._lr_config: TrainConfig | None = None  # the settings of the running LR sweep
        monitor, form, a = window.monitor, window.form, window.actions
        self.runner.fitStarted.connect(monitor.on_fit_started)
        self.runner.batchesReady.connect(monitor.on_batches)
        self.runner.epochCompleted.connect(monitor.on_epoch)
        self.runner.trainingFinished.connect(self._on_finished)
        self.runner.trainingFailed.connect(self._on_failed)
        self.runner.runningChanged.connect(self._on_running)
        self.lr_task.succeeded.connect(self._on_lr_found)
        self.lr_task.failed.connect(self._on_lr_failed)
        self.lr_task.busyChanged.connect(self._on_running)
        self.tune = TuneControl(window, window.tune_panel)
        self.tune.runningChanged.connect(self._on_running)
        self.lr_task.progressed.connect(window.lr_panel.set_progress)
        form.trainRequested.connect(self.request_start)
        form.stopRequested.connect(self.stop)
        form.findLrRequested.connect(self.find_lr)
        window.lr_panel.useRequested.connect(form.set_lr)
        a.train.triggered.connect(self.request_start)
        a.stop.triggered.connect(self.stop)
        a.find_lr.triggered.connect(self.find_lr)
        self._watch_form(form)

    def is_running(self) -> bool:
        return self.runner.is_running() or self.lr_task.is_busy() or self.tune.is_running()

    def _watch_form(self, form) -> None:
        """Every edit in the form (a field or a preset) is checked against the LR sweep shown."""
        for edit in form.findChildren(QLineEdit):
            edit.textEdited.connect(self._on_form_edited)
        for combo in form.findChildren(QComboBox):  # activated: after a preset has been applied
            combo.currentIndexChanged.connect(self._on_form_edited)
            combo.activated.connect(self._on_form_edited)
        for box in form.findChildren(QCheckBox):
            box.toggled.connect(self._on_form_edited)
        for spin in form.findChildren(QSpinBox) + form.findChildren(QDoubleSpinBox):
            spin.valueChanged.connect(self._on_form_edited)

    @Slot()
    def _on_form_edited(self) -> None:
        self._window.lr_panel.note_settings(self._window.form.config())

    @Slot(object)
    def _on_warm(self, _result: object) -> None:
        """Start-up objects (Qt, torch, pandas) never die: keep the cyclic GC from rescanning them.

        Full collections over them were the UI's longest stalls while training (bench/bench_gui.py,
        figures in docs/gui.md).
        """
        gc.freeze()

    @Slot()
    def start(self) -> None:
        """Train on the current data with the form's settings (ignored while a run is going)."""
        window = self._window
        if window.ratings is None or self.is_running():
            return
        self._config = window.form.config()
        window.settings.set_train_config(self._config)
        window.monitor.start(self._config.epochs, window.form.device.currentText())
        window.show_page("Train")
        window.train_modes.setCurrentWidget(window.monitor)
        log.info("training started: %s", self._config)
        self.runner.start(window.ratings, self._config)

    @Slot()
    def request_start(self) -> None:
        """The user's Train: asks first when the new run would replace an unsaved model."""
        window = self._window
        if window.ratings is None or self.is_running():
            return
        if window.resolve_unsaved("training a new one", self.request_start):
            self.start()

    @Slot()
    def stop(self) -> None:
        """Stop at the next batch; the best model so far is kept."""
        if self.runner.is_running():
            self._window.monitor.status.setText("Stopping after the current batch…")
            self.runner.stop()
        self.lr_task.cancel()
        self.tune.stop()

    @Slot()
    def find_lr(self) -> None:
        window = self._window
        if window.ratings is None or self.is_running():
            return
        window.lr_panel.set_running()
        window.show_page("Train")
        self._lr_config = window.form.config()
        self.lr_task.run(
            run_lr_finder,
            window.ratings,
            self._lr_config,
            self.lr_task.report_progress,
            self.lr_task.stop_requested,
        )

    def shutdown(self) -> None:
        """Window closing: stop everything and wait for the threads."""
        self.runner.shutdown()
        self.tune.shutdown()
        self.lr_task.close()
        self.warm_task.close()

    @Slot(object, bool)
    def _on_finished(self, fitted, stopped: bool) -> None:
        word = "Stopped" if stopped else "Training finished"
        metrics = getattr(fitted, "metrics", {}) or {}
        rmse = metrics.get("valid_rmse")
        figure = f" (validation RMSE {rmse:.4f})" if isinstance(rmse, float) else ""
        log.info("%s%s", word, figure)
        if metrics.get("kept"):
            log.info("%s", metrics["kept"])
            self._window.monitor.append_log(metrics["kept"])
        self._window.monitor.finish(
            f"{word}{figure}. Browse it under Results or save it with File → Save model.",
            completed=not stopped,
        )
        self._window.set_model(fitted, model_title(fitted.config), unsaved=True)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        window, config = self._window, self._config
        log.info("training failed: %s", dialogs.error_text(exc))
        window.monitor.finish(f"Training failed: {dialogs.error_text(exc)}", completed=False)
        if isinstance(exc, OutOfMemoryError):
            if dialogs.ask_oom_retry(window, exc):
                batch = exc.batch_size * exc.accum_steps  # the effective batch stays the same
                changes = {"batch_size": batch, "accum_steps": exc.accum_steps}
                window.form.set_config(
                    config.with_changes(**changes, device=exc.device or config.device)
                )
                self.start()
        elif isinstance(exc, TrainingError) and "loss became" in str(exc):  # diverged
            if dialogs.ask_lower_lr(window, exc, config.lr / 10):
                window.form.set_lr(config.lr / 10)
        else:
            dialogs.show_error(window, exc)

    @Slot(object)
    def _on_lr_found(self, found) -> None:
        result, check = found
        self._window.lr_panel.set_result(
            result.lrs, result.losses, result.suggestion, result.config_lr, self._lr_config, check
        )

    @Slot(object)
    def _on_lr_failed(self, exc: BaseException) -> None:
        self._window.lr_panel.status.setText("The learning-rate finder did not finish.")
        dialogs.show_error(self._window, exc)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self._window.form.set_running(self.is_running())
        self._window.refresh()
        if not self.is_running():
            self.idle.emit()
