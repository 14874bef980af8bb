"""Which command opens THIS installation of cfdesk, so a launcher never starts another copy."""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path


def _script_dirs() -> list[Path]:
    """Where pip puts entry-point scripts: next to the interpreter (venv), then the scheme folders."""
    dirs = [Path(sys.executable).absolute().parent, Path(sysconfig.get_path("scripts"))]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        dirs.append(Path(sysconfig.get_path("scripts", user_scheme)))
    return list(dict.fromkeys(dirs))


def _windowed_python() -> str:
    """pythonw.exe on Windows (no console window); the running interpreter elsewhere."""
    pythonw = Path(sys.executable).absolute().with_name("pythonw.exe")
    return str(pythonw) if os.name == "nt" and pythonw.exists() else str(Path(sys.executable))


def gui_command() -> list[str]:
    """Argv that starts the GUI of this installation: bundle exe, `cfdesk-gui`, or `python -m cfdesk`."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).absolute())]
    name = "cfdesk-gui.exe" if os.name == "nt" else "cfdesk-gui"
    for folder in _script_dirs():
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    return [_windowed_python(), "-m", "cfdesk"]
