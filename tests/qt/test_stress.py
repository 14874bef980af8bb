"""Stress: quick start/stop cycles, closing at random moments, double-clicks on every button."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from cfdesk.qt import worker

TIMEOUT = 60_000
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gui_stress.py"


@pytest.fixture(scope="module")
def stress():
    """scripts/gui_stress.py as a module: the test runs the long profile's own code, shorter."""
    spec = importlib.util.spec_from_file_location("gui_stress", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quick_profile_has_no_crash_orphan_thread_or_qt_warning(qtbot, stress):
    report = stress.run_profile(cycles=10, closes=6, seed=0)
    assert report.cycles == 10 and report.closes == 6
    assert report.crashes == []
    assert report.orphan_threads == []
    assert report.qt_warnings == []
    assert not worker._LIVE


class _Starts:
    """Records every worker start and fails on two live workers running the same job."""

    def __init__(self, monkeypatch):
        self.jobs: list[str] = []
        self.duplicates: list[str] = []
        original = worker.GeneratorWorker.start

        def start(w):
            name = _job(w)
            if any(_job(o) == name and o.is_running() for o in worker._LIVE):
                self.duplicates.append(name)
            self.jobs.append(name)
            original(w)

        monkeypatch.setattr(worker.GeneratorWorker, "start", start)


def _job(w) -> str:
    func = w._args[0] if w._func is worker._call else w._func
    return getattr(func, "__qualname__", repr(func))


def _double_click(qtbot, widget) -> None:
    """What a real double-click delivers: press, release, double-click (a press), release."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton)


def _double_click_every_button(qtbot, root) -> list[str]:
    """Double-click each enabled, shown button under `root`."""
    clicked = []
    for button in root.findChildren(QPushButton):
        if button.isEnabled() and button.isVisibleTo(root.window()):
            _double_click(qtbot, button)
            clicked.append(button.text())
    return clicked


def test_double_clicks_on_every_button_start_nothing_twice(
    qtbot, make_window, accept_import, planted_csv, errors, monkeypatch, tmp_path
):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    starts = _Starts(monkeypatch)
    window = make_window()
    window.show()
    window.open_path(str(planted_csv))
    qtbot.waitUntil(lambda: window.ratings is not None, timeout=TIMEOUT)
    window.form.set_config(
        window.form.config().with_changes(
            n_factors=8, batch_size=64, accum_steps=1, epochs=2, device="cpu", patience=0
        )
    )
    window.show_page("Train")
    _double_click(qtbot, window.form.train_button)
    qtbot.waitUntil(
        lambda: window.fitted is not None and not window.results.is_busy(), timeout=TIMEOUT
    )
    assert starts.jobs.count("TrainingRunner._job") == 1
    clicked = []
    for page in range(window.pages.count()):
        window.pages.setCurrentIndex(page)
        clicked += _double_click_every_button(qtbot, window.pages.currentWidget())
        qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
        qtbot.waitUntil(lambda: not window.files.is_busy(), timeout=TIMEOUT)
    dialog = window.results.open_export_dialog()
    dialog.path.setText(str(tmp_path / "recommendations.csv"))
    clicked += _double_click_every_button(qtbot, dialog)
    assert "Export" in clicked and len(clicked) >= 8, clicked
    qtbot.waitUntil(lambda: not dialog.task.is_busy(), timeout=TIMEOUT)
    assert starts.duplicates == []
    assert errors == []
    assert {"run_lr_finder", "export_recommendations"} <= set(starts.jobs)  # clicks started work


def test_closing_during_a_long_load_ends_it_at_its_next_progress_point(
    qtbot, make_window, planted_csv, errors, monkeypatch
):
    import time

    from cfdesk.core.data.loader import sniff
    from cfdesk.qt import file_control
    from cfdesk.qt.import_dialog import ImportChoices

    steps: list[float] = []

    def slow_load(path, progress=None, **options):
        for step in range(600):  # 30 s unless cancelled
            progress(step / 600)
            steps.append(step)
            time.sleep(0.05)
        raise AssertionError("the load was not cancelled")

    monkeypatch.setattr(file_control, "load_with_summary", slow_load)
    window = make_window()
    window.files.load_data(ImportChoices(planted_csv, sniff(planted_csv).roles, False))
    qtbot.waitUntil(lambda: len(steps) >= 3, timeout=TIMEOUT)
    window.close()
    reached = len(steps)
    assert not any(w.is_running() for w in worker._LIVE)  # close() waited for the load to end
    assert reached < 600  # ...which stopped at a progress point, not at the end of the file
    qtbot.wait(200)
    assert len(steps) == reached  # and reports nothing more
    assert errors == [] and window.ratings is None


def test_wait_for_all_without_a_limit_outlasts_a_slow_call():
    import time

    job = worker.call_worker(time.sleep, 0.3)
    job.start()
    assert worker.wait_for_all(None)
    assert not job.is_running()
