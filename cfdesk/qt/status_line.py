"""A status text that changes often (training progress) without re-laying out the window."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_LINES = 2  # longer text is elided; the whole of it is in the tooltip


class StatusLine(QWidget):
    """Plain text, word-wrapped to at most MAX_LINES lines.

    QLabel.setText asks every layout up to the window to recompute, and the window then paints
    a second time: 1.5 of the 3.6 ms of UI-thread CPU a training-chart update cost
    (`bench/bench_monitor.py`). Here new text repaints this line only; the layouts hear of it
    only when the number of lines it needs changes.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._text = ""
        self._lines: list[str] = []
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        """Show `text` as is (never as markup); repaint, and re-lay out only if its height changes."""
        if text == self._text and self._lines:
            return
        self._text = text
        self._wrap()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, self._height(max(len(self._lines), 1)))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._height(max(len(self._lines), 1)))

    def _height(self, lines: int) -> int:
        return lines * self.fontMetrics().lineSpacing()

    def _wrap(self) -> None:
        """Break the text into lines for the current width; elide past MAX_LINES."""
        layout = QTextLayout(self._text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        width = max(self.width(), 1)
        lines: list[str] = []
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines.append(self._text[line.textStart() : line.textStart() + line.textLength()])
        layout.endLayout()
        elided = len(lines) > MAX_LINES
        if elided:
            rest = "".join(lines[MAX_LINES - 1 :]).replace("\n", " ")
            last = self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, width)
            lines = lines[: MAX_LINES - 1] + [last]
        tip = f"<span>{html.escape(self._text)}</span>" if elided else ""
        if tip != self.toolTip():  # each change is an event; most updates change nothing here
            self.setToolTip(tip)
        if self._text != self.accessibleName():
            self.setAccessibleName(self._text)
        self._lines = [line.rstrip("\n") for line in lines]
        height = self._height(max(len(lines), 1))
        if height != self.maximumHeight():  # fixed: text changes reach no layout unless it grows
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if event.size().width() != event.oldSize().width():
            self._wrap()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._wrap()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        metrics = self.fontMetrics()
        for row, line in enumerate(self._lines):
            painter.drawText(QPointF(0, row * metrics.lineSpacing() + metrics.ascent()), line)
