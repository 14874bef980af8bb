"""Small widgets the panels share: compact spin boxes, one-sentence option rows, row tables."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QSpinBox, QTableView, QWidget


def spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    """A compact spin box that reports a value once it is committed, not on every keystroke."""
    box = QSpinBox(minimum=low, maximum=high, value=value)
    box.setSuffix(suffix)
    box.setKeyboardTracking(False)
    return box


def options_row(*parts: QWidget | str) -> QHBoxLayout:
    """Lay out a sentence such as "Show [n] with ≥ [m] ratings": strings become labels."""
    row = QHBoxLayout()
    for part in parts:
        row.addWidget(QLabel(part) if isinstance(part, str) else part)
    row.addStretch(1)
    return row


def style_row_table(table: QTableView) -> None:
    """The look of every table of rows: whole-row selection, stripes, compact unwrapped rows."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setHighlightSections(False)
