"""`cfdesk install-launcher` / `uninstall-launcher`: add or remove cfdesk in the desktop's app menu."""

from __future__ import annotations

import argparse

from cfdesk.cli.output import print_json, reports_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add both subcommands."""
    install = subparsers.add_parser(
        "install-launcher",
        help="add cfdesk to the applications menu (Start menu and desktop on Windows)",
        description="Add a menu entry and icon that start THIS installation of cfdesk; on Linux "
        "it also offers 'Open with cfdesk' for CSV and TSV files.",
    )
    install.set_defaults(func=_install)
    uninstall = subparsers.add_parser(
        "uninstall-launcher",
        help="remove exactly what install-launcher added",
        description="Remove the menu entry, icons and shortcuts install-launcher wrote.",
    )
    uninstall.set_defaults(func=_uninstall)


@reports_errors
def _install(args: argparse.Namespace) -> int:
    from cfdesk.launcher import gui_command, install_launcher

    written = install_launcher()
    print_json({"installed": [str(p) for p in written], "command": gui_command()})
    return 0


@reports_errors
def _uninstall(args: argparse.Namespace) -> int:
    from cfdesk.launcher import uninstall_launcher

    removed = uninstall_launcher()
    print_json({"removed": [str(p) for p in removed]})
    return 0
