"""Render the GPU-related views to docs/screenshots/11-*.png … 13-*.png (run under Xvfb).

    xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_gpu.py

11: the training log saying why Auto chose the device. 12: the memory chart replaying the
hand-made CUDA trace of tests/qt/data (SYNTHETIC: no GPU has been lent yet), and the same with
NVML missing. 13: out of GPU memory while loading the ratings offers the CPU.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from screenshots import make_app, open_window, pump, shoot, shoot_modal, wait_until

from cfdesk.core.data.demo import demo_ratings_path
from cfdesk.core.data.loader import sniff
from cfdesk.core.errors import OutOfMemoryError
from cfdesk.core.training.memory import NVML_MISSING_NOTE, MemorySample
from cfdesk.qt import dialogs, import_dialog

TRACE = Path(__file__).resolve().parents[1] / "tests" / "qt" / "data"
FIELDS = {f.name for f in dataclasses.fields(MemorySample)}


def synthetic_samples() -> list[MemorySample]:
    rows = json.loads((TRACE / "memory_trace_cuda_synthetic.json").read_text())["samples"]
    return [MemorySample(**{k: v for k, v in row.items() if k in FIELDS}) for row in rows]


def main() -> int:
    _app = make_app(["cfdesk"])
    window = open_window()
    demo = demo_ratings_path()
    window.files.load_data(import_dialog.ImportChoices(demo, sniff(demo).roles, False))
    wait_until(lambda: window.ratings is not None)
    window.form.set_config(window.form.config().with_changes(epochs=3, device="auto"))
    window.training.start()
    wait_until(lambda: not window.training.is_running())
    shoot("11-auto-device-log")
    chart = window.monitor.memory_chart
    for name, note in (("12-gpu-memory-synthetic", ""), ("12-gpu-memory-no-nvml-synthetic",
                                                          NVML_MISSING_NOTE)):  # fmt: skip
        chart.clear_data()
        chart.add_samples([dataclasses.replace(s, note=note) for s in synthetic_samples()])
        pump(0.3)
        shoot(name)
    taken: list[str] = []
    shoot_modal("13-oom-offers-cpu", taken)
    error = OutOfMemoryError(
        "the GPU (cuda:0) ran out of memory while loading the ratings; train on the CPU (device "
        "setting cpu) or free memory on the GPU", 1024, 1, device="cpu")  # fmt: skip
    dialogs.ask_oom_retry(window, error)
    wait_until(lambda: taken)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
