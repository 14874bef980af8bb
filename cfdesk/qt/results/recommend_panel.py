"""Top-N recommendations for one user beside the items that user rated highest."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.results.context import ResultsContext, UserRatings
from cfdesk.core.results.levels import has_levels, top_level_chance, top_level_name, user_vector
from cfdesk.core.results.lookup import user_index
from cfdesk.qt.flow_layout import FlowLayout
from cfdesk.qt.results.frame_model import empty_frame
from cfdesk.qt.results.item_table import ItemTable
from cfdesk.qt.results.prior_control import PriorControl, show_ranking
from cfdesk.qt.results.user_picker import UserPicker
from cfdesk.qt.widgets import spin

TOP_COLUMNS = ["rank", "title", "genres", "score", "predicted", "count", "mean", "p_top"]
OWN_COLUMNS = ["title", "genres", "user_rating", "count", "mean"]
ALL_GENRES = "All genres"
OWN_SHOWN = 20


class RecommendPanel(QWidget):
    """The user picker drives the table; every option change recomputes at once (milliseconds)."""

    itemSelected = Signal(int)
    userChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: ResultsContext | None = None
        self.user_ratings: UserRatings | None = None
        self.user_id: object = None
        self.picker = UserPicker()
        self.picker.setFixedWidth(210)
        self.n = spin(1, 500, 10)
        self.exclude = QCheckBox("Hide items the user rated", checked=True)
        self.prior = PriorControl()
        self.min_count = spin(0, 100_000, 0, " ratings")
        self.min_count.setPrefix("at least ")
        self.genre = QComboBox()
        self.genre.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.copy = QPushButton("Copy rows")
        self.copy.setToolTip("Copy the selected rows (or all rows) as text for a spreadsheet")
        self.heading = QLabel("Pick a user on the left.")
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)  # a long heading must not widen the page
        self.note = QLabel()
        self.note.setObjectName("caption")
        self.note.setWordWrap(True)
        self.top = ItemTable(TOP_COLUMNS)
        self.own_heading = QLabel("Their highest-rated items", wordWrap=True)
        self.own = ItemTable(OWN_COLUMNS)
        self._build_layout()
        self.picker.userChosen.connect(self.show_user)
        for box in (self.n, self.min_count):
            box.valueChanged.connect(self.refresh)
        self.exclude.toggled.connect(self.refresh)
        self.prior.changed.connect(self.refresh)
        self.genre.currentIndexChanged.connect(self.refresh)
        self.copy.clicked.connect(self.top.copy_selection)
        self.top.itemSelected.connect(self.itemSelected)
        self.own.itemSelected.connect(self.itemSelected)

    def _build_layout(self) -> None:
        options = FlowLayout()
        options.addWidget(QLabel("Show"))
        options.addWidget(self.n)
        options.addWidget(self.exclude)
        options.addWidget(self.prior)
        filters = FlowLayout()
        filters.addWidget(QLabel("Only items with"))
        filters.addWidget(self.min_count)
        filters.addWidget(QLabel("in"))
        filters.addWidget(self.genre)
        filters.addWidget(self.copy)
        own_box = QWidget()
        own_layout = QVBoxLayout(own_box)
        own_layout.setContentsMargins(0, 6, 0, 0)
        own_layout.addWidget(self.own_heading)
        own_layout.addWidget(self.own)
        tables = QSplitter(Qt.Orientation.Vertical)
        tables.addWidget(self.top)
        tables.addWidget(own_box)
        tables.setSizes([420, 260])
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(options)
        right.addLayout(filters)
        right.addWidget(self.note)
        right.addWidget(tables, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addLayout(right, 1)

    def set_context(self, context: ResultsContext | None) -> None:
        """A new model: refill the user list and the genre choice, clear the tables."""
        self.context, self.user_id = context, None
        self.picker.set_context(context)
        self.genre.blockSignals(True)
        self.genre.clear()
        self.genre.addItem(ALL_GENRES)
        if context is not None:
            self.genre.addItems(list(context.genres))
        self.genre.setEnabled(self.genre.count() > 1)
        self.genre.blockSignals(False)
        self.heading.setText("Pick a user on the left." if context else "No model yet.")
        if context is not None:
            self.prior.set_floor(context.recommender.liked_floor or 0.0)
        self._show_ranking()
        levels = context is not None and has_levels(context.fitted)  # dist: show P(5★)
        self.top.show_column("p_top", levels)
        if levels:
            self.top.frame_model.headers["p_top"] = top_level_name(context.fitted)
        self.top.set_frame(empty_frame(TOP_COLUMNS))
        self.own.set_frame(empty_frame(OWN_COLUMNS))

    def set_user_ratings(self, user_ratings: UserRatings | None) -> None:
        self.user_ratings = user_ratings
        self._show_own()

    @Slot(object)
    def show_user(self, user_id: object) -> None:
        """Recommendations and favourites of one raw user id."""
        self.user_id = user_id
        self.refresh()
        self._show_own()
        self.userChanged.emit(user_id)

    def genres(self) -> str | None:
        text = self.genre.currentText()
        return None if text in ("", ALL_GENRES) else text

    def _show_ranking(self) -> None:
        ranker = None if self.context is None else self.context.ranker(self.prior.weight())
        show_ranking(ranker, self.top, self.note)

    @Slot()
    def refresh(self) -> None:
        """Recompute the top-N table for the current user and options."""
        self._show_ranking()
        if self.context is None or self.user_id is None:
            return
        fitted = self.context.fitted
        user = user_index(fitted, self.user_id)
        rated = self._rated_elsewhere() if self.exclude.isChecked() else np.zeros(0, np.int64)
        ranked = self.context.ranker(self.prior.weight()).rank_idx(
            user,
            self.n.value() + len(rated),
            self.exclude.isChecked(),
            self.min_count.value(),
            self.genres(),
        )
        keep = ~np.isin(ranked.idx, rated)
        idx = ranked.idx[keep][: self.n.value()]
        frame = self.context.rows(idx)
        frame.insert(0, "rank", np.arange(1, len(idx) + 1))
        frame["score"] = ranked.score[keep][: len(idx)].astype(np.float64)
        frame["predicted"] = ranked.predicted[keep][: len(idx)].astype(np.float64)
        frame["p_top"] = (
            top_level_chance(fitted, idx, user_vector(fitted, user))
            if has_levels(fitted)
            else np.nan
        )
        self.top.set_frame(frame)
        genre = f" in {self.genres()}" if self.genres() else ""
        self.heading.setText(f"Top {len(idx)}{genre} for user {self.user_id} · {self._rated(user)}")

    def _rated(self, user: int) -> str:
        """How many items the user rated, and how many of those the model trained on."""
        fitted = self.context.fitted
        total, trained = len(fitted.seen.of(user)), int(fitted.user_count[user])
        held = f" ({trained:,} trained on, {total - trained:,} held out)" if total > trained else ""
        return f"rated {total:,} item{'s' if total != 1 else ''}{held}"

    def _rated_elsewhere(self) -> np.ndarray:
        """Item indices this user rated in the loaded data that the model does not record as
        seen (rows it never trained or validated on): the person has rated them all the same."""
        if self.user_ratings is None:
            return np.zeros(0, np.int64)
        item_ids, _ = self.user_ratings.of(self.user_id)
        idx = self.context.fitted.items.indices_of(item_ids.tolist())
        seen = self.context.fitted.seen.of(user_index(self.context.fitted, self.user_id))
        return np.setdiff1d(idx[idx >= 0], seen)

    def _show_own(self) -> None:
        if self.context is None or self.user_id is None:
            return
        if self.user_ratings is None:
            self.own_heading.setText("Their own ratings appear once the data set is loaded.")
            self.own.set_frame(empty_frame(OWN_COLUMNS))
            return
        item_ids, ratings = self.user_ratings.of(self.user_id)
        idx = self.context.fitted.items.indices_of(item_ids.tolist())
        known = idx >= 0
        idx, ratings = idx[known], ratings[known]
        order = np.lexsort((-self.context.items["count"].to_numpy()[idx], -ratings))[:OWN_SHOWN]
        frame = self.context.rows(idx[order])
        frame["user_rating"] = ratings[order].astype(np.float64)
        self.own.set_frame(frame)
        self.own_heading.setText(
            f"User {self.user_id}'s highest-rated items: the top {len(order)} of their "
            f"{len(ratings):,} ratings"
        )
