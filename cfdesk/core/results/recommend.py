"""Top-N recommendations and neighbours for a fitted model, batched with torch.topk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import torch

from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.results.lookup import item_ids_of, item_index, user_index, user_indices
from cfdesk.core.results.scoring import ItemScorer
from cfdesk.core.results.similarity import Neighbours

if TYPE_CHECKING:
    from cfdesk.core.results.foldin import FoldedUser

# Rating-trained models put items with one glowing rating first and lose to a most-rated list on
# top-N metrics. A log-popularity prior in the ranking key fixes that: measured on a validation split
# of MovieLens u1.base (docs/results.md), NDCG@10 rises from 0.058 (weight 0) to 0.107 at 1.5, top of
# a plateau from 1.5 to 3 (popularity alone: 0.093); with the prior, a min_ratings cut adds nothing,
# so it stays off (a cut of 20 would empty the list on small datasets).
DEFAULT_POPULARITY_WEIGHT = 1.5
DEFAULT_MIN_RATINGS = 0
# Unchecked, that prior lifts a well-known item predicted at 2.4 stars above ones predicted at 4.4.
# So items predicted at least the "liked" floor (3.5 on 1-5: this share of the scale) rank first
# and the rest only fill the list, by prediction. The floor was chosen on the same validation
# split: 3.25-3.5 keeps NDCG@10 at 0.107-0.110, 4 costs 13 % (0.093, no better than popularity).
DEFAULT_LIKED_SHARE = 0.625
_CANDIDATES = 4  # liked-first picks from the top 4·n keys; users short of liked items rescan
RANKINGS = ("popular-prior", "predicted")
# Cosine neighbours of items rated a handful of times are noise (their factors barely moved from
# the initialisation). On ml-100k (bench/bench_neighbours.py, docs/results.md) no filter let items
# with fewer than 5 ratings take 10 % of the top-10 neighbours of popular items; a minimum of 20
# removes them and raises the share of neighbours sharing a genre from 60 % to 64 %.
NEIGHBOUR_MIN_RATINGS = 20
NEIGHBOUR_POOL = 100  # ...but the default never leaves fewer than this many items to choose from  # the CLI's --ranking choices, the default first

Genres = str | Sequence[str] | None


class Ranked(NamedTuple):
    """Item indices, predicted ratings and the score the list is ordered by (-1/NaN: padding).

    With a popularity prior the score is the model's raw output (before the output sigmoid) plus
    weight · ln(1 + training ratings); ranked by prediction alone it is the predicted rating.
    """

    idx: np.ndarray
    predicted: np.ndarray
    score: np.ndarray


def ranking_label(popularity_weight: float, liked_share: float | None) -> str:
    """How a list was ordered, as the export's `ranking` column and the CLI's JSON say it."""
    if popularity_weight == 0:
        return "predicted"
    floor = "" if liked_share is not None else " no-floor"
    return f"popular-prior w={popularity_weight:g}{floor}"


def scale_point(rating_range: tuple[float, float], share: float) -> float:
    """The rating `share` of the way up the scale, so floors follow 1-5, 0.5-10.5, ... alike."""
    low, high = rating_range
    return low + share * (high - low)


def neighbour_min_ratings(item_count: np.ndarray) -> int:
    """The default minimum support of similar items: NEIGHBOUR_MIN_RATINGS, lowered on a small
    catalogue so that at least NEIGHBOUR_POOL items (or all rated ones) stay eligible."""
    counts = np.sort(np.asarray(item_count))[::-1]
    counts = counts[counts > 0]
    if len(counts) == 0:
        return 0
    return int(min(NEIGHBOUR_MIN_RATINGS, counts[min(NEIGHBOUR_POOL, len(counts)) - 1]))


def seen_pairs(seen: SeenItems, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row in batch, item_idx) of every training rating of the batch's users, vectorised."""
    starts, ends = seen.indptr[users], seen.indptr[users + 1]
    lengths = ends - starts
    rows = np.repeat(np.arange(len(users)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    cols = seen.indices[np.repeat(starts, lengths) + np.arange(int(lengths.sum())) - first]
    return rows, cols


class Recommender:
    """Recommendations, neighbours and fold-in scoring for one FittedModel on one device.

    Item factors, ranking offsets and eligibility masks are cached, so repeated calls (the GUI's
    user picker, an export over every user) pay only for the matmul and the top-k.
    Ranking key = predicted logit without the user's bias + popularity_weight · log(1 + count),
    among items predicted at least the liked floor first (`liked_share` of the rating scale; None:
    no floor), then the rest by prediction; `recommend*` return predicted ratings, `rank*` also
    the score shown beside them (Ranked).
    """

    def __init__(
        self,
        fitted: FittedModel,
        device: str | torch.device = "cpu",
        popularity_weight: float = DEFAULT_POPULARITY_WEIGHT,
        liked_share: float | None = DEFAULT_LIKED_SHARE,
    ) -> None:
        self.fitted = fitted
        self.scorer = ItemScorer(fitted.module, device)
        self.device = self.scorer.device
        self.popularity_weight = float(popularity_weight)
        self.liked_share = liked_share
        self.liked_floor = (
            None if liked_share is None else scale_point(fitted.rating_range, liked_share)
        )
        counts = torch.as_tensor(np.asarray(fitted.item_count, dtype=np.float32))
        self._prior = (self.popularity_weight * torch.log1p(counts)).to(self.device)
        self._extras: dict[tuple, torch.Tensor] = {}
        self._neighbours: dict[str, Neighbours] = {}

    @property
    def ranking(self) -> str:
        """'predicted' or 'popular-prior w=…' (see ranking_label)."""
        return ranking_label(self.popularity_weight, self.liked_share)

    @property
    def score_formula(self) -> str:
        """What the ranking score is, in one phrase (the CLI's header, the app's tooltips)."""
        if self.popularity_weight == 0:
            return "predicted rating"
        return f"raw model score + {self.popularity_weight:g} × ln(1 + ratings)"

    # ---- eligibility -------------------------------------------------------------------------
    def eligible(self, min_ratings: int = 0, genres: Genres = None) -> np.ndarray:
        """Boolean mask of items that pass the rating-count and genre filters.

        Items without a training rating (seen only in held-out rows) are never eligible: their
        vectors are still the random initialisation.
        """
        mask = np.asarray(self.fitted.item_count) >= max(int(min_ratings), 1)
        if genres:
            table = self.fitted.item_table
            if table is None:
                raise CfdeskError("this model has no item metadata, so it cannot filter by genre")
            wanted = [genres] if isinstance(genres, str) else list(genres)
            unknown = sorted(set(wanted) - set(table.genre_names))
            if unknown:
                raise CfdeskError(
                    f"genre {unknown[0]!r} is not in this model's item metadata; "
                    f"known genres: {', '.join(table.genre_names)}"
                )
            mask &= table.genre_mask(wanted)
        return mask

    def _extra(self, min_ratings: int, genres: Genres) -> torch.Tensor:
        """Per-item ranking offset with -inf for filtered-out items, cached per filter."""
        genre_key = (
            None if not genres else frozenset([genres] if isinstance(genres, str) else genres)
        )
        key = (int(min_ratings), genre_key)
        if key not in self._extras:
            allowed = torch.as_tensor(self.eligible(min_ratings, genres)).to(self.device)
            extra = self.scorer.item_offset() + self._prior
            self._extras[key] = extra.masked_fill(~allowed, -torch.inf)
        return self._extras[key]

    # ---- recommendations by index ------------------------------------------------------------
    def recommend_idx(
        self, user_idx: int | Iterable[int], n: int = 10, **filters: object
    ) -> tuple[np.ndarray, np.ndarray]:
        """Item indices and predicted ratings, best first: 1-D for one user, 2-D for many.

        `filters` are rank_idx's (exclude_seen, min_ratings, genres). In the 2-D form a user with
        fewer than `n` eligible items gets index -1 and score NaN in the trailing places; the 1-D
        form is simply shorter.
        """
        ranked = self.rank_idx(user_idx, n, **filters)
        return ranked.idx, ranked.predicted

    def rank_idx(
        self,
        user_idx: int | Iterable[int],
        n: int = 10,
        exclude_seen: bool = True,
        min_ratings: int = DEFAULT_MIN_RATINGS,
        genres: Genres = None,
    ) -> Ranked:
        """recommend_idx plus the ranking score of every listed item."""
        single = np.ndim(user_idx) == 0
        users = np.atleast_1d(np.asarray(user_idx, dtype=np.int64))
        parts = list(self.iter_batches(users, n, exclude_seen, min_ratings, genres))
        if not parts:
            empty = np.zeros((0, 0), np.float32)
            return Ranked(np.zeros((0, 0), np.int64), empty, empty)
        ranked = Ranked(*(np.concatenate([p[1][i] for p in parts]) for i in range(3)))
        if single:
            keep = ranked.idx[0] >= 0
            return Ranked(*(column[0][keep] for column in ranked))
        return ranked

    def iter_batches(
        self,
        users: np.ndarray,
        n: int = 10,
        exclude_seen: bool = True,
        min_ratings: int = DEFAULT_MIN_RATINGS,
        genres: Genres = None,
        batch_size: int | None = None,
    ) -> Iterator[tuple[np.ndarray, Ranked]]:
        """Yield (user_idx, Ranked with (B, k) arrays) per batch; memory stays bounded."""
        users = np.asarray(users, dtype=np.int64)
        if len(users) and (users.min() < 0 or users.max() >= self.fitted.n_users):
            raise IndexError("user index out of range")
        extra = self._extra(min_ratings, genres)
        step = batch_size or self.scorer.batch_size
        buffer = None  # one score block reused by every batch of this call (not shared: threads)
        if self.scorer.is_dot and len(users) > step:
            buffer = torch.empty((step, self.fitted.n_items), device=self.device)
        for start in range(0, len(users), step):
            batch = users[start : start + step]
            keys = self.scorer.keys(batch, extra, buffer)
            excluded = seen_pairs(self.fitted.seen, batch) if exclude_seen else None
            yield batch, self._top(keys, n, excluded, self.scorer.user_offset(batch))

    def _top(
        self,
        keys: torch.Tensor,
        n: int,
        excluded: tuple[np.ndarray, np.ndarray] | None,
        user_offset: torch.Tensor,
    ) -> Ranked:
        """Top-k of the keys after exclusions; the sigmoid runs only on the k kept entries."""
        if excluded is not None:
            rows, cols = (torch.as_tensor(a, dtype=torch.int64) for a in excluded)
            keys[rows.to(self.device), cols.to(self.device)] = -torch.inf
        k = min(max(int(n), 0), keys.shape[1])
        offset = user_offset.to(self.device)
        if self.liked_floor is not None:
            idx, pad = self._liked_first(keys, k, offset)
            values = keys.gather(1, idx)
        else:
            values, idx = torch.topk(keys, k, dim=1)
            pad = torch.isneginf(values)
        scores = self.scorer.squash(values - self._prior[idx] + offset)
        shown = scores if self.popularity_weight == 0 else values + offset
        idx = idx.masked_fill(pad, -1)
        scores, shown = (s.masked_fill(pad, torch.nan).cpu().numpy() for s in (scores, shown))
        return Ranked(idx.cpu().numpy().astype(np.int64), scores, shown)

    def _liked_first(
        self, keys: torch.Tensor, k: int, offset: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Indices of the k best keys among items predicted >= the liked floor, then the rest.

        A popularity prior must never lift an item the user is expected to dislike above one
        they are expected to like; the rest fill the list by predicted rating alone. The top
        4·k keys hold the answer whenever k of them are liked; only users short of that are
        rescanned over every item, a quarter of the block at a time to bound the temporaries.
        Also returns where the list ran out of eligible items (padding).
        """
        width = min(keys.shape[1], max(_CANDIDATES * k, k + 40))
        values, idx = torch.topk(keys, width, dim=1)
        picked, pad, n_liked = self._liked_then_rest(values, self._prior[idx], offset, k)
        best = idx.gather(1, picked)
        if k == 0 or width == keys.shape[1]:
            return best, pad
        short = (n_liked < k) & ~torch.isneginf(values[:, -1])
        for rows in torch.nonzero(short).flatten().split(max(1, len(keys) // 4)):
            best[rows], pad[rows], _ = self._liked_then_rest(
                keys[rows], self._prior, offset[rows], k
            )
        return best, pad

    def _liked_then_rest(
        self, keys: torch.Tensor, prior: torch.Tensor, offset: torch.Tensor, k: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Columns of the k best liked keys then the best predictions, padding, liked count."""
        raw = keys - prior
        liked = self.scorer.squash(raw + offset) >= self.liked_floor
        top_liked = torch.topk(keys.masked_fill(~liked, -torch.inf), k, dim=1)
        top_rest = torch.topk(raw.masked_fill(liked, -torch.inf), k, dim=1)
        n_liked = liked.sum(dim=1, keepdim=True)
        place = torch.arange(k, device=keys.device).expand(len(keys), k)
        source = torch.where(place < n_liked, place, k + place - n_liked)
        columns = torch.cat([top_liked.indices, top_rest.indices], dim=1).gather(1, source)
        values = torch.cat([top_liked.values, top_rest.values], dim=1).gather(1, source)
        return columns, torch.isneginf(values), n_liked.flatten()

    # ---- recommendations by raw id -----------------------------------------------------------
    def recommend(
        self,
        user_ids: object,
        n: int = 10,
        exclude_seen: bool = True,
        min_ratings: int = DEFAULT_MIN_RATINGS,
        genres: Genres = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw item ids and predicted ratings for one user (1-D) or a list of users (2-D)."""
        if isinstance(user_ids, (str, bytes)) or np.ndim(user_ids) == 0:
            users: int | np.ndarray = user_index(self.fitted, user_ids)
        else:
            users = user_indices(self.fitted, user_ids)
        idx, scores = self.recommend_idx(
            users, n, exclude_seen=exclude_seen, min_ratings=min_ratings, genres=genres
        )
        return item_ids_of(self.fitted, idx), scores

    def recommend_folded(
        self, folded: FoldedUser, n: int = 10, **filters: object
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw item ids and predicted ratings for a folded-in new user, best first (`filters`:
        rank_folded's)."""
        ranked = self.rank_folded(folded, n, **filters)
        return item_ids_of(self.fitted, ranked.idx), ranked.predicted

    def rank_folded(
        self,
        folded: FoldedUser,
        n: int = 10,
        exclude_seen: bool = True,
        min_ratings: int = DEFAULT_MIN_RATINGS,
        genres: Genres = None,
    ) -> Ranked:
        """Item indices, predicted ratings and ranking scores for a folded-in new user."""
        keys = self.scorer.folded_keys(folded.vector, self._extra(min_ratings, genres))
        excluded = (np.zeros(len(folded.item_idx), np.int64), folded.item_idx)
        offset = torch.tensor([[folded.bias]], dtype=torch.float32)
        ranked = self._top(keys, n, excluded if exclude_seen else None, offset)
        keep = ranked.idx[0] >= 0
        return Ranked(*(column[0][keep] for column in ranked))

    def score_folded(self, folded: FoldedUser) -> np.ndarray:
        """Predicted rating of every item (by index) for a folded-in user, seen items included."""
        keys = self.scorer.folded_keys(folded.vector, self.scorer.item_offset())
        return self.scorer.squash(keys + folded.bias)[0].cpu().numpy()

    # ---- neighbours --------------------------------------------------------------------------
    def _table(self, which: str) -> Neighbours:
        """Neighbour tables are built on first use and kept (their norms are the costly part)."""
        if which not in self._neighbours:
            vectors = (
                self.scorer.item_vectors.cpu() if which == "items" else self.scorer.user_vectors
            )
            self._neighbours[which] = Neighbours(vectors)
        return self._neighbours[which]

    @property
    def neighbour_min_ratings(self) -> int:
        """Default minimum rating count of a similar item for this model (neighbour_min_ratings)."""
        return neighbour_min_ratings(self.fitted.item_count)

    def similar_items_idx(
        self, item_idx: int, n: int = 10, metric: str = "cosine", min_ratings: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Item indices most like `item_idx` (never itself) and their similarity or distance;
        `min_ratings` None: the model's default (neighbour_min_ratings)."""
        least = self.neighbour_min_ratings if min_ratings is None else min_ratings
        return self._table("items").nearest(int(item_idx), n, metric, self.eligible(least))

    def similar_items(
        self, item_id: object, n: int = 10, metric: str = "cosine", min_ratings: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw item ids most like `item_id`; scores are similarities, or distances for euclidean."""
        idx, scores = self.similar_items_idx(
            item_index(self.fitted, item_id), n, metric, min_ratings
        )
        return item_ids_of(self.fitted, idx), scores

    def similar_users(
        self, user_id: object, n: int = 10, metric: str = "cosine"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw user ids with the most similar taste vectors (never the user itself)."""
        trained = np.asarray(self.fitted.user_count) > 0
        row = user_index(self.fitted, user_id)
        idx, scores = self._table("users").nearest(row, n, metric, trained)
        return self.fitted.users.ids[idx], scores
