"""The model family of fastbook chapter 8 (dot product, dot product + biases, EmbeddingNN), the
course's softmax lesson (a distribution over the rating levels), and the factory for every kind
(I-AutoRec lives in autorec.py)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from cfdesk.core.autorec import ItemAutoRec
from cfdesk.core.base_model import CollabModel, new_embedding, table_rows
from cfdesk.core.config import MODEL_KINDS, TrainConfig
from cfdesk.core.data.ratings import Ratings, RatingScale
from cfdesk.core.errors import TrainingError

FIVE_STARS = (1.0, 2.0, 3.0, 4.0, 5.0)
NN_DOT_BRANCH = True  # u1.base validation: see docs/training.md ("nn model")


class DotProduct(CollabModel):
    """The book's DotProduct: user · item, optionally squashed into y_range."""

    kind = "dot"
    factorized = True

    def __init__(self, n_users, n_items, n_factors=50, y_range=None) -> None:
        super().__init__(n_users, n_items, y_range)
        self.user_factors = new_embedding(n_users, n_factors)
        self.item_factors = new_embedding(n_items, n_factors)

    def raw(self, user_idx, item_idx):
        return (self._user_rows(user_idx) * table_rows(self.item_factors, item_idx)).sum(dim=1)

    def vector_raw(self, vectors, item_idx):
        return (vectors * table_rows(self.item_factors, item_idx)).sum(dim=1)

    def score_users(self, user_idx: torch.Tensor) -> torch.Tensor:
        return self._squash(self._user_rows(user_idx) @ self.item_factors.weight.T)


class DotProductBias(DotProduct):
    """fastai's EmbeddingDotBias: user · item + user bias + item bias (the default model)."""

    kind = "dotbias"

    def __init__(self, n_users, n_items, n_factors=50, y_range=None) -> None:
        super().__init__(n_users, n_items, n_factors, y_range)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        with torch.no_grad():
            self.user_bias.weight.zero_()
            self.item_bias.weight.zero_()

    def raw(self, user_idx, item_idx):
        dot = super().raw(user_idx, item_idx)
        return (
            dot
            + table_rows(self.user_bias, user_idx).squeeze(1)
            + table_rows(self.item_bias, item_idx).squeeze(1)
        )

    def vector_raw(self, vectors, item_idx):
        return super().vector_raw(vectors, item_idx) + table_rows(self.item_bias, item_idx).squeeze(
            1
        )

    def score_users(self, user_idx: torch.Tensor) -> torch.Tensor:
        out = self._user_rows(user_idx) @ self.item_factors.weight.T
        out = out + self.user_bias(user_idx) + self.item_bias.weight.T
        return self._squash(out)

    def item_biases(self) -> torch.Tensor:
        return self.item_bias.weight.squeeze(1)

    def user_biases(self) -> torch.Tensor:
        return self.user_bias.weight.squeeze(1)


