"""A trained model is never lost silently: quitting, training again or opening a model asks first."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog

from cfdesk.qt import dialogs

TIMEOUT = 60_000


class _WindowManagerClose(QCloseEvent):
    """The close a user's click on the title bar's X sends (offscreen cannot send a real one)."""

    def spontaneous(self) -> bool:
        return True


@pytest.fixture
def answer(make_window, monkeypatch):
    """Answers the unsaved-model question with `answer.reply` and records what it was asked."""

    class Answer:
        reply = "cancel"
        asked: list[str] = []

    def ask(parent, doing):
        Answer.asked.append(doing)
        return Answer.reply

    Answer.asked = []
    monkeypatch.setattr(dialogs, "ask_save_model", ask)
    return Answer


@pytest.fixture
def trained(qtbot, make_window, accept_import, planted_csv):
    """A shown window whose model was just trained here (one epoch) and not saved."""
    window = make_window()
    window.show()
    window.open_path(str(planted_csv))
    qtbot.waitUntil(lambda: window.ratings is not None and not window.files.is_busy())
    config = window.form.config().with_changes(
        n_factors=8, batch_size=256, accum_steps=1, epochs=1, device="cpu", patience=0
    )
    window.form.set_config(config)
    window.actions.train.trigger()
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    assert window.unsaved and "(not saved)" in window.windowTitle()
    return window


def _save_to(monkeypatch, path) -> None:
    """The save chooser returns `path`, as if the user picked it."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _saved_model(qtbot, window, path):
    window.files.save_model(str(path))
    qtbot.waitUntil(lambda: path.exists() and not window.files.is_busy(), timeout=TIMEOUT)
    return path


def test_quit_cancel_keeps_the_window_and_the_model(trained, answer):
    fitted = trained.fitted
    trained.actions.quit.trigger()
    assert answer.asked == ["closing cfdesk"]
    assert trained.isVisible() and trained.fitted is fitted and trained.unsaved


def test_quit_discard_closes(trained, answer):
    answer.reply = "discard"
    trained.actions.quit.trigger()
    assert answer.asked == ["closing cfdesk"] and not trained.isVisible()


def test_quit_save_writes_the_file_then_closes(qtbot, trained, answer, tmp_path, monkeypatch):
    answer.reply = "save"
    path = tmp_path / "kept.cfmodel"
    _save_to(monkeypatch, path)
    trained.actions.quit.trigger()
    qtbot.waitUntil(lambda: not trained.isVisible(), timeout=TIMEOUT)
    assert path.exists() and answer.asked == ["closing cfdesk"]


def test_a_failed_save_keeps_the_window(qtbot, trained, answer, tmp_path, monkeypatch, errors):
    answer.reply = "save"
    _save_to(monkeypatch, tmp_path / "missing-folder" / "kept.cfmodel")
    trained.actions.quit.trigger()
    qtbot.waitUntil(lambda: bool(errors) and not trained.files.is_busy(), timeout=TIMEOUT)
    qtbot.wait(50)
    assert trained.isVisible() and trained.unsaved


def test_cancelling_the_save_chooser_keeps_the_window(qtbot, trained, answer, monkeypatch):
    answer.reply = "save"
    _save_to(monkeypatch, "")
    trained.actions.quit.trigger()
    qtbot.wait(50)
    assert trained.isVisible() and trained.unsaved and not trained.files.is_busy()


def test_the_title_bar_close_asks_and_cancel_ignores_it(trained, answer):
    event = _WindowManagerClose()
    trained.closeEvent(event)
    assert answer.asked == ["closing cfdesk"]
    assert not event.isAccepted() and trained.isVisible()


def test_close_from_code_does_not_ask(trained, answer):
    trained.close()
    assert answer.asked == [] and not trained.isVisible()


@pytest.mark.parametrize("reply", ["cancel", "discard"])
def test_training_again_asks_first(qtbot, trained, answer, reply):
    answer.reply = reply
    fitted = trained.fitted
    trained.form.train_button.click()
    assert answer.asked == ["training a new one"]
    assert trained.training.is_running() == (reply == "discard")
    if reply == "discard":  # the new run's model replaces the old one, and is unsaved in turn
        qtbot.waitUntil(lambda: trained.fitted is not fitted, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: not trained.training.is_running(), timeout=TIMEOUT)
        assert trained.fitted is not None and trained.unsaved
    else:  # nothing started and nothing changed
        qtbot.wait(100)
        assert not trained.training.is_running()
        assert trained.fitted is fitted and trained.unsaved


