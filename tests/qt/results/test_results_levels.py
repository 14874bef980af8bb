"""The recommendations table shows P(5★) for a rating-distribution model, and only for one."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cfdesk.core.config import TrainConfig
from cfdesk.core.training.trainer import fit
from tests.core.conftest import star_ratings


def test_a_dist_model_adds_the_chance_of_the_top_rating(qtbot, errors):
    from cfdesk.qt.results import ResultsView

    ratings = star_ratings(80, 60, seed=4)
    config = TrainConfig(model="dist", n_factors=8, epochs=3, device="cpu")
    widget = ResultsView()
    qtbot.addWidget(widget)
    widget.set_model(fit(ratings, config))
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=20_000)
    panel = widget.recommend
    assert panel.picker.choose(ratings.users.ids[0])
    table = panel.top.frame_model
    column = table.columns.index("p_top")
    assert not panel.top.isColumnHidden(column)
    assert table.headerData(column, Qt.Orientation.Horizontal) == "P(5★)"
    chances = table.frame["p_top"]
    assert len(chances) == panel.n.value() and chances.between(0, 1).all()
    cell = table.data(table.index(0, column))
    assert cell.endswith("%")
    widget.set_model(fit(ratings, config.with_changes(model="dotbias")))
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=20_000)
    assert panel.top.isColumnHidden(column)
    widget.shutdown()
