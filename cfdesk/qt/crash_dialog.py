"""The dialog an unexpected error shows: what happened, that the app kept running, and details."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from cfdesk.qt.crash_log import LOG_NAME, crash_report, log_dir


class CrashDialog(QDialog):
    """Says what failed in one sentence; the traceback and versions are one click away."""

    def __init__(self, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("cfdesk — unexpected error")
        self.report = crash_report(exc)
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(32)
        )
        heading = QLabel(
            "<b>Something went wrong inside cfdesk</b><br>"
            + html.escape(f"{type(exc).__name__}: {exc}")  # the message may quote a file
        )
        heading.setWordWrap(True)
        folder = log_dir()
        note = QLabel(
            "cfdesk is still running: your data and model are as they were, but the last action may "
            f"not have finished. The details are also in <code>{html.escape(str(folder / LOG_NAME))}</code>. "
            "If you report this, please include them (Copy details)."
        )
        note.setWordWrap(True)
        self.details = QPlainTextEdit(self.report, readOnly=True, visible=False)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.toggle = QPushButton("Show details")
        self.copy_button = QPushButton("Copy details")
        self.open_logs = QPushButton("Open log folder")
        for button in (self.toggle, self.copy_button, self.open_logs):
            button.setAutoDefault(False)  # Enter closes; it never opens a folder by accident
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.toggle.clicked.connect(self._on_toggle)
        self.copy_button.clicked.connect(self.copy_details)
        self.open_logs.clicked.connect(self._on_open_logs)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus()
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(heading, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    @Slot()
    def copy_details(self) -> None:
        """Traceback and versions to the clipboard; the dialog stays open."""
        QApplication.clipboard().setText(self.report)
        self.copy_button.setText("Copied")

    @Slot()
    def _on_toggle(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.toggle.setText("Hide details" if shown else "Show details")
        self.adjustSize()

    @Slot()
    def _on_open_logs(self) -> None:
        open_folder(str(log_dir()))


def open_folder(path: str) -> None:
    """Show a folder in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def show_crash(exc: BaseException, parent: QWidget | None = None) -> None:
    """Show the dialog modally over the active window (the app keeps running afterwards)."""
    CrashDialog(exc, parent or QApplication.activeWindow()).exec()
