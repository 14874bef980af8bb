"""Which program a launcher starts: always this installation, whatever kind it is."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from cfdesk.launcher import target


def test_installed_gui_script_is_preferred() -> None:
    (program,) = target.gui_command()
    assert Path(program).name == ("cfdesk-gui.exe" if os.name == "nt" else "cfdesk-gui")
    assert os.access(program, os.X_OK)


def test_falls_back_to_this_python_when_no_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setattr(target, "_script_dirs", lambda: [tmp_path])
    command = target.gui_command()
    assert command[1:] == ["-m", "cfdesk"]
    assert Path(command[0]).parent == Path(sys.executable).absolute().parent


def test_frozen_bundle_starts_itself(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    exe = tmp_path / "cfdesk"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert target.gui_command() == [str(exe)]
