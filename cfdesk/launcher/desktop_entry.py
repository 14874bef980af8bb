"""The freedesktop.org .desktop entry for cfdesk, with an Exec line quoted as the spec demands."""

from __future__ import annotations

from collections.abc import Sequence

APP_ID = "cfdesk"  # desktop-file id, icon name and WM class: matches setDesktopFileName("cfdesk")
FILE_CODE = "%f"  # one file per launch: "Open with cfdesk" on a CSV passes its path

# Characters that force quoting, and those escaped inside quotes (Desktop Entry Spec, "The Exec key").
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = frozenset('"`$\\')

_FIELDS = (
    ("Type", "Application"),
    ("Version", "1.4"),
    ("Name", "cfdesk"),
    ("GenericName", "Recommender Workbench"),
    ("Comment", "Train collaborative-filtering recommenders on ratings and explore them"),
    ("TryExec", None),  # menus hide the entry once this installation is deleted
    ("Exec", None),
    ("Icon", APP_ID),
    ("Terminal", "false"),
    ("Categories", "Science;DataVisualization;"),
    ("MimeType", "text/csv;text/tab-separated-values;"),
    ("Keywords", "recommender;collaborative filtering;matrix factorization;ratings;"),
    ("StartupNotify", "true"),
    ("StartupWMClass", APP_ID),
)


def exec_argument(arg: str) -> str:
    """One argument as it must appear in an Exec value (quoted, escaped, % doubled)."""
    arg = arg.replace("%", "%%")
    if not _RESERVED.intersection(arg):
        return arg
    quoted = "".join(f"\\{c}" if c in _ESCAPED_IN_QUOTES else c for c in arg)
    # The Exec value is also a "string" value, whose own escape rule doubles every backslash.
    return f'"{quoted}"'.replace("\\", "\\\\")


def exec_value(command: Sequence[str]) -> str:
    """Exec= value that runs `command` with the opened file appended."""
    return " ".join([*(exec_argument(a) for a in command), FILE_CODE])


def desktop_entry(command: Sequence[str]) -> str:
    """Full text of cfdesk.desktop starting `command` (e.g. the absolute cfdesk-gui path)."""
    computed = {
        "TryExec": command[0].replace("\\", "\\\\"),  # a string value: backslashes doubled
        "Exec": exec_value(command),
    }
    lines = ["[Desktop Entry]"]
    for key, value in _FIELDS:
        lines.append(f"{key}={computed[key] if value is None else value}")
    return "\n".join(lines) + "\n"
