"""Where the main window opens: a size that fits the screen, a remembered one clamped to it."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMargins, QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

MINIMUM = QSize(1024, 700)  # every page is laid out to work down to this size
PREFERRED = QSize(1280, 820)
FRAME = QMargins(0, 0, 16, 48)  # room for the window manager's borders and title bar


def _screen_for(window: QWidget) -> QScreen | None:
    """The screen under the window's centre, else the primary one (None without a screen)."""
    return QGuiApplication.screenAt(window.geometry().center()) or QGuiApplication.primaryScreen()


def clamped(rect: QRect, available: QRect, minimum: QSize) -> QRect:
    """`rect` shrunk to fit `available` (frame allowed for, never below `minimum`) and moved
    inside it."""
    room = available.marginsRemoved(FRAME)
    size = rect.size().boundedTo(room.size()).expandedTo(minimum)
    x = min(max(rect.x(), room.left()), room.right() + 1 - size.width())
    y = min(max(rect.y(), room.top()), room.bottom() + 1 - size.height())
    return QRect(max(x, room.left()), max(y, room.top()), size.width(), size.height())


def place_window(window: QWidget, saved: QByteArray) -> None:
    """Minimum size, then the remembered geometry or the preferred size, always on screen."""
    screen = _screen_for(window)
    available = screen.availableGeometry() if screen is not None else QRect()
    if available.isEmpty():
        window.setMinimumSize(MINIMUM)
        if saved.isEmpty() or not window.restoreGeometry(saved):
            window.resize(PREFERRED)
        return
    window.setMinimumSize(MINIMUM.boundedTo(available.size()))
    if not saved.isEmpty() and window.restoreGeometry(saved):
        if window.isMaximized() or window.isFullScreen():
            return
        window.setGeometry(clamped(window.geometry(), available, window.minimumSize()))
        return
    size = PREFERRED.boundedTo(available.marginsRemoved(FRAME).size())
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(available.center())
    window.setGeometry(clamped(rect, available, window.minimumSize()))
