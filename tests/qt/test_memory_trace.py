"""The memory chart replays traces the GPU check writes (OUT/memory_trace.json): every sample is
drawn, the curves carry the trace's figures and the labels name the device honestly.

memory_trace_cpu.json comes from `bench/gpu_check.sh --device cpu`. memory_trace_cuda_synthetic.json
is HAND-MADE in the same format (no GPU has been lent yet): it exercises the GPU series (NVML
used and total, torch allocated and reserved) until a real H200 trace replaces it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from cfdesk.core.training.memory import NVML_MISSING_NOTE, MemorySample
from cfdesk.qt.panels.charts import GIB, MemoryChart

DATA = Path(__file__).parent / "data"
FIELDS = {f.name for f in dataclasses.fields(MemorySample)}


def _trace(name: str) -> tuple[dict, list[MemorySample]]:
    trace = json.loads((DATA / name).read_text())
    samples = [
        MemorySample(**{k: v for k, v in row.items() if k in FIELDS}) for row in trace["samples"]
    ]
    return trace, samples


def _replay(qtbot, samples: list[MemorySample]) -> MemoryChart:
    """Samples arrive in small groups, as the monitor hands them over between redraws."""
    chart = MemoryChart()
    qtbot.addWidget(chart)
    for start in range(0, len(samples), 3):
        chart.add_samples(samples[start : start + 3])
    return chart


def _curves(chart: MemoryChart) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {c.name(): c.getData() for c in chart.getPlotItem().listDataItems()}


def _in_view(chart: MemoryChart, curves) -> bool:
    (x_lo, x_hi), (y_lo, y_hi) = chart.getPlotItem().getViewBox().viewRange()
    xs = np.concatenate([x for x, _ in curves.values()])
    ys = np.concatenate([y[np.isfinite(y)] for _, y in curves.values()])
    return x_lo <= xs.min() and xs.max() <= x_hi and y_lo <= ys.min() and ys.max() <= y_hi


def test_a_cuda_trace_draws_nvml_and_torch_lines_under_the_cards_total(qtbot):
    trace, samples = _trace("memory_trace_cuda_synthetic.json")
    assert trace["synthetic"] and trace["kind"] == "cuda"  # hand-made until a GPU run exists
    chart = _replay(qtbot, samples)
    assert chart.sample_count() == len(samples)
    title = chart.getPlotItem().titleLabel.text
    assert "GPU NVIDIA H200 · 140.4 GiB" in title and "NVML unavailable" not in title
    curves = _curves(chart)
    assert set(curves) == {"GPU used (NVML)", "torch reserved", "torch allocated"}
    for name, field in [
        ("GPU used (NVML)", "used"),
        ("torch reserved", "torch_reserved"),
        ("torch allocated", "torch_allocated"),
    ]:
        x, y = curves[name]
        np.testing.assert_allclose(y, [getattr(s, field) / GIB for s in samples])
        np.testing.assert_allclose(x, [s.t - samples[0].t for s in samples])
    used, reserved = curves["GPU used (NVML)"][1], curves["torch reserved"][1]
    assert (used >= reserved).all()  # NVML sees everything torch holds, and the context
    assert _in_view(chart, curves)


def test_without_nvml_the_chart_says_whose_figures_it_shows(qtbot):
    _, samples = _trace("memory_trace_cuda_synthetic.json")
    chart = _replay(qtbot, samples)  # a first run with NVML
    chart.clear_data()
    chart.add_samples([dataclasses.replace(s, note=NVML_MISSING_NOTE) for s in samples])
    assert set(_curves(chart)) == {"GPU used (CUDA)", "torch reserved", "torch allocated"}
    assert NVML_MISSING_NOTE in chart.getPlotItem().titleLabel.text


def test_the_cpu_trace_of_the_gpu_check_draws_rss_and_system_memory(qtbot):
    trace, samples = _trace("memory_trace_cpu.json")
    assert trace["kind"] == "cpu" and len(samples) > 4
    chart = _replay(qtbot, samples)
    assert chart.sample_count() == len(samples)
    total = samples[0].system_total / GIB
    assert f"CPU memory (no GPU) · {total:.1f} GiB total" in chart.getPlotItem().titleLabel.text
    curves = _curves(chart)
    assert set(curves) == {"system used", "cfdesk (RSS)"}
    np.testing.assert_allclose(curves["cfdesk (RSS)"][1], [s.rss / GIB for s in samples])
    assert _in_view(chart, curves)


def test_an_apple_gpu_is_not_called_cpu_memory(qtbot):
    sample = MemorySample(1.0, "mps", "Apple GPU", None, None, GIB, 2 * GIB, None, GIB,
                          8 * GIB, 16 * GIB)  # fmt: skip
    chart = _replay(qtbot, [sample])
    title = chart.getPlotItem().titleLabel.text
    assert "Apple GPU (MPS)" in title and "no GPU" not in title
    assert set(_curves(chart)) == {"system used (shared)", "Metal driver", "torch allocated"}
