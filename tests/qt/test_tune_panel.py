"""The Tune tab end to end: a two-trial search, Stop keeping the best, Use the best."""

from __future__ import annotations

TIMEOUT = 90_000


def _window_with_data(qtbot, make_window, path):
    window = make_window()
    window.open_path(str(path))
    qtbot.waitUntil(
        lambda: window.ratings is not None and not window.files.is_busy(), timeout=TIMEOUT
    )
    base = window.form.config().with_changes(n_factors=8, device="cpu")
    window.form.set_config(base)
    panel = window.tune_panel
    for kind, box in panel.kinds.items():
        box.setChecked(kind in ("dotbias", "dot"))  # the planted ratings are continuous
    return window, panel


def test_a_two_trial_search_draws_points_and_makes_the_best_current(
    qtbot, make_window, accept_import, planted_csv
):
    window, panel = _window_with_data(qtbot, make_window, planted_csv)
    panel.minutes.setValue(0)
    panel.trials.setValue(2)
    panel.start_button.click()
    assert window.training.is_running() and not window.form.train_button.isEnabled()
    assert window.train_modes.currentWidget() is panel
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    assert panel.trial_chart.point_count() == 2
    assert window.fitted is not None and "tuned" in window.windowTitle()
    assert window.unsaved
    assert "Finished after 2 trials" in panel.status.text()
    best = panel.best()
    assert panel.use_best.isEnabled() and best is not None
    window.form.set_config(window.form.config().with_changes(n_factors=3, epochs=1))
    panel.use_best.click()
    config = window.form.config()
    assert (config.model, config.n_factors, config.epochs, config.batch_size) == (
        best.config.model, best.config.n_factors, best.config.epochs, best.config.batch_size,
    )  # fmt: skip
    assert config.lr == float(f"{best.config.lr:.3g}")
    assert window.form.train_button.isEnabled() and panel.start_button.isEnabled()


def test_stop_keeps_the_best_so_far_and_importances_appear(
    qtbot, make_window, accept_import, planted_csv
):
    window, panel = _window_with_data(qtbot, make_window, planted_csv)
    panel.minutes.setValue(60)
    panel.trials.setValue(0)
    window.actions.tune.trigger()
    qtbot.waitUntil(lambda: bool(panel.importance_chart.names()), timeout=TIMEOUT)
    points = panel.trial_chart.point_count()
    assert points >= 3
    window.actions.stop.trigger()
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    assert window.fitted is not None
    assert panel.status.text().startswith("Stopped after")
    assert set(panel.importance_chart.names()) <= {
        "model", "n_factors", "lr", "weight_decay", "epochs", "batch_size", "implicit",
    }  # fmt: skip
    assert not panel.stop_button.isEnabled() and panel.start_button.isEnabled()


def test_remembered_budget_comes_back(qtbot, make_window, accept_import, planted_csv):
    window, panel = _window_with_data(qtbot, make_window, planted_csv)
    panel.minutes.setValue(0)
    panel.trials.setValue(1)
    panel.ensemble.setValue(1)
    panel.start_button.click()
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    again = make_window()
    assert again.tune_panel.trials.value() == 1 and again.tune_panel.minutes.value() == 0
    assert not again.tune_panel.kinds["nn"].isChecked()


def test_no_model_kind_is_one_sentence_and_nothing_starts(
    qtbot, make_window, accept_import, planted_csv, errors
):
    window, panel = _window_with_data(qtbot, make_window, planted_csv)
    for box in panel.kinds.values():
        box.setChecked(False)
    panel.start_button.click()
    assert not window.training.is_running()
    assert [str(e) for e in errors] == ["choose at least one model kind for Tune to search"]