class EmbeddingNN(CollabModel):
    """fastai's EmbeddingNN: concatenated user and item embeddings through an MLP.

    With `dot_branch` (NeuMF's GMF branch with its weights fixed at one) u · v is added to the
    MLP's output, so the MLP learns only what a dot product misses; on for new models
    (NN_DOT_BRANCH), absent from model files written before it.
    """

    kind = "nn"

    def __init__(
        self,
        n_users,
        n_items,
        n_factors=50,
        y_range=None,
        layers: Sequence[int] = (100,),
        item_factors: int | None = None,
        dropout: float = 0.0,
        dot_branch: bool = False,
    ) -> None:
        super().__init__(n_users, n_items, y_range)
        self.user_factors = new_embedding(n_users, n_factors)
        self.item_factors = new_embedding(n_items, item_factors or n_factors)
        if dot_branch and self.user_factors.embedding_dim != self.item_factors.embedding_dim:
            raise ValueError("the dot branch needs as many item factors as user factors")
        sizes = [self.user_factors.embedding_dim + self.item_factors.embedding_dim, *layers]
        blocks: list[nn.Module] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            blocks += [nn.Linear(n_in, n_out), nn.ReLU()]
            if dropout:
                blocks.append(nn.Dropout(dropout))
        blocks.append(nn.Linear(sizes[-1], 1))
        self.layers = nn.Sequential(*blocks)
        self.hidden = tuple(int(n) for n in layers)
        self.dot_branch = bool(dot_branch)
        self.user_bias = nn.Embedding(n_users, 1)  # biases beside the MLP: it need not learn them
        self.item_bias = nn.Embedding(n_items, 1)
        with torch.no_grad():
            self.user_bias.weight.zero_()
            self.item_bias.weight.zero_()

    def raw(self, user_idx, item_idx):
        user_bias = table_rows(self.user_bias, user_idx).squeeze(1)
        return self.vector_raw(self._user_rows(user_idx), item_idx) + user_bias

    def vector_raw(self, vectors: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        items = table_rows(self.item_factors, item_idx)
        out = self.layers(torch.cat([vectors, items], dim=1)) + table_rows(self.item_bias, item_idx)
        out = out.squeeze(1)
        return out + (vectors * items).sum(dim=1) if self.dot_branch else out

    def item_biases(self) -> torch.Tensor:
        return self.item_bias.weight.squeeze(1)

    def user_biases(self) -> torch.Tensor:
        return self.user_bias.weight.squeeze(1)

    def scoring_width(self) -> int:
        return sum(p.shape[0] for p in self.layers.parameters())


class RatingDistribution(CollabModel):
    """A probability for each rating level (the course's softmax lesson), trained with
    cross-entropy; its prediction is the expected rating, so RMSE compares it with the others.

    logits = W (u ⊙ v) + level bias + per-level user and item biases. W starts ordinal (each
    level weighs u · v by its place on the scale), so a high u · v means a high rating at once.
    """

    kind = "dist"

    def __init__(self, n_users, n_items, n_factors=50, levels: Sequence[float] = FIVE_STARS):
        super().__init__(n_users, n_items, None)
        if len(levels) < 2:
            raise ValueError("a rating distribution needs at least two rating levels")
        values = torch.tensor([float(v) for v in levels])
        self.register_buffer("levels", values)
        self.register_buffer("cuts", (values[1:] + values[:-1]) / 2)
        self.user_factors = new_embedding(n_users, n_factors)
        self.item_factors = new_embedding(n_items, n_factors)
        self.user_bias = nn.Embedding(n_users, len(values))
        self.item_bias = nn.Embedding(n_items, len(values))
        place = (values - values.mean()) / (values.max() - values.min()) * 2
        self.level_weight = nn.Parameter(place.unsqueeze(1).repeat(1, n_factors))
        self.level_bias = nn.Parameter(torch.zeros(len(values)))
        with torch.no_grad():
            self.user_bias.weight.zero_()
            self.item_bias.weight.zero_()

    def _logits(self, factors, user_bias, item_idx):
        items = table_rows(self.item_factors, item_idx)
        out = (factors * items) @ self.level_weight.T + self.level_bias
        return out + user_bias + table_rows(self.item_bias, item_idx)

    def fit_outputs(self, user_idx, item_idx):
        return self._logits(
            self._user_rows(user_idx), table_rows(self.user_bias, user_idx), item_idx
        )

    def forward(self, user_idx, item_idx):
        return self._expected(self.fit_outputs(user_idx, item_idx))

    def _expected(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.softmax(logits.float(), dim=-1) @ self.levels

    def loss(self, outputs, target):
        """Cross-entropy on the level nearest each rating; squared error of the expectation."""
        level = torch.bucketize(target, self.cuts)
        entropy = nn.functional.cross_entropy(outputs.float(), level, reduction="sum")
        err = self._expected(outputs) - target
        return entropy, (err * err).sum().detach()

    def user_embeddings(self) -> torch.Tensor:
        """Factors and per-level biases: together they are what a user brings to a prediction."""
        return torch.cat([self.user_factors.weight, self.user_bias.weight], dim=1)

    def vector_raw(self, vectors, item_idx):
        """The expected rating (there is no squashing for a distribution)."""
        return self._expected(self._vector_logits(vectors, item_idx))

    def _vector_logits(self, vectors, item_idx):
        k = self.user_factors.embedding_dim
        return self._logits(vectors[:, :k], vectors[:, k:], item_idx)

    def user_vector(self, user_idx: int) -> torch.Tensor:
        """One row of user_embeddings() without building the whole table."""
        return torch.cat([self.user_factors.weight[user_idx], self.user_bias.weight[user_idx]])

    @torch.no_grad()
    def level_probabilities(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        """P(each rating level) per (user, item) pair, shape (pairs, levels)."""
        factors, biases = self.user_factors.weight[user_idx], self.user_bias.weight[user_idx]
        return torch.softmax(self._logits(factors, biases, item_idx).float(), dim=-1)

    @torch.no_grad()
    def vector_level_probabilities(self, vectors, item_idx) -> torch.Tensor:
        """P(each rating level) for user vectors (as from user_embeddings or fold-in)."""
        return torch.softmax(self._vector_logits(vectors, item_idx).float(), dim=-1)

    def scoring_width(self) -> int:
        return self.user_factors.embedding_dim + 2 * len(self.levels)


def build_model(
    kind: str,
    n_users: int,
    n_items: int,
    n_factors: int = 50,
    y_range: tuple[float, float] | None = None,
    layers: Sequence[int] = (100,),
    dot_branch: bool = NN_DOT_BRANCH,
    levels: Sequence[float] = FIVE_STARS,
    n_inputs: int = 0,
) -> CollabModel:
    """Make a fresh model of one of MODEL_KINDS (`dot_branch` is for nn, `levels` for dist,
    `n_inputs` for autorec's stored ratings; make_model fills those)."""
    if kind == "dot":
        return DotProduct(n_users, n_items, n_factors, y_range)
    if kind == "dotbias":
        return DotProductBias(n_users, n_items, n_factors, y_range)
    if kind == "nn":
        return EmbeddingNN(n_users, n_items, n_factors, y_range, layers, dot_branch=dot_branch)
    if kind == "dist":
        return RatingDistribution(n_users, n_items, n_factors, levels)
    if kind == "autorec":
        return ItemAutoRec(n_users, n_items, n_factors, y_range, n_inputs)
    raise ValueError(f"unknown model type {kind!r}; choose one of {', '.join(MODEL_KINDS)}")


def default_y_range(low: float, high: float) -> tuple[float, float]:
    """The data's scale widened by 1/8 of its span each side, so the sigmoid can reach the ends."""
    margin = (high - low) / 8 if high > low else 0.5
    return (low - margin, high + margin)


def rating_levels(config: TrainConfig, scale: RatingScale, source: str) -> tuple[float, ...]:
    """The levels a distribution model predicts: the data's distinct ratings (discrete only)."""
    if config.model != "dist":
        return FIVE_STARS
    if not scale.is_discrete or len(scale.values) < 2:
        count = len(scale.values) or "more than 50"
        kind = "only one" if len(scale.values) == 1 else f"{count} (a continuous scale)"
        raise TrainingError(
            f"the dist model predicts a probability for each rating level, so it needs 2 to 20 "
            f"distinct ratings; {source or 'the training data'} has {kind}: choose the dotbias "
            "or nn model"
        )
    return scale.values


def make_model(config: TrainConfig, train: Ratings) -> CollabModel:
    """A fresh model for `train`, seeded so equal settings give equal weights."""
    y_range = None
    scale = train.scale
    if config.use_y_range and config.model != "dist":
        y_range = config.y_range or default_y_range(scale.low, scale.high)
    levels = rating_levels(config, scale, train.source)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = build_model(
            config.model,
            train.n_users,
            train.n_items,
            config.n_factors,
            y_range,
            config.nn_layers,
            levels=levels,
        )
    if isinstance(model, ItemAutoRec):
        model.set_inputs(train.user_idx, train.item_idx, train.rating)
    return model
