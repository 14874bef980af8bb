"""What the results subcommands share: their parsers, opening a model file, id lists, progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cfdesk.core.fitted import FittedModel

if TYPE_CHECKING:
    from cfdesk.core.results.recommend import Recommender

_HEADER_WORDS = {"user", "user_id", "userid", "users", "id"}


def model_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    func: Callable[[argparse.Namespace], int],
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    """A results subcommand: the MODEL positional first, --json, and `func` to run it."""
    parser = subparsers.add_parser(name, help=help, description=description)
    parser.add_argument("model", metavar="MODEL", help="a .cfmodel file saved by cfdesk")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=func)
    return parser


def add_list_options(
    parser: argparse.ArgumentParser, n: int, what: str, own_default: str = ""
) -> None:
    """-n and --min-ratings, which every command that lists items takes. With `own_default` (how
    the command chooses) --min-ratings defaults to None and the command decides."""
    from cfdesk.core.results.recommend import DEFAULT_MIN_RATINGS

    parser.add_argument("-n", type=int, default=n, help=f"how many {what} (default {n})")
    parser.add_argument(
        "--min-ratings",
        type=int,
        default=None if own_default else DEFAULT_MIN_RATINGS,
        help="leave out items with fewer training ratings "
        f"(default {own_default or DEFAULT_MIN_RATINGS})",
    )


def add_prior_options(parser: argparse.ArgumentParser, choose: bool = True) -> None:
    """How the ranking weighs popularity and the liked floor (same defaults as the app).

    `choose` adds --ranking; `cfdesk ranking` reports both rankings, so it takes only the weight.
    """
    from cfdesk.core.results.recommend import DEFAULT_POPULARITY_WEIGHT, RANKINGS

    if choose:
        parser.add_argument(
            "--ranking",
            choices=RANKINGS,
            default=RANKINGS[0],
            help="popular-prior (default): order by the model's raw score + W·ln(1 + rating "
            "count), which favours well-known items; predicted: by predicted rating alone",
        )
    parser.add_argument(
        "--prior-weight",
        "--popularity-weight",
        dest="prior_weight",
        type=float,
        default=DEFAULT_POPULARITY_WEIGHT,
        metavar="W",
        help=f"weight W of the popularity prior (default {DEFAULT_POPULARITY_WEIGHT}; "
        "0 = order by predicted rating)",
    )
    parser.add_argument(
        "--no-liked-floor",
        action="store_true",
        help="let the popularity prior lift items predicted below 3.5 on 1-5 (scaled) above "
        "items predicted higher (by default those only fill the list)",
    )


def recommender_for(
    fitted: FittedModel, args: argparse.Namespace, ranking: str | None = None
) -> Recommender:
    """A Recommender with the ranking options that add_prior_options parsed (or `ranking`)."""
    from cfdesk.core.results.recommend import DEFAULT_LIKED_SHARE, Recommender

    ranking = ranking or getattr(args, "ranking", "popular-prior")
    weight = 0.0 if ranking == "predicted" else args.prior_weight
    share = None if args.no_liked_floor else DEFAULT_LIKED_SHARE
    return Recommender(fitted, popularity_weight=weight, liked_share=share)


def open_model(path: str) -> FittedModel:
    """Load a model file (the persistence module raises ModelFileError with a reason)."""
    from cfdesk.core.storage.model_file import load_model

    return load_model(path)


def title_of(fitted: FittedModel, item_id: object) -> str | None:
    """The item's title, or None when the model has no metadata (so ids are not printed twice)."""
    if fitted.item_table is None:
        return None
    return fitted.item_title(fitted.items.index_of(item_id))


def parse_user_list(text: str) -> list[str]:
    """--users takes a file (one id per line, first column, optional header) or "ID,ID,..."."""
    path = Path(text)
    if path.is_file():
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        ids = [line.replace("\t", ",").split(",")[0].strip() for line in lines]
        ids = [i for i in ids if i]
        if ids and ids[0].lower() in _HEADER_WORDS:
            ids = ids[1:]
        return ids
    return [part.strip() for part in text.split(",") if part.strip()]


def stderr_progress(label: str) -> Callable[[float], None]:
    """A progress(fraction) callback that prints whole-percent steps on stderr."""
    last = [-1]
    tty = sys.stderr.isatty()

    def show(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent == last[0] or (not tty and percent % 10 and percent != 100):
            return
        last[0] = percent
        end = "\r" if tty and percent < 100 else "\n"
        print(f"{label}: {percent}%", end=end, file=sys.stderr, flush=True)

    return show
