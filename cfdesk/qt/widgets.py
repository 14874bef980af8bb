"""Small widgets the panels share: compact spin boxes, one-sentence option rows, the look of
row tables, and a scroll area that never scrolls sideways."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QTableView,
    QWidget,
)

from cfdesk.qt.flow_layout import FlowLayout


def plain_label(text: str = "", **properties: object) -> QLabel:
    """A label for text from the user's files (titles, ids, paths, errors quoting them): shown
    as is, never guessed to be HTML, so a title such as `<img src=…>` stays words."""
    return QLabel(text, textFormat=Qt.TextFormat.PlainText, **properties)


def spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    """A compact spin box that reports a value once it is committed, not on every keystroke."""
    box = QSpinBox(minimum=low, maximum=high, value=value)
    box.setSuffix(suffix)
    box.setKeyboardTracking(False)
    return box


def options_row(*parts: QWidget | str) -> FlowLayout:
    """Lay out a sentence such as "Show [n] with ≥ [m] ratings" (strings become labels),
    wrapping in a narrow window."""
    row = FlowLayout()
    for part in parts:
        row.addWidget(QLabel(part) if isinstance(part, str) else part)
    return row


def labelled(text: str, field: QWidget) -> QWidget:
    """A label and its field as one piece, so a wrapping row never parts them; the label
    shows the field's tooltip too."""
    pair = QWidget()
    layout = QHBoxLayout(pair)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel(text, toolTip=field.toolTip()))
    layout.addWidget(field)
    return pair


def style_row_table(table: QTableView) -> None:
    """The look of every table of rows: whole-row selection, stripes, compact unwrapped rows."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setHighlightSections(False)


class VerticalScrollArea(QScrollArea):
    """Scrolls up and down only: the content always takes the viewport's width, so focus
    moving to a field never scrolls sideways, and the area asks for the content's width."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(content)

    def minimumSizeHint(self) -> QSize:
        content = self.widget().minimumSizeHint()
        scrollbar = self.verticalScrollBar().sizeHint().width()
        return QSize(content.width() + scrollbar + 2 * self.frameWidth(), 80)
