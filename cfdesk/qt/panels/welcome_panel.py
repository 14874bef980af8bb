"""The first screen: open a file, try the demo, or pick up a recent file."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class WelcomePanel(QWidget):
    """Emits what the user wants to open; the window decides how."""

    openRequested = Signal()
    openModelRequested = Signal()
    demoRequested = Signal()
    recentChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Welcome to cfdesk")
        title.setObjectName("title")
        intro = QLabel(
            "Train a recommender from a ratings file (who rated what, and how much), watch it "
            "learn, then browse its recommendations. Drop a file anywhere on this window, or:"
        )
        intro.setWordWrap(True)
        self.open_button = QPushButton(
            "Open ratings file…", toolTip="CSV, TSV, MovieLens .data/.dat, .gz or .zip (Ctrl+O)."
        )
        self.open_button.setObjectName("primary")
        self.demo_button = QPushButton(
            "Try the demo data", toolTip="A generated movie-ratings set with titles and genres."
        )
        self.model_button = QPushButton("Open model…", toolTip="A model saved earlier (.cfmodel).")
        buttons = QHBoxLayout()
        for button in (self.open_button, self.demo_button, self.model_button):
            button.setMinimumHeight(40)
            buttons.addWidget(button)
        buttons.addStretch(1)
        recent_label = QLabel("Recent files")
        recent_label.setObjectName("heading")
        self.recent = QListWidget()
        self.recent.setToolTip("Double-click to open again.")
        self.recent.setMaximumHeight(260)
        self.recent.itemActivated.connect(self._on_recent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(16)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addSpacing(12)
        layout.addWidget(recent_label)
        layout.addWidget(self.recent)
        layout.addStretch(1)
        self.open_button.clicked.connect(self.openRequested)
        self.demo_button.clicked.connect(self.demoRequested)
        self.model_button.clicked.connect(self.openModelRequested)

    def set_recent(self, paths: list[str]) -> None:
        """Recent data and model files, newest first."""
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}    —    {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(f"<span>{html.escape(path)}</span>")  # a name with <b> stays words
            self.recent.addItem(item)
        if not paths:
            placeholder = QListWidgetItem("Nothing yet: files you open will be listed here.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(placeholder)

    @Slot(QListWidgetItem)
    def _on_recent(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.recentChosen.emit(path)
