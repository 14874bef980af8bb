"""The `cfdesk` subcommands for the terminal; headless (`cfdesk.entry` opens the app instead)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence

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
        description="Collaborative filtering on the desktop. Without a subcommand, opens the app "
        "(cfdesk [FILE | --demo]).",
    )
    parser.add_argument("--version", action="version", version=f"cfdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def subcommands() -> set[str]:
    """Names of every subcommand."""
    return set(build_parser()._subparsers._group_actions[0].choices)


def main(
    argv: Sequence[str] | None = None, window_check: Callable[[dict], None] | None = None
) -> int:
    """Run one subcommand; `window_check` is the GUI's part of the self-test, when given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--self-test"]:  # the spelling a packaged app's build check uses
        argv = ["self-test", *argv[1:]]
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    args.window_check = window_check
    return int(args.func(args) or 0)
