"""A non-modal bar across the top of a page: one sentence, up to two actions, and a close button."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class MessageBar(QFrame):
    """Hidden until `show_message`; the actions are signals, so whoever shows it decides."""

    actionClicked = Signal()
    chooseClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.text = QLabel(wordWrap=True)
        self.action = QPushButton()
        self.action.setObjectName("primary")
        self.choose = QPushButton("Choose file…")
        close = QToolButton(text="✕", toolTip="Hide this message", autoRaise=True)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.action)
        row.addWidget(self.choose)
        row.addWidget(close)
        self.action.clicked.connect(self.actionClicked)
        self.choose.clicked.connect(self.chooseClicked)
        close.clicked.connect(self._on_close)
        self.hide()

    def show_message(self, text: str, action: str = "", choose: bool = True) -> None:
        """One sentence; `action` names the main button (none when empty)."""
        self.text.setText(text)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self.choose.setVisible(choose)
        self.show()

    @Slot()
    def _on_close(self) -> None:
        self.hide()
