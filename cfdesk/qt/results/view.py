"""The Results page: recommendations, new user, biases and the map, with neighbours alongside."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.context import ResultsContext, UserRatings
from cfdesk.qt import dialogs
from cfdesk.qt.message_bar import MessageBar
from cfdesk.qt.results.bias_panel import BiasPanel
from cfdesk.qt.results.export_dialog import ExportDialog
from cfdesk.qt.results.map.panel import MapPanel
from cfdesk.qt.results.neighbours_panel import NeighboursPanel
from cfdesk.qt.results.newuser_panel import NewUserPanel
from cfdesk.qt.results.recommend_panel import RecommendPanel
from cfdesk.qt.settings import AppSettings
from cfdesk.qt.tasks import BackgroundTask

EMPTY = "Train a model or open one (File → Open model) to browse its recommendations."
TABS = ("Recommendations", "New user", "Item biases", "Map")


class ResultsView(QWidget):
    """Set from above with set_model / set_ratings; reports status text up with `statusMessage`."""

    statusMessage = Signal(str)
    itemSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: ResultsContext | None = None
        self._fitted: FittedModel | None = None
        self._ratings: Ratings | None = None
        self._grouping: Ratings | None = None  # the ratings the running task groups
        self.export_dialog: ExportDialog | None = None
        self.ratings_task = BackgroundTask(self)
        self.context_task = BackgroundTask(self)
        self._building: FittedModel | None = None  # the model the context task prepares
        self.recommend, self.new_user = RecommendPanel(), NewUserPanel()
        self.biases, self.map = BiasPanel(), MapPanel()
        self.neighbours = NeighboursPanel()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for panel, name in zip((self.recommend, self.new_user, self.biases, self.map), TABS,
                               strict=True):  # fmt: skip
            self.tabs.addTab(panel, name)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.neighbours)
        self.splitter.setStretchFactor(0, 3)  # a narrower window narrows both, the tabs most
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 300])
        self.empty = QLabel(EMPTY, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setObjectName("heading")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)
        self.source_bar = MessageBar()  # the opened model's ratings file (ReloadControl)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.source_bar)
        layout.addWidget(self.stack)
        for panel in (self.recommend, self.new_user, self.biases, self.map, self.neighbours):
            panel.itemSelected.connect(self.select_item)
        self.map.statusMessage.connect(self.statusMessage)
        self.settings = AppSettings()
        saved = self.settings.ranking_prior()
        for prior in (self.recommend.prior, self.new_user.prior):
            if saved is not None:
                prior.set_state(*saved)
            prior.changed.connect(self._on_prior_changed)
        self.ratings_task.succeeded.connect(self._on_user_ratings)
        self.ratings_task.failed.connect(self._on_failed)
        self.ratings_task.busyChanged.connect(self._on_ratings_busy)
        self.context_task.succeeded.connect(self._on_context)
        self.context_task.failed.connect(self._on_context_failed)
        self.context_task.busyChanged.connect(self._on_context_busy)

    # ---- the contract with the main window ----------------------------------------------------
    @property
    def fitted(self) -> FittedModel | None:
        """The model shown (None before one is trained or opened)."""
        return self._fitted

    def set_model(self, fitted: FittedModel | None) -> None:
        """Show results for a trained or opened model (None clears); prepared off the UI thread."""
        self._fitted = fitted
        self.source_bar.hide()  # it spoke about the previous model
        if self.export_dialog is not None:
            self.export_dialog.close()
            self.export_dialog = None
        if fitted is None:
            self._show(None)
            return
        self.empty.setText("Preparing the results of the model…")
        self.stack.setCurrentIndex(0)
        if not self.context_task.is_busy():
            self._build(fitted)

    def _build(self, fitted: FittedModel) -> None:
        self._building = fitted
        self.context_task.run(ResultsContext.build, fitted)

    @Slot(object)
    def _on_context(self, context: ResultsContext) -> None:
        if context.fitted is self._fitted:
            self._show(context)

    @Slot(bool)
    def _on_context_busy(self, busy: bool) -> None:
        """A model that arrived while an older one was being prepared is prepared now."""
        if not busy and self._fitted is not None and self._building is not self._fitted:
            self._build(self._fitted)

    def _show(self, context: ResultsContext | None) -> None:
        self.context = context
        for panel in (self.recommend, self.new_user, self.biases, self.neighbours, self.map):
            panel.set_context(context)
        self.empty.setText(EMPTY)
        self.stack.setCurrentIndex(0 if context is None else 1)

    def set_ratings(self, ratings: Ratings | None) -> None:
        """The data set the model was trained on: its ratings show beside the recommendations."""
        self._ratings = ratings
        self.recommend.set_user_ratings(None)
        if ratings is not None and not self.ratings_task.is_busy():
            self._group(ratings)

    def _group(self, ratings: Ratings) -> None:
        self._grouping = ratings
        self.ratings_task.run(UserRatings.build, ratings)

    def is_busy(self) -> bool:
        """True while the model's tables, the map or the users' ratings are being prepared."""
        tasks = (self.context_task, self.ratings_task)
        return any(task.is_busy() for task in tasks) or self.map.is_busy()

    @Slot(bool)
    def _on_ratings_busy(self, busy: bool) -> None:
        """Ratings that arrived while older ones were being grouped are grouped now."""
        if not busy and self._ratings is not None and self._grouping is not self._ratings:
            self._group(self._ratings)

    def open_export_dialog(self) -> ExportDialog | None:
        """The export dialog (window-modal, not blocking), preset to the user shown."""
        if self.context is None:
            self.statusMessage.emit(
                "Train or open a model first; then its results can be exported."
            )
            return None
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.context, self)
            self.export_dialog.exportFinished.connect(self._on_exported)
        if self.recommend.user_id is not None:
            self.export_dialog.set_selected_users([self.recommend.user_id])
        self.export_dialog.prior.set_state(*self.recommend.prior.state())
        self.export_dialog.open()
        return self.export_dialog

    # ---- wiring between panels ----------------------------------------------------------------
    @Slot()
    def _on_prior_changed(self) -> None:
        """One ranking choice for every list: the other tab follows, and it is remembered."""
        state = self.sender().state()
        for prior in (self.recommend.prior, self.new_user.prior):
            prior.set_state(*state)
        self.settings.set_ranking_prior(*state)

    @Slot(int)
    def select_item(self, item_idx: int) -> None:
        """Any table row or map point: neighbours on the right, rings on the map."""
        if self.context is None:
            return
        self.neighbours.show_item(item_idx)
        self.map.show_item(item_idx, self.neighbours.neighbours()[0])
        self.itemSelected.emit(item_idx)

    def selected_item(self) -> int | None:
        return self.neighbours.item_idx

    def neighbour_items(self) -> np.ndarray:
        return self.neighbours.neighbours()[0]

    @Slot(object)
    def _on_user_ratings(self, user_ratings: UserRatings) -> None:
        if user_ratings.ratings is self._ratings:
            self.recommend.set_user_ratings(user_ratings)

    @Slot(object)
    def _on_exported(self, _outcome: object) -> None:
        if self.export_dialog is not None:  # a new model may have closed the dialog meanwhile
            self.statusMessage.emit(self.export_dialog.result.text())

    @Slot(object)
    def _on_context_failed(self, exc: object) -> None:
        """Leave the 'Preparing…' page: say it failed, so the user is not left waiting."""
        self.empty.setText("The results of this model could not be prepared (see the message).")
        self.stack.setCurrentIndex(0)
        dialogs.show_error(self, exc)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        dialogs.show_error(self, exc)

    def shutdown(self) -> None:
        """Window closing: cancel background work, wait for it, and start nothing afterwards."""
        for task in (self.context_task, self.ratings_task, self.map.task, self.new_user.task):
            task.close()
        if self.export_dialog is not None:
            self.export_dialog.task.close()
