"""The QApplication subclass: turns macOS Finder's "Open With" (a FileOpen event) into a signal."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication


class Application(QApplication):
    """Overriding `event` sees only events sent to the application itself, so unlike an
    application-wide event filter it costs nothing per widget event."""

    fileOpenRequested = Signal(str)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            self.fileOpenRequested.emit(event.file())
            return True
        return super().event(event)
