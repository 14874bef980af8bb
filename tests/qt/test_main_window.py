"""The main window end to end: open, train, stop, errors, close, settings (offscreen, small data)."""

from __future__ import annotations

import pytest

from cfdesk.core.errors import OutOfMemoryError, TrainingError
from cfdesk.qt import dialogs, training_runner, worker
from cfdesk.qt.panels.training_monitor import PROGRESS_STEPS

TIMEOUT = 60_000


def _small(window, **changes):
    """Tiny settings keep the suite fast."""
    config = window.form.config().with_changes(
        n_factors=8, batch_size=256, accum_steps=1, epochs=3, device="cpu", patience=0
    )
    window.form.set_config(config.with_changes(**changes))


def _open(qtbot, window, path):
    window.open_path(str(path))
    qtbot.waitUntil(
        lambda: not window.files.is_busy() and window.ratings is not None, timeout=TIMEOUT
    )


def _mid_run(qtbot, make_window, path, series: str):
    """A window whose run is too long to finish, once the `series` chart has a point."""
    window = make_window()
    _open(qtbot, window, path)
    _small(window, epochs=500, batch_size=8)
    window.training.start()
    qtbot.waitUntil(lambda: window.monitor.rmse_chart.point_counts()[series] > 0, timeout=TIMEOUT)
    return window


@pytest.mark.slow
def test_demo_data_trains_three_epochs_with_live_charts(qtbot, make_window, accept_import):
    window = make_window()
    window.files.open_demo()
    qtbot.waitUntil(lambda: window.ratings is not None, timeout=TIMEOUT)
    assert window.data_panel.bar_count() == 5
    _small(window, batch_size=1024)
    window.training.start()
    assert window.form.stop_button.isEnabled() and not window.form.train_button.isEnabled()
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    counts = window.monitor.rmse_chart.point_counts()
    assert counts["train"] == 3 and counts["valid"] == 3 and counts["best"] == 1
    assert counts["batch"] > 0
    assert window.monitor.memory_chart.sample_count() > 0
    assert window.monitor.progress.value() == PROGRESS_STEPS
    assert window.results._fitted is window.fitted
    assert "ratings.csv" in window.windowTitle() and "factors" in window.windowTitle()
    assert window.form.train_button.isEnabled() and not window.form.stop_button.isEnabled()


def test_stop_mid_run_keeps_a_model_and_resets_buttons(
    qtbot, make_window, accept_import, planted_csv
):
    window = _mid_run(qtbot, make_window, planted_csv, "train")
    window.actions.stop.trigger()
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    assert window.fitted is not None
    assert window.form.train_button.isEnabled()
    assert not window.form.stop_button.isEnabled()
    assert "Stopped" in window.monitor.status.text()


def test_bad_file_shows_the_loader_sentence_and_keeps_the_old_data(
    qtbot, make_window, accept_import, planted_csv, errors, tmp_path
):
    window = make_window()
    _open(qtbot, window, planted_csv)
    before = window.ratings
    bad = tmp_path / "bad.csv"
    bad.write_text("user,item,rating\n1,10,4\n2,11,five\n", encoding="utf-8")
    window.open_path(str(bad))
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT)
    assert "line 3" in str(errors[0])
    assert window.ratings is before
    assert window.dataset_name == "planted.csv"


def test_changing_a_role_in_the_import_dialog_changes_what_loads(
    qtbot, make_window, accept_import, tmp_path
):
    path = tmp_path / "two_scores.csv"
    path.write_text("user,item,rating,other\n1,10,4,1\n2,10,3,2\n2,11,5,2\n", encoding="utf-8")
    accept_import["rating"] = 3
    window = make_window()
    _open(qtbot, window, path)
    assert sorted(window.ratings.rating.tolist()) == [1.0, 2.0, 2.0]


class _FailingOnce:
    """A Trainer whose first run raises `error`; later runs train for real."""

    def __init__(self, real, error):
        self.real, self.error, self.calls = real, error, []

    def __call__(self, train, valid, config, **options):
        self.calls.append(config)
        if len(self.calls) == 1:
            return self
        return self.real(train, valid, config, **options)

    def reports(self):
        raise self.error(self.calls[0])
        yield

    def stop(self):
        pass


