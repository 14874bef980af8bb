#!/usr/bin/env bash
# Build the PyInstaller bundle into a scratch folder, move it (bundles must be relocatable), run its
# --self-test without a display, check its install-launcher (Linux), and print build time, self-test
# time and bundle size.
# Usage: packaging/check_bundle.sh [SCRATCH_DIR]   (default /tmp/cfdesk-bundle-check). Not run in CI.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${1:-/tmp/cfdesk-bundle-check}"
rm -rf "$scratch"
mkdir -p "$scratch"

now() { date +%s.%N 2>/dev/null || date +%s; }

t0="$(now)"
if ! CFDESK_BUILD_DIR="$scratch/work" bash "$root/packaging/build.sh" "$scratch/dist" \
        >"$scratch/build.log" 2>&1; then
    tail -n 40 "$scratch/build.log" >&2
    echo "cfdesk bundle check: FAILED to build (log: $scratch/build.log)" >&2
    exit 1
fi
t1="$(now)"

if [ -d "$scratch/dist/cfdesk.app" ]; then
    mv "$scratch/dist/cfdesk.app" "$scratch/moved.app"
    bundle="$scratch/moved.app"
    exe="$bundle/Contents/MacOS/cfdesk"
else
    mv "$scratch/dist/cfdesk" "$scratch/moved"
    bundle="$scratch/moved"
    exe="$bundle/cfdesk"
fi

mkdir -p "$scratch/home"
cd "$scratch"
set +e
env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen HOME="$scratch/home" \
    "$exe" --self-test
rc=$?
set -e
t2="$(now)"

if [ "$rc" -eq 0 ] && [ "$(uname -s)" = "Linux" ]; then
    # The bundle's own launcher: the menu entry must start the moved bundle, and leave no trace.
    XDG_DATA_HOME="$scratch/xdg" "$exe" install-launcher >/dev/null
    if ! grep -qxF "Exec=$exe %f" "$scratch/xdg/applications/cfdesk.desktop"; then
        echo "cfdesk bundle check: install-launcher wrote the wrong Exec line" >&2
        rc=1
    fi
    XDG_DATA_HOME="$scratch/xdg" "$exe" uninstall-launcher >/dev/null
    if [ -e "$scratch/xdg" ]; then
        echo "cfdesk bundle check: uninstall-launcher left files behind" >&2
        rc=1
    fi
fi

kib="$(du -sk "$bundle" | cut -f1)"
files="$(find "$bundle" -type f | wc -l | tr -d ' ')"
awk -v b="$t0" -v m="$t1" -v e="$t2" -v kib="$kib" -v files="$files" -v rc="$rc" -v where="$bundle" \
    'BEGIN { printf "cfdesk bundle check: %s; build %.0f s, self-test %.1f s, bundle %.0f MiB (%d files) in %s\n",
             (rc == 0 ? "ok" : "SELF-TEST FAILED (exit " rc ")"), m - b, e - m, kib / 1024, files, where }'
exit "$rc"
