"""An LR sweep on screen is marked out of date as soon as a setting it depends on is edited."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.qt.test_main_window import TIMEOUT, _open, _small


def test_editing_the_weight_decay_after_a_sweep_marks_it_stale(
    qtbot, make_window, accept_import, planted_csv
):
    window = make_window()
    window.show()
    _open(qtbot, window, planted_csv)
    _small(window)
    window.form.find_lr.click()
    panel = window.lr_panel
    qtbot.waitUntil(lambda: panel.chart.point_count() > 0, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    assert panel.use_button.isEnabled() and not panel.chart.stale
    qtbot.keyClicks(window.form.epochs, "9")  # epochs: the sweep does not depend on them
    qtbot.keyClick(window.form.epochs, Qt.Key.Key_Tab)
    assert not panel.chart.stale
    window.form.wd.clear()
    qtbot.keyClicks(window.form.wd, "0.05")
    assert panel.chart.stale and not panel.use_button.isEnabled()
    assert "weight decay changed" in panel.status.text()
