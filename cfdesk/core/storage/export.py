"""CSV exports of top-N lists and of predictions for (user, item) pairs: atomic and cancellable."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cfdesk.core.atomic import Progress, ShouldStop, atomic_write, check_stop, report
from cfdesk.core.data.loader import sniff
from cfdesk.core.errors import DataError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.item_facts import item_titles
from cfdesk.core.results.lookup import user_indices
from cfdesk.core.results.recommend import DEFAULT_MIN_RATINGS, Genres, Ranked, Recommender

# `score` is what the list is ordered by and `ranking` names how (docs/results.md, "Export"):
# a column rather than a comment line or a sidecar, so every CSV reader keeps it with the rows.
RECOMMENDATION_COLUMNS = [
    "user_id", "rank", "item_id", "title", "predicted_rating", "score", "ranking"
]  # fmt: skip
DECIMALS = 4
PAIRS_PER_BATCH = 200_000


@dataclass(frozen=True)
class ExportSummary:
    """What was written, for the status bar and the CLI's JSON line."""

    path: Path
    rows: int
    users: int
    seconds: float
    unknown: int = 0  # prediction pairs whose user or item the model does not know


def export_recommendations(
    recommender: Recommender,
    path: str | Path,
    n: int = 10,
    user_ids: Iterable[object] | None = None,
    exclude_seen: bool = True,
    min_ratings: int = DEFAULT_MIN_RATINGS,
    genres: Genres = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    batch_size: int | None = None,
) -> ExportSummary:
    """Write user_id,rank,item_id[,title],predicted_rating,score,ranking for every trained user
    (or `user_ids`).

    Users are scored in batches, so memory stays bounded; the title column appears only when the
    model has item metadata. Cancel or failure leaves no file (and any old one intact).
    """
    start = time.perf_counter()
    fitted = recommender.fitted
    if user_ids is None:  # every user with a training rating (held-out-only ones have no vector)
        users = np.flatnonzero(np.asarray(fitted.user_count) > 0)
    else:
        users = user_indices(fitted, list(user_ids))
    titles = item_titles(fitted)
    rows = 0
    with atomic_write(path) as handle:
        batches = recommender.iter_batches(
            users, n, exclude_seen, min_ratings, genres, batch_size=batch_size
        )
        done = 0
        for batch, ranked in batches:
            check_stop(should_stop, f"the export to {path}")
            block = _recommendation_block(fitted, titles, batch, ranked, recommender.ranking)
            block.to_csv(handle, header=rows == 0, index=False, lineterminator="\n")
            rows += len(block)
            done += len(batch)
            report(progress, done / max(len(users), 1))
        if rows == 0:
            handle.write(",".join(_columns(titles)) + "\n")
    report(progress, 1.0)
    return ExportSummary(Path(path), rows, len(users), time.perf_counter() - start)


def _columns(titles: np.ndarray | None) -> list[str]:
    return [c for c in RECOMMENDATION_COLUMNS if c != "title" or titles is not None]


def _recommendation_block(
    fitted: FittedModel,
    titles: np.ndarray | None,
    users: np.ndarray,
    ranked: Ranked,
    ranking: str,
) -> pd.DataFrame:
    """One batch as a frame, built with numpy (no Python loop over rows); gaps dropped."""
    idx = ranked.idx
    keep = idx >= 0
    rows, ranks = np.nonzero(keep)
    items = idx[keep]
    block = {
        "user_id": fitted.users.ids[users[rows]],
        "rank": ranks + 1,
        "item_id": fitted.items.ids[items],
        "title": None if titles is None else titles[items],
        "predicted_rating": np.round(ranked.predicted[keep].astype(np.float64), DECIMALS),
        "score": np.round(ranked.score[keep].astype(np.float64), DECIMALS),
        "ranking": ranking,
    }
    return pd.DataFrame({c: block[c] for c in _columns(titles)})


def export_predictions(
    fitted: FittedModel,
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    path: str | Path,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ExportSummary:
    """Write user_id,item_id,predicted_rating,known for each pair, in the order given.

    A pair whose user or item the model does not know (or saw only in held-out rows) gets
    known=False and an empty predicted_rating, so one stray id does not sink a million-row file.
    """
    start = time.perf_counter()
    u = fitted.users.indices_of(list(user_ids))
    i = fitted.items.indices_of(list(item_ids))
    trained_u = np.asarray(fitted.user_count)[np.clip(u, 0, None)] > 0
    trained_i = np.asarray(fitted.item_count)[np.clip(i, 0, None)] > 0
    known = (u >= 0) & (i >= 0) & trained_u & trained_i  # held-out-only ids have no vectors
    with atomic_write(path) as handle:
        for first in range(0, max(len(u), 1), PAIRS_PER_BATCH):
            check_stop(should_stop, f"the export to {path}")
            part = slice(first, first + PAIRS_PER_BATCH)
            pred = np.full(len(u[part]), np.nan)
            ok = known[part]
            pred[ok] = np.round(
                fitted.predict(u[part][ok], i[part][ok]).astype(np.float64), DECIMALS
            )
            block = pd.DataFrame(
                {
                    "user_id": np.asarray(user_ids)[part],
                    "item_id": np.asarray(item_ids)[part],
                    "predicted_rating": pred,
                    "known": ok,
                }
            )
            block.to_csv(handle, header=first == 0, index=False, lineterminator="\n")
            report(progress, min(first + PAIRS_PER_BATCH, len(u)) / max(len(u), 1))
    n_unknown = int((~known).sum())
    return ExportSummary(
        Path(path), len(u), len(np.unique(u[u >= 0])), time.perf_counter() - start, n_unknown
    )


def read_pairs(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(user ids, item ids) as text from a pairs file, sniffed like a ratings file."""
    fmt = sniff(path)
    user_col, item_col = fmt.roles.get("user"), fmt.roles.get("item")
    if user_col is None or item_col is None:
        user_col, item_col = 0, 1
    if len(fmt.columns) < 2:
        raise DataError(f"{fmt.path} needs two columns (user, item); it has {len(fmt.columns)}.")
    sep = fmt.separator
    if fmt.separator_name == "whitespace":
        sep = r"\s+"
    elif len(sep) > 1:
        sep = re.escape(sep)
    try:
        frame = pd.read_csv(
            fmt.path,
            sep=sep,
            engine="c" if len(fmt.separator) == 1 or sep == r"\s+" else "python",
            header=0 if fmt.has_header else None,
            usecols=[user_col, item_col],
            dtype=str,
            encoding=fmt.encoding,
            compression=None if fmt.compression == "none" else fmt.compression,
            keep_default_na=False,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{fmt.path} could not be read as (user, item) pairs: {exc}") from exc
    ordered = frame.iloc[:, sorted([user_col, item_col]).index(user_col)]
    other = frame.iloc[:, sorted([user_col, item_col]).index(item_col)]
    return ordered.str.strip().to_numpy(object), other.str.strip().to_numpy(object)
