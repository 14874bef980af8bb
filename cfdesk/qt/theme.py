"""Colours and chart styling that read well on both light and dark system palettes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from cfdesk.assets import asset_path

# Mid-tone colours: enough contrast on white and on near-black backgrounds.
SERIES = {
    "train": "#3b82f6",
    "valid": "#f59e0b",
    "batch": "#94a3b8",
    "best": "#10b981",
    "baseline": "#a855f7",
    "used": "#3b82f6",
    "total": "#ef4444",
    "allocated": "#10b981",
    "reserved": "#f59e0b",
    "accent": "#2563eb",
}


TITLE_HEIGHT = 30  # pyqtgraph's row for a one-line title


def pen(series: str, width: float = 2.0, dashed: bool = False) -> pg.mkPen:
    """A cosmetic pen in one series colour."""
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    return pg.mkPen(QColor(SERIES[series]), width=width, style=style)


def palette_color(role: QPalette.ColorRole) -> QColor:
    """A colour from the running application's palette (follows the system theme)."""
    return QApplication.palette().color(role)


def _wrapping_title(item: pg.PlotItem) -> None:
    """pyqtgraph makes a title's one-line width the plot's minimum width (on every resize),
    which widens a narrow chart past its widget's edge: wrap the title to the width instead."""
    label = item.titleLabel
    fit_height = label.updateMin

    def update_min() -> None:
        text = label.item
        text.setTextWidth(-1)
        width = label.rect().width()
        if 0 < width < text.boundingRect().width():
            text.setTextWidth(width)
            option = text.document().defaultTextOption()
            option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            text.document().setDefaultTextOption(option)
            text.setPos(0, 0)
        height = max(TITLE_HEIGHT, int(text.boundingRect().height()))
        label.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)
        fit_height()
        label.setMinimumWidth(0)

    label.updateMin = update_min
    update_min()


def style_plot(widget: pg.PlotWidget, title: str, x_label: str, y_label: str) -> pg.PlotItem:
    """Palette background and text, grid, axis labels and a legend: the same look for every chart."""
    widget.setBackground(palette_color(QPalette.ColorRole.Base))
    text = palette_color(QPalette.ColorRole.Text)
    item = widget.getPlotItem()
    item.setTitle(title, color=text, size="11pt")
    _wrapping_title(item)
    for name, label in (("bottom", x_label), ("left", y_label)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
        axis.setLabel(label, color=text.name())
        axis.setStyle(maxTickLevel=0)  # major ticks only: a minor grid is costly to paint
        axis.enableAutoSIPrefix(False)  # "seconds (x0.001)" reads worse than 0.2, 0.4…
    item.showGrid(x=True, y=True, alpha=0.15)
    legend = item.addLegend(offset=(-10, 10), labelTextColor=text)
    backdrop = palette_color(QPalette.ColorRole.Base)
    backdrop.setAlpha(150)  # lines passing behind the legend stay visible
    legend.setBrush(pg.mkBrush(backdrop))
    item.setMenuEnabled(False)
    return item


def load_stylesheet() -> str:
    """The app's small stylesheet (spacing, sidebar); empty when the file is missing."""
    path = asset_path("style/cfdesk.qss")
    return path.read_text(encoding="utf-8") if path.is_file() else ""
