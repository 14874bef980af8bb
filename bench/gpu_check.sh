#!/usr/bin/env bash
# The GPU check, one command (docs/gpu.md): needs only this repository and, optionally, a copy of
# MovieLens 100k in the git-ignored .gpu-data/ml-100k (else the parity stage uses generated
# data). Seven stages, each under its own timeout (470 s in all: at most 8 minutes), each writing
# JSON to $OUT (default bench/out/gpu-check); the last line is one JSON summary, PASS/FAIL per
# stage. Core and CLI only: no PySide6, no network, no installs.
#   bash bench/gpu_check.sh                 # on CUDA
#   bash bench/gpu_check.sh --device cpu    # the same stages on the CPU, small sizes
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=cuda
if [ "${1:-}" = "--device" ]; then
  DEVICE="${2:?--device takes cuda or cpu}"
fi
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
OUT_DIR="${OUT:-bench/out/gpu-check}"
mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/*.json "$OUT_DIR"/*.rc "$OUT_DIR"/*.xml
export PYTHONPATH=".${PYTHONPATH:+:$PYTHONPATH}"
START=$(date +%s)

stage() {  # name, module in bench/gpu, time limit in seconds
  echo "== $1 (at most $3 s)" >&2
  timeout --kill-after=10 "$3" "$PY" -m "bench.gpu.$2" --device "$DEVICE" --out "$OUT_DIR" >&2
  echo $? >"$OUT_DIR/$1.rc"
}

stage preflight preflight 30
stage syncs syncs 60
stage correctness correctness 90
stage parity parity 120
stage throughput throughput 90
stage memory memory_trace 40
stage oom oom 40
"$PY" -m bench.gpu.summary --device "$DEVICE" --out "$OUT_DIR" --seconds $(($(date +%s) - START))
