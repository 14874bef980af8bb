"""A model without titles or genres (ids only) still gets every results view."""

from __future__ import annotations

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.training.trainer import fit

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


@pytest.fixture
def bare_view(qtbot, planted, errors):
    from cfdesk.qt.results import ResultsView

    ratings = ratings_from_raw(planted["user_ids"], planted["item_ids"], planted["ratings"])
    widget = ResultsView()
    qtbot.addWidget(widget)
    widget.set_model(fit(ratings, TrainConfig(epochs=2, device="cpu")))
    widget.set_ratings(ratings)
    qtbot.waitUntil(lambda: not widget.is_busy() and widget.map.item_map is not None)
    yield widget
    widget.shutdown()


def test_ids_stand_in_for_titles_and_genre_choices_are_off(bare_view, planted):
    view = bare_view
    assert not view.recommend.genre.isEnabled()
    view.recommend.picker.choose(planted["user_ids"][0])
    titles = view.recommend.top.frame_model.frame["title"]
    assert len(titles) == 10 and all(t.isdigit() for t in titles)
    box = view.map.color_by
    box.setCurrentIndex(box.findData("genre"))
    legend = [label.text for _, label in view.map.plot.legend.items]
    assert legend == [f"no genre ({view.context.fitted.n_items})"]
    view.show()
    view.tabs.setCurrentWidget(view.biases)  # the tables fill when they are on screen
    assert len(view.biases.highest.frame_model.frame) > 0
