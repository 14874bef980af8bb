"""Open and save choosers that are big enough to read: Qt's own dialog (used where the desktop
offers no native one) opens at 632 × 412 with its Size and Type columns cut to "1.5…" and "pla…"."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QTreeView, QWidget

WIDTH, HEIGHT = 960, 600  # at most 85 % of the screen
SCREEN_SHARE = 0.85
SAMPLES = {1: "1,023.9 KiB", 2: "plain text document", 3: "31/12/2026 23:59"}  # column: widest


def open_file_name(parent: QWidget, caption: str, folder: str, filters: str = "") -> str:
    """The path chosen to open, "" when cancelled."""
    QTimer.singleShot(0, fit_file_dialog)
    path, _ = QFileDialog.getOpenFileName(parent, caption, folder, filters)
    return path


def save_file_name(parent: QWidget, caption: str, start: str, filters: str = "") -> str:
    """The path chosen to save to, "" when cancelled."""
    QTimer.singleShot(0, fit_file_dialog)
    path, _ = QFileDialog.getSaveFileName(parent, caption, start, filters)
    return path


def folder_name(parent: QWidget, caption: str, start: str) -> str:
    """The folder chosen, "" when cancelled."""
    QTimer.singleShot(0, fit_file_dialog)
    return QFileDialog.getExistingDirectory(parent, caption, start)


def fit_file_dialog() -> None:
    """Size the open Qt file dialog and its detail columns so names, sizes and types show whole
    (native dialogs size themselves; this finds none of their widgets and leaves them alone)."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, QFileDialog):
        return
    room = dialog.screen().availableGeometry()
    width = min(WIDTH, int(room.width() * SCREEN_SHARE))
    height = min(HEIGHT, int(room.height() * SCREEN_SHARE))
    if dialog.width() < width or dialog.height() < height:
        centre = dialog.geometry().center()
        dialog.resize(max(width, dialog.width()), max(height, dialog.height()))
        frame = dialog.frameGeometry()
        frame.moveCenter(centre)
        dialog.move(frame.topLeft())
    view = dialog.findChild(QTreeView, "treeView")
    if view is None:
        return
    header, metrics = view.header(), view.fontMetrics()
    widths = {col: metrics.horizontalAdvance(text) + 28 for col, text in SAMPLES.items()}
    for col, px in widths.items():
        header.resizeSection(col, px)
    header.resizeSection(0, max(200, view.viewport().width() - sum(widths.values())))
