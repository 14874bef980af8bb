"""The item map: one scatter of every item, hover card, labels, search and selection overlays."""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy

from cfdesk.qt.results.map.fast_scatter import FastScatter
from cfdesk.qt.results.map.select_box import SelectViewBox
from cfdesk.qt.results.map.style import Colouring, with_alpha
from cfdesk.qt.theme import SERIES, palette_color

N_LABELS = 14
LABEL_CHARS = 26
HIT_MARGIN_PX = 3.0
POINT_ALPHA = 255  # opaque: crisp points, and overlaps do not invent new colours


def short(title: str, chars: int = LABEL_CHARS) -> str:
    return title if len(title) <= chars else title[: chars - 1].rstrip() + "…"


class MapPlot(pg.PlotWidget):
    """Points carry their item index (`data=np.arange(n)`); hits are found with numpy, not items."""

    itemClicked = Signal(int)
    itemHovered = Signal(int)  # -1 when the pointer leaves every point
    areaSelected = Signal(object)  # np.ndarray of item indices

    def __init__(self, parent: object = None) -> None:
        self.view = SelectViewBox()
        super().__init__(parent, viewBox=self.view)
        self.setBackground(palette_color(QPalette.ColorRole.Base))
        self.x = self.y = self.sizes = np.zeros(0)
        self._brushes: np.ndarray | None = None
        self.titles: list[str] = []
        self.card_text: Callable[[int], str] = str
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()  # the 'A' button sits on the axis title; Reset view does its job
        text = palette_color(QPalette.ColorRole.Text)
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
            axis.enableAutoSIPrefix(False)  # "600 (x0.001)" reads worse than 0.6
        self.scatter = FastScatter(pxMode=True, pen=None, antialias=False)
        # Hovering repaints a small card; the cache spares re-drawing every point under it.
        self.scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # Search matches: large filled discs outlined in the text colour, so they stand out on any
        # point colour and background (thin rings disappeared among 1,600 coloured points).
        self.matches = pg.ScatterPlotItem(
            pxMode=True, brush=pg.mkBrush(SERIES["accent"]), pen=pg.mkPen(text, width=2), size=16
        )
        self.neighbour_marks = pg.ScatterPlotItem(
            pxMode=True, brush=None, pen=pg.mkPen(text, width=1.5), size=12
        )
        self.selected_mark = pg.ScatterPlotItem(
            pxMode=True, brush=pg.mkBrush(SERIES["total"]), pen=pg.mkPen(text, width=3), size=18
        )
        self.area_marks = pg.ScatterPlotItem(
            pxMode=True, brush=None, pen=pg.mkPen(SERIES["best"], width=1.5), size=10
        )
        self.selected_label = pg.TextItem(
            color=text,
            anchor=(0.5, 1.4),
            fill=pg.mkBrush(with_alpha(palette_color(QPalette.ColorRole.Base), 200)),
        )
        self.selected_label.setZValue(90)
        self.selected_label.hide()
        for item in (self.scatter, self.area_marks, self.matches, self.neighbour_marks):
            plot.addItem(item)
        for mark in (self.matches, self.neighbour_marks, self.selected_mark, self.area_marks):
            mark.item_idx = np.zeros(0, dtype=np.int64)
        plot.addItem(self.selected_mark)
        plot.addItem(self.selected_label, ignoreBounds=True)
        # Beside the plot, not over it: a legend inside would hide the points beneath it.
        self.legend = pg.LegendItem(labelTextColor=text, colCount=1, verSpacing=-4)
        plot.layout.addItem(self.legend, 2, 3)
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        plot.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.card = pg.TextItem(anchor=(0, 1), color=text)
        self._card_style = (  # a table cell paints its background; TextItem's fill does not here
            f"background-color:{palette_color(QPalette.ColorRole.ToolTipBase).name()};"
            f"color:{palette_color(QPalette.ColorRole.ToolTipText).name()};"
            f"border:1px solid {palette_color(QPalette.ColorRole.Mid).name()}"
        )
        self.card.setZValue(100)
        self.card.hide()
        plot.addItem(self.card, ignoreBounds=True)
        self.labels: list[tuple[int, pg.TextItem]] = []
        self.hovered = -1
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.view.sigAreaSelected.connect(self._on_area)
        self.view.sigRangeChanged.connect(self._on_range_changed)

    # ---- data -------------------------------------------------------------------------------
    def set_points(
        self,
        x: np.ndarray,
        y: np.ndarray,
        sizes: np.ndarray,
        titles: list[str],
        card: Callable[[int], str],
    ) -> None:
        """All items at once; colours come separately (set_colouring) so recolouring is cheap."""
        self.set_labels(np.zeros(0, dtype=np.int64))  # old labels point at the old items
        self.x, self.y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        self.sizes, self.titles, self.card_text = np.asarray(sizes), titles, card
        self._brushes = None
        self.scatter.setData(
            x=self.x, y=self.y, size=self.sizes, data=np.arange(len(self.x)), pen=None
        )
        for mark in (self.matches, self.neighbour_marks, self.selected_mark, self.area_marks):
            self._mark(mark, [])
        self.card.hide()
        self.selected_label.hide()
        self.reset_view()

    def move_points(self, x: np.ndarray, y: np.ndarray) -> None:
        """New components for the same items (overlays follow their items)."""
        self.x, self.y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        brush = {} if self._brushes is None else {"brush": self._brushes}
        self.scatter.setData(
            x=self.x, y=self.y, size=self.sizes, data=np.arange(len(self.x)), **brush
        )
        for mark in (self.matches, self.neighbour_marks, self.selected_mark, self.area_marks):
            self._mark(mark, mark.item_idx)
        selected = self.selected_mark.item_idx
        if len(selected):
            self.selected_label.setPos(self.x[selected[0]], self.y[selected[0]])
        self.reset_view()

    def set_colouring(self, colouring: Colouring, title: str) -> None:
        """Points and legend in the new colours (the user chose another colouring)."""
        self.colour_points(colouring)
        self.set_legend(colouring, title)

    def colour_points(self, colouring: Colouring) -> None:
        """Per-point brushes drawn from one small list (a tiny symbol atlas)."""
        brushes = np.array(
            [pg.mkBrush(with_alpha(c, POINT_ALPHA)) for c in colouring.colors], dtype=object
        )
        self._brushes = brushes[colouring.codes]
        self.scatter.set_brushes(self._brushes)

    def set_legend(self, colouring: Colouring, title: str) -> None:
        """A legend entry per colour with its item count, and the map's title."""
        self.legend.clear()
        counts = np.bincount(colouring.codes, minlength=len(colouring.labels))
        for code, (color, label) in enumerate(zip(colouring.colors, colouring.labels, strict=True)):
            sample = pg.ScatterPlotItem(brush=pg.mkBrush(color), pen=None, size=10)
            self.legend.addItem(sample, html.escape(f"{label} ({counts[code]:,})"))  # genres
        self.legend.setLabelTextSize("9pt")
        self.legend.setMaximumHeight(self.legend.layout.preferredHeight())
        self.getPlotItem().setTitle(title, color=palette_color(QPalette.ColorRole.Text).name())

    def set_axis_titles(self, x_title: str, y_title: str) -> None:
        plot = self.getPlotItem()
        color = palette_color(QPalette.ColorRole.Text).name()
        plot.setLabel("bottom", x_title, color=color)
        plot.setLabel("left", y_title, color=color)

    # ---- overlays ---------------------------------------------------------------------------
    def _mark(self, mark: pg.ScatterPlotItem, idx: np.ndarray) -> None:
        mark.item_idx = np.asarray(idx, dtype=np.int64)
        mark.setData(x=self.x[mark.item_idx], y=self.y[mark.item_idx], data=mark.item_idx)

    def highlight_matches(self, idx: np.ndarray) -> None:
        self._mark(self.matches, idx)

    def show_selection(self, item_idx: int | None, neighbours: np.ndarray) -> None:
        """Ring the selected item and its neighbours; the selected one is named."""
        self._mark(self.selected_mark, [] if item_idx is None else [item_idx])
        self._mark(self.neighbour_marks, neighbours)
        if item_idx is None:
            self.selected_label.hide()
            return
        self.selected_label.setHtml(f"<b>{html.escape(short(self.titles[item_idx], 40))}</b>")
        self.selected_label.setAnchor((self._side(self.x[item_idx]), 1.4))
        self.selected_label.setPos(self.x[item_idx], self.y[item_idx])
        self.selected_label.show()
        self.selected_label.updateTransform(force=True)

    def mark_area(self, idx: np.ndarray) -> None:
        self._mark(self.area_marks, idx)

    def set_labels(self, idx: np.ndarray) -> None:
        """Text labels for some items (the most rated); overlapping ones are hidden on redraw."""
        for _, label in self.labels:
            self.getPlotItem().removeItem(label)
        color = palette_color(QPalette.ColorRole.Text)
        self.labels = []
        for i in np.asarray(idx, dtype=np.int64):
            label = pg.TextItem(short(self.titles[i]), color=color, anchor=(0.5, 1.15))
            label.setZValue(50)
            self.getPlotItem().addItem(label, ignoreBounds=True)
            self.labels.append((int(i), label))
        self._place_labels()

    def _place_labels(self) -> None:
        """Greedy declutter in pixel space: a label that would overlap an earlier one hides."""
        if not self.labels:
            return
        px, py = self.view.viewPixelSize()
        if not (px > 0 and py > 0):
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        bounds = (x0 / px, -y1 / py, x1 / px, -y0 / py)
        legend = self.view.mapSceneToView(self.legend.sceneBoundingRect()).boundingRect()
        taken = [
            (legend.left() / px, -legend.bottom() / py, legend.right() / px, -legend.top() / py)
        ]
        for i, label in self.labels:
            label.setPos(self.x[i], self.y[i])
            cx, cy = self.x[i] / px, -self.y[i] / py
            w = 7.0 * len(label.textItem.toPlainText()) + 6
            box = (cx - w / 2, cy - 22, cx + w / 2, cy)
            inside = bounds[0] <= box[0] and box[2] <= bounds[2] and bounds[1] <= box[1]
            clash = not inside or any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken
            )
            label.setVisible(not clash)
            if not clash:
                taken.append(box)

    # ---- finding points ---------------------------------------------------------------------
    def item_at(self, view_pos: QPointF) -> int:
        """The item drawn under a point in data coordinates, or -1 (vectorised: ~1 ms for 59k)."""
        if not len(self.x):
            return -1
        px, py = self.view.viewPixelSize()
        dx = (self.x - view_pos.x()) / px
        dy = (self.y - view_pos.y()) / py
        d2 = dx * dx + dy * dy
        best = int(np.argmin(d2))
        reach = self.sizes[best] / 2 + HIT_MARGIN_PX
        return best if d2[best] <= reach * reach else -1

    def items_in(self, area: QRectF) -> np.ndarray:
        """Indices of the items inside a rectangle in data coordinates."""
        inside = (
            (self.x >= area.left())
            & (self.x <= area.right())
            & (self.y >= area.top())
            & (self.y <= area.bottom())
        )
        return np.flatnonzero(inside)

    def show_card(self, item: int) -> None:
        """The hover card, drawn inside the plot (so screenshots and offscreen tests see it)."""
        self.hovered = item
        if item < 0:
            self.card.hide()
            return
        self.card.setAnchor((1.02 if self._side(self.x[item]) > 0.5 else -0.02, 1.05))
        self.card.setHtml(
            f'<table cellpadding="6" style="{self._card_style}"><tr><td>'
            f"{self.card_text(item)}</td></tr></table>"
        )
        self.card.setPos(self.x[item], self.y[item])
        self.card.show()
        self.card.updateTransform(force=True)  # skipped while hidden: the view may have moved

    def _side(self, x: float) -> float:
        """Horizontal anchor that keeps text inside the plot: 0 near the left edge, 1 near the
        right, centred in between."""
        (x0, x1), _ = self.view.viewRange()
        where = (x - x0) / (x1 - x0) if x1 > x0 else 0.5
        return 0.0 if where < 0.25 else 1.0 if where > 0.75 else 0.5

    @Slot()
    def reset_view(self) -> None:
        self.view.autoRange(padding=0.04)

    # ---- events -----------------------------------------------------------------------------
    def leaveEvent(self, event: QEvent) -> None:
        """The pointer left the map: the card goes with it."""
        if self.hovered >= 0:
            self.show_card(-1)
            self.itemHovered.emit(-1)
        super().leaveEvent(event)

    @Slot(object)
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        inside = self.view.sceneBoundingRect().contains(scene_pos)
        item = self.item_at(self.view.mapSceneToView(scene_pos)) if inside else -1
        if item != self.hovered:
            self.show_card(item)
            self.itemHovered.emit(item)

    @Slot(object)
    def _on_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        item = self.item_at(self.view.mapSceneToView(event.scenePos()))
        if item >= 0:
            self.itemClicked.emit(item)

    @Slot(QRectF)
    def _on_area(self, area: QRectF) -> None:
        idx = self.items_in(area)
        self.mark_area(idx)
        self.areaSelected.emit(idx)

    @Slot()
    def _on_range_changed(self) -> None:
        self._place_labels()
