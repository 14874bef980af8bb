"""The training form: TrainConfig in both directions, presets, tooltips, the batch/lr note."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from cfdesk.core.config import TrainConfig
from cfdesk.qt.panels.presets import fastbook_recipe
from cfdesk.qt.panels.training_form import TrainingForm


def test_config_round_trips_through_the_fields(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    config = TrainConfig(
        model="nn",
        n_factors=12,
        epochs=3,
        lr=0.02,
        weight_decay=0.5,
        batch_size=512,
        accum_steps=4,
        valid_frac=0.2,
        split="temporal",
        seed=7,
        patience=2,
        device="cpu",
    )
    form.set_devices([type("D", (), {"id": "cpu", "name": "CPU"})()])
    form.set_config(config)
    assert form.config() == config


def test_editing_fields_changes_the_config(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.factors.setValue(20)
    form.lr.setText("0.003")
    form.batch.setCurrentIndex(form.batch.findData(256))
    config = form.config()
    assert (config.n_factors, config.lr, config.batch_size) == (20, 0.003, 256)


def test_fastbook_preset_fills_the_book_recipe(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.preset.setCurrentIndex(1)
    form.preset.activated.emit(1)
    config = form.config()
    assert config == fastbook_recipe()
    assert (config.model, config.n_factors, config.epochs, config.lr) == ("dotbias", 50, 5, 5e-3)
    assert (config.weight_decay, config.batch_size, config.y_range) == (0.1, 64, (0.0, 5.5))


def test_note_shows_effective_batch_and_scaled_rate(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.set_config(TrainConfig(lr=0.01, lr_batch=1024, batch_size=512, accum_steps=2))
    text = form.batch_note.text()
    assert "Effective batch 512 = 2 pieces of 256" in text
    assert "set for batch 1,024" in text and "uses 0.005" in text


def test_every_field_and_label_has_a_tooltip(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    for widget in form._fields():
        assert widget.toolTip(), widget
    labels = [w for w in form.findChildren(QLabel) if w.text() and w is not form.batch_note]
    assert labels and all(label.toolTip() for label in labels)


def test_running_locks_settings_and_enables_stop(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    form.set_running(True)
    assert not form.factors.isEnabled() and form.stop_button.isEnabled()
    form.set_running(False)
    assert form.factors.isEnabled() and not form.stop_button.isEnabled()
