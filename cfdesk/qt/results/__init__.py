"""Placeholder results view until the results panels land: same API, a friendly message."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cfdesk.core.fitted import FittedModel
from cfdesk.core.ratings import Ratings

_EMPTY = "Train a model or open one to browse recommendations."


class ResultsView(QWidget):
    """Recommendations, similar items and the map; for now it only says what it will show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fitted: FittedModel | None = None
        self._ratings: Ratings | None = None
        self._label = QLabel(_EMPTY)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)

    def set_model(self, fitted: FittedModel | None) -> None:
        """Show results for a trained or opened model (None clears)."""
        self._fitted = fitted
        if fitted is None:
            self._label.setText(_EMPTY)
        else:
            self._label.setText(
                f"Model ready: {fitted.config.model}, {fitted.n_users:,} users × "
                f"{fitted.n_items:,} items. Result views arrive in a later version."
            )

    def set_ratings(self, ratings: Ratings | None) -> None:
        """The data set the model was trained on (for 'seen' items and titles)."""
        self._ratings = ratings

    def open_export_dialog(self) -> None:
        """Exports need the result views; nothing to export yet."""
