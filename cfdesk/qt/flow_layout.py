"""A layout that fills a row left to right and wraps onto the next row when it runs out of width.

Rows of options and buttons use it so a narrow window wraps them instead of needing a
horizontal scrollbar or cutting them off.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

H_SPACING = 6
V_SPACING = 4


class FlowLayout(QLayout):
    """Items keep their preferred size; a row's items are centred on the row's height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + H_SPACING * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return self._with_margins(QSize(width, height))

    def minimumSize(self) -> QSize:
        """One item per row: as narrow as the widest item."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize()).expandedTo(QSize(item.sizeHint().width(), 0))
        return self._with_margins(size)

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _with_margins(self, size: QSize) -> QSize:
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            wanted = item.sizeHint().width()
            if rows[-1] and used + H_SPACING + wanted > width:
                rows.append([])
                used = 0
            used += (H_SPACING if rows[-1] else 0) + wanted
            rows[-1].append(item)
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items (when `move`) and return the height they need at this width."""
        inner = rect.marginsRemoved(self.contentsMargins())
        y = inner.y()
        for row in self._rows(inner.width()):
            height = max(i.sizeHint().height() for i in row)
            x = inner.x()
            for item in row:
                hint = item.sizeHint()
                if move:
                    top = y + (height - hint.height()) // 2
                    width = min(hint.width(), inner.right() + 1 - x)
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, hint.height())))
                x += hint.width() + H_SPACING
            y += height + V_SPACING
        m = self.contentsMargins()
        return max(y - V_SPACING - inner.y(), 0) + m.top() + m.bottom()