def _retried_after(qtbot, make_window, planted_csv, monkeypatch, oom, **form):
    """Train once failing with `oom(config)`, accept the retry offer, wait for the second run:
    (the errors offered, the fake Trainer with its calls' configs, the window)."""
    fake = _FailingOnce(training_runner.Trainer, oom)
    monkeypatch.setattr(training_runner, "Trainer", fake)
    offered = []
    monkeypatch.setattr(dialogs, "ask_oom_retry", lambda parent, exc: offered.append(exc) or True)
    window = make_window()
    _open(qtbot, window, planted_csv)
    _small(window, batch_size=256, epochs=1, **form)
    window.training.start()
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    return offered, fake, window


def test_out_of_memory_offers_a_retry_with_half_the_batch(
    qtbot, make_window, accept_import, planted_csv, monkeypatch
):
    def oom(config):
        return OutOfMemoryError(
            "CUDA ran out of memory at batch size 256.",
            config.batch_size // 2,
            config.accum_steps * 2,
        )

    offered, fake, window = _retried_after(qtbot, make_window, planted_csv, monkeypatch, oom)
    assert (offered[0].batch_size, offered[0].accum_steps) == (128, 2)  # half the batch per pass
    assert (fake.calls[1].batch_size, fake.calls[1].accum_steps) == (256, 2)  # same per step
    assert window.form.config().accum_steps == 2


def test_out_of_memory_loading_the_data_offers_the_cpu(
    qtbot, make_window, accept_import, planted_csv, monkeypatch
):
    def oom(config):
        return OutOfMemoryError(
            "the GPU (cuda:0) ran out of memory while loading the ratings; train on the CPU",
            config.batch_size,
            config.accum_steps,
            device="cpu",
        )

    offered, fake, window = _retried_after(
        qtbot, make_window, planted_csv, monkeypatch, oom, device="auto"
    )
    assert offered[0].device == "cpu"
    assert (fake.calls[1].device, fake.calls[1].batch_size) == ("cpu", 256)  # the batch stays
    assert window.form.config().device == "cpu"


def test_divergence_suggests_a_lower_learning_rate(
    qtbot, make_window, accept_import, planted_csv, monkeypatch
):
    def nan(config):
        return TrainingError(
            "the training loss became nan in epoch 1 (learning rate 0.5); lower the learning rate"
        )

    monkeypatch.setattr(training_runner, "Trainer", _FailingOnce(training_runner.Trainer, nan))
    asked = []
    monkeypatch.setattr(
        dialogs, "ask_lower_lr", lambda parent, exc, lower: asked.append(lower) or True
    )
    window = make_window()
    _open(qtbot, window, planted_csv)
    _small(window, lr=0.5)
    window.training.start()
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert asked == [0.05]
    assert window.form.config().lr == 0.05


def test_closing_mid_training_stops_the_thread_cleanly(
    qtbot, make_window, accept_import, planted_csv
):
    window = _mid_run(qtbot, make_window, planted_csv, "batch")
    window.close()
    assert not window.training.is_running() or all(not w.is_running() for w in worker._LIVE)
    qtbot.waitUntil(lambda: not worker._LIVE, timeout=TIMEOUT)


def test_find_lr_plots_a_curve_with_a_marked_suggestion(
    qtbot, make_window, accept_import, planted_csv
):
    pytest.importorskip("cfdesk.core.training.lr_finder", reason="the LR finder has not landed yet")
    window = make_window()
    _open(qtbot, window, planted_csv)
    _small(window)
    window.form.find_lr.click()
    panel = window.lr_panel
    qtbot.waitUntil(lambda: panel.chart.point_count() > 0, timeout=TIMEOUT)
    assert panel.chart.suggestion is not None
    assert panel.chart._mark.isVisible()
    panel.use_button.click()
    assert window.form.config().lr == float(f"{panel._form_lr:.3g}")


