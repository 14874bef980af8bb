"""`cfdesk similar MODEL --item ID` (or `--user ID`): nearest neighbours in embedding space."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import add_list_options, model_command, open_model, title_of
from cfdesk.cli.output import reports_errors
from cfdesk.cli.tables import item_rows, report, score_lines


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `similar` subcommand."""
    from cfdesk.core.results.recommend import NEIGHBOUR_MIN_RATINGS, NEIGHBOUR_POOL
    from cfdesk.core.results.similarity import METRICS

    parser = model_command(
        subparsers,
        "similar",
        _run,
        help="items (or users) whose learned vectors are closest to one item (or user)",
        description="Nearest neighbours by cosine similarity (default), dot product or "
        "euclidean distance of the learned factors. The item itself is never listed.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--item", metavar="ID", help="an item id")
    who.add_argument("--user", metavar="ID", help="a user id (lists similar users)")
    text = f"{NEIGHBOUR_MIN_RATINGS}, lower when fewer than {NEIGHBOUR_POOL} items have that many"
    add_list_options(parser, 10, "neighbours", text)
    parser.add_argument("--metric", choices=METRICS, default="cosine", help="(default cosine)")


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.results.recommend import Recommender

    fitted = open_model(args.model)
    rec = Recommender(fitted)
    score_name = "distance" if args.metric == "euclidean" else "similarity"
    if args.item is not None:
        least = rec.neighbour_min_ratings if args.min_ratings is None else args.min_ratings
        ids, scores = rec.similar_items(args.item, args.n, args.metric, least)
        rows = item_rows(fitted, ids, scores, score_name)
        item_id = fitted.items.ids[fitted.items.index_of(args.item)]
        query = {"item_id": item_id, "title": title_of(fitted, item_id), "min_ratings": least}
        lines = score_lines(rows, score_name)
    else:
        ids, scores = rec.similar_users(args.user, args.n, args.metric)
        rows = [{"user_id": i, score_name: s} for i, s in zip(ids, scores.tolist(), strict=True)]
        query = {"user_id": fitted.users.ids[fitted.users.index_of(args.user)]}
        lines = score_lines(rows, score_name, "user_id")
    return report(args, {**query, "metric": args.metric, "neighbours": rows}, lines)
