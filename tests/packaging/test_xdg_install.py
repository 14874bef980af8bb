"""`cfdesk install-launcher` / `uninstall-launcher` on a freedesktop system, into a temporary XDG home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cfdesk.cli import main as cli_main

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="XDG launcher is Linux"
)

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under root with file contents (None for folders)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def run_cli(args: list[str], capsys: pytest.CaptureFixture) -> dict:
    assert cli_main(args) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def exec_argv(entry: Path) -> list[str]:
    line = next(x for x in entry.read_text(encoding="utf-8").splitlines() if x.startswith("Exec="))
    return line.removeprefix("Exec=").split(" ")


def test_install_writes_an_entry_that_runs_this_installation(xdg_home: Path, capsys) -> None:
    report = run_cli(["install-launcher"], capsys)
    entry = xdg_home / "applications" / "cfdesk.desktop"
    assert str(entry) in report["installed"]
    program, *rest = exec_argv(entry)
    assert rest == ["%f"]
    assert Path(program).is_absolute() and os.access(program, os.X_OK)
    assert Path(program).name == "cfdesk-gui"
    assert Path(program).parent == Path(sys.executable).absolute().parent
    assert f"TryExec={program}" in entry.read_text(encoding="utf-8").splitlines()


def test_install_puts_every_icon_size_into_hicolor(xdg_home: Path, capsys) -> None:
    run_cli(["install-launcher"], capsys)
    hicolor = xdg_home / "icons" / "hicolor"
    for size in SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / "cfdesk.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert int.from_bytes(png.read_bytes()[16:20], "big") == size
    assert (hicolor / "scalable" / "apps" / "cfdesk.svg").is_file()


def test_uninstall_removes_exactly_what_install_wrote(xdg_home: Path, capsys) -> None:
    other_app = xdg_home / "applications" / "other.desktop"
    other_app.parent.mkdir(parents=True)
    other_app.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    other_icon = xdg_home / "icons" / "hicolor" / "48x48" / "apps" / "other.png"
    other_icon.parent.mkdir(parents=True)
    other_icon.write_bytes(b"not really a png")
    before = snapshot(xdg_home)

    run_cli(["install-launcher"], capsys)
    run_cli(["install-launcher"], capsys)  # a second install must not make the first unremovable
    assert snapshot(xdg_home) != before
    report = run_cli(["uninstall-launcher"], capsys)

    assert str(xdg_home / "applications" / "cfdesk.desktop") in report["removed"]
    assert snapshot(xdg_home) == before


def test_uninstall_into_a_fresh_home_leaves_nothing_behind(xdg_home: Path, capsys) -> None:
    run_cli(["install-launcher"], capsys)
    run_cli(["uninstall-launcher"], capsys)
    assert not xdg_home.exists()


def test_uninstall_without_install_changes_nothing(xdg_home: Path, capsys) -> None:
    assert run_cli(["uninstall-launcher"], capsys) == {"removed": []}
    assert not xdg_home.exists()


def test_damaged_manifest_is_reported_in_a_sentence(xdg_home: Path, capsys) -> None:
    manifest = xdg_home / "cfdesk" / "launcher-manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{not json")
    assert cli_main(["uninstall-launcher"]) == 2
    assert str(manifest) in capsys.readouterr().err


def test_desktop_offers_cfdesk_for_csv_files(xdg_home: Path, capsys) -> None:
    if shutil.which("gio") is None or shutil.which("update-desktop-database") is None:
        pytest.skip("gio or update-desktop-database is not installed")
    run_cli(["install-launcher"], capsys)
    env = {**os.environ, "XDG_DATA_HOME": str(xdg_home), "XDG_DATA_DIRS": str(xdg_home)}
    done = subprocess.run(
        ["gio", "mime", "text/csv"], capture_output=True, text=True, env=env, check=False
    )
    assert "cfdesk.desktop" in done.stdout, done.stdout + done.stderr
