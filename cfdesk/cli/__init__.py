"""The `cfdesk` command: subcommands for the terminal, the GUI when none is given."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from cfdesk import __version__
from cfdesk.cli import commands


def _command_modules() -> list:
    """Every module in cfdesk.cli.commands registers one or more subcommands."""
    return [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name)
    ]


def build_parser() -> argparse.ArgumentParser:
    """The full parser, subcommands included."""
    parser = argparse.ArgumentParser(
        prog="cfdesk",
        description="Collaborative filtering on the desktop. Without a subcommand, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"cfdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def _wants_gui(argv: Sequence[str]) -> bool:
    """No subcommand (or just a file to open, or GUI options) means the desktop app."""
    if not argv:
        return True
    first = argv[0]
    if first in ("-h", "--help", "--version"):
        return False
    subcommands = set(build_parser()._subparsers._group_actions[0].choices)
    return first not in subcommands


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script, `python -m cfdesk` and `main.py`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--self-test"]:  # the spelling a packaged app's build check uses
        argv = ["self-test", *argv[1:]]
    if _wants_gui(argv):
        from cfdesk.qt.app import main as gui_main

        return gui_main(argv)
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
