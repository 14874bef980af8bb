"""The .desktop entry: valid for desktop-file-validate, and Exec lines that survive odd paths."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cfdesk.launcher.desktop_entry import desktop_entry, exec_value

ROOT = Path(__file__).resolve().parents[2]
STATIC_ENTRY = ROOT / "packaging" / "linux" / "cfdesk.desktop"


def parse_exec(value: str) -> list[str]:
    """Split an Exec value the way the Desktop Entry Spec says a launcher must."""
    value = value.replace("\\\\", "\\")  # the string-level escape
    args, current, quoted, escaped, started = [], [], False, False, False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started or current:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
    if started or current:
        args.append("".join(current))
    return [a.replace("%%", "%") for a in args]


def entry_fields(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def validate(path: Path) -> subprocess.CompletedProcess:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt install desktop-file-utils)")
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)


def test_packaged_entry_passes_desktop_file_validate() -> None:
    done = validate(STATIC_ENTRY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""  # no warnings either


def test_packaged_entry_is_what_the_installer_writes() -> None:
    assert STATIC_ENTRY.read_text(encoding="utf-8") == desktop_entry(["cfdesk-gui"])


def test_entry_opens_csv_files_and_matches_the_window() -> None:
    fields = entry_fields(STATIC_ENTRY.read_text(encoding="utf-8"))
    assert fields["Exec"] == "cfdesk-gui %f"
    assert fields["TryExec"] == "cfdesk-gui"
    assert fields["Icon"] == "cfdesk"
    assert fields["Terminal"] == "false"
    assert fields["Categories"] == "Science;DataVisualization;"
    assert set(fields["MimeType"].rstrip(";").split(";")) == {
        "text/csv",
        "text/tab-separated-values",
    }
    assert fields["StartupWMClass"] == "cfdesk"


@pytest.mark.parametrize(
    "command",
    [
        ["/opt/cfdesk/bin/cfdesk-gui"],
        ["/home/ann smith/my env/bin/cfdesk-gui"],
        ['/tmp/$HOME/`x`/a\\b/"q"/it\'s/python', "-m", "cfdesk"],
        ["/srv/100%/python", "-m", "cfdesk"],
    ],
)
def test_exec_line_round_trips_awkward_paths(command: list[str], tmp_path: Path) -> None:
    assert parse_exec(exec_value(command)) == [*command, "%f"]
    entry = tmp_path / "cfdesk.desktop"
    entry.write_text(desktop_entry(command), encoding="utf-8")
    try_exec = entry_fields(entry.read_text(encoding="utf-8"))["TryExec"]
    assert try_exec.replace("\\\\", "\\") == command[0]
    done = validate(entry)
    assert done.returncode == 0, done.stdout + done.stderr
