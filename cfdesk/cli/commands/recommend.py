"""`cfdesk recommend MODEL --user ID` (or `--rate ITEM=RATING ...` for a new user)."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import add_json_flag, add_model_argument, open_model, title_of
from cfdesk.cli.output import print_json, reports_errors
from cfdesk.core.errors import CfdeskError


def add_ranking_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `recommend` and `export` (same defaults as the app)."""
    from cfdesk.core.recommend import DEFAULT_MIN_RATINGS, DEFAULT_POPULARITY_WEIGHT

    parser.add_argument("-n", type=int, default=10, help="how many items (default 10)")
    parser.add_argument(
        "--include-seen", action="store_true", help="also list items the user rated in training"
    )
    parser.add_argument(
        "--min-ratings",
        type=int,
        default=DEFAULT_MIN_RATINGS,
        help=f"leave out items with fewer training ratings (default {DEFAULT_MIN_RATINGS})",
    )
    parser.add_argument(
        "--genre", action="append", metavar="GENRE", help="only items of this genre (repeatable)"
    )
    parser.add_argument(
        "--popularity-weight",
        type=float,
        default=DEFAULT_POPULARITY_WEIGHT,
        help="weight of log(1 + rating count) in the ranking "
        f"(default {DEFAULT_POPULARITY_WEIGHT}; 0 = pure model order)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `recommend` subcommand."""
    parser = subparsers.add_parser(
        "recommend",
        help="top-N items for a user of the model, or for a new user from a few ratings",
        description="List the items a trained model ranks highest for one user. Items the user "
        "rated are left out unless --include-seen. With --rate ITEM=RATING (repeatable) instead "
        "of --user, a new user is folded in from those ratings without retraining.",
    )
    add_model_argument(parser)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", metavar="ID", help="a user id from the training data")
    who.add_argument("--rate", action="append", metavar="ITEM=RATING", help="a new user's rating")
    add_ranking_options(parser)
    add_json_flag(parser)
    parser.set_defaults(func=_run)


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
    from cfdesk.core.foldin import fold_in
    from cfdesk.core.recommend import Recommender

    fitted = open_model(args.model)
    rec = Recommender(fitted, popularity_weight=args.popularity_weight)
    options = {
        "n": args.n,
        "exclude_seen": not args.include_seen,
        "min_ratings": args.min_ratings,
        "genres": args.genre,
    }
    if args.user is not None:
        ids, scores = rec.recommend(args.user, **options)
        who: dict = {"user_id": fitted.users.ids[fitted.users.index_of(args.user)]}
    else:
        folded = fold_in(fitted, [parse_rating(r) for r in args.rate])
        ids, scores = rec.recommend_folded(folded, **options)
        who = {"new_user": {"ratings": len(folded.item_idx), "method": folded.method}}
    rows = [
        {
            "rank": rank,
            "item_id": item_id,
            "title": title_of(fitted, item_id),
            "predicted_rating": round(float(score), 4),
        }
        for rank, (item_id, score) in enumerate(zip(ids, scores, strict=True), start=1)
    ]
    if args.json:
        print_json({**who, "items": rows})
    else:
        for row in rows:
            line = f"{row['rank']:>3}  {row['predicted_rating']:.2f}  {row['item_id']}"
            print(f"{line}  {row['title']}" if row["title"] else line)
    return 0
