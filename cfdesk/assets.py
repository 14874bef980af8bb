"""The one place that knows where runtime assets live: installed wheel, PyInstaller bundle or checkout."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """Folder holding `icons/`, `style/` and launcher templates, wherever cfdesk runs from."""
    packaged = Path(__file__).resolve().parent / "resources"
    if packaged.is_dir():
        return packaged
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "cfdesk" / "resources").is_dir():
        return Path(frozen) / "cfdesk" / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def asset_path(relative: str) -> Path:
    """Absolute path of one asset, e.g. asset_path("icons/cfdesk.svg")."""
    return resources_dir() / relative
