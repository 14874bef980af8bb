"""`cfdesk demo OUT_DIR`: write the built-in demo data set (ratings.csv + items.csv)."""

from __future__ import annotations

import argparse

from cfdesk.cli.output import print_json, reports_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `demo` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="write a MovieLens-100k-sized demo data set to a folder",
        description="Write ratings.csv (user_id,item_id,rating,timestamp) and items.csv "
        "(item_id,title,genres) generated from a planted taste model; no download needed.",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", help="folder to write into (created)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.set_defaults(func=_run)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.data.demo import write_demo

    path = write_demo(args.out_dir, seed=args.seed)
    print_json({"ratings": str(path), "items": str(path.parent / "items.csv"), "seed": args.seed})
    return 0
