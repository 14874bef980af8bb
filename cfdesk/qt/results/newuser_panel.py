"""A person the model has never seen rates a few items and gets recommendations at once (fold-in)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.results.context import ResultsContext
from cfdesk.core.results.foldin import fold_in
from cfdesk.core.results.recommend import Ranked
from cfdesk.qt import dialogs
from cfdesk.qt.flow_layout import FlowLayout
from cfdesk.qt.results.frame_model import empty_frame
from cfdesk.qt.results.item_table import ItemTable
from cfdesk.qt.results.prior_control import PriorControl, show_ranking
from cfdesk.qt.tasks import BackgroundTask
from cfdesk.qt.widgets import spin

FOUND_COLUMNS = ["title", "count"]
RECS_COLUMNS = ["rank", "title", "genres", "score", "predicted", "count"]
RATED_COLUMNS = ["title", "rating"]


def star_values(low: float, high: float) -> list[float]:
    """Whole steps for star-like scales; five even steps for anything else."""
    if high - low <= 10 and math.floor(high) - math.ceil(low) >= 1:
        return [float(v) for v in range(math.ceil(low), math.floor(high) + 1)]
    return [float(v) for v in np.round(np.linspace(low, high, 5), 2)]


def recommend_for(
    context: ResultsContext, pairs: list[tuple[object, float]], n: int, weight: float
) -> Ranked:
    """Fold a new user in from (item id, rating) pairs and rank for them (on a worker), with the
    popularity-prior weight the Recommendations tab uses too."""
    return context.ranker(weight).rank_folded(fold_in(context.fitted, pairs), n)


class NewUserPanel(QWidget):
    """Search → rate with a star button → the recommendations follow every change."""

    itemSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: ResultsContext | None = None
        self.rated: dict[int, float] = {}  # item_idx -> rating, in the order given
        self._stale = False  # ratings changed while the worker was folding older ones in
        self.task = BackgroundTask(self)
        self.task.succeeded.connect(self._on_recommended)
        self.task.failed.connect(self._on_failed)
        self.task.busyChanged.connect(self._on_busy)
        self.search = QLineEdit(placeholderText="Search titles to rate…", clearButtonEnabled=True)
        self.found = ItemTable(FOUND_COLUMNS)
        self.stars = FlowLayout()  # 'Rate it:' and a button per star value, wrapping
        self.star_buttons: list[QToolButton] = []
        self.rated_table = ItemTable(RATED_COLUMNS)
        self.remove = QPushButton("Remove")
        self.clear = QPushButton("Clear and start again")
        self.n = spin(1, 200, 15)
        self.prior = PriorControl()
        self.note = QLabel()
        self.note.setObjectName("caption")
        self.note.setWordWrap(True)
        self.status = QLabel("Rate a few items you know; recommendations appear as you go.")
        self.status.setWordWrap(True)
        self.recs = ItemTable(RECS_COLUMNS)
        self._build_layout()
        self.search.textChanged.connect(self._on_search)
        self.remove.clicked.connect(self._on_remove)
        self.clear.clicked.connect(self.clear_ratings)
        self.n.valueChanged.connect(self.refresh)
        self.prior.changed.connect(self.refresh)
        for table in (self.found, self.rated_table, self.recs):
            table.itemSelected.connect(self.itemSelected)

    def _build_layout(self) -> None:
        self.stars.addWidget(QLabel("Rate it:"))
        rated_buttons = QHBoxLayout()
        rated_buttons.addWidget(self.remove)
        rated_buttons.addWidget(self.clear)
        rated_buttons.addStretch(1)
        recs_head = FlowLayout()
        heading = QLabel("Recommended for you")
        heading.setObjectName("heading")
        recs_head.addWidget(heading)
        recs_head.addWidget(QLabel("Show"))
        recs_head.addWidget(self.n)
        recs_head.addWidget(self.prior)
        yours = QLabel("Your ratings")
        yours.setObjectName("heading")
        grid = QGridLayout(self)
        grid.addWidget(self.search, 0, 0)
        grid.addWidget(self.found, 1, 0)
        grid.addLayout(self.stars, 2, 0)
        grid.addWidget(yours, 3, 0)
        grid.addWidget(self.rated_table, 4, 0)
        grid.addLayout(rated_buttons, 5, 0)
        right = QVBoxLayout()
        right.addLayout(recs_head)
        right.addWidget(self.note)
        right.addWidget(self.status)
        right.addWidget(self.recs, 1)
        grid.addLayout(right, 0, 1, 6, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 5)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(4, 2)

    def set_context(self, context: ResultsContext | None) -> None:
        self.context = context
        if context is not None:
            self.prior.set_floor(context.recommender.liked_floor or 0.0)
        while self.star_buttons:
            button = self.star_buttons.pop()
            self.stars.removeWidget(button)
            button.deleteLater()
        if context is not None:
            for value in star_values(*context.fitted.rating_range):
                button = QToolButton(text=f"★ {value:g}")
                button.setToolTip(f"Rate the selected item {value:g}")
                button.setProperty("rating", value)
                button.clicked.connect(self._on_star)
                self.stars.addWidget(button)
                self.star_buttons.append(button)
        self.search.clear()
        self.found.set_frame(empty_frame(FOUND_COLUMNS))
        self.clear_ratings()

    def rate(self, item_idx: int, rating: float) -> None:
        """Add or change one rating, then refit the new user and refresh the list."""
        self.rated[int(item_idx)] = float(rating)
        self.refresh()

    @Slot()
    def clear_ratings(self) -> None:
        self.rated.clear()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Show the ratings now; fold them in and rank in a worker (least squares takes
        milliseconds, the nn model's 300 gradient steps about 0.2 s)."""
        self._show_ranking()
        rated = empty_frame(RATED_COLUMNS)
        if self.context is not None and self.rated:
            rated = self.context.rows(np.fromiter(self.rated, dtype=np.int64))
            rated["rating"] = list(self.rated.values())
        self.rated_table.set_frame(rated)
        self.status.setVisible(not self.rated)
        self.remove.setEnabled(bool(self.rated))
        self.clear.setEnabled(bool(self.rated))
        if self.context is None or not self.rated:
            self._stale = False
            self.recs.set_frame(empty_frame(RECS_COLUMNS))
        elif self.task.is_busy():
            self._stale = True
        else:
            self._stale = False
            fitted = self.context.fitted
            pairs = list(
                zip(fitted.items.ids[list(self.rated)].tolist(), self.rated.values(), strict=True)
            )
            self.task.run(recommend_for, self.context, pairs, self.n.value(), self.prior.weight())

    def is_busy(self) -> bool:
        return self.task.is_busy()

    def _show_ranking(self) -> None:
        ranker = None if self.context is None else self.context.ranker(self.prior.weight())
        show_ranking(ranker, self.recs, self.note)

    @Slot(object)
    def _on_recommended(self, ranked: Ranked) -> None:
        if self._stale or self.context is None or not self.rated:
            return  # newer ratings are on their way
        recs = self.context.rows(ranked.idx)
        recs.insert(0, "rank", np.arange(1, len(ranked.idx) + 1))
        recs["score"] = ranked.score.astype(np.float64)
        recs["predicted"] = ranked.predicted.astype(np.float64)
        self.recs.set_frame(recs)

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        if not busy and self._stale:
            self.refresh()

    def recommended(self) -> np.ndarray:
        """Item indices currently recommended, best first."""
        return self.recs.frame_model.frame["item_idx"].to_numpy(np.int64)

    @Slot(str)
    def _on_search(self, text: str) -> None:
        if self.context is None:
            return
        self.found.set_frame(self.context.rows(self.context.search(text)))

    @Slot()
    def _on_star(self) -> None:
        item = self.found.frame_model.item_idx(self.found.currentIndex().row())
        if item is not None:
            self.rate(item, float(self.sender().property("rating")))

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        dialogs.show_error(self, exc)

    @Slot()
    def _on_remove(self) -> None:
        for row in self.rated_table.selected_rows():
            self.rated.pop(self.rated_table.frame_model.item_idx(row), None)
        self.refresh()
