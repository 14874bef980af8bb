"""Results-view fixtures: the demo data trained once per session, and a view showing it."""

from __future__ import annotations

import pytest

from cfdesk.core.config import TrainConfig

DEMO_CONFIG = TrainConfig(epochs=3, device="cpu", seed=1)


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(ratings, fitted) for the demo data, trained for a few epochs (about 10 s, once)."""
    from cfdesk.core.data.demo import demo_ratings_path
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.training.trainer import fit

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CFDESK_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cfdesk-data"))
        ratings = load_ratings(demo_ratings_path())
    return ratings, fit(ratings, DEMO_CONFIG)


@pytest.fixture
def view(qtbot, demo, errors):
    """A ResultsView with the demo model and ratings, background preparation finished."""
    from cfdesk.qt.results import ResultsView

    ratings, fitted = demo
    widget = ResultsView()
    qtbot.addWidget(widget)
    widget.resize(1290, 860)
    widget.show()
    widget.set_model(fitted)
    widget.set_ratings(ratings)
    qtbot.waitUntil(
        lambda: not widget.is_busy() and widget.map.item_map is not None, timeout=20_000
    )
    yield widget
    widget.shutdown()
