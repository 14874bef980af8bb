"""`cfdesk --self-test`: one line, exit 0 when the installation works, the failing step named when not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cfdesk import selftest
from cfdesk.entry import main as cli_main


def installed_script(name: str = "cfdesk") -> Path:
    script = Path(sys.executable).absolute().parent / (f"{name}.exe" if os.name == "nt" else name)
    if not script.exists():
        pytest.skip(f"the {name} script is not installed next to {sys.executable}")
    return script


def run_script(name: str, *args: str, home: Path, timeout: float) -> subprocess.CompletedProcess:
    """The installed script with no display (a window would open offscreen and never return)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["HOME"] = str(home)  # nothing may be written to the real home
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(installed_script(name)), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cfdesk", "cfdesk-gui"])
def test_self_test_passes_from_the_installed_package(tmp_path: Path, name: str) -> None:
    done = run_script(name, "--self-test", home=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cfdesk self-test ok:"), done.stdout
    assert "recommendations written" in lines[0]
    assert {p.name for p in tmp_path.iterdir()} <= {".cache", ".config"}  # no data, no settings
    assert not list(tmp_path.rglob("*cfdesk*"))


def test_the_gui_script_prints_its_version_and_help(tmp_path: Path) -> None:
    from cfdesk import __version__

    version = run_script("cfdesk-gui", "--version", home=tmp_path, timeout=60)
    assert (version.returncode, version.stdout.strip()) == (0, f"cfdesk {__version__}")
    shown = run_script("cfdesk-gui", "--help", home=tmp_path, timeout=60)
    assert shown.returncode == 0
    assert shown.stdout.startswith("usage: cfdesk-gui")
    assert all(flag in shown.stdout for flag in ("--demo", "--self-test", "--version", "FILE"))


def test_an_unknown_gui_option_is_a_message_and_exit_2_not_a_window(tmp_path: Path) -> None:
    done = run_script("cfdesk-gui", "--demo", "--bogus", home=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "unrecognized arguments: --bogus" in done.stderr
    assert done.stdout == ""


def failing_step(ctx: dict) -> None:
    raise RuntimeError("no model today")


def test_a_failing_step_is_named_and_exits_1(monkeypatch, capsys) -> None:
    monkeypatch.setattr(
        selftest, "STEPS", (("demo data", lambda ctx: None), ("train", failing_step))
    )
    assert cli_main(["--self-test"]) == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        "cfdesk self-test FAILED at step 'train': RuntimeError: no model today"
    )
    assert "Traceback" in captured.err and "no model today" in captured.err


def fake_figures(ctx: dict) -> None:
    ctx["figures"].update(
        users=3, items=4, ratings=5, device="cpu", valid_rmse=0.9, recommendations=30, qt="6"
    )


def test_json_output_carries_the_figures(monkeypatch, capsys) -> None:
    monkeypatch.setattr(selftest, "STEPS", (("all", fake_figures),))
    assert cli_main(["self-test", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip())
    assert report["ok"] is True
    assert report["recommendations"] == 30
    assert report["message"].startswith("cfdesk self-test ok: 3 users × 4 items × 5 ratings")


def test_self_test_leaves_the_environment_as_it_was(monkeypatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("CFDESK_SETTINGS_DIR", raising=False)
    seen = {}
    steps = (("peek", lambda ctx: seen.update(os.environ)), ("figures", fake_figures))
    monkeypatch.setattr(selftest, "STEPS", steps)
    assert selftest.run_self_test().ok
    assert seen["QT_QPA_PLATFORM"] == "offscreen"
    assert os.environ["QT_QPA_PLATFORM"] == "xcb"
    assert "CFDESK_SETTINGS_DIR" not in os.environ
