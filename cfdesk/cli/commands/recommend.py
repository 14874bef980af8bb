"""`cfdesk recommend MODEL --user ID` (or `--rate ITEM=RATING ...` for a new user)."""

from __future__ import annotations

import argparse
import sys

from cfdesk.cli.modelfile import (
    add_list_options,
    add_prior_options,
    model_command,
    open_model,
    recommender_for,
)
from cfdesk.cli.output import reports_errors
from cfdesk.cli.tables import item_rows, report
from cfdesk.core.errors import CfdeskError


def add_ranking_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `recommend` and `export` (same defaults as the app)."""
    add_list_options(parser, 10, "items")
    parser.add_argument(
        "--include-seen", action="store_true", help="also list items the user rated in training"
    )
    parser.add_argument(
        "--genre", action="append", metavar="GENRE", help="only items of this genre (repeatable)"
    )
    add_prior_options(parser)


def ranking_options(args: argparse.Namespace) -> dict:
    """The Recommender.recommend keyword arguments that add_ranking_options parsed."""
    return {
        "n": args.n,
        "exclude_seen": not args.include_seen,
        "min_ratings": args.min_ratings,
        "genres": args.genre,
    }


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `recommend` subcommand."""
    parser = model_command(
        subparsers,
        "recommend",
        _run,
        help="top-N items for a user of the model, or for a new user from a few ratings",
        description="List the items a trained model ranks highest for one user. Items the user "
        "rated are left out unless --include-seen. With --rate ITEM=RATING (repeatable) instead "
        "of --user, a new user is folded in from those ratings without retraining.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", metavar="ID", help="a user id from the training data")
    who.add_argument("--rate", action="append", metavar="ITEM=RATING", help="a new user's rating")
    add_ranking_options(parser)


def parse_rating(text: str) -> tuple[str, float]:
    """ITEM=RATING -> (item id, rating), with a sentence when it is malformed."""
    item, sep, value = text.rpartition("=")
    try:
        if not sep or not item:
            raise ValueError
        return item, float(value)
    except ValueError:
        raise CfdeskError(
            f"--rate {text!r} should look like ITEM=RATING, e.g. --rate 50=5"
        ) from None


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.core.results.foldin import fold_in
    from cfdesk.core.results.levels import has_levels, top_level_chance, top_level_name, user_vector
    from cfdesk.core.results.lookup import item_ids_of, user_index

    fitted = open_model(args.model)
    rec = recommender_for(fitted, args)
    if args.user is not None:
        user = user_index(fitted, args.user)
        ranked = rec.rank_idx(user, **ranking_options(args))
        who: dict = {"user_id": fitted.users.ids[user]}
        vector = user_vector(fitted, user) if has_levels(fitted) else None
    else:
        folded = fold_in(fitted, [parse_rating(r) for r in args.rate])
        ranked = rec.rank_folded(folded, **ranking_options(args))
        who = {"new_user": {"ratings": len(folded.item_idx), "method": folded.method}}
        vector = folded.vector
    ids = item_ids_of(fitted, ranked.idx)
    rows = [
        {"rank": rank, **row, "predicted_rating": round(row["predicted_rating"], 4),
         "score": round(score, 4)}
        for rank, (row, score) in enumerate(
            zip(item_rows(fitted, ids, ranked.predicted, "predicted_rating"),
                ranked.score.tolist(), strict=True),
            start=1,
        )
    ]  # fmt: skip
    chance, chance_column = "", ""
    if has_levels(fitted):  # the dist model: P(top rating) beside each prediction
        chances = top_level_chance(fitted, ranked.idx, vector)
        for row, value in zip(rows, chances.tolist(), strict=True):
            row["p_top_rating"] = round(value, 4)
        chance, chance_column = "  {p_top_rating:5.2f}", f", {top_level_name(fitted)}"
    if not args.json:  # stdout keeps one line per item for scripts
        print(
            f"ranking: {rec.ranking}. Columns: rank, predicted rating, score "
            f"(= {rec.score_formula}){chance_column}, item id, title",
            file=sys.stderr,
        )
    lines = [
        (f"{row['rank']:>3}  {row['predicted_rating']:.2f}  {row['score']:7.3f}"
         + chance.format(**row) + f"  {row['item_id']}  {row['title'] or ''}").rstrip()
        for row in rows
    ]  # fmt: skip
    return report(args, {**who, "ranking": rec.ranking, "items": rows}, lines)
