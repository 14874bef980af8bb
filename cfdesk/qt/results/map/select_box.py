"""A ViewBox that can switch its left drag from panning to drawing a selection rectangle."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal


class SelectViewBox(pg.ViewBox):
    """Pans and zooms as usual; in select mode a left drag draws a rectangle instead."""

    sigAreaSelected = Signal(QRectF)

    def __init__(self) -> None:
        super().__init__()
        self.selecting = False

    def mouseDragEvent(self, ev: object, axis: int | None = None) -> None:
        if not (self.selecting and axis is None and ev.button() == Qt.MouseButton.LeftButton):
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        if ev.isFinish():
            self.rbScaleBox.hide()
            area = QRectF(QPointF(ev.buttonDownPos()), QPointF(ev.pos())).normalized()
            self.sigAreaSelected.emit(self.childGroup.mapRectFromParent(area))
        else:
            self.updateScaleBox(ev.buttonDownPos(), ev.pos())