def test_settings_survive_a_restart(qtbot, make_window):
    first = make_window()
    first.show()
    first.form.set_config(first.form.config().with_changes(epochs=7, seed=123))
    first.train_split.setSizes([300, 700])
    sizes = first.train_split.sizes()
    first.close()
    second = make_window()
    second.show()
    assert second.form.config().epochs == 7 and second.form.config().seed == 123
    assert bytes(second.settings.geometry()) == bytes(first.saveGeometry())
    assert second.train_split.sizes() == sizes


def test_save_then_open_a_model_file(qtbot, make_window, accept_import, planted_csv, tmp_path):
    window = make_window()
    _open(qtbot, window, planted_csv)
    _small(window, epochs=1)
    window.training.start()
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    path = tmp_path / "planted.cfmodel"
    window.files.save_model(str(path))
    qtbot.waitUntil(lambda: path.exists() and not window.files.is_busy(), timeout=TIMEOUT)
    assert "planted.cfmodel" in window.windowTitle()
    other = make_window()
    other.open_path(str(path))
    qtbot.waitUntil(lambda: other.fitted is not None, timeout=TIMEOUT)
    assert other.fitted.n_users == window.fitted.n_users
    assert "planted.cfmodel" in other.windowTitle()
    assert str(path.resolve()) in other.settings.recent("models")


def test_a_foreign_model_file_is_refused_with_a_sentence(qtbot, make_window, errors, tmp_path):
    path = tmp_path / "notes.cfmodel"
    path.write_text("just text", encoding="utf-8")
    window = make_window()
    window.open_path(str(path))
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT)
    assert "notes.cfmodel" in str(errors[0])
    assert window.fitted is None


def test_dropping_a_file_opens_it(qtbot, make_window, accept_import, planted_csv):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(planted_csv))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.ratings is not None, timeout=TIMEOUT)
    assert window.dataset_name == "planted.csv"
    assert window.pages.currentWidget() is window.data_panel


def test_results_view_messages_reach_the_status_bar(make_window):
    window = make_window()
    window.results.statusMessage.emit("Wrote 10 rows to out.csv")
    assert window.statusBar().currentMessage() == "Wrote 10 rows to out.csv"


# Saving and opening while other work ends: names stay true, nothing is rebuilt or lost.


def _trained(qtbot, make_window, planted_csv):
    window = make_window()
    _open(qtbot, window, planted_csv)
    _small(window, epochs=1)
    window.training.start()
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.results.context is not None, timeout=TIMEOUT)
    return window


def test_saving_renames_the_model_without_rebuilding_the_results(
    qtbot, make_window, accept_import, planted_csv, tmp_path
):
    window = _trained(qtbot, make_window, planted_csv)
    context = window.results.context
    path = tmp_path / "kept.cfmodel"
    window.files.save_model(str(path))
    qtbot.waitUntil(lambda: path.exists() and not window.files.is_busy(), timeout=TIMEOUT)
    assert "kept.cfmodel" in window.windowTitle()
    assert window.results.context is context  # the user's place on the Results page is kept


def test_a_model_that_replaced_the_saved_one_keeps_its_unsaved_name(
    qtbot, make_window, accept_import, planted_csv, tmp_path
):
    window = _trained(qtbot, make_window, planted_csv)
    saved, name = window.fitted, window.model_name
    path = tmp_path / "old.cfmodel"
    window.files.save_model(str(path))
    window.set_model(window.fitted.__class__(**vars(saved)), name)  # a run finished meanwhile
    qtbot.waitUntil(lambda: path.exists() and not window.files.is_busy(), timeout=TIMEOUT)
    assert window.model_name == name
    assert "old.cfmodel" not in window.windowTitle()


def test_training_that_ends_while_asking_still_opens_the_file(
    qtbot, make_window, accept_import, planted_csv, monkeypatch
):
    window = make_window()
    _open(qtbot, window, planted_csv)
    opened = []
    monkeypatch.setattr(window.training, "is_running", iter([True, False]).__next__)
    monkeypatch.setattr(
        "cfdesk.qt.file_control.dialogs.ask_stop_training", lambda *a: True, raising=True
    )
    monkeypatch.setattr(window.files, "_open_now", opened.append)
    window.files.open_path(str(planted_csv))
    assert opened == [str(planted_csv)]
