"""Crash safety: unexpected errors anywhere show a dialog and reach a rotating log file."""

from __future__ import annotations

import logging
import threading
from logging.handlers import RotatingFileHandler

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cfdesk.qt import crash, crash_dialog, crash_log

TIMEOUT = 10_000


@pytest.fixture
def logfile(isolated_log_dir):
    """The app's log set up in the test's folder, removed again afterwards."""
    path = crash_log.setup_logging()
    yield path
    for handler in [h for h in crash_log.log.handlers if getattr(h, "_cfdesk", False)]:
        crash_log.log.removeHandler(handler)
        handler.close()


@pytest.fixture
def reporter(qtbot, monkeypatch):
    """A CrashReporter whose dialog is recorded instead of shown."""
    shown: list[BaseException] = []
    monkeypatch.setattr(crash_dialog, "show_crash", lambda exc, parent=None: shown.append(exc))
    reporter = crash.CrashReporter()
    reporter.install()
    yield shown
    reporter.uninstall()


def test_log_rotates_at_one_megabyte_in_the_folder_from_the_environment(logfile, isolated_log_dir):
    assert logfile == isolated_log_dir / "cfdesk.log"
    handler = next(h for h in crash_log.log.handlers if getattr(h, "_cfdesk", False))
    assert isinstance(handler, RotatingFileHandler)
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 3)
    handler.flush()
    assert "cfdesk started" in logfile.read_text(encoding="utf-8")
    assert "torch" in logfile.read_text(encoding="utf-8")


def test_setting_up_twice_keeps_one_handler(logfile):
    crash_log.setup_logging()
    assert sum(getattr(h, "_cfdesk", False) for h in crash_log.log.handlers) == 1


def test_an_error_in_a_slot_shows_the_dialog_and_is_logged(qtbot, reporter, logfile):
    def broken_slot():
        raise ZeroDivisionError("division by zero in a slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: bool(reporter), timeout=TIMEOUT)
    assert isinstance(reporter[0], ZeroDivisionError)
    text = logfile.read_text(encoding="utf-8")
    assert "division by zero in a slot" in text and "broken_slot" in text


def test_an_error_in_a_plain_thread_shows_the_dialog_on_the_ui_thread(
    qtbot, reporter, logfile, monkeypatch
):
    seen_on: list[threading.Thread] = []
    original = crash_dialog.show_crash

    def record(exc, parent=None):
        seen_on.append(threading.current_thread())
        original(exc, parent)

    monkeypatch.setattr(crash_dialog, "show_crash", record)
    thread = threading.Thread(target=lambda: 1 / 0, name="helper")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(reporter), timeout=TIMEOUT)
    assert seen_on == [threading.main_thread()]
    text = logfile.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in text and "helper" in text


def test_copy_details_puts_traceback_and_versions_on_the_clipboard(qtbot):
    try:
        raise ValueError("bad value from deep inside")
    except ValueError as exc:
        dialog = crash_dialog.CrashDialog(exc)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.details.isVisible()
    dialog.toggle.click()
    assert dialog.details.isVisible()
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "Traceback" in copied and "bad value from deep inside" in copied
    assert "torch:" in copied and "PySide6:" in copied and "cfdesk:" in copied
    assert dialog.isVisible() and dialog.copy_button.text() == "Copied"


def test_expected_errors_show_their_sentence_and_are_logged_at_info(caplog, monkeypatch):
    from cfdesk.core.errors import DataError
    from cfdesk.qt import dialogs

    shown: list[str] = []
    monkeypatch.setattr(dialogs.QMessageBox, "exec", lambda self: shown.append(self.text()))
    with caplog.at_level(logging.INFO, logger="cfdesk"):
        dialogs.show_error(None, DataError("ratings.csv line 3: not a number"))
    assert shown == ["ratings.csv line 3: not a number"]
    assert any("line 3" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)


def test_unexpected_errors_from_workers_get_the_crash_dialog(monkeypatch, caplog):
    from cfdesk.qt import dialogs

    shown: list[BaseException] = []
    monkeypatch.setattr(dialogs, "show_crash", lambda exc, parent=None: shown.append(exc))
    with caplog.at_level(logging.INFO, logger="cfdesk"):
        dialogs.show_error(None, KeyError("user_idx"))
    assert isinstance(shown[0], KeyError)
    assert any(r.levelno == logging.ERROR for r in caplog.records)
