"""Pick a user by typing part of their id; each row shows how many ratings the user has."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QLineEdit, QListView, QVBoxLayout, QWidget

from cfdesk.core.results.context import ResultsContext

Index = QModelIndex | QPersistentModelIndex
MAX_SHOWN = 5000  # a list longer than this helps nobody; typing narrows it


class UserListModel(QAbstractListModel):
    """Users as numpy arrays; filtering swaps one index array (fast for 162k users)."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._ids = np.array([], dtype=object)
        self._id_text = np.array([], dtype=str)
        self._counts = np.array([], dtype=np.int64)
        self._shown = np.array([], dtype=np.int64)

    def set_users(self, ids: np.ndarray, counts: np.ndarray, order: np.ndarray) -> None:
        """All users in `order` (most active first, so an empty search starts with them)."""
        self._ids = np.asarray(ids)[order]
        self._id_text = self._ids.astype(str)
        self._counts = np.asarray(counts)[order]
        self.set_filter("")

    def set_filter(self, text: str) -> None:
        """Show users whose id starts with `text` (exact match first)."""
        text = text.strip()
        if text:
            hits = np.char.startswith(self._id_text, text)
            exact = self._id_text == text
            found = np.flatnonzero(hits)
            found = np.concatenate([np.flatnonzero(exact), found[~exact[found]]])
        else:
            found = np.arange(len(self._ids))
        self.beginResetModel()
        self._shown = found[:MAX_SHOWN]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            count = int(self._counts[row])
            return f"{self._id_text[row]}  ·  {count:,} rating{'s' if count != 1 else ''}"
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[row].item() if hasattr(self._ids[row], "item") else self._ids[row]
        return None


class UserPicker(QWidget):
    """A search box over a list of users; `userChosen(raw_id)` fires on selection."""

    userChosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search user id…", clearButtonEnabled=True)
        self.users = UserListModel(self)
        self.list = QListView()
        self.list.setModel(self.users)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._on_return)
        self.list.selectionModel().currentChanged.connect(self._on_current)

    def set_context(self, context: ResultsContext | None) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        if context is None:
            none = np.zeros(0, dtype=np.int64)
            self.users.set_users(none, none, none)
        else:
            fitted = context.fitted
            self.users.set_users(fitted.users.ids, fitted.user_count, context.users_by_activity)

    def choose(self, user_id: object) -> bool:
        """Select a user by raw id (as if typed and picked); False when not in the list."""
        self.search.setText(str(user_id))
        self.users.set_filter(str(user_id))
        if self.users.rowCount() and str(self.users.index(0).data(Qt.ItemDataRole.UserRole)) == str(
            user_id
        ):
            self.list.setCurrentIndex(self.users.index(0))
            return True
        return False

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.users.set_filter(text)

    @Slot()
    def _on_return(self) -> None:
        if self.users.rowCount():
            self.list.setCurrentIndex(self.users.index(0))

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.userChosen.emit(current.data(Qt.ItemDataRole.UserRole))
