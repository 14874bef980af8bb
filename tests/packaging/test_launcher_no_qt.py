"""The launcher code runs without Qt (it is used from a terminal, and must not drag the GUI in)."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "cfdesk.launcher",
    "cfdesk.launcher.xdg",
    "cfdesk.launcher.windows",
    "cfdesk.cli.commands.launcher",
]


def test_launcher_modules_import_without_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout
