"""Desktop integration without Qt: menu entries, icons and shortcuts for this installation."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from cfdesk.core.errors import CfdeskError
from cfdesk.launcher.target import gui_command

__all__ = ["gui_command", "install_launcher", "uninstall_launcher"]

_Action = Callable[[], list[Path]]
_FREEDESKTOP = ("linux", "freebsd", "openbsd", "netbsd")


def _backend(platform: str) -> tuple[_Action, _Action]:
    """(install, uninstall) for this system; macOS gets its launcher from the .app bundle instead."""
    if platform == "win32":
        from cfdesk.launcher.windows import install_windows, uninstall_windows

        return install_windows, uninstall_windows
    if platform.startswith(_FREEDESKTOP):
        from cfdesk.launcher.xdg import install_xdg, uninstall_xdg

        return install_xdg, uninstall_xdg
    if platform == "darwin":
        raise CfdeskError(
            "On macOS, install cfdesk by dragging cfdesk.app (built by packaging/build.sh) "
            "into Applications."
        )
    raise CfdeskError(f"install-launcher does not know how to add a launcher on {platform!r}.")


def install_launcher(platform: str = sys.platform) -> list[Path]:
    """Add cfdesk to the applications menu (and desktop on Windows); return the files written."""
    return _backend(platform)[0]()


def uninstall_launcher(platform: str = sys.platform) -> list[Path]:
    """Remove exactly what install_launcher wrote; return the paths removed (empty: none was)."""
    return _backend(platform)[1]()
