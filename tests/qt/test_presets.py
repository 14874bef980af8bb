"""The Preset box tells the truth: Custom once edited, choosing a preset applies it, and saved
settings or an opened model show under the preset they follow."""

from __future__ import annotations

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.training.trainer import fit
from cfdesk.qt.panels.presets import CUSTOM, PRESETS, fastbook_recipe, matching_preset
from cfdesk.qt.panels.training_form import TrainingForm
from cfdesk.qt.settings import AppSettings

FAST, FASTBOOK = list(PRESETS)


@pytest.fixture
def form(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    return form


def choose(form: TrainingForm, name: str) -> None:
    """What a click on an entry of the drop-down does (activated fires even for the shown one)."""
    index = form.preset.findData(name)
    form.preset.setCurrentIndex(index)
    form.preset.activated.emit(index)


def test_editing_a_value_shows_custom_and_undoing_it_shows_the_preset_again(form):
    assert form.preset.currentText() == FAST
    form.epochs.setValue(7)
    assert form.preset.currentText() == CUSTOM
    form.epochs.setValue(TrainConfig().epochs)
    assert form.preset.currentText() == FAST
    form.lr.setText("0.02")
    form.lr.textEdited.emit("0.02")
    assert form.preset.currentText() == CUSTOM


def test_where_and_how_a_run_is_measured_does_not_make_it_custom(form):
    form.seed.setValue(7)
    form.valid.setValue(0.2)
    form.patience.setValue(3)
    form.keep_best.setChecked(False)
    assert form.preset.currentText() == FAST


def test_choosing_the_shown_preset_again_resets_its_values_and_keeps_the_rest(form):
    choose(form, FASTBOOK)
    form.seed.setValue(7)
    form.factors.setValue(12)
    form.batch.setCurrentIndex(form.batch.findData(1024))
    assert form.preset.currentText() == CUSTOM
    choose(form, FASTBOOK)
    config = form.config()
    assert config == fastbook_recipe().with_changes(seed=7)
    assert form.preset.currentText() == FASTBOOK
    choose(form, FAST)
    assert form.config() == TrainConfig(seed=7)


def test_custom_is_shown_but_cannot_be_chosen(form):
    item = form.preset.model().item(form.preset.findData(CUSTOM))
    assert not item.isEnabled()


def test_saved_fastbook_settings_open_under_their_name(make_window):
    AppSettings().set_train_config(fastbook_recipe())
    window = make_window()
    assert window.form.preset.currentText() == FASTBOOK
    assert window.form.config() == fastbook_recipe()


def test_an_opened_model_shows_its_settings_under_the_preset_it_followed(make_window, planted):
    window = make_window()
    ratings = ratings_from_raw(
        planted["user_ids"], planted["item_ids"], planted["ratings"], None, "planted"
    )
    fitted = fit(ratings, TrainConfig(device="cpu"))
    assert fitted.config.batch_size == 1024 and fitted.config.y_range is not None
    window.set_model(fitted, "default.cfmodel")
    assert window.form.preset.currentText() == FAST
    assert window.form.batch.currentData() == 0  # Automatic, as it was trained
    assert window.form.config() == TrainConfig(device="cpu")

    fitted = fit(ratings, fastbook_recipe().with_changes(epochs=1, device="cpu"))
    window.set_model(fitted, "short-fastbook.cfmodel")
    assert window.form.preset.currentText() == CUSTOM  # one epoch instead of five
    assert window.form.epochs.value() == 1 and window.form.batch.currentData() == 64
    window.form.epochs.setValue(fastbook_recipe().epochs)
    assert window.form.preset.currentText() == FASTBOOK


def test_a_trained_default_model_matches_fast_default_only_on_its_own_data_size():
    trained = TrainConfig().with_changes(batch_size=1024, y_range=(0.5, 5.5))
    assert matching_preset(trained, n_train=90_000) == FAST
    assert matching_preset(trained, n_train=20_000_000) == CUSTOM  # Automatic would pick 32,768
    assert matching_preset(trained, n_train=None) == CUSTOM
