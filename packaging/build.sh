#!/usr/bin/env bash
# Build the one-folder cfdesk bundle with PyInstaller (and cfdesk.app on macOS).
# Usage: packaging/build.sh [DIST_DIR]   (default: dist/ in the checkout; the bundle is DIST_DIR/cfdesk)
# CFDESK_PY picks the Python (default: the checkout's .venv); CFDESK_BUILD_DIR the scratch folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${CFDESK_PY:-$root/.venv/bin/python}"
dist="${1:-$root/dist}"
work="${CFDESK_BUILD_DIR:-$root/build/pyinstaller}"

if ! "$py" -c "import PyInstaller" >/dev/null 2>&1; then
    echo "cfdesk: installing PyInstaller (a build-time tool only)" >&2
    "$py" -m pip install --quiet "pyinstaller>=6.6"
fi

"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" "$root/packaging/pyinstaller/cfdesk.spec"

if [ "$(uname -s)" = "Darwin" ]; then
    echo "cfdesk: app bundle in $dist/cfdesk.app"
else
    echo "cfdesk: bundle in $dist/cfdesk (run $dist/cfdesk/cfdesk)"
fi
