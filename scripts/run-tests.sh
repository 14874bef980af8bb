#!/usr/bin/env bash
# Set up (if needed), lint (ruff, import contracts), and run the whole test suite: offscreen Qt tests, then the real-X tests
# under xvfb-run when it is installed. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

"$CFDESK_PY" -m ruff check .
"$CFDESK_PY" -m ruff format --check .
# Layers and forbidden imports (contracts in pyproject.toml): core never imports Qt, and so on.
"$(dirname "$CFDESK_PY")/lint-imports" --no-cache
QT_QPA_PLATFORM=offscreen "$CFDESK_PY" -m pytest -m "not xvfb" "$@"

if command -v xvfb-run >/dev/null 2>&1; then
    set +e
    xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb "$CFDESK_PY" -m pytest -m xvfb "$@"
    rc=$?
    set -e
    # pytest exits 5 when no test is marked xvfb: that is not a failure.
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then exit "$rc"; fi
else
    echo "cfdesk: xvfb-run not found, skipping the tests that need a real X server" >&2
fi
