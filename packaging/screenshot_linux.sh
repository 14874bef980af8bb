#!/usr/bin/env bash
# Screenshots for docs/packaging.md: `cfdesk install-launcher` into a scratch XDG home, then under Xvfb
# (1) rofi's application menu showing the installed entry and icon, (2) the window the entry opens
# for a CSV file (as "Open with cfdesk" does), printing its WM_CLASS to compare with StartupWMClass.
# Usage: packaging/screenshot_linux.sh OUT_DIR   (needs xvfb-run, imagemagick's import, xdotool, xprop;
# rofi for the menu shot). CFDESK_PY picks the Python (default: the checkout's .venv).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:?usage: screenshot_linux.sh OUT_DIR}" && cd "$1" && pwd)"
py="${CFDESK_PY:-$root/.venv/bin/python}"
scratch="$(mktemp -d /tmp/cfdesk-shot.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

export XDG_DATA_HOME="$scratch/share" XDG_CONFIG_HOME="$scratch/config" CFDESK_SETTINGS_DIR="$scratch"
"$py" -m cfdesk install-launcher >/dev/null
entry="$XDG_DATA_HOME/applications/cfdesk.desktop"
csv="$("$py" -c "import sys; from cfdesk.core.data.demo import write_demo; print(write_demo(sys.argv[1]))" "$scratch/demo")"

cat >"$scratch/inside.sh" <<'INSIDE'
set -euo pipefail
entry="$1"; out="$2"; scratch_png="$(mktemp --suffix .png)"
if command -v rofi >/dev/null; then
    XDG_DATA_DIRS="$XDG_DATA_HOME:/usr/share" rofi -show drun -show-icons \
        -drun-display-format '{name}  <span size="small" alpha="70%">{generic}</span>' \
        -theme-str '* { font: "DejaVu Sans 13"; } window { width: 560px; } listview { lines: 4; }
                    element-icon { size: 40px; } element { padding: 6px; }' &
    menu=$!
    sleep 3
    xdotool key --delay 300 Down Down  # highlight cfdesk
    sleep 1
    import -window root "$scratch_png"
    convert "$scratch_png" -trim +repage "$out/linux-menu.png"  # crop to the menu
    kill "$menu"
fi
QT_QPA_PLATFORM=xcb gio launch "$entry" "$3"  # as "Open with cfdesk" on a CSV does
wid="$(timeout 90 xdotool search --sync --limit 1 --class '^cfdesk$')"
sleep 4
xprop -id "$wid" WM_CLASS
import -window root "$out/linux-window.png"
xdotool windowclose "$wid" 2>/dev/null || xdotool windowkill "$wid"
INSIDE
xvfb-run -a -s "-screen 0 1280x800x24" bash "$scratch/inside.sh" "$entry" "$out" "$csv"
"$py" -m cfdesk uninstall-launcher >/dev/null
echo "screenshots in $out"
