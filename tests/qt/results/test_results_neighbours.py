"""Similar items: a default minimum support per model, and focus never changes the subject."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from cfdesk.core.results.recommend import Recommender, neighbour_min_ratings

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


def test_neighbours_start_with_the_models_minimum_support(view, demo):
    fitted = demo[1]
    least = neighbour_min_ratings(fitted.item_count)
    assert least == 20 and view.neighbours.min_count.value() == least
    popular = int(np.argmax(fitted.item_count))
    view.select_item(popular)
    listed = view.neighbours.table.frame_model.frame
    assert len(listed) == view.neighbours.n.value()
    assert listed["count"].min() >= least
    ids, _ = Recommender(fitted).similar_items(fitted.items.ids[popular], n=len(listed))
    assert listed["item_id"].tolist() == ids.tolist()  # the CLI's default, too
    view.neighbours.min_count.setValue(0)
    assert view.neighbours.table.frame_model.frame["count"].min() < least  # rare items allowed


def test_tabbing_out_of_the_minimum_box_keeps_the_item(view, demo, qtbot):
    """The bug: Tab moved focus into the neighbours table, Qt made its first row current, and
    that row's item became the subject."""
    item = int(np.argmax(demo[1].item_count))
    view.select_item(item)
    view.window().activateWindow()
    box = view.neighbours.min_count
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "30")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Tab)
    qtbot.waitUntil(view.neighbours.table.hasFocus)
    assert view.neighbours.item_idx == item and box.value() == 30
    assert view.neighbours.table.frame_model.frame["count"].min() >= 30
    assert view.map.plot.selected_mark.item_idx.tolist() == [item]
    qtbot.keyClick(view.neighbours.table, Qt.Key.Key_Down)  # the user's own move still selects
    assert view.neighbours.item_idx != item


def test_one_rating_is_not_called_ratings(view, demo):
    from cfdesk.qt.results.neighbours_panel import describe

    row = view.context.items.iloc[0].copy()
    row["count"] = 1
    assert "1 rating ·" in describe(row) or describe(row).endswith("1 rating")
    row["count"] = 2
    assert "2 ratings" in describe(row)
