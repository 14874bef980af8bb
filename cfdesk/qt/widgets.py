"""Small widgets the panels share: compact spin boxes and one-sentence option rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget


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


def options_row(*parts: QWidget | str) -> QHBoxLayout:
    """Lay out a sentence such as "Show [n] with ≥ [m] ratings": strings become labels."""
    row = QHBoxLayout()
    for part in parts:
        row.addWidget(QLabel(part) if isinstance(part, str) else part)
    row.addStretch(1)
    return row
