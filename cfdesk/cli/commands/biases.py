"""`cfdesk biases MODEL`: items liked or disliked beyond what taste explains (learned bias)."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import add_json_flag, add_model_argument, open_model
from cfdesk.cli.output import print_json, reports_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `biases` subcommand."""
    parser = subparsers.add_parser(
        "biases",
        help="items with the lowest and highest learned bias, with rating count and mean",
        description="A high bias means people rate the item well even when their taste does not "
        "match it; a low bias the reverse. Only the dotbias model learns item biases.",
    )
    add_model_argument(parser)
    parser.add_argument("-n", type=int, default=15, help="items at each end (default 15)")
    parser.add_argument(
        "--min-ratings", type=int, default=0, help="only items with this many training ratings"
    )
    add_json_flag(parser)
    parser.set_defaults(func=_run)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.bias import bias_extremes

    result = bias_extremes(open_model(args.model), args.n, args.min_ratings)
    if args.json:
        print_json(
            {
                "lowest": result.lowest.to_dict(orient="records"),
                "highest": result.highest.to_dict(orient="records"),
                "reason": result.reason,
            }
        )
        return 0
    if result.reason:
        print(result.reason)
        return 0
    for heading, frame in (("lowest bias", result.lowest), ("highest bias", result.highest)):
        print(f"{heading}:")
        for row in frame.itertuples(index=False):
            print(f"  {row.bias:+.3f}  {row.count:>6} ratings, mean {row.mean:.2f}  {row.title}")
    return 0
