"""One left-aligned row of labels and controls, so the panels' option sentences read alike."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget


def options_row(*parts: QWidget | str) -> QHBoxLayout:
    """Lay out a sentence such as "Show [n] with ≥ [m] ratings": strings become labels."""
    row = QHBoxLayout()
    for part in parts:
        row.addWidget(QLabel(part) if isinstance(part, str) else part)
    row.addStretch(1)
    return row
