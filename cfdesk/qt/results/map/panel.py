"""The map page: PCA of item embeddings with colour, search, selection and export controls."""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.atomic import atomic_write
from cfdesk.core.errors import CfdeskError
from cfdesk.core.results.context import ResultsContext
from cfdesk.core.results.projection import ItemMap, item_map
from cfdesk.core.storage.spreadsheet import maybe_excel_safe
from cfdesk.qt import dialogs
from cfdesk.qt.file_dialogs import save_file_name
from cfdesk.qt.flow_layout import FlowLayout
from cfdesk.qt.results.map.plot import N_LABELS, MapPlot, short
from cfdesk.qt.results.map.style import COLOR_BY, Colouring, colouring, point_sizes
from cfdesk.qt.results.neighbours_panel import describe
from cfdesk.qt.settings import AppSettings
from cfdesk.qt.tasks import BackgroundTask
from cfdesk.qt.widgets import plain_label

ENDS_SHOWN = 2


def build_map(context: ResultsContext) -> ItemMap:
    """PCA with up to three components (runs on a worker thread)."""
    factors = int(context.fitted.module.item_embeddings().shape[1])
    return item_map(context.fitted, n_components=3 if factors >= 3 else 2, n_ends=ENDS_SHOWN)


def axis_title(item_map: ItemMap, component: str, n_ends: int = ENDS_SHOWN) -> str:
    """'PC1 (23% of variance): A, B ◀ ▶ C, D': what the direction means, in titles."""
    share = float(item_map.explained_ratio[int(component[2:]) - 1])
    low, high = item_map.axis_ends[component]
    low_text = ", ".join(html.escape(short(t, 24)) for t in low[:n_ends])
    high_text = ", ".join(html.escape(short(t, 24)) for t in high[:n_ends])
    return f"{component.upper()} ({share:.0%} of variance): {low_text} ◀ ▶ {high_text}"


