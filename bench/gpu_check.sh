#!/usr/bin/env bash
# One command for a machine with a CUDA GPU (<= 5 minutes): the u1 accuracy benchmark on CUDA,
# one epoch at MovieLens-25M's shape (64 factors; target <= 0.2 s on an H200), the GPU tests,
# and a table. `bench/gpu_check.sh --device cpu` is a quick smoke run of the same script on the
# CPU (1M-rating big set) to check that it executes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
DEVICE=cuda
BIG_N=25000095
if [ "${1:-}" = "--device" ] && [ "${2:-}" = "cpu" ]; then
  DEVICE=cpu
  BIG_N=1000000
fi
"$PY" - <<PYEOF
import torch
from cfdesk.core.training.device import list_devices
from cfdesk.core.training.memory import memory_sample
print("torch", torch.__version__, "cuda", torch.version.cuda, "devices:", list_devices())
print("memory:", memory_sample("$DEVICE"))
if "$DEVICE" == "cuda" and not torch.cuda.is_available():
    raise SystemExit("no CUDA GPU here; use --device cpu for a smoke run")
PYEOF
timeout 270 "$PY" bench/bench_train.py --device "$DEVICE" --big-n "$BIG_N" | tee /tmp/cfdesk_gpu_check.txt
if [ "$DEVICE" = "cuda" ]; then
  QT_QPA_PLATFORM=offscreen timeout 120 "$PY" -m pytest -q -m gpu tests/core/training
fi
