"""`cfdesk FILE`: the app opens a model file given on the command line and exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.persistence import save_model
from cfdesk.core.ratings import ratings_from_raw
from cfdesk.core.train import fit

# A fresh process: main() owns the QApplication, its style sheet and sys.excepthook.
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from cfdesk.cli import main
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


@pytest.mark.slow
def test_cfdesk_with_a_model_file_opens_it(planted, tmp_path, isolated_settings):
    ratings = ratings_from_raw(planted["user_ids"], planted["item_ids"], planted["ratings"])
    path = tmp_path / "planted.cfmodel"
    save_model(fit(ratings, TrainConfig(epochs=1, n_factors=4, device="cpu")), path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", DRIVER, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-800:]
    assert "TITLE cfdesk — planted.cfmodel" in out.stdout
    assert "Destroyed while thread" not in out.stderr
