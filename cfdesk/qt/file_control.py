"""Opening ratings and model files, saving models and the recent lists, all in the background."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction

from cfdesk.core.atomic import Cancelled
from cfdesk.core.data.loader import load_ratings, sniff
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.summary import DatasetSummary, summarize
from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel
from cfdesk.qt import dialogs, import_dialog
from cfdesk.qt.file_dialogs import open_file_name, save_file_name
from cfdesk.qt.reload_control import ReloadControl
from cfdesk.qt.tasks import BackgroundTask

MODEL_SUFFIX = ".cfmodel"
MODEL_FILTER = f"cfdesk models (*{MODEL_SUFFIX})"
MODEL_BUSY = "Reading or writing the model file…"
LOADING = "Loading…"

log = logging.getLogger("cfdesk")


def load_with_summary(path: Path, **options: object) -> tuple[Ratings, DatasetSummary]:
    """Worker-thread job: read the file and compute the figures the data view shows."""
    ratings = load_ratings(path, **options)
    return ratings, summarize(ratings)


class FileControl(QObject):
    """The window's file controller; the window's data and model change only when a read succeeds."""

    ratingsLoaded = Signal(object)  # the Ratings now current

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.loader = BackgroundTask(self)
        self.model_files = BackgroundTask(self)
        self._pending_path = Path()
        self._model_path = Path()
        self._saving: FittedModel | None = None  # the model a running save writes
        self._after_training = ""  # a file to open once the stopped training has ended
        self._after_save: Callable[[], None] | None = None  # what a Save… answer was for
        a, welcome = window.actions, window.welcome
        a.open_data.triggered.connect(self.choose_data_file)
        a.demo.triggered.connect(self.open_demo)
        a.open_model.triggered.connect(self.choose_model_file)
        a.save_model.triggered.connect(self.choose_save_path)
        a.recent.triggered.connect(self._on_recent_action)
        welcome.openRequested.connect(self.choose_data_file)
        welcome.demoRequested.connect(self.open_demo)
        welcome.openModelRequested.connect(self.choose_model_file)
        welcome.recentChosen.connect(self.open_path)
        self.loader.succeeded.connect(self._on_data_loaded)
        self.loader.failed.connect(self._on_failed)
        self.loader.progressed.connect(self._on_load_progress)
        self.loader.busyChanged.connect(self._on_load_busy)
        self.model_files.succeeded.connect(self._on_model_file_done)
        self.model_files.failed.connect(self._on_failed)
        self.model_files.failed.connect(self._on_model_failed)
        self.model_files.busyChanged.connect(self._on_model_busy)
        # Queued: the training's outcome (its model) is handled before the next file opens.
        window.training.idle.connect(self._on_training_idle, Qt.ConnectionType.QueuedConnection)
        self.reload = ReloadControl(window, self)
        self.ratingsLoaded.connect(self.reload.on_ratings_loaded)
        self.ratingsLoaded.connect(window.lr_panel.data_changed)

    def is_busy(self) -> bool:
        return self.loader.is_busy() or self.model_files.is_busy()

    def shutdown(self) -> None:
        """Window closing: wait for reads and writes (a model write is never cut short)."""
        self.loader.close()
        self.model_files.close(60_000)

    @Slot()
    def choose_data_file(self) -> None:
        settings = self._window.settings
        path = open_file_name(self._window, "Open ratings file", settings.last_dir())
        if path:
            self.open_path(path)

    @Slot()
    def open_demo(self) -> None:
        from cfdesk.core.data.demo import demo_ratings_path

        try:
            self.open_path(str(demo_ratings_path()))
        except CfdeskError as exc:
            dialogs.show_error(self._window, exc)

    @Slot(str)
    def open_path(self, path: str) -> None:
        """Open a file; while training runs, ask to stop it first and open once it has stopped."""
        training = self._window.training
        if not training.is_running():
            self._open_now(path)
        elif dialogs.ask_stop_training(self._window, Path(path).name):
            if not training.is_running():  # it ended while the question was up
                self._open_now(path)
                return
            log.info("stopping training to open %s", path)
            self._after_training = path
            training.stop()

    @Slot()
    def _on_training_idle(self) -> None:
        path, self._after_training = self._after_training, ""
        if path:
            self._open_now(path)

    def _open_now(self, path: str) -> None:
        """A model file opens as a model; anything else goes through the import dialog."""
        log.info("opening %s", path)
        if path.endswith(MODEL_SUFFIX):
            doing = f"opening {Path(path).name}"
            if self._window.resolve_unsaved(doing, lambda: self._open_now(path)):
                self.open_model(path)
            return
        try:
            fmt = sniff(path)
        except CfdeskError as exc:
            dialogs.show_error(self._window, exc)
            return
        choices = import_dialog.ask_import(self._window, fmt)
        if choices is not None:
            self.load_data(choices)

    def load_data(self, choices: import_dialog.ImportChoices) -> None:
        """Load in the background; the current data stays until the new data has loaded."""
        if self.loader.is_busy():
            return
        roles = choices.roles
        self._pending_path = choices.path
        self.loader.run(
            load_with_summary,
            choices.path,
            user=roles["user"],
            item=roles["item"],
            rating=roles["rating"],
            timestamp=False if roles["timestamp"] is None else roles["timestamp"],
            items=choices.items,
            skip_bad_rows=choices.skip_bad_rows,
            progress=self._load_progress,
        )

    def _load_progress(self, fraction: float) -> None:
        """Worker thread: report progress, and end the load here when it was cancelled."""
        if self.loader.stop_requested():
            raise Cancelled("loading was cancelled")
        self.loader.report_progress(fraction)

    @Slot(object)
    def _on_data_loaded(self, loaded: tuple[Ratings, DatasetSummary]) -> None:
        path, window = self._pending_path, self._window
        log.info("loaded %s: %r", path, loaded[0])
        window.settings.add_recent("data", path)
        window.settings.set_last_dir(path.parent)
        window.set_ratings(*loaded, path)
        self.ratingsLoaded.emit(loaded[0])

    @Slot(float)
    def _on_load_progress(self, fraction: float) -> None:
        self._window.load_progress.setValue(int(fraction * 100))

    @Slot(bool)
    def _on_load_busy(self, busy: bool) -> None:
        window = self._window
        window.load_progress.setValue(0)
        window.load_progress.setVisible(busy)
        window.actions.open_data.setEnabled(not busy)
        self._busy_message(LOADING, busy)

    def _busy_message(self, text: str, busy: bool) -> None:
        """Show `text` while busy; afterwards clear it, but never the outcome that replaced it
        ("Loaded …", "Saved model to …")."""
        bar = self._window.statusBar()
        if busy:
            bar.showMessage(text)
        elif bar.currentMessage() == text:
            bar.clearMessage()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._window.statusBar().clearMessage()
        dialogs.show_error(self._window, exc)

    @Slot()
    def choose_model_file(self) -> None:
        folder = self._window.settings.last_dir()
        path = open_file_name(self._window, "Open model", folder, MODEL_FILTER)
        if path:
            self.open_path(path)

    @Slot()
    def choose_save_path(self) -> None:
        path = self._ask_save_path()
        if path:
            self.save_model(path)

    def save_then(self, proceed: Callable[[], None]) -> None:
        """Save… in the unsaved-model question: choose a path, write, then `proceed` on success."""
        path = self._ask_save_path()
        if path and self.save_model(path):
            self._after_save = proceed

    def _ask_save_path(self) -> str:
        """The save chooser, starting at the data set's name; "" when there is nothing to save."""
        window = self._window
        if window.fitted is None:
            return ""
        stem = Path(window.dataset_name).stem or "model"
        start = str(Path(window.settings.last_dir()) / f"{stem}{MODEL_SUFFIX}")
        path = save_file_name(window, "Save model", start, MODEL_FILTER)
        if not path:
            return ""
        return path if path.endswith(MODEL_SUFFIX) else path + MODEL_SUFFIX

    def open_model(self, path: str) -> None:
        """Read a model file in the background; it becomes current when the read succeeds."""
        from cfdesk.core.storage.model_file import load_model

        if not self.model_files.is_busy():
            self._model_path = Path(path)
            self.model_files.run(load_model, Path(path))

    def save_model(self, path: str) -> bool:
        """Write the current model in the background (the core writes atomically); False: not now."""
        from cfdesk.core.storage.model_file import save_model

        if self._window.fitted is None or self.model_files.is_busy():
            return False
        self._model_path = Path(path)
        self._saving = self._window.fitted
        self.model_files.run(save_model, self._window.fitted, Path(path))
        return True

    @Slot(object)
    def _on_model_file_done(self, value: object) -> None:
        path, window = self._model_path, self._window
        window.settings.add_recent("models", path)
        window.settings.set_last_dir(path.parent)
        log.info("%s %s", "opened model" if isinstance(value, FittedModel) else "saved model", path)
        if isinstance(value, FittedModel):
            window.set_model(value, path.name)
            window.monitor.replay(value, path.name)
            window.show_page("Results")
            self.reload.offer(value)
        else:
            # Only the name changes, and only if the saved model is still the current one:
            # a run that finished during the save must keep its "not saved" name.
            if window.fitted is self._saving:
                window.model_name, window.unsaved = path.name, False
                window.refresh()
            window.statusBar().showMessage(f"Saved model to {path}", 8000)
        self._saving = None

    @Slot(object)
    def _on_model_failed(self, _exc: BaseException) -> None:
        """A failed save keeps the model and the window: what the save was for does not happen."""
        self._saving, self._after_save = None, None

    @Slot(bool)
    def _on_model_busy(self, busy: bool) -> None:
        self._busy_message(MODEL_BUSY, busy)
        self._window.refresh()
        if not busy and self._after_save is not None:  # the save succeeded (failures drop it)
            proceed, self._after_save = self._after_save, None
            proceed()  # only now, when the next file job may start

    @Slot(QAction)
    def _on_recent_action(self, action: QAction) -> None:
        self.open_path(str(action.data()))
