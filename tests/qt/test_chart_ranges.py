"""Chart axes: every point stays in view, and the axes move in a few steps, not on every update."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from cfdesk.qt.panels.charts import MemoryChart, RmseChart

GIB = 1024**3


def _y_range(chart) -> tuple[float, float]:
    return tuple(chart.getPlotItem().getViewBox().viewRange()[1])


def _feed_rmse(qtbot, chart: RmseChart, updates: int = 100, per_update: int = 10) -> list:
    """A run's worth of falling batch losses and one epoch every 88 batches; the y ranges seen."""
    ranges, batch = [], 0
    for _ in range(updates):
        xs = [(batch + i) / 88 for i in range(per_update)]
        batch += per_update
        chart.add_batches(xs, [0.9 + 0.6 / (1 + x) for x in xs])
        if batch % 88 < per_update:
            chart.add_epoch(batch // 88, 0.85 + 0.1 / batch, 0.93 + 0.1 / batch, True)
        qtbot.wait(1)  # drawn in the event loop's next turn
        ranges.append(_y_range(chart))
    return ranges


def test_rmse_chart_keeps_points_and_baseline_in_view_with_few_axis_moves(qtbot):
    chart = RmseChart()
    qtbot.addWidget(chart)
    chart.set_epochs(12)
    chart.set_baseline(1.6, "baseline (bias)")
    ranges = _feed_rmse(qtbot, chart)
    lo, hi = ranges[-1]
    values = chart._batch_y + chart._train.y + chart._valid.y + [1.6]
    assert lo <= min(values) and max(values) <= hi
    assert hi - lo < 2 * (max(values) - min(values)) + 0.1  # not zoomed out needlessly
    assert len(set(ranges)) <= 5  # 100 updates, the axis redrawn a handful of times


def test_rmse_chart_range_starts_afresh_after_clear(qtbot):
    chart = RmseChart()
    qtbot.addWidget(chart)
    chart.set_epochs(5)
    chart.add_batches([0.1, 0.2], [40.0, 30.0])
    qtbot.waitUntil(lambda: _y_range(chart)[1] >= 40.0)
    chart.clear_data()
    chart.add_batches([0.1, 0.2], [1.0, 0.99])
    qtbot.waitUntil(lambda: _y_range(chart)[1] < 40.0)
    lo, hi = _y_range(chart)
    assert lo <= 0.99 and 1.0 <= hi < 2.0


def test_memory_chart_keeps_every_sample_in_view(qtbot):
    chart = MemoryChart()
    qtbot.addWidget(chart)
    seen = []
    for step in range(60):
        samples = [
            SimpleNamespace(
                t=100.0 + (step * 5 + i) * 0.03,
                kind="cpu",
                device_name="CPU",
                rss=GIB // 2 + (step * 5 + i) * 2**20,
                system_used=3 * GIB,
                system_total=8 * GIB,
            )
            for i in range(5)
        ]
        chart.add_samples(samples)
        seen.append(tuple(map(tuple, chart.getPlotItem().getViewBox().viewRange())))
    (x_lo, x_hi), (y_lo, y_hi) = seen[-1]
    assert x_lo <= 0.0 and chart._x[-1] <= x_hi
    values = np.concatenate([np.asarray(v) for v in chart._ys.values()])
    assert y_lo <= values.min() and values.max() <= y_hi
    assert len(set(seen)) <= 10


def test_memory_chart_legend_follows_the_device_across_runs(qtbot):
    chart = MemoryChart()
    qtbot.addWidget(chart)
    cpu = SimpleNamespace(
        t=1.0, kind="cpu", device_name="CPU", rss=GIB, system_used=3 * GIB, system_total=8 * GIB
    )
    gpu = SimpleNamespace(
        t=1.0, kind="cuda", device_name="GPU", used=GIB, total=8 * GIB,
        torch_allocated=GIB, torch_reserved=GIB,
    )  # fmt: skip

    def names():
        return sorted(label.text for _, label in chart.getPlotItem().legend.items)

    chart.add_samples([cpu])
    chart.clear_data()
    assert chart.sample_count() == 0
    chart.add_samples([cpu])
    assert names() == ["cfdesk (RSS)", "system used"]
    chart.clear_data()
    chart.add_samples([gpu])
    assert names() == ["GPU used (NVML)", "torch allocated", "torch reserved"]
    assert chart.sample_count() == 1
