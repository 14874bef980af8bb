"""The item map: every item drawn, hover card, click, search, colours, rectangle selection, PNG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt

from cfdesk.core.results.projection import item_map

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


def widget_pos(plot, item: int) -> QPoint:
    """Where an item is drawn, in the plot widget's viewport pixels."""
    scene = plot.view.mapViewToScene(QPointF(plot.x[item], plot.y[item]))
    return plot.mapFromScene(scene)


def test_map_has_one_point_per_item_at_the_cores_coordinates(view, demo):
    _, fitted = demo
    plot = view.map.plot
    assert len(plot.scatter.data) == fitted.n_items
    np.testing.assert_array_equal(plot.scatter.data["data"], np.arange(fitted.n_items))
    expected = item_map(fitted, n_components=3)
    np.testing.assert_allclose(plot.x, expected.frame["pc1"])
    np.testing.assert_allclose(plot.y, expected.frame["pc2"])
    bottom = plot.getPlotItem().getAxis("bottom").labelText
    assert bottom.startswith("PC1 (") and "% of variance" in bottom
    assert expected.axis_ends["pc1"][0][0][:20] in bottom


def test_choosing_components_moves_the_points(view):
    frame = view.map.item_map.frame
    view.map.x_axis.setCurrentText("PC3")
    np.testing.assert_allclose(view.map.plot.x, frame["pc3"])
    assert view.map.plot.getPlotItem().getAxis("bottom").labelText.startswith("PC3")


def test_clicking_a_point_selects_that_item_and_lists_neighbours(view, qtbot):
    plot = view.map.plot
    view.tabs.setCurrentWidget(view.map)
    qtbot.waitUntil(lambda: plot.view.viewPixelSize()[0] > 0)
    item = int(np.argmax(view.context.items["count"]))  # big, drawn on top of most
    with qtbot.waitSignal(view.itemSelected) as blocker:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos(plot, item))
    assert blocker.args[0] == plot.item_at(QPointF(plot.x[item], plot.y[item]))
    chosen = blocker.args[0]
    assert view.selected_item() == chosen
    assert plot.selected_mark.item_idx.tolist() == [chosen]
    assert len(view.neighbour_items()) == view.neighbours.n.value()


def test_hover_card_names_the_item(view, qtbot):
    plot = view.map.plot
    view.tabs.setCurrentWidget(view.map)
    qtbot.waitUntil(lambda: plot.view.viewPixelSize()[0] > 0)
    item = int(np.argmax(view.context.items["count"]))
    scene = plot.view.mapViewToScene(QPointF(plot.x[item], plot.y[item]))
    plot.scene().sigMouseMoved.emit(scene)
    assert plot.card.isVisible()
    row = view.context.items.iloc[plot.hovered]
    text = plot.card.textItem.toPlainText()
    assert str(row["title"]) in text and f"{int(row['count']):,} ratings" in text
    assert plot.view.sceneBoundingRect().intersects(plot.card.sceneBoundingRect())  # on screen
    far = plot.view.mapViewToScene(QPointF(plot.x.max() * 10, plot.y.max() * 10))
    plot.scene().sigMouseMoved.emit(far)
    assert not plot.card.isVisible()


def test_search_highlights_exactly_the_matching_titles(view):
    view.map.search.setText("shadows")
    marked = set(view.map.plot.matches.item_idx.tolist())
    titles = view.context.items["title"].str.lower()
    assert marked == set(np.flatnonzero(titles.str.contains("shadows").to_numpy()).tolist())
    assert marked
    view.map.search.clear()
    assert len(view.map.plot.matches.item_idx) == 0


@pytest.mark.parametrize("key", ["genre", "bias", "count", "mean"])
def test_colouring_has_a_legend_entry_per_colour(view, key):
    box = view.map.color_by
    box.setCurrentIndex(box.findData(key))
    brushes = {b.color().name() for b in view.map.plot.scatter.data["brush"]}
    legend = view.map.plot.legend.items
    assert 2 <= len(legend) <= 13
    assert len(brushes) <= len(legend)


def test_labels_for_most_rated_items_never_overlap(view):
    plot = view.map.plot
    visible = [label for _, label in plot.labels if label.isVisible()]
    assert visible
    rects = [label.sceneBoundingRect() for label in visible]
    for i, a in enumerate(rects):
        assert not any(a.intersects(b) for b in rects[i + 1 :])


def test_rectangle_selection_exports_the_items_inside(view, tmp_path, qtbot):
    plot = view.map.plot
    x0, x1 = np.quantile(plot.x, [0.4, 0.7])
    y0, y1 = np.quantile(plot.y, [0.3, 0.8])
    view.map.select.setChecked(True)
    assert plot.view.selecting
    plot.view.sigAreaSelected.emit(QRectF(QPointF(x0, y0), QPointF(x1, y1)))
    inside = np.flatnonzero((plot.x >= x0) & (plot.x <= x1) & (plot.y >= y0) & (plot.y <= y1))
    assert view.map.export_area.isEnabled()
    path = view.map.export_selection(tmp_path / "area.csv")
    written = pd.read_csv(path)
    assert list(written.columns) == ["item_id", "title", "genres", "count", "pc1", "pc2"]
    assert sorted(written["item_id"]) == sorted(view.context.items["item_id"].iloc[inside])
    where = view.context.fitted.items.indices_of(written["item_id"].tolist())
    np.testing.assert_allclose(written["pc1"], plot.x[where], rtol=1e-6)
    np.testing.assert_allclose(written["pc2"], plot.y[where], rtol=1e-6)


class FakeDrag:
    """The two calls of a pyqtgraph drag the select mode uses: a press position and its end."""

    def __init__(self, start: QPointF, end: QPointF, finish: bool) -> None:
        self._start, self._end, self._finish = start, end, finish

    def button(self):
        return Qt.MouseButton.LeftButton

    def buttonDownPos(self, _button=None):
        return self._start

    def pos(self):
        return self._end

    def isFinish(self):
        return self._finish

    def accept(self):
        pass


def test_a_drag_in_select_mode_selects_instead_of_panning(view, qtbot):
    plot = view.map.plot
    view.tabs.setCurrentWidget(view.map)
    qtbot.waitUntil(lambda: plot.view.viewPixelSize()[0] > 0)
    before = plot.view.viewRange()
    view.map.select.setChecked(True)
    box = plot.view.boundingRect()
    start, end = box.topLeft() + QPointF(5, 5), box.center()
    plot.view.mouseDragEvent(FakeDrag(start, end, finish=False))
    with qtbot.waitSignal(plot.areaSelected) as blocker:
        plot.view.mouseDragEvent(FakeDrag(start, end, finish=True))
    assert plot.view.viewRange() == before
    assert len(blocker.args[0]) == len(view.map.selected_area) > 0


def test_save_png_writes_an_image(view, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    path = view.map.save_image(folder / "map.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in folder.iterdir()] == ["map.png"]  # no temp file left behind


def test_fast_scatter_points_use_their_own_styles_atlas_rectangle(view):
    scatter = view.map.plot.scatter
    data = scatter.data
    styles = list(scatter._style(["symbol", "size", "pen", "brush"]))
    rng = np.random.default_rng(0)
    for i in rng.choice(len(data), size=50, replace=False):
        (expected,) = scatter.fragmentAtlas[[tuple(column[i] for column in styles)]]
        assert tuple(data["sourceRect"][i]) == tuple(expected)


def test_clearing_the_model_after_a_map_was_shown_drops_its_labels(view):
    assert view.map.plot.labels
    view.set_model(None)
    assert view.map.plot.labels == []