def test_training_again_after_save_writes_then_trains(
    qtbot, trained, answer, tmp_path, monkeypatch
):
    answer.reply = "save"
    path = tmp_path / "first.cfmodel"
    _save_to(monkeypatch, path)
    first = trained.fitted
    file_there_at_start = []
    trained.training.runner.runningChanged.connect(
        lambda running: running and file_there_at_start.append(path.exists())
    )
    trained.actions.train.trigger()
    assert not trained.training.is_running()  # not before the file is written
    # A short run can start and end between two polls: wait for its model instead.
    qtbot.waitUntil(lambda: trained.fitted is not first, timeout=TIMEOUT)
    assert file_there_at_start == [True]


@pytest.mark.parametrize("reply", ["cancel", "discard"])
def test_opening_a_model_over_an_unsaved_one_asks(qtbot, trained, answer, tmp_path, reply):
    other = _saved_model(qtbot, trained, tmp_path / "other.cfmodel")
    trained.set_model(trained.fitted, "retrained", unsaved=True)  # as if trained again
    fitted = trained.fitted
    answer.reply = reply
    trained.open_path(str(other))
    assert answer.asked == ["opening other.cfmodel"]
    if reply == "discard":
        qtbot.waitUntil(lambda: trained.fitted is not fitted, timeout=TIMEOUT)
        assert trained.model_name == "other.cfmodel" and not trained.unsaved
    else:
        qtbot.wait(100)
        assert trained.fitted is fitted and trained.unsaved


def test_no_question_once_saved(qtbot, trained, answer, tmp_path):
    _saved_model(qtbot, trained, tmp_path / "kept.cfmodel")
    assert not trained.unsaved
    trained.actions.quit.trigger()
    assert answer.asked == [] and not trained.isVisible()


def test_no_question_for_a_model_opened_from_a_file(
    qtbot, make_window, trained, answer, tmp_path, accept_import, planted_csv
):
    path = _saved_model(qtbot, trained, tmp_path / "kept.cfmodel")
    window = make_window()
    window.open_path(str(planted_csv))
    qtbot.waitUntil(lambda: window.ratings is not None and not window.files.is_busy())
    window.open_path(str(path))
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    window.form.train_button.click()
    assert answer.asked == [] and window.training.is_running()


def test_file_open_model_asks_to_stop_training_first(
    qtbot, make_window, answer, accept_import, planted_csv, tmp_path, monkeypatch
):
    window = make_window()
    window.open_path(str(planted_csv))
    qtbot.waitUntil(lambda: window.ratings is not None and not window.files.is_busy())
    window.form.set_config(
        window.form.config().with_changes(
            n_factors=8, batch_size=8, accum_steps=1, epochs=500, device="cpu", patience=0
        )
    )
    window.training.start()
    stops: list[str] = []
    monkeypatch.setattr(dialogs, "ask_stop_training", lambda parent, name: stops.append(name))
    path = str(tmp_path / "some.cfmodel")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
    window.actions.open_model.trigger()
    assert stops == ["some.cfmodel"] and window.training.is_running()


def test_closing_hides_the_window_before_waiting_for_work(trained, monkeypatch):
    seen: list[bool] = []
    shutdown = trained.training.shutdown
    monkeypatch.setattr(
        trained.training, "shutdown", lambda: seen.append(trained.isVisible()) or shutdown()
    )
    trained.close()
    assert seen == [False]


