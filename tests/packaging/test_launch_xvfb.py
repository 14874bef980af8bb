"""Under a real X server: the installed menu entry opens cfdesk, and the window matches StartupWMClass."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cfdesk.entry import main as cli_main

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]


def x_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_menu_entry_opens_a_window_the_desktop_can_match(xdg_home: Path, tmp_path: Path) -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server (run under xvfb-run)")
    xdotool, xprop, gio = x_tool("xdotool"), x_tool("xprop"), x_tool("gio")
    assert cli_main(["install-launcher"]) == 0
    entry = xdg_home / "applications" / "cfdesk.desktop"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "CFDESK_SETTINGS_DIR": str(tmp_path),
        "CFDESK_DATA_DIR": str(tmp_path),
    }
    subprocess.run([gio, "launch", str(entry)], env=env, check=True, timeout=30)
    found = subprocess.run(
        [xdotool, "search", "--sync", "--limit", "1", "--class", "^cfdesk$"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    window = found.stdout.split()[0]
    pid = int(subprocess.run([xdotool, "getwindowpid", window], capture_output=True,
                             text=True, check=True).stdout)  # fmt: skip
    try:
        wm_class = subprocess.run([xprop, "-id", window, "WM_CLASS"], capture_output=True,
                                  text=True, check=True).stdout  # fmt: skip
        startup_class = next(
            line.split("=", 1)[1]
            for line in entry.read_text(encoding="utf-8").splitlines()
            if line.startswith("StartupWMClass=")
        )
        assert f'"{startup_class}"' in wm_class.split("=", 1)[1]
    finally:
        os.kill(pid, signal.SIGTERM)  # the app this test started, ended by its id
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)
