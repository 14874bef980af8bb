"""`cfdesk biases MODEL`: items liked or disliked beyond what taste explains (learned bias)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cfdesk.cli.modelfile import add_list_options, model_command, open_model
from cfdesk.cli.output import reports_errors
from cfdesk.cli.tables import report

if TYPE_CHECKING:
    import pandas as pd


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `biases` subcommand."""
    parser = model_command(
        subparsers,
        "biases",
        _run,
        help="items with the lowest and highest learned bias, with rating count and mean",
        description="A high bias means people rate the item well even when their taste does not "
        "match it; a low bias the reverse. Only the dotbias model learns item biases.",
    )
    add_list_options(parser, 15, "items at each end")


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.results.item_facts import bias_extremes

    result = bias_extremes(open_model(args.model), args.n, args.min_ratings)
    facts = {
        "lowest": result.lowest.to_dict(orient="records"),
        "highest": result.highest.to_dict(orient="records"),
        "reason": result.reason,
    }
    if result.reason:
        return report(args, facts, [result.reason])
    lines = _end_lines("lowest bias", result.lowest) + _end_lines("highest bias", result.highest)
    return report(args, facts, lines)


def _end_lines(heading: str, frame: pd.DataFrame) -> list[str]:
    """A heading, then one line per item: bias, count, mean, title."""
    return [f"{heading}:"] + [
        f"  {row.bias:+.3f}  {row.count:>6} ratings, mean {row.mean:.2f}  {row.title}"
        for row in frame.itertuples(index=False)
    ]