class MapPanel(QWidget):
    """Computes the map off the UI thread; the plot itself only draws and finds points."""

    itemSelected = Signal(int)
    mapReady = Signal()
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: ResultsContext | None = None
        self.item_map: ItemMap | None = None
        self.selected_area = np.zeros(0, dtype=np.int64)
        self._about = ""  # the status line when nothing is being searched
        self._stale = False  # a newer model arrived while a map was being computed
        self._colourings: dict[str, Colouring] = {}  # per colour key, for the current model
        self.task = BackgroundTask(self)
        # A map being drawn in steps: the model it is for and what is left to do.
        self._drawing: tuple[ResultsContext, list[Callable[[], None]]] | None = None
        self._next_step = QTimer(self, singleShot=True, interval=1)  # after a paint pass
        self._next_step.timeout.connect(self._draw_next)
        self.plot = MapPlot()
        self.x_axis, self.y_axis = QComboBox(), QComboBox()
        self.color_by = QComboBox()
        for key, label in COLOR_BY.items():
            self.color_by.addItem(label, key)
        self.search = QLineEdit(placeholderText="Highlight titles…", clearButtonEnabled=True)
        self.search.setMaximumWidth(240)
        self.reset = QPushButton("Reset view")
        self.select = QPushButton("Select area", checkable=True)
        self.select.setToolTip("Drag a rectangle on the map to select the items inside it")
        self.export_area = QPushButton("Export selection…", enabled=False)
        self.save_png = QPushButton("Save PNG…")
        self.status = plain_label("Train or open a model to draw its map.", wordWrap=True)
        self._build_layout()
        self.task.succeeded.connect(self._on_map)
        self.task.busyChanged.connect(self._on_busy)
        self.task.failed.connect(self._on_failed)
        self.x_axis.currentIndexChanged.connect(self._on_axes)
        self.y_axis.currentIndexChanged.connect(self._on_axes)
        self.color_by.currentIndexChanged.connect(self._on_color)
        self.search.textChanged.connect(self._on_search)
        self.reset.clicked.connect(self.plot.reset_view)
        self.select.toggled.connect(self._on_select_mode)
        self.export_area.clicked.connect(self._on_export_area)
        self.save_png.clicked.connect(self._on_save_png)
        self.plot.itemClicked.connect(self.itemSelected)
        self.plot.areaSelected.connect(self._on_area)

    def _build_layout(self) -> None:
        controls = FlowLayout()
        for label, widget in (("X", self.x_axis), ("Y", self.y_axis), ("Colour", self.color_by)):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addWidget(self.search)
        for button in (self.reset, self.select, self.export_area, self.save_png):
            controls.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)

    # ---- model ------------------------------------------------------------------------------
    def set_context(self, context: ResultsContext | None) -> None:
        """Start computing the map of a new model (the old map stays until the new one is ready)."""
        self.context = context
        self._colourings.clear()
        if context is None:
            self.item_map = None
            self.plot.set_points(np.zeros(0), np.zeros(0), np.zeros(0), [], str)
            self.status.setText("Train or open a model to draw its map.")
            return
        self.status.setText(f"Computing the map of {context.fitted.n_items:,} items…")
        if self.task.is_busy():
            self._stale = True
        else:
            self.task.run(build_map, context)

    def is_busy(self) -> bool:
        return self.task.is_busy() or self._drawing is not None

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        if not busy and self._stale:
            self._stale = False
            if self.context is not None:
                self.task.run(build_map, self.context)

    @Slot(object)
    def _on_map(self, result: ItemMap) -> None:
        """Points now; colours, then titles and labels, in later turns of the event loop, so the
        window never pauses for all of it at once (it arrives right after training)."""
        if self.context is None or self._stale:
            return
        self.item_map = result
        names = [c for c in result.frame.columns if c.startswith("pc")]
        for box, default in ((self.x_axis, 0), (self.y_axis, 1)):
            box.blockSignals(True)
            box.clear()
            box.addItems([n.upper() for n in names])
            box.setCurrentIndex(default)
            box.blockSignals(False)
        items = self.context.items
        titles = items["title"].astype(str).tolist()
        x, y = self._coords()
        self.plot.set_points(x, y, point_sizes(items["count"].to_numpy()), titles, self._card)
        steps = [self._colour_points, self._colour_legend, self._finish_map]
        self._drawing = (self.context, steps)
        self._next_step.start()

    @Slot()
    def _draw_next(self) -> None:
        """One more step of a new map, unless another model arrived meanwhile."""
        if self._drawing is None:
            return
        context, steps = self._drawing
        if context is not self.context or self.item_map is None:
            self._drawing = None
            return
        steps.pop(0)()
        if steps:
            self._next_step.start()
        else:
            self._drawing = None

    def _finish_map(self) -> None:
        """Axis titles, labels, search rings and the status line of a new map."""
        items = self.context.items
        self._set_axis_titles()
        top = np.argsort(-items["count"].to_numpy(), kind="stable")[:N_LABELS]
        self.plot.set_labels(top)
        self._on_search(self.search.text())
        fit_on = int(self.item_map.frame["in_fit"].sum())
        self._about = (
            f"{len(items):,} items. Axes from a PCA of the {fit_on:,} most-rated items' "
            "embeddings. Hover for details, click for neighbours, scroll to zoom, drag to pan."
        )
        self.status.setText(self._about)
        self.mapReady.emit()

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self.status.setText(str(exc))
        if not isinstance(exc, CfdeskError):
            dialogs.show_error(self, exc)

    def _coords(self) -> tuple[np.ndarray, np.ndarray]:
        frame = self.item_map.frame
        x_name = self.x_axis.currentText().lower() or "pc1"
        y_name = self.y_axis.currentText().lower() or "pc2"
        return frame[x_name].to_numpy(), frame[y_name].to_numpy()

    def _card(self, item: int) -> str:
        row = self.context.items.iloc[item]
        return (
            f"<b>{html.escape(str(row['title']))}</b><br><span>{html.escape(describe(row))}</span>"
        )

    # ---- controls ---------------------------------------------------------------------------
    @Slot()
    def _on_axes(self) -> None:
        if self.item_map is None:
            return
        self.plot.move_points(*self._coords())
        self._set_axis_titles()

    def _set_axis_titles(self) -> None:
        self.plot.set_axis_titles(
            axis_title(self.item_map, self.x_axis.currentText().lower()),
            axis_title(self.item_map, self.y_axis.currentText().lower(), n_ends=1),
        )

    def _colouring(self) -> tuple[Colouring, str]:
        """The colouring the Colour box asks for (computed once per model) and its title."""
        key = self.color_by.currentData()
        if key not in self._colourings:
            self._colourings[key] = colouring(self.context.items, key)
        title = f"Items coloured by {COLOR_BY[key].lower()}, sized by popularity"
        return self._colourings[key], title

    @Slot()
    def _on_color(self) -> None:
        if self.context is None or self.item_map is None:
            return
        self.plot.set_colouring(*self._colouring())

    def _colour_points(self) -> None:
        self.plot.colour_points(self._colouring()[0])

    def _colour_legend(self) -> None:
        self.plot.set_legend(*self._colouring())

    @Slot(str)
    def _on_search(self, text: str) -> None:
        if self.context is None or self.item_map is None:
            return
        found = self.context.search(text, limit=None)
        self.plot.highlight_matches(found)
        if text.strip():
            self.status.setText(
                f"{len(found):,} items match “{text.strip()}” (shown as blue dots)."
            )
        else:
            self.status.setText(self._about)

    @Slot(bool)
    def _on_select_mode(self, on: bool) -> None:
        self.plot.view.selecting = on

    @Slot(object)
    def _on_area(self, idx: np.ndarray) -> None:
        self.selected_area = idx
        self.export_area.setEnabled(len(idx) > 0)
        self.export_area.setText(f"Export {len(idx):,} selected…")

    def show_item(self, item_idx: int, neighbours: np.ndarray) -> None:
        """Ring an item chosen anywhere in the results and its neighbours."""
        if self.item_map is not None:
            self.plot.show_selection(item_idx, neighbours)

    # ---- files ------------------------------------------------------------------------------
    def selection_frame(self) -> pd.DataFrame:
        """Ids, titles and the shown coordinates of the selected items."""
        x_name, y_name = self.x_axis.currentText().lower(), self.y_axis.currentText().lower()
        frame = self.item_map.frame.iloc[self.selected_area]
        return frame[["item_id", "title", "genres", "count", x_name, y_name]].reset_index(drop=True)

    def export_selection(self, path: str | Path) -> Path:
        """Write the selection as CSV, atomically."""
        with atomic_write(path) as handle:
            frame = maybe_excel_safe(self.selection_frame(), AppSettings().excel_safe())
            frame.to_csv(handle, index=False, lineterminator="\n")
        self.statusMessage.emit(f"Wrote {len(self.selected_area):,} items to {path}")
        return Path(path)

    def save_image(self, path: str | Path) -> Path:
        """The map as PNG (pyqtgraph's ImageExporter; the SVG one crashes on Qt 6.12)."""
        target = Path(path)
        if not target.parent.is_dir():
            raise CfdeskError(f"cannot write {target}: the folder {target.parent} does not exist")
        image = ImageExporter(self.plot.getPlotItem()).export(toBytes=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        try:
            if not image.save(tmp, "PNG"):
                raise CfdeskError(f"could not write {target}")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.statusMessage.emit(f"Saved the map to {target}")
        return target

    def _ask_path(self, caption: str, name: str, pattern: str) -> str:
        return save_file_name(self, caption, name, pattern)

    @Slot()
    def _on_export_area(self) -> None:
        path = self._ask_path("Export selected items", "selected-items.csv", "CSV files (*.csv)")
        if path:
            try:
                self.export_selection(path)
            except CfdeskError as exc:
                dialogs.show_error(self, exc)

    @Slot()
    def _on_save_png(self) -> None:
        path = self._ask_path("Save the map", "item-map.png", "PNG images (*.png)")
        if path:
            try:
                self.save_image(path)
            except CfdeskError as exc:
                dialogs.show_error(self, exc)
