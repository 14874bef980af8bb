"""Windows shortcuts: the PowerShell call is built and recorded correctly (checked here by mocking)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cfdesk.core.errors import CfdeskError
from cfdesk.launcher import windows


class FakePowerShell:
    """Stands in for subprocess.run: records the call and 'creates' the two shortcuts."""

    def __init__(self, folder: Path, returncode: int = 0, stderr: str = "") -> None:
        self.folder, self.returncode, self.stderr = folder, returncode, stderr
        self.calls: list[tuple[list[str], dict]] = []

    def __call__(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        self.calls.append((argv, kwargs))
        paths = [self.folder / "Start Menu" / "cfdesk.lnk", self.folder / "Desktop" / "cfdesk.lnk"]
        if self.returncode == 0:
            for path in paths:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"lnk")
        out = "".join(f"{p}\r\n" for p in paths) if self.returncode == 0 else ""
        return subprocess.CompletedProcess(argv, self.returncode, out, self.stderr)


@pytest.fixture
def local_appdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(folder))
    return folder


@pytest.fixture
def gui_exe(monkeypatch: pytest.MonkeyPatch) -> str:
    exe = r"C:\Users\O'Brien\venv\Scripts\cfdesk-gui.exe"
    monkeypatch.setattr(windows, "gui_command", lambda: [exe])
    return exe


def test_powershell_runs_without_profile_or_prompt(local_appdata, gui_exe, tmp_path) -> None:
    fake = FakePowerShell(tmp_path)
    windows.install_windows(run=fake)
    ((argv, kwargs),) = fake.calls
    assert argv[:6] == [
        "powershell.exe",
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-Command",
    ]
    assert kwargs["capture_output"] and kwargs["text"]


def test_shortcuts_start_the_gui_launcher_with_the_icon(local_appdata, gui_exe, tmp_path) -> None:
    fake = FakePowerShell(tmp_path)
    windows.install_windows(run=fake)
    script = fake.calls[0][0][-1]
    assert "New-Object -ComObject WScript.Shell" in script
    assert "$link.TargetPath = 'C:\\Users\\O''Brien\\venv\\Scripts\\cfdesk-gui.exe'" in script
    assert "$link.Arguments = ''" in script
    icon = windows.asset_path("icons/cfdesk.ico")
    assert f"$link.IconLocation = '{icon},0'" in script
    assert "GetFolderPath('Programs')" in script and "GetFolderPath('Desktop')" in script
    assert script.count("$link.Save()") == 1  # inside the loop over both folders


def test_python_fallback_passes_module_arguments(local_appdata, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(
        windows, "gui_command", lambda: [r"C:\Program Files\Py\pythonw.exe", "-m", "cfdesk"]
    )
    fake = FakePowerShell(tmp_path)
    windows.install_windows(run=fake)
    script = fake.calls[0][0][-1]
    assert "$link.TargetPath = 'C:\\Program Files\\Py\\pythonw.exe'" in script
    assert "$link.Arguments = '-m cfdesk'" in script


def test_uninstall_removes_the_recorded_shortcuts(local_appdata, gui_exe, tmp_path) -> None:
    fake = FakePowerShell(tmp_path)
    written = windows.install_windows(run=fake)
    assert [p.name for p in written] == ["cfdesk.lnk", "cfdesk.lnk"]
    assert all(p.exists() for p in written)
    removed = windows.uninstall_windows()
    assert set(written) <= set(removed)
    assert not any(p.exists() for p in written)
    assert not (local_appdata / "cfdesk").exists()
    assert windows.uninstall_windows() == []


def test_powershell_failure_is_one_sentence(local_appdata, gui_exe, tmp_path) -> None:
    fake = FakePowerShell(tmp_path, returncode=1, stderr="Exception\nAccess to the path is denied.")
    with pytest.raises(CfdeskError, match="could not create the cfdesk shortcuts: Access to"):
        windows.install_windows(run=fake)
    assert not (local_appdata / "cfdesk" / "launcher-manifest.json").exists()


def test_platform_dispatch_sends_macos_to_the_app_bundle() -> None:
    from cfdesk.launcher import install_launcher

    with pytest.raises(CfdeskError, match="cfdesk.app"):
        install_launcher("darwin")


@pytest.mark.skipif(sys.platform != "win32", reason="needs Windows")
def test_real_shortcuts_on_windows(local_appdata) -> None:
    written = windows.install_windows()
    try:
        assert all(p.suffix == ".lnk" and p.exists() for p in written)
    finally:
        windows.uninstall_windows()
