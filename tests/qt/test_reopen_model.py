"""Reopening a saved model: it offers its ratings file (checked to be the same data), its
training curves come back, and saving says where the file went."""

from __future__ import annotations

import shutil

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.storage.model_file import save_model
from cfdesk.core.training.trainer import fit

TIMEOUT = 30_000


@pytest.fixture
def model_of_csv(tmp_path, planted_csv):
    """A model trained on planted.csv for 4 epochs and saved beside it."""
    fitted = fit(load_ratings(planted_csv), TrainConfig(n_factors=4, epochs=4, device="cpu"))
    return save_model(fitted, tmp_path / "planted.cfmodel"), fitted


def opened(qtbot, window, path):
    window.open_path(str(path))
    qtbot.waitUntil(
        lambda: window.fitted is not None and not window.files.is_busy(), timeout=TIMEOUT
    )
    qtbot.waitUntil(lambda: not window.results.is_busy(), timeout=TIMEOUT)
    return window.results.source_bar


def test_the_model_offers_its_ratings_and_loads_them(qtbot, make_window, model_of_csv):
    path, fitted = model_of_csv
    window = make_window()
    window.show()
    bar = opened(qtbot, window, path)
    assert not bar.isHidden() and "planted.csv" in bar.text.text()
    assert bar.action.text() == "Load ratings" and window.ratings is None
    bar.action.click()
    qtbot.waitUntil(
        lambda: window.ratings is not None and not window.files.is_busy(), timeout=TIMEOUT
    )
    assert bar.isHidden()
    assert window.pages.currentIndex() == 3  # still on Results
    assert "the ratings this model was trained on" in window.statusBar().currentMessage()
    assert window.ratings.n_ratings == fitted.data_source.n_ratings
    qtbot.waitUntil(lambda: not window.results.is_busy(), timeout=TIMEOUT)  # grouping by user
    window.results.recommend.picker.choose(fitted.users.ids[0])
    assert "highest-rated items" in window.results.recommend.own_heading.text()
    opened(qtbot, window, path)  # already loaded: nothing to offer
    assert bar.isHidden()


def test_a_changed_or_missing_file_is_said_plainly(qtbot, make_window, model_of_csv, tmp_path):
    path, _ = model_of_csv
    csv = tmp_path / "planted.csv"
    with csv.open("a") as handle:
        handle.write("9999,101,4.0\n")
    window = make_window()
    window.show()
    bar = opened(qtbot, window, path)
    assert "has changed since the model was trained" in bar.text.text()
    assert bar.action.text() == "Load anyway" and bar.choose.isVisible()
    bar.action.click()
    qtbot.waitUntil(
        lambda: window.ratings is not None and not window.files.is_busy(), timeout=TIMEOUT
    )
    assert (
        not bar.isHidden() and "has 61 users" in bar.text.text()
    )  # loaded, and said how it differs
    shutil.move(csv, tmp_path / "moved.csv")
    bar = opened(qtbot, window, path)
    assert "is not there any more" in bar.text.text()
    assert not bar.action.isVisible() and bar.choose.isVisible()


def test_the_training_curves_come_back_with_the_model(qtbot, make_window, model_of_csv):
    path, fitted = model_of_csv
    window = make_window()
    opened(qtbot, window, path)
    counts = window.monitor.rmse_chart.point_counts()
    assert counts["train"] == counts["valid"] == len(fitted.history) == 4
    assert counts["best"] == 1
    assert "4 epochs trained" in window.monitor.status.text()
    assert window.monitor.rmse_chart._baseline.isVisible()


def test_saving_says_where_the_model_went(qtbot, make_window, model_of_csv, tmp_path):
    path, _ = model_of_csv
    window = make_window()
    opened(qtbot, window, path)
    target = tmp_path / "copy.cfmodel"
    window.files.save_model(str(target))
    qtbot.waitUntil(lambda: target.exists() and not window.files.is_busy(), timeout=TIMEOUT)
    assert window.statusBar().currentMessage() == f"Saved model to {target}"
