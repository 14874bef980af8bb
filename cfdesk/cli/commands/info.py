"""`cfdesk info FILE`: what is in a ratings file (or, for a .cfmodel, in a model file)."""

from __future__ import annotations

import argparse

from cfdesk.cli.output import print_json, reports_errors


def _column(text: str) -> str | int:
    """Column overrides: a 0-based index when numeric, else a header name."""
    return int(text) if text.strip().isdigit() else text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `info` subcommand."""
    parser = subparsers.add_parser(
        "info",
        help="summarise a ratings file: size, density, rating scale, long tail, titles found",
        description="Load a ratings file the way the app does and summarise it. Given a .cfmodel "
        "file, describe the model instead.",
    )
    parser.add_argument("file", metavar="FILE", help="ratings file (CSV/TSV/.dat, .gz, .zip)")
    parser.add_argument("--items", metavar="FILE", help="item titles/genres (default: beside FILE)")
    for role in ("user", "item", "rating", "timestamp"):
        parser.add_argument(
            f"--{role}",
            type=_column,
            metavar="COLUMN",
            help=f"{role} column (name or 0-based index)",
        )
    parser.add_argument("--skip-bad-rows", action="store_true", help="skip bad rows, count them")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch model files to model_info; summarise ratings files here."""
    if str(args.file).endswith(".cfmodel"):
        from cfdesk.cli import model_info

        return model_info.run(args)
    return _ratings_info(args)


@reports_errors
def _ratings_info(args: argparse.Namespace) -> int:
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.data.summary import summarize

    ratings = load_ratings(
        args.file,
        user=args.user,
        item=args.item,
        rating=args.rating,
        timestamp=args.timestamp,
        items=args.items,
        skip_bad_rows=args.skip_bad_rows,
    )
    summary = summarize(ratings)
    if args.json:
        print_json({**summary.to_dict(), "item_file": ratings.notes.get("item_file")})
    else:
        print("\n".join(summary.lines()))
    return 0
