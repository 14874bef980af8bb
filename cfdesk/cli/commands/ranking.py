"""`cfdesk ranking MODEL TEST.csv`: precision/recall/NDCG@k on held-out ratings vs popularity."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import add_prior_options, model_command, open_model, recommender_for
from cfdesk.cli.output import reports_errors
from cfdesk.cli.tables import report


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `ranking` subcommand."""
    parser = model_command(
        subparsers,
        "ranking",
        _run,
        help="top-N quality of a model on a test ratings file, beside a most-rated baseline",
        description="For every test user the model knows, rank the items they did not rate in "
        "training and count hits among their test items rated in the top quarter of the scale "
        "(4+ on 1-5).",
    )
    parser.add_argument("test", metavar="TEST.csv", help="held-out ratings (same ids)")
    parser.add_argument("-k", type=int, default=10, help="list length (default 10)")
    add_prior_options(parser)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.results.topn_metrics import evaluate_popularity, evaluate_recommender

    fitted = open_model(args.model)
    test = load_ratings(args.test, items=False)
    rec = recommender_for(fitted, args)
    reports = [evaluate_recommender(rec, test, args.k), evaluate_popularity(fitted, test, args.k)]
    lines = [
        f"{r.label:>10}: precision@{r.k} {r.precision:.4f}  recall@{r.k} {r.recall:.4f}  "
        f"NDCG@{r.k} {r.ndcg:.4f}  ({r.n_users} users, relevant >= {r.threshold:g})"
        for r in reports
    ]
    return report(args, {r.label: r.to_dict() for r in reports}, lines)