def test_the_question_names_what_would_happen(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    seen: list[tuple[str, list[str]]] = []

    def look(box):
        seen.append((box.text(), [b.text() for b in box.buttons()]))
        box.escapeButton().click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", look)
    assert dialogs.ask_save_model(None, "closing cfdesk") == "cancel"
    text, buttons = seen[0]
    assert text == "Save the trained model before closing cfdesk?"
    assert {"Save…", "Discard", "Cancel"} <= {b.replace("&", "") for b in buttons}


# macOS Dock → Quit (a Quit event to the application) and a desktop log-out ask too.


def _quit_in_event_loop(qapp) -> int:
    """Send the Quit event macOS sends for Dock → Quit from inside `exec()`, as in the app.

    A Quit the windows accept ends `exec()` with 0; a guard ends it with 1 after 30 s. The
    Quit Qt posts when the last window closes is dropped: later tests' windows must stay open.
    """
    from PySide6.QtCore import QEvent, QTimer

    guard = QTimer(singleShot=True, interval=30_000)
    guard.timeout.connect(lambda: qapp.exit(1))
    guard.start()
    QTimer.singleShot(0, lambda: qapp.sendEvent(qapp, QEvent(QEvent.Type.Quit)))
    try:
        return qapp.exec()
    finally:
        guard.stop()
        qapp.removePostedEvents(qapp, QEvent.Type.Quit)


def test_dock_quit_asks_and_cancel_keeps_the_window_and_the_model(qapp, trained, answer):
    from PySide6.QtCore import QEvent

    fitted = trained.fitted
    event = QEvent(QEvent.Type.Quit)
    qapp.sendEvent(qapp, event)
    assert answer.asked == ["quitting cfdesk"]
    assert not event.isAccepted()  # macOS cancels the termination
    assert trained.isVisible() and trained.fitted is fitted and trained.unsaved


def test_dock_quit_discard_closes_without_asking_twice(qapp, trained, answer):
    answer.reply = "discard"
    assert _quit_in_event_loop(qapp) == 0
    assert answer.asked == ["quitting cfdesk"] and not trained.isVisible()


def test_dock_quit_save_writes_the_file_then_quits(qapp, trained, answer, tmp_path, monkeypatch):
    answer.reply = "save"
    path = tmp_path / "kept.cfmodel"
    _save_to(monkeypatch, path)
    assert _quit_in_event_loop(qapp) == 0
    assert path.exists() and answer.asked == ["quitting cfdesk"] and not trained.isVisible()


class _SessionManager:
    """What a log-out hands to QGuiApplication.commitDataRequest (Qt cannot make a real one)."""

    def __init__(self, interaction: bool = True):
        self.interaction, self.cancelled, self.released = interaction, False, False

    def allowsInteraction(self) -> bool:
        return self.interaction

    def cancel(self) -> None:
        self.cancelled = True

    def release(self) -> None:
        self.released = True


def test_log_out_handlers_are_connected_to_the_application(qapp, trained):
    from PySide6.QtCore import SIGNAL

    assert qapp.receivers(SIGNAL("commitDataRequest(QSessionManager&)")) >= 1
    assert qapp.receivers(SIGNAL("saveStateRequest(QSessionManager&)")) >= 1


def test_log_out_asks_and_cancel_cancels_the_log_out(trained, answer):
    manager = _SessionManager()
    trained.commit_data(manager)
    assert answer.asked == ["logging out"]
    assert manager.cancelled and manager.released
    assert trained.isVisible() and trained.unsaved


def test_log_out_discard_lets_it_go_on_and_the_closes_do_not_ask(qapp, trained, answer):
    answer.reply = "discard"
    manager = _SessionManager()
    trained.commit_data(manager)
    assert not manager.cancelled and manager.released
    qapp.closeAllWindows()  # what the session's end does to the windows
    assert answer.asked == ["logging out"] and not trained.isVisible()


def test_log_out_save_writes_the_file_and_cancels_the_log_out(
    qtbot, trained, answer, tmp_path, monkeypatch
):
    answer.reply = "save"
    path = tmp_path / "kept.cfmodel"
    _save_to(monkeypatch, path)
    manager = _SessionManager()
    trained.commit_data(manager)
    assert manager.cancelled  # a background write must not be cut short by the session's end
    qtbot.waitUntil(lambda: path.exists() and not trained.unsaved, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "log out now" in trained.statusBar().currentMessage())


def test_a_log_out_that_allows_no_question_asks_nothing(trained, answer):
    manager = _SessionManager(interaction=False)
    trained.commit_data(manager)
    assert answer.asked == [] and not manager.cancelled and trained.unsaved


def test_the_session_save_keeps_the_window_settings(qapp, trained):
    trained.form.set_config(trained.form.config().with_changes(epochs=9))
    trained._on_save_state_request(_SessionManager())
    assert trained.settings.train_config().epochs == 9
