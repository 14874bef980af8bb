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
        "(4+ on 1-5). Both rankings (popular-prior and predicted) and the most-rated baseline "
        "are shown with catalogue coverage (distinct items listed / items), the Gini of how "
        "often each item is listed and the share of lists holding the most-listed item.",
    )
    parser.add_argument("test", metavar="TEST.csv", help="held-out ratings (same ids)")
    parser.add_argument("-k", type=int, default=10, help="list length (default 10)")
    add_prior_options(parser, choose=False)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.results.recommend import RANKINGS
    from cfdesk.core.results.topn_metrics import evaluate_popularity, evaluate_recommender

    fitted = open_model(args.model)
    test = load_ratings(args.test, items=False)
    reports = [
        evaluate_recommender(recommender_for(fitted, args, name), test, args.k, label=name)
        for name in RANKINGS
    ]
    reports.append(evaluate_popularity(fitted, test, args.k))
    first = reports[0]
    lines = [
        f"{first.n_users} test users, relevant = rating >= {first.threshold:g}; popular-prior "
        f"weight {args.prior_weight:g}",
        f"{'':>13}  prec@{first.k}  recall  NDCG@{first.k}  coverage  items   gini  top item",
    ]
    lines += [
        f"{r.label:>13}  {r.precision:7.4f}  {r.recall:6.4f}  {r.ndcg:7.4f}  {r.coverage:8.1%}  "
        f"{r.distinct:5,d}  {r.gini:5.3f}  {r.top_share:8.1%}"
        for r in reports
    ]
    return report(args, {r.label: r.to_dict() for r in reports}, lines)
