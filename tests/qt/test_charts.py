"""Charts: points appear as reports arrive; memory charts label GPU and CPU honestly."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from PySide6.QtGui import QFont, QFontInfo

from cfdesk.qt.panels.charts import MemoryChart, RmseChart
from cfdesk.qt.panels.lr_chart import LrPanel

GIB = 1024**3


def _cpu_sample(t):
    return SimpleNamespace(
        t=t,
        kind="cpu",
        device_name="CPU (2 cores)",
        used=None,
        total=None,
        torch_allocated=None,
        torch_reserved=None,
        rss=GIB // 2,
        system_used=3 * GIB,
        system_total=8 * GIB,
    )


def _gpu_sample(t):
    return SimpleNamespace(
        t=t,
        kind="cuda",
        device_name="NVIDIA H200",
        used=10 * GIB,
        total=140 * GIB,
        torch_allocated=2 * GIB,
        torch_reserved=4 * GIB,
        rss=GIB,
        system_used=3 * GIB,
        system_total=8 * GIB,
    )


def test_fonts_exist(qapp):
    assert QFontInfo(QFont()).family() != ""


def test_rmse_chart_counts_epochs_batches_and_best(qtbot):
    chart = RmseChart()
    qtbot.addWidget(chart)
    chart.set_baseline(1.02, "baseline (bias)")
    chart.add_batches([0.5, 1.0], [1.1, 1.0])
    chart.add_epoch(1, 0.95, 0.97, True)
    chart.add_epoch(2, 0.90, 0.98, False)
    assert chart.point_counts() == {"train": 2, "valid": 2, "batch": 2, "best": 1}
    assert chart._baseline.isVisible()
    chart.clear_data()
    assert chart.point_counts() == {"train": 0, "valid": 0, "batch": 0, "best": 0}


def test_rmse_chart_draws_a_dot_per_epoch_with_a_value_and_names_each_series(qtbot):
    chart = RmseChart()
    qtbot.addWidget(chart)
    chart.add_epoch(1, 0.95, None, False)  # no validation rows this epoch
    chart.add_epoch(2, 0.90, 0.98, True)
    chart.add_epoch(3, 0.85, 0.97, True)
    qtbot.waitUntil(lambda: len(chart._train._dots.getData()[0]) == 3)
    train_x, train_y = chart._train._dots.getData()
    valid_x, valid_y = chart._valid._dots.getData()
    assert list(train_x) == [1.0, 2.0, 3.0] and list(train_y) == [0.95, 0.90, 0.85]
    assert list(valid_x) == [2.0, 3.0] and list(valid_y) == [0.98, 0.97]
    names = [label.text for _, label in chart.getPlotItem().legend.items]
    assert names == ["batch loss (smoothed)", "train", "validation", "best epoch"]
    chart.clear_data()
    assert len(chart._train._dots.getData()[0]) == 0
    assert len(chart._valid._dots.getData()[0]) == 0


def test_rmse_chart_draws_a_flush_of_reports_once_in_the_next_turn(qtbot):
    """Batches, an epoch and more batches from one flush reach pyqtgraph as one update per
    series, after the slot that fed them (so the paint is a pause of its own)."""
    chart = RmseChart()
    qtbot.addWidget(chart)
    calls = []
    chart._batch.sigPlotChanged.connect(lambda *_: calls.append("batch"))
    chart.add_batches([0.5, 0.9], [1.1, 1.0])
    chart.add_epoch(1, 0.95, 0.97, True)
    chart.add_batches([1.2], [0.98])
    assert calls == [] and len(chart._batch.getData()[0] or []) == 0
    qtbot.waitUntil(lambda: calls == ["batch"])
    assert list(chart._batch.getData()[0]) == [0.5, 0.9, 1.2]
    assert list(chart._best.getData()[0]) == [1.0]
    qtbot.wait(20)
    assert calls == ["batch"]  # nothing new: no second update


def test_memory_chart_cpu_labels(qtbot):
    chart = MemoryChart()
    qtbot.addWidget(chart)
    legend = chart.getPlotItem().legend
    assert not legend.isVisible()  # no series named before a sample says which device it is
    chart.add_samples([_cpu_sample(10.0), _cpu_sample(10.5)])
    assert legend.isVisible()
    assert chart.sample_count() == 2
    assert "CPU memory (no GPU) · 8.0 GiB total" in chart.getPlotItem().titleLabel.text
    names = [label.text for _, label in chart.getPlotItem().legend.items]
    assert "cfdesk (RSS)" in names
    chart.clear_data("Memory: drawn only while training runs here")  # a model from a file
    assert not legend.isVisible()


def test_memory_chart_gpu_labels_name_and_total(qtbot):
    chart = MemoryChart()
    qtbot.addWidget(chart)
    chart.add_samples([_gpu_sample(1.0)])
    title = chart.getPlotItem().titleLabel.text
    assert "NVIDIA H200 · 140.0 GiB" in title
    names = [label.text for _, label in chart.getPlotItem().legend.items]
    assert {"GPU used (NVML)", "torch allocated", "torch reserved"} <= set(names)


def test_lr_panel_explains_the_finder_until_the_first_sweep(qtbot):
    panel = LrPanel()
    qtbot.addWidget(panel)
    assert panel.view.currentWidget() is panel.intro and "Find LR" in panel.intro.text()
    panel.set_running()
    assert panel.view.currentWidget() is panel.chart
    other = LrPanel()
    qtbot.addWidget(other)
    other.set_result(np.logspace(-6, 0, 50), np.linspace(2, 1, 50), 3e-3)  # e.g. a finished sweep
    assert other.view.currentWidget() is other.chart


def test_lr_panel_offers_the_suggestion(qtbot):
    panel = LrPanel()
    qtbot.addWidget(panel)
    lrs = np.logspace(-6, 0, 50)
    panel.set_result(lrs, np.linspace(2, 1, 50), 3e-3)
    assert panel.chart.point_count() == 50
    assert panel.chart._mark.isVisible()
    with qtbot.waitSignal(panel.useRequested) as blocker:
        panel.use_button.click()
    assert blocker.args == [3e-3]


def test_an_lr_sweep_goes_stale_when_a_setting_it_depends_on_changes(qtbot):
    from cfdesk.core.config import TrainConfig

    panel = LrPanel()
    qtbot.addWidget(panel)
    swept = TrainConfig(batch_size=1024)
    panel.set_result(np.logspace(-6, 0, 50), np.linspace(2, 1, 50), 3e-3, config=swept)
    panel.note_settings(swept.with_changes(lr=0.2, epochs=30))  # not what a sweep depends on
    assert panel.use_button.isEnabled() and not panel.chart.stale
    panel.note_settings(swept.with_changes(batch_size=256, weight_decay=0.1))
    assert panel.chart.stale and not panel.use_button.isEnabled()
    assert not panel.chart._mark.isVisible() and panel.chart.point_count() == 50
    assert panel.status.text() == (
        "Out of date (weight decay, batch size changed since this sweep): press Find LR again."
    )
    panel.set_running()
    assert not panel.chart.stale and panel.chart.point_count() == 0
    panel.set_result(np.logspace(-6, 0, 50), np.linspace(2, 1, 50), 3e-3, config=swept)
    panel.data_changed()
    assert "other ratings were loaded" in panel.status.text()
