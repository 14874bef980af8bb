"""Help → About: versions, devices and the log folder (for bug reports), and the shortcut list."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.training.device import DeviceInfo
from cfdesk.qt.crash_dialog import open_folder
from cfdesk.qt.crash_log import log_dir, versions

SHOWN_VERSIONS = ("cfdesk", "torch", "CUDA", "Qt", "PySide6", "Python", "System")
# Shortcuts that belong to a widget rather than to a window action.
WIDGET_SHORTCUTS = (("Copy the selected rows of a results table", QKeySequence.StandardKey.Copy),)


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(what it does, keys) for every action with a shortcut, menu ampersands removed."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…"), ", ".join(keys)))
    native = QKeySequence.SequenceFormat.NativeText
    return rows + [(text, QKeySequence(key).toString(native)) for text, key in WIDGET_SHORTCUTS]


class AboutDialog(QDialog):
    """Two tabs: About (versions, devices, log folder) and Keyboard shortcuts."""

    def __init__(
        self,
        actions: list[QAction],
        devices: list[DeviceInfo],
        searching: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("About cfdesk")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._about_page(devices, searching), "About")
        self.tabs.addTab(self._shortcuts_page(actions), "Keyboard shortcuts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _about_page(self, devices: list[DeviceInfo], searching: bool) -> QWidget:
        page = QWidget()
        info = versions()
        heading = QLabel(
            f"<h2>cfdesk {escape(info['cfdesk'])}</h2>"
            "Collaborative filtering on the desktop: train recommendation models on a ratings "
            "file and explore what they learned."
        )
        heading.setWordWrap(True)
        form = QFormLayout()
        for key in SHOWN_VERSIONS[1:]:
            form.addRow(f"{key}:", _selectable(info[key]))
        names = [escape(d.name) for d in devices] + (["looking for GPUs…"] if searching else [])
        form.addRow("Devices:", _selectable("<br>".join(names)))
        self.log_label = _selectable(str(log_dir()))
        form.addRow("Log folder:", self.log_label)
        self.open_logs = QPushButton("Open log folder")
        self.open_logs.setAutoDefault(False)  # Enter closes the dialog
        self.open_logs.clicked.connect(self._on_open_logs)
        row = QHBoxLayout()
        row.addWidget(self.open_logs)
        row.addStretch(1)
        form.addRow("", row)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _shortcuts_page(self, actions: list[QAction]) -> QWidget:
        rows = shortcut_rows(actions)
        self.shortcuts = QTableWidget(len(rows), 2)
        self.shortcuts.setHorizontalHeaderLabels(["Action", "Keys"])
        self.shortcuts.verticalHeader().setVisible(False)
        self.shortcuts.setShowGrid(False)
        self.shortcuts.setAlternatingRowColors(True)
        self.shortcuts.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.shortcuts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (text, keys) in enumerate(rows):
            self.shortcuts.setItem(row, 0, QTableWidgetItem(text))
            self.shortcuts.setItem(row, 1, QTableWidgetItem(keys))
        self.shortcuts.horizontalHeader().setStretchLastSection(True)
        self.shortcuts.resizeColumnToContents(0)
        return self.shortcuts

    @Slot()
    def _on_open_logs(self) -> None:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        open_folder(str(folder))


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
