"""`cfdesk similar MODEL --item ID` (or `--user ID`): nearest neighbours in embedding space."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import add_json_flag, add_model_argument, open_model, title_of
from cfdesk.cli.output import print_json, reports_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `similar` subcommand."""
    from cfdesk.core.similarity import METRICS

    parser = subparsers.add_parser(
        "similar",
        help="items (or users) whose learned vectors are closest to one item (or user)",
        description="Nearest neighbours by cosine similarity (default), dot product or "
        "euclidean distance of the learned factors. The item itself is never listed.",
    )
    add_model_argument(parser)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--item", metavar="ID", help="an item id")
    who.add_argument("--user", metavar="ID", help="a user id (lists similar users)")
    parser.add_argument("-n", type=int, default=10, help="how many neighbours (default 10)")
    parser.add_argument("--metric", choices=METRICS, default="cosine", help="(default cosine)")
    parser.add_argument(
        "--min-ratings", type=int, default=0, help="only items with this many training ratings"
    )
    add_json_flag(parser)
    parser.set_defaults(func=_run)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.recommend import Recommender

    fitted = open_model(args.model)
    rec = Recommender(fitted)
    score_name = "distance" if args.metric == "euclidean" else "similarity"
    if args.item is not None:
        ids, scores = rec.similar_items(args.item, args.n, args.metric, args.min_ratings)
        rows = [
            {"item_id": i, "title": title_of(fitted, i), score_name: s}
            for i, s in zip(ids, scores.tolist(), strict=True)
        ]
        item_id = fitted.items.ids[fitted.items.index_of(args.item)]
        query = {"item_id": item_id, "title": title_of(fitted, item_id)}
    else:
        ids, scores = rec.similar_users(args.user, args.n, args.metric)
        rows = [{"user_id": i, score_name: s} for i, s in zip(ids, scores.tolist(), strict=True)]
        query = {"user_id": fitted.users.ids[fitted.users.index_of(args.user)]}
    if args.json:
        print_json({**query, "metric": args.metric, "neighbours": rows})
    else:
        for row in rows:
            label = row.get("title") or ""
            key = "item_id" if "item_id" in row else "user_id"
            print(f"{row[score_name]:>8.4f}  {row[key]}  {label}".rstrip())
    return 0
