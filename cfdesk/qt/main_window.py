"""The main window: composes the panels and routes intents to background work and back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QSessionManager
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.summary import DatasetSummary
from cfdesk.core.fitted import FittedModel
from cfdesk.core.training.device import cpu_device, list_devices
from cfdesk.qt import dialogs
from cfdesk.qt.about import AboutDialog
from cfdesk.qt.actions import build_actions
from cfdesk.qt.file_control import FileControl
from cfdesk.qt.panels.data_panel import DataPanel
from cfdesk.qt.panels.lr_chart import LrPanel
from cfdesk.qt.panels.training_form import TrainingForm
from cfdesk.qt.panels.training_monitor import TrainingMonitor
from cfdesk.qt.panels.tune_panel import TunePanel
from cfdesk.qt.panels.welcome_panel import WelcomePanel
from cfdesk.qt.results import ResultsView
from cfdesk.qt.runs.control import RunsControl
from cfdesk.qt.runs.page import RunsPage
from cfdesk.qt.settings import AppSettings
from cfdesk.qt.tasks import BackgroundTask
from cfdesk.qt.training_control import TrainingControl
from cfdesk.qt.widgets import VerticalScrollArea
from cfdesk.qt.window_geometry import place_window
from cfdesk.qt.worker import wait_for_all

log = logging.getLogger("cfdesk")
PAGES = ("Start", "Data", "Train", "Results", "Runs")

log = logging.getLogger("cfdesk")


class MainWindow(QMainWindow):
    """Holds the current data set and model; panels only display them and emit intents."""

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.ratings: Ratings | None = None
        self.dataset_name = ""
        self.fitted: FittedModel | None = None
        self.model_name = ""
        self.unsaved = False  # the current model was trained here and not saved since
        self.welcome, self.data_panel = WelcomePanel(), DataPanel()
        self.form, self.lr_panel, self.monitor = TrainingForm(), LrPanel(), TrainingMonitor()
        self.tune_panel = TunePanel()
        self.results = ResultsView()
        self.runs_page = RunsPage()
        self.actions = build_actions(self)
        self.training = TrainingControl(self)
        self.files = FileControl(self)
        self._build_layout()
        self.runs = RunsControl(self)
        self._connect()
        self.setAcceptDrops(True)
        self.devices = [cpu_device()]  # GPUs join once found off the UI thread
        self.form.set_devices(self.devices)
        self.form.set_config(self.settings.train_config())
        self.device_task = BackgroundTask(self)
        self.device_task.succeeded.connect(self._on_devices)
        self.device_task.failed.connect(self._on_devices_failed)
        self.device_task.run(list_devices)
        self._restore()
        self.refresh()

    def _build_layout(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("sidebar")
        self.nav.addItems(list(PAGES))
        self.nav.setFixedWidth(150)
        self.pages = QStackedWidget()
        self.train_left = QSplitter(Qt.Orientation.Vertical)
        self.train_left.addWidget(self.form)
        self.train_left.addWidget(self.lr_panel)
        self.train_left.setSizes([470, 330])
        self.train_split = QSplitter(Qt.Orientation.Horizontal)
        self.train_split.addWidget(self.train_left)
        self.train_modes = QTabWidget()  # Train shows one run; Tune searches settings
        self.train_modes.addTab(self.monitor, "Train")
        self.train_modes.addTab(self.tune_panel, "Tune")
        self.train_split.addWidget(self.train_modes)
        self.train_split.setSizes([320, 960])
        self.train_split.setStretchFactor(
            1, 1
        )  # a narrower window narrows the charts, not the form
        # Scrolls up and down on short screens; its rows wrap to fit the width (never sideways).
        results_scroll = VerticalScrollArea(self.results)
        pages = (self.welcome, self.data_panel, self.train_split, results_scroll, self.runs_page)
        for page in pages:
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(body)
        self.load_progress = QProgressBar(maximumWidth=220, visible=False)
        self.statusBar().addPermanentWidget(self.load_progress)
        self.nav.setCurrentRow(0)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "train": self.train_split,
            "train_left": self.train_left,
            "monitor": self.monitor.splitter,
            "data": self.data_panel.splitter,
        }

    def _connect(self) -> None:
        self.actions.export.triggered.connect(self.results.open_export_dialog)
        self.actions.quit.triggered.connect(self.request_close)
        self.actions.about.triggered.connect(self.show_about)
        self.actions.shortcuts.triggered.connect(self.show_shortcuts)
        self.results.statusMessage.connect(self._on_status_message)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):  # a desktop log-out
            app.commitDataRequest.connect(self.commit_data)
            app.saveStateRequest.connect(self._on_save_state_request)

    @Slot(object)
    def _on_devices(self, devices: list) -> None:
        """Every device the core found: naming a CUDA GPU starts CUDA, a second or more."""
        self.devices = devices
        self.form.set_devices(devices)

    @Slot(object)
    def _on_devices_failed(self, exc: BaseException) -> None:
        log.warning("looking for GPUs failed, offering the CPU only: %s", exc)

    @Slot(str)
    def _on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    @Slot()
    def show_about(self) -> AboutDialog:
        """Help → About (non-blocking, so tests and screenshots can look at it)."""
        dialog = AboutDialog(self.actions.all(), self.devices, self.device_task.is_busy(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot()
    def show_shortcuts(self) -> AboutDialog:
        dialog = self.show_about()
        dialog.tabs.setCurrentIndex(1)
        return dialog

    # ---- state shown everywhere -------------------------------------------------------------
    def refresh(self) -> None:
        """Title, enabled actions and the recent lists follow the current data and model."""
        parts = ["cfdesk", self.dataset_name, self.model_name]
        self.setWindowTitle(" — ".join(p for p in parts if p))
        running = self.training.is_running()
        self.actions.save_model.setEnabled(self.fitted is not None and not self.files.is_busy())
        self.actions.train.setEnabled(self.ratings is not None and not running)
        self.form.train_button.setEnabled(self.ratings is not None and not running)
        self.actions.find_lr.setEnabled(self.ratings is not None and not running)
        self.actions.tune.setEnabled(self.ratings is not None and not running)
        self.form.find_lr.setEnabled(self.ratings is not None and not running)
        if not self.training.tune.is_running():
            self.tune_panel.start_button.setEnabled(self.ratings is not None and not running)
        self.actions.stop.setEnabled(running)
        recent = self.settings.recent("data") + self.settings.recent("models")
        self.welcome.set_recent(recent)
        self.actions.recent.clear()
        for path in recent:
            action = self.actions.recent.addAction(path)
            action.setData(path)
        self.actions.recent.setEnabled(bool(recent))

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGES.index(name))

    def set_model(self, fitted: FittedModel | None, name: str, unsaved: bool = False) -> None:
        """A trained or opened model becomes current and goes to the results view."""
        self.fitted, self.model_name, self.unsaved = fitted, name, unsaved
        if fitted is not None and not unsaved:  # opened from a file: show how it was trained
            self.form.show_trained(fitted.config, fitted.metrics.get("n_train"))
        self.results.set_model(fitted)
        self.refresh()

    def set_ratings(self, ratings: Ratings, summary: DatasetSummary, path: Path) -> None:
        """A freshly loaded data set becomes current (the old one is dropped only now)."""
        self.ratings, self.dataset_name = ratings, path.name
        self.form.set_n_train(ratings.n_ratings)
        self.data_panel.set_summary(summary, f"{path.name} — {path.parent}")
        self.results.set_ratings(ratings)
        self.statusBar().showMessage(
            f"Loaded {path.name}: {ratings.n_users:,} users, {ratings.n_items:,} items, "
            f"{ratings.n_ratings:,} ratings",
            8000,
        )
        self.show_page("Data")
        self.refresh()

    @Slot(str)
    def open_path(self, path: str) -> None:
        """Open a ratings or model file (command line, drop, recent list)."""
        self.files.open_path(path)

    def resolve_unsaved(self, doing: str, proceed: Callable[[], None]) -> bool:
        """Ask before an unsaved trained model is lost; True when the caller may go on now.

        Save… calls `proceed` once the file is written (an intent, so it asks again if another
        unsaved model arrived meanwhile); Cancel keeps everything.
        """
        if not self.unsaved:
            return True
        answer = dialogs.ask_save_model(self, doing)
        if answer == "discard":
            return True
        if answer == "save":
            self.files.save_then(proceed)
        return False

    # ---- window life ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.open_path(urls[0])

    def _restore(self) -> None:
        place_window(self, self.settings.geometry())
        for name, splitter in self._splitters().items():
            sizes = self.settings.splitter_sizes(name)
            if len(sizes) == splitter.count() and sum(sizes) > 0:
                splitter.setSizes(sizes)

    def save_state(self) -> None:
        """Geometry, splitters and training settings go to the settings store."""
        self.settings.set_geometry(self.saveGeometry())
        for name, splitter in self._splitters().items():
            self.settings.set_splitter_sizes(name, splitter.sizes())
        self.settings.set_train_config(self.form.config())
        self.settings.sync()

    @Slot()
    def request_close(self) -> None:
        """File → Quit: the user's close, so an unsaved model is asked about first."""
        if self.resolve_unsaved("closing cfdesk", self.request_close):
            self.close()

    def confirm_quit(self) -> bool:
        """The application was asked to quit (macOS Dock → Quit): True when it may go on."""
        return self.resolve_unsaved("quitting cfdesk", QApplication.quit)

    @Slot(QSessionManager)
    def commit_data(self, manager: QSessionManager) -> None:
        """Desktop log-out: ask about an unsaved model; Cancel cancels the log-out.

        Save… cancels it too: the file is written in the background, which a log-out would cut
        short, so the user logs out again once it is saved. Discard lets the log-out go on and
        the windows close without asking again.
        """
        if not self.unsaved or not self.isVisible():
            return
        if not manager.allowsInteraction():
            log.warning("the session ends with an unsaved model and allowed no question")
            return
        if self.resolve_unsaved("logging out", self._on_saved_for_logout):
            self.unsaved = False
        else:
            manager.cancel()
        manager.release()

    def _on_saved_for_logout(self) -> None:
        self.statusBar().showMessage("Model saved: you can log out now.", 8000)

    @Slot(QSessionManager)
    def _on_save_state_request(self, _manager: QSessionManager) -> None:
        """The session is saved (log-out): keep the window's settings, as closing would."""
        self.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop training and background work cleanly before the window goes.

        Only the user's own close (window manager) asks about an unsaved model here; Dock → Quit
        and a log-out ask before Qt closes the windows (`confirm_quit`, `commit_data`), and
        `close()` from code closes as told. The window hides first, so a slow stop never
        leaves a frozen window on screen.
        """
        if event.spontaneous() and not self.resolve_unsaved("closing cfdesk", self.request_close):
            event.ignore()
            return
        self.hide()
        QApplication.sync()  # the window system unmaps it before the waits below
        self.training.shutdown()
        self.runs.shutdown()  # after training: a run cut short is marked so
        self.files.shutdown()
        self.results.shutdown()
        for task in self.findChildren(BackgroundTask):  # any other: no late dialogs or threads
            task.close()
        wait_for_all()  # a running QThread must not be destroyed
        self.save_state()
        event.accept()
