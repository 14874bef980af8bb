"""Top-N quality on held-out ratings: precision, recall and NDCG at k, and a popularity baseline,
beside how much of the catalogue the lists use (coverage, concentration)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.recommend import Recommender, scale_point, seen_pairs

RELEVANT_SHARE = 0.75  # relevant = rating in the top quarter of the scale: 4+ on 1-5


@dataclass(frozen=True)
class Spread:
    """How a set of top-k lists uses the catalogue: accuracy alone hides a list of blockbusters.

    coverage: distinct items listed / items with a training rating; gini: of how often each of
    those items is listed (0 = evenly, 1 = one item everywhere); top_share: share of the lists
    that hold the most-listed item.
    """

    coverage: float
    distinct: int
    gini: float
    top_share: float


@dataclass(frozen=True)
class RankingReport:
    """Mean precision/recall/NDCG@k over test users with at least one relevant item."""

    label: str
    k: int
    precision: float
    recall: float
    ndcg: float
    n_users: int
    threshold: float
    coverage: float = float("nan")
    distinct: int = 0
    gini: float = float("nan")
    top_share: float = float("nan")

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)


def relevance_threshold(rating_range: tuple[float, float]) -> float:
    """Lowest rating that counts as relevant: 4 on a 1-5 scale, scaled for other scales."""
    return scale_point(rating_range, RELEVANT_SHARE)


def relevant_items(
    fitted: FittedModel, test: Ratings, threshold: float
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Model user indices and, per user, the model item indices rated >= threshold in `test`.

    Test users without a training rating are left out (the model cannot rank for them); relevant test
    items the model does not know stay in as unreachable (-1 - row), so recall is not flattered.
    """
    user_map = fitted.users.indices_of(test.users.ids.tolist())
    item_map = fitted.items.indices_of(test.items.ids.tolist())
    rows = np.flatnonzero(test.rating >= threshold)
    users = user_map[test.user_idx[rows]]
    items = item_map[test.item_idx[rows]]
    items = np.where(items >= 0, items, -1 - rows)
    known = (users >= 0) & (np.asarray(fitted.user_count)[np.clip(users, 0, None)] > 0)
    users, items = users[known], items[known]
    order = np.argsort(users, kind="stable")
    users, items = users[order], items[order]
    unique, starts = np.unique(users, return_index=True)
    return unique, np.split(items, starts[1:]) if len(unique) else []


def ranking_metrics(recommended: np.ndarray, relevant: list[np.ndarray], k: int) -> tuple:
    """(precision, recall, ndcg) at k, averaged over users; -1 entries in `recommended` are gaps."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    precision, recall, ndcg = [], [], []
    for row, rel in zip(recommended[:, :k], relevant, strict=True):
        hits = np.isin(row, rel) & (row >= 0)
        n_hits = int(hits.sum())
        precision.append(n_hits / k)
        recall.append(n_hits / len(rel))
        ndcg.append(float(discounts[: len(row)][hits].sum() / discounts[: min(len(rel), k)].sum()))
    if not precision:
        return 0.0, 0.0, 0.0
    return float(np.mean(precision)), float(np.mean(recall)), float(np.mean(ndcg))


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of non-negative counts (0: all equal; near 1: one holds everything)."""
    values = np.sort(np.asarray(counts, dtype=np.float64))
    total = values.sum()
    if len(values) == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, len(values) + 1)
    return float(
        2 * (ranks * values).sum() / (len(values) * total) - (len(values) + 1) / len(values)
    )


def spread(recommended: np.ndarray, eligible: np.ndarray) -> Spread:
    """Coverage and concentration of top-k lists (rows; -1 gaps) over the `eligible` items."""
    listed = recommended[recommended >= 0]
    counts = np.bincount(listed, minlength=len(eligible))[eligible]
    n_lists = max(len(recommended), 1)
    top = int(counts.max(initial=0))
    distinct = int((counts > 0).sum())
    return Spread(distinct / max(len(counts), 1), distinct, gini(counts), top / n_lists)


def _report(label: str, k: int, recommended: np.ndarray, relevant: list, fitted: FittedModel,
            threshold: float) -> RankingReport:  # fmt: skip
    p, r, ndcg = ranking_metrics(recommended, relevant, k)
    used = spread(recommended[:, :k], np.asarray(fitted.item_count) > 0)
    return RankingReport(label, k, p, r, ndcg, len(relevant), threshold, **asdict(used))


def evaluate_recommender(
    recommender: Recommender,
    test: Ratings,
    k: int = 10,
    threshold: float | None = None,
    label: str = "model",
    **options: object,
) -> RankingReport:
    """Rank unseen items for every test user with `recommender` (its options) and score the list."""
    fitted = recommender.fitted
    threshold = relevance_threshold(fitted.rating_range) if threshold is None else threshold
    users, relevant = relevant_items(fitted, test, threshold)
    recommended, _ = recommender.recommend_idx(users, n=k, **options)
    return _report(label, k, recommended.reshape(len(users), -1), relevant, fitted, threshold)


def popularity_idx(fitted: FittedModel, users: np.ndarray, k: int) -> np.ndarray:
    """The k most-rated items each user has not rated in training (the baseline to beat)."""
    counts = torch.as_tensor(np.asarray(fitted.item_count, dtype=np.float32))
    keys = counts.repeat(len(users), 1)
    rows, cols = seen_pairs(fitted.seen, np.asarray(users, dtype=np.int64))
    keys[torch.as_tensor(rows), torch.as_tensor(cols, dtype=torch.int64)] = -torch.inf
    return torch.topk(keys, min(k, fitted.n_items), dim=1).indices.numpy()


def evaluate_popularity(
    fitted: FittedModel, test: Ratings, k: int = 10, threshold: float | None = None
) -> RankingReport:
    """The same metrics for the most-rated unseen items."""
    threshold = relevance_threshold(fitted.rating_range) if threshold is None else threshold
    users, relevant = relevant_items(fitted, test, threshold)
    return _report("popularity", k, popularity_idx(fitted, users, k), relevant, fitted, threshold)
