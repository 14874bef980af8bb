#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment with everything the app and tests need.
# Safe to re-run: it only installs what is missing or changed. Sourced by run-app.sh and run-tests.sh.
# CFDESK_VENV picks the venv folder (default: .venv in the checkout).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CFDESK_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "cfdesk: creating virtual environment in $venv" >&2
    "$python" -m venv "$venv"
fi
py="$venv/bin/python"

# Install a torch build that fits this machine before anything else asks for one:
# with an NVIDIA GPU the regular (CUDA) build, without one a CPU-only build, never the multi-GB CUDA wheels.
if ! "$py" -c "import torch" >/dev/null 2>&1; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
        echo "cfdesk: NVIDIA GPU found, installing a CUDA build of torch" >&2
        "$py" -m pip install --quiet "torch>=2.2"
    elif [ "$(uname -s)" = "Linux" ]; then
        echo "cfdesk: no NVIDIA GPU, installing a CPU-only build of torch" >&2
        # A local or mirrored +cpu wheel (pip's find-links) wins over PyPI's CUDA build of the same version;
        # otherwise the CPU wheel index is used.
        "$py" -m pip install --quiet --retries 0 --timeout 10 "torch==2.13.0" \
            --extra-index-url https://download.pytorch.org/whl/cpu
    else
        # macOS and Windows wheels on PyPI are CPU (and MPS) builds already.
        "$py" -m pip install --quiet "torch>=2.2"
    fi
fi

stamp="$venv/.cfdesk-installed"
want="$(cat "$root/pyproject.toml" | sha1sum | cut -d' ' -f1) $root"  # a venv shared by two checkouts installs the one in use
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "cfdesk: installing cfdesk and its dependencies" >&2
    "$py" -m pip install --quiet -e "$root[test]"
    echo "$want" >"$stamp"
fi

export CFDESK_PY="$py"
export PYQTGRAPH_QT_LIB=PySide6
