"""A chart axis for counts: 20,000 rather than 20000 (pyqtgraph prints plain digits)."""

from __future__ import annotations

import pyqtgraph as pg


class CountAxis(pg.AxisItem):
    """Whole numbers get thousands separators; fractions keep pyqtgraph's own short form."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Labels for the ticks pyqtgraph chose."""
        labels = []
        for value in values:
            number = value * scale
            labels.append(f"{number:,.0f}" if float(number).is_integer() else f"{number:,.4g}")
        return labels
