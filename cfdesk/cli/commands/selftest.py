"""`cfdesk self-test` (also `cfdesk --self-test`): check this installation works, without a display."""

from __future__ import annotations

import argparse
import sys

from cfdesk.cli.output import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the subcommand."""
    parser = subparsers.add_parser(
        "self-test",
        help="check that this installation (or bundle) works end to end; exit 0 when it does",
        description="Generate the demo data in a temporary folder, train one epoch, write a "
        "recommendations CSV and build the main window offscreen; print one line and exit 0, "
        "or name the failing step and exit 1.",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.set_defaults(func=_self_test)


def _self_test(args: argparse.Namespace) -> int:
    from cfdesk.selftest import run_self_test

    result = run_self_test(args.window_check)
    if not result.ok:
        print(result.figures.get("traceback", ""), file=sys.stderr, end="")
    if args.json:
        print_json({"ok": result.ok, "message": result.line, **result.figures})
    else:
        print(result.line, flush=True)
    return 0 if result.ok else 1
