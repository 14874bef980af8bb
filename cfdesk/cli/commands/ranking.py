"""`cfdesk ranking MODEL TEST.csv`: precision/recall/NDCG@k on held-out ratings vs popularity."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import add_json_flag, add_model_argument, open_model
from cfdesk.cli.output import print_json, reports_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `ranking` subcommand."""
    from cfdesk.core.recommend import DEFAULT_POPULARITY_WEIGHT

    parser = subparsers.add_parser(
        "ranking",
        help="top-N quality of a model on a test ratings file, beside a most-rated baseline",
        description="For every test user the model knows, rank the items they did not rate in "
        "training and count hits among their test items rated in the top quarter of the scale "
        "(4+ on 1-5).",
    )
    add_model_argument(parser)
    parser.add_argument("test", metavar="TEST.csv", help="held-out ratings (same ids)")
    parser.add_argument("-k", type=int, default=10, help="list length (default 10)")
    parser.add_argument(
        "--popularity-weight",
        type=float,
        default=DEFAULT_POPULARITY_WEIGHT,
        help=f"as in `recommend` (default {DEFAULT_POPULARITY_WEIGHT})",
    )
    add_json_flag(parser)
    parser.set_defaults(func=_run)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.loader import load_ratings
    from cfdesk.core.ranking import evaluate_popularity, evaluate_recommender
    from cfdesk.core.recommend import Recommender

    fitted = open_model(args.model)
    test = load_ratings(args.test, items=False)
    rec = Recommender(fitted, popularity_weight=args.popularity_weight)
    reports = [evaluate_recommender(rec, test, args.k), evaluate_popularity(fitted, test, args.k)]
    if args.json:
        print_json({r.label: r.to_dict() for r in reports})
        return 0
    for r in reports:
        print(
            f"{r.label:>10}: precision@{r.k} {r.precision:.4f}  recall@{r.k} {r.recall:.4f}  "
            f"NDCG@{r.k} {r.ndcg:.4f}  ({r.n_users} users, relevant >= {r.threshold:g})"
        )
    return 0
