"""How cfdesk starts: the process's OpenMP settings, then the desktop app or a terminal command.

The only module that knows both faces: `cfdesk.cli` stays headless and `cfdesk.qt` never parses
subcommands. Entry points: `cfdesk`, `cfdesk-gui`, `python -m cfdesk`, `main.py` and bundles.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cfdesk import __version__

GUI_HELP = "Collaborative filtering on the desktop: open the app, optionally on FILE."


def configure_openmp() -> None:
    """Before torch loads OpenMP: an idle worker thread spins ~0.1 ms (GNU OpenMP's
    GOMP_SPINCOUNT), enough to catch the next op of a training step, then sleeps (PASSIVE)
    instead of spinning 3 ms while other processes want the cores (docs/training.md,
    "CPU threads"). A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins; a library user's
    process is left alone because only the entry points call this."""
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")


def gui_parser() -> argparse.ArgumentParser:
    """The options the app takes without a subcommand (the same for `cfdesk` and `cfdesk-gui`)."""
    parser = argparse.ArgumentParser(prog="cfdesk-gui", description=GUI_HELP)
    parser.add_argument("file", nargs="?", help="a ratings file or a .cfmodel to open")
    parser.add_argument("--demo", action="store_true", help="open the built-in demo data")
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation end to end and exit"
    )
    parser.add_argument("--version", action="version", version=f"cfdesk {__version__}")
    return parser


def _self_test(extra: Sequence[str]) -> int:
    """`self-test` with the main-window check, which only this layer may hand to the CLI."""
    from cfdesk.cli import main as cli_main
    from cfdesk.qt.selfcheck import check_main_window

    return cli_main(["self-test", *extra], window_check=check_main_window)


def gui_main(argv: Sequence[str] | None = None) -> int:
    """`cfdesk-gui [FILE] [--demo] [--self-test] [--version] [--help]`."""
    configure_openmp()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = gui_parser().parse_args(argv)  # unknown options: a message and exit status 2
    if args.self_test:
        return _self_test([])
    from cfdesk.qt.app import main as app_main

    return app_main([args.file] if args.file else ["--demo"] if args.demo else [])


def main(argv: Sequence[str] | None = None) -> int:
    """`cfdesk`: a subcommand runs in the terminal; none (or FILE, --demo) opens the app."""
    configure_openmp()
    argv = list(sys.argv[1:] if argv is None else argv)
    from cfdesk.cli import main as cli_main
    from cfdesk.cli import subcommands

    first = argv[0] if argv else ""
    if first in ("self-test", "--self-test"):
        return _self_test(argv[1:])
    if first in ("-h", "--help") or (_may_be_subcommand(first) and first in subcommands()):
        return cli_main(argv)
    return gui_main(argv)


def _may_be_subcommand(word: str) -> bool:
    """Subcommand names are plain words, never options or paths: `cfdesk`, `cfdesk --demo` and
    `cfdesk ratings.csv` open the app without importing every command (they import torch,
    seconds before the start-up card could show)."""
    return bool(word) and not word.startswith("-") and not any(c in word for c in "./\\")
