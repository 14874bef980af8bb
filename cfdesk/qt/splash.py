"""A start-up card shown within a second of launch, while torch and the window load (seconds).

Imports only Qt, so it can be on screen before anything heavy is imported.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QGuiApplication, QIcon, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

SIZE = (420, 220)
ICON = 96
EXPOSE_WAIT_S = 0.5  # how long to wait for the window system to map the card


def _card(icon: QIcon, version: str) -> QPixmap:
    """The app's icon, name and version on the palette's window colour (light or dark)."""
    palette = QGuiApplication.palette()
    ratio = (
        QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1
    )
    pixmap = QPixmap(int(SIZE[0] * ratio), int(SIZE[1] * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(palette.color(QPalette.ColorRole.Window))
    painter = QPainter(pixmap)
    painter.setPen(palette.color(QPalette.ColorRole.Mid))
    painter.drawRect(0, 0, SIZE[0] - 1, SIZE[1] - 1)
    if not icon.isNull():
        icon.paint(painter, QRect(28, 40, ICON, ICON))
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    title = QFont(painter.font())
    title.setPointSizeF(title.pointSizeF() * 2.2)
    title.setBold(True)
    painter.setFont(title)
    painter.drawText(QRect(148, 48, 260, 48), Qt.AlignmentFlag.AlignVCenter, "cfdesk")
    body = QFont(painter.font())
    body.setPointSizeF(body.pointSizeF() / 2.2)
    body.setBold(False)
    painter.setFont(body)
    painter.drawText(
        QRect(148, 96, 260, 40),
        Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
        f"Collaborative filtering on the desktop\nversion {version}",
    )
    painter.end()
    return pixmap


class Splash(QWidget):
    """A frameless card, shown and painted at once; `say` changes its bottom line between
    loading steps. Not a QSplashScreen: its show() waits a full second for the window system."""

    def __init__(self, icon: QIcon, version: str) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self._card = _card(icon, version)
        self._message = ""
        self.setFixedSize(*SIZE)
        self.setWindowTitle("cfdesk")
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            self.move(screen.availableGeometry().center() - self.rect().center())

    def message(self) -> str:
        return self._message

    def show_now(self, message: str) -> None:
        """Show, then wait (briefly) until the window system has mapped it, so it is really
        painted before the caller blocks the event loop with imports."""
        self._message = message
        self.show()
        handle = self.windowHandle()
        end = time.perf_counter() + EXPOSE_WAIT_S
        while handle is not None and not handle.isExposed() and time.perf_counter() < end:
            QApplication.processEvents()
            time.sleep(0.005)
        self.say(message)

    def say(self, message: str) -> None:
        """A new bottom line, painted now (the event loop is not running yet)."""
        self._message = message
        self.repaint()
        QApplication.processEvents()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._card)
        painter.setPen(QGuiApplication.palette().color(QPalette.ColorRole.WindowText))
        area = self.rect().adjusted(12, 0, -12, -14)
        align = Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter
        painter.drawText(area, align, self._message)
