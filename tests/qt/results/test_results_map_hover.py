"""The map's hover card leaves with the pointer; search matches are easy to see."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


def test_the_card_goes_when_the_pointer_leaves_the_map(view, qtbot):
    plot = view.map.plot
    view.tabs.setCurrentWidget(view.map)
    qtbot.waitUntil(lambda: plot.view.viewPixelSize()[0] > 0)
    item = int(np.argmax(view.context.items["count"]))
    plot.scene().sigMouseMoved.emit(plot.view.mapViewToScene(QPointF(plot.x[item], plot.y[item])))
    assert plot.card.isVisible()
    with qtbot.waitSignal(plot.itemHovered) as left:
        QApplication.sendEvent(plot, QEvent(QEvent.Type.Leave))
    assert left.args == [-1] and not plot.card.isVisible() and plot.hovered == -1


def test_search_matches_are_filled_and_outlined_larger_than_points(view):
    view.map.search.setText("star")
    matches = view.map.plot.matches
    assert len(matches.item_idx) > 0
    style = matches.opts
    assert style["brush"].style() != 0 and style["brush"].color().alpha() == 255  # filled
    assert style["pen"].widthF() >= 2 and style["size"] > view.map.plot.sizes.max()  # on top
    assert "blue dots" in view.map.status.text()
