"""`cfdesk FILE`: the app opens a model file given on the command line and exits cleanly."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.storage.model_file import save_model
from cfdesk.core.training.trainer import fit

# A fresh process: main() owns the QApplication, its style sheet and sys.excepthook.
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from cfdesk.entry import main
from cfdesk.qt.main_window import MainWindow

def check():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows or windows[0].fitted is None:
        QTimer.singleShot(50, check)
        return
    print("TITLE", windows[0].windowTitle(), flush=True)
    windows[0].close()
    QApplication.quit()

app = QApplication(["cfdesk"])
QTimer.singleShot(50, check)
sys.exit(main([sys.argv[1]]))
"""


# macOS Finder's "Open With" sends a FileOpen event to the application instead of argv.
FINDER_DRIVER = DRIVER.replace(
    'app = QApplication(["cfdesk"])',
    "from PySide6.QtGui import QFileOpenEvent\n"
    "from cfdesk.qt.app import Application\n"
    'app = Application(["cfdesk"])\n'
    "QTimer.singleShot(0, lambda: app.postEvent(app, QFileOpenEvent(sys.argv.pop())))",
).replace("main([sys.argv[1]])", "main([])")


@pytest.fixture
def model_file(planted, tmp_path):
    ratings = ratings_from_raw(planted["user_ids"], planted["item_ids"], planted["ratings"])
    path = tmp_path / "planted.cfmodel"
    save_model(fit(ratings, TrainConfig(epochs=1, n_factors=4, device="cpu")), path)
    return path


def _run(driver: str, path, log_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CFDESK_LOG_DIR": str(log_dir)}
    return subprocess.run(
        [sys.executable, "-c", driver, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.slow
def test_cfdesk_with_a_model_file_opens_it(model_file, isolated_settings, isolated_log_dir):
    out = _run(DRIVER, model_file, isolated_log_dir)
    assert out.returncode == 0, out.stderr[-800:]
    assert "TITLE cfdesk — planted.cfmodel" in out.stdout
    assert "Destroyed while thread" not in out.stderr
    log = (isolated_log_dir / "cfdesk.log").read_text(encoding="utf-8")
    assert "cfdesk started" in log and "opened model" in log and "cfdesk closed" in log
    assert (isolated_log_dir / "fatal.log").is_file()  # ready for a crash Python cannot catch


@pytest.mark.slow
def test_finder_open_with_opens_the_file(model_file, isolated_settings, isolated_log_dir):
    out = _run(FINDER_DRIVER, model_file, isolated_log_dir)
    assert out.returncode == 0, out.stderr[-800:]
    assert "TITLE cfdesk — planted.cfmodel" in out.stdout


def test_demo_flag_opens_the_demo_data(qtbot, qapp, monkeypatch):
    from cfdesk.qt.app import main
    from cfdesk.qt.file_control import FileControl

    opened = []
    monkeypatch.setattr(FileControl, "open_demo", lambda self: opened.append(self))
    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    monkeypatch.setattr("cfdesk.qt.crash_log.enable_fatal_log", lambda: None)  # no open log files
    monkeypatch.setattr("cfdesk.qt.crash_log.setup_logging", lambda: None)
    assert main(["--demo"]) == 0
    assert len(opened) == 1
    for widget in qapp.topLevelWidgets():
        widget.close()


def _bench_startup():
    """bench/bench_startup.py: its launch() starts the app as `cfdesk` does and times paints."""
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_startup.py"
    spec = importlib.util.spec_from_file_location("bench_startup", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_starting_card_is_painted_before_torch_loads_and_goes_with_the_window():
    bench = _bench_startup()
    launch = bench.launch(bench.ROOT)
    assert launch["first_window"] == "Splash" and launch["first_message"] == "Starting…"
    assert not launch["torch_loaded_at_first_paint"]
    assert not launch["card_left_open"]
    assert launch["first_paint_from_start_s"] < launch["window_paint_from_start_s"]
