"""Windows: Start-menu and desktop shortcuts made by PowerShell's WScript.Shell (no extra dependency)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from cfdesk.assets import asset_path
from cfdesk.core.errors import CfdeskError
from cfdesk.launcher.desktop_entry import APP_ID
from cfdesk.launcher.files import make_dirs, remove_files_and_empty_dirs
from cfdesk.launcher.manifest import Manifest, load_manifest, record_install
from cfdesk.launcher.target import gui_command

SHORTCUT_FOLDERS = (
    "Programs",
    "Desktop",
)  # [Environment]::GetFolderPath names: Start menu, desktop
DESCRIPTION = "Train collaborative-filtering recommenders and explore them"
_NO_WINDOW = 0x08000000  # CREATE_NO_WINDOW: no console flashes up while PowerShell runs

Runner = Callable[..., subprocess.CompletedProcess]


def _ps_quote(text: str) -> str:
    """A PowerShell single-quoted literal (nothing inside is expanded; ' is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _windows_args(args: Sequence[str]) -> str:
    """Join arguments for a Windows command line (the CreateProcess quoting rules)."""
    return subprocess.list2cmdline(list(args))


def shortcut_script(command: Sequence[str], icon: Path) -> str:
    """PowerShell that writes cfdesk.lnk into each shortcut folder and prints each path written."""
    folders = ", ".join(f"[Environment]::GetFolderPath({_ps_quote(f)})" for f in SHORTCUT_FOLDERS)
    return "\n".join(
        [
            "$ErrorActionPreference = 'Stop'",
            "$shell = New-Object -ComObject WScript.Shell",
            f"foreach ($folder in @({folders})) {{",
            f"  $path = Join-Path $folder {_ps_quote(APP_ID + '.lnk')}",
            "  $link = $shell.CreateShortcut($path)",
            f"  $link.TargetPath = {_ps_quote(command[0])}",
            f"  $link.Arguments = {_ps_quote(_windows_args(command[1:]))}",
            f"  $link.IconLocation = {_ps_quote(f'{icon},0')}",
            "  $link.WorkingDirectory = [Environment]::GetFolderPath('UserProfile')",
            f"  $link.Description = {_ps_quote(DESCRIPTION)}",
            "  $link.Save()",
            "  Write-Output $path",
            "}",
        ]
    )


def powershell_argv(script: str) -> list[str]:
    """The process to run: a non-interactive PowerShell that ignores profiles and script policy."""
    return [
        "powershell.exe",
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-Command",
        script,
    ]


def manifest_path() -> Path:
    """Where the record of an install lives (per-user, not roaming)."""
    base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    return Path(base) / APP_ID / "launcher-manifest.json"


def install_windows(run: Runner = subprocess.run) -> list[Path]:
    """Create the Start-menu and desktop shortcuts; return the .lnk paths written."""
    icon = asset_path("icons/cfdesk.ico")
    if not icon.is_file():
        raise CfdeskError(f"The icon {icon} is missing from this cfdesk installation.")
    flags = {"creationflags": _NO_WINDOW} if os.name == "nt" else {}
    done = run(
        powershell_argv(shortcut_script(gui_command(), icon)),
        capture_output=True,
        text=True,
        check=False,
        **flags,
    )
    written = [Path(line.strip()) for line in done.stdout.splitlines() if line.strip()]
    if written:  # record even a partial success, so uninstall can still clean it up
        record = manifest_path()
        manifest = Manifest(tuple(written), tuple(make_dirs(record.parent)))
        record_install(record, manifest)
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {done.returncode}"
        raise CfdeskError(f"PowerShell could not create the cfdesk shortcuts: {reason}")
    return written


def uninstall_windows() -> list[Path]:
    """Remove the shortcuts install_windows recorded; return the paths removed."""
    record = manifest_path()
    manifest = load_manifest(record)
    if manifest is None:
        return []
    return remove_files_and_empty_dirs([*manifest.files, record], manifest.dirs)
