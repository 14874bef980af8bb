"""Linux and BSD desktops: put cfdesk.desktop and the icons into the user's XDG data folders."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from cfdesk.assets import asset_path
from cfdesk.core.atomic import atomic_write
from cfdesk.core.errors import CfdeskError
from cfdesk.launcher.desktop_entry import APP_ID, desktop_entry
from cfdesk.launcher.files import make_dirs, remove_files_and_empty_dirs
from cfdesk.launcher.manifest import Manifest, load_manifest, record_install
from cfdesk.launcher.target import gui_command

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_MIME_CACHE = "mimeinfo.cache"


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def manifest_path(home: Path) -> Path:
    """Where the record of an install lives."""
    return home / APP_ID / "launcher-manifest.json"


def _payload(command: list[str]) -> dict[str, bytes]:
    """Relative path under the data home -> bytes, for every file an install writes."""
    files = {f"applications/{APP_ID}.desktop": desktop_entry(command).encode("utf-8")}
    icons = {f"icons/hicolor/scalable/apps/{APP_ID}.svg": asset_path("icons/cfdesk.svg")}
    for size in PNG_SIZES:
        icons[f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"] = asset_path(
            f"icons/cfdesk-{size}.png"
        )
    for relative, source in icons.items():
        if not source.is_file():
            raise CfdeskError(f"The icon {source} is missing from this cfdesk installation.")
        files[relative] = source.read_bytes()
    return files


def _run_tool(*argv: str) -> None:
    """Run a cache-refresh tool when it is installed; desktops without it rescan on their own."""
    if shutil.which(argv[0]):
        subprocess.run(argv, check=False, capture_output=True, timeout=60)


def _refresh_caches(home: Path) -> None:
    """Tell the desktop about the new MIME association and icons."""
    _run_tool("update-desktop-database", "-q", str(home / "applications"))
    hicolor = home / "icons" / "hicolor"
    # Only refresh an icon cache that already exists: a new one would go stale for other apps.
    if (hicolor / "icon-theme.cache").exists():
        _run_tool("gtk-update-icon-cache", "-q", "-t", "-f", str(hicolor))


def install_xdg(home: Path | None = None) -> list[Path]:
    """Install the menu entry and icons for this installation; return the files written."""
    home = home or data_home()
    created_dirs: list[Path] = []
    written: list[Path] = []
    mime_cache = home / "applications" / _MIME_CACHE
    had_mime_cache = mime_cache.exists()
    for relative, data in _payload(gui_command()).items():
        path = home / relative
        created_dirs += make_dirs(path.parent)
        with atomic_write(path, "wb") as handle:
            handle.write(data)
        written.append(path)
    manifest_file = manifest_path(home)
    created_dirs += make_dirs(manifest_file.parent)
    _refresh_caches(home)
    caches = (mime_cache,) if mime_cache.exists() and not had_mime_cache else ()
    manifest = Manifest(tuple(written), tuple(created_dirs), caches)
    record_install(manifest_file, manifest)
    return written


def _is_empty_mime_cache(path: Path) -> bool:
    """True when a mimeinfo.cache lists no association at all (only its header)."""
    if not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    return all(not line.strip() or line.strip() == "[MIME Cache]" for line in lines)


def uninstall_xdg(home: Path | None = None) -> list[Path]:
    """Remove exactly what install_xdg wrote (per its manifest); return the paths removed."""
    home = home or data_home()
    manifest_file = manifest_path(home)
    manifest = load_manifest(manifest_file)
    if manifest is None:
        return []
    removed = remove_files_and_empty_dirs([*manifest.files, manifest_file], [])
    _refresh_caches(home)
    stale_caches = [c for c in manifest.caches if _is_empty_mime_cache(c)]
    return removed + remove_files_and_empty_dirs(stale_caches, manifest.dirs)
