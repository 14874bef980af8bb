"""The LR panel says plainly when the rate already set trained better than the suggestion."""

from __future__ import annotations

from cfdesk.core.training.lr_check import LrCheck
from cfdesk.qt.panels.lr_chart import LrPanel

LRS = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
LOSSES = [1.0, 0.9, 0.6, 0.5, 2.0]


def test_a_worse_suggestion_says_keep_your_rate(qtbot):
    panel = LrPanel()
    qtbot.addWidget(panel)
    panel.set_result(LRS, LOSSES, 0.001, 0.001, check=LrCheck(0.01, 0.89, 0.001, 0.90))
    assert "your rate 0.01 trained better" in panel.status.text()
    assert "keep it" in panel.status.text()
    assert panel.use_button.text() == "Use 0.001 anyway"


def test_a_better_suggestion_shows_both_figures(qtbot):
    panel = LrPanel()
    qtbot.addWidget(panel)
    used: list[float] = []
    panel.useRequested.connect(used.append)
    panel.set_result(LRS, LOSSES, 0.001, 0.001, check=LrCheck(0.01, 0.95, 0.001, 0.90))
    assert "RMSE 0.9000 against 0.9500" in panel.status.text()
    panel.use_button.click()
    assert used == [0.001]
