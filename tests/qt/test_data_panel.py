"""The data view shows a data set's figures, histogram and long tail."""

from __future__ import annotations

from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.data.summary import summarize
from cfdesk.qt.panels.data_panel import DataPanel


def test_data_panel_shows_counts_and_charts(qtbot, planted):
    ratings = ratings_from_raw(
        planted["user_ids"], planted["item_ids"], planted["ratings"].round().clip(1, 5)
    )
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.set_summary(summarize(ratings), "planted")
    assert panel.values["users"].text() == "60"
    assert panel.values["items"].text() == "40"
    assert panel.values["ratings"].text() == f"{ratings.n_ratings:,}"
    assert panel.bar_count() == len(set(ratings.rating.tolist()))
    x, _ = panel._per_item.getData()
    assert len(x) == 40
    panel.set_summary(None)
    assert panel.values["users"].text() == "–"
    assert panel.bar_count() == 0


def test_skipped_rows_are_reported_once_with_their_lines(qtbot, tmp_path):
    from cfdesk.core.data.loader import load_ratings

    path = tmp_path / "some_bad.csv"
    path.write_text("user,item,rating\n1,10,4\n2,11,five\n2,10,3\n3,x\n", encoding="utf-8")
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.set_summary(summarize(load_ratings(path, skip_bad_rows=True)), "some_bad.csv")
    notes = panel.notes.text()
    assert notes.lower().count("skipped") == 1, notes
    assert "line(s) 3, 5" in notes


def test_count_axes_print_thousands_separators(qtbot):
    panel = DataPanel()
    qtbot.addWidget(panel)
    axis = panel.histogram.getPlotItem().getAxis("left")
    assert axis.tickStrings([0.0, 20000.0, 1234567.0], 1.0, 10000.0) == ["0", "20,000", "1,234,567"]
    assert axis.tickStrings([0.5], 1.0, 0.5) == ["0.5"]
    rank = panel.long_tail.getPlotItem().getAxis("bottom")
    assert rank.tickStrings([9000.0], 1.0, 1000.0) == ["9,000"]
