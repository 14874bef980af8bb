"""The model family of fastbook chapter 8 (dot product, dot product + biases, EmbeddingNN) and
the course's softmax lesson: a distribution over the rating levels."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from cfdesk.core.config import MODEL_KINDS, TrainConfig
from cfdesk.core.data.ratings import Ratings, RatingScale
from cfdesk.core.errors import TrainingError

FIVE_STARS = (1.0, 2.0, 3.0, 4.0, 5.0)
NN_DOT_BRANCH = True  # u1.base validation: see docs/training.md ("nn model")


def light_decay(name: str) -> bool:
    """Biases hold mean offsets and the distribution's level weights its scale: the factors'
    strong decay would erase them (bench/bench_kinds_blend.py: dist 0.9174 decayed, 0.9010
    light)."""
    return "bias" in name or name.startswith("level_")


def _embedding(n: int, dim: int) -> nn.Embedding:
    """fastai's init: truncated normal with std 0.01 keeps early dot products near zero."""
    emb = nn.Embedding(n, dim)
    with torch.no_grad():
        nn.init.trunc_normal_(emb.weight, std=0.01, a=-0.02, b=0.02)
    return emb


def _rows(table: nn.Embedding, idx: torch.Tensor) -> torch.Tensor:
    """Embedding lookup whose backward is a plain index_add, far cheaper on the CPU than
    F.embedding's sorting backward (docs/training.md, "What was tried")."""
    return table.weight.index_select(0, idx)


class CollabModel(nn.Module):
    """Shared output range and scoring helpers; subclasses define `raw(user_idx, item_idx)`."""

    kind = ""

    def __init__(self, n_users: int, n_items: int, y_range: tuple[float, float] | None) -> None:
        super().__init__()
        self.n_users, self.n_items = n_users, n_items
        self.y_range = None if y_range is None else (float(y_range[0]), float(y_range[1]))
        # SVD++'s implicit term while it trains (training/implicit.py): the item table y and
        # each user's offset z; trained models are merged into plain factors without them.
        self.implicit: nn.Embedding | None = None
        self.user_offsets: torch.Tensor | None = None

    def add_implicit_table(self) -> nn.Embedding:
        """Register the implicit item table y (zeros, on the factors' device) and return it."""
        table = nn.Embedding(self.n_items, self.user_factors.embedding_dim)
        with torch.no_grad():
            table.weight.zero_()
        self.implicit = table.to(self.user_factors.weight.device)
        return self.implicit

    def _user_rows(self, user_idx: torch.Tensor) -> torch.Tensor:
        """User factors, plus the implicit-feedback offsets while those are being trained."""
        rows = _rows(self.user_factors, user_idx)
        if self.user_offsets is None:
            return rows
        return rows + self.user_offsets.index_select(0, user_idx)

    def raw(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def vector_raw(self, vectors: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        """Raw score of (user vector, item) pairs without the user bias: fold-in and the scorer
        go through this, so they follow any change of the architecture."""
        raise NotImplementedError

    def forward(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        return self._squash(self.raw(user_idx, item_idx))

    def fit_outputs(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        """What the training loss reads: the predictions here, logits for a distribution."""
        return self(user_idx, item_idx)

    def loss(
        self, outputs: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed training loss, summed squared error) of a batch: the trainer minimises the
        first and reports the second as RMSE, whatever the model trains on."""
        err = outputs.float() - target
        squares = (err * err).sum()
        return squares, squares

    def user_state(self) -> torch.Tensor:
        """Every per-user weight a prediction reads, one row per user (fold-in fits one row)."""
        vectors, biases = self.user_embeddings(), self.user_biases()
        return vectors if biases is None else torch.cat([vectors, biases.unsqueeze(1)], dim=1)

    def state_predict(self, state: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        """Predicted ratings of (user_state() row, item) pairs."""
        if self.user_biases() is None:
            return self._squash(self.vector_raw(state, item_idx))
        return self._squash(self.vector_raw(state[:, :-1], item_idx) + state[:, -1])

    def scoring_width(self) -> int:
        """Floats per (user, item) pair when every item is scored (bounds the scorer's batches)."""
        return 1

    def _squash(self, out: torch.Tensor) -> torch.Tensor:
        """Sigmoid into y_range keeps predictions on the data's scale."""
        if self.y_range is None:
            return out
        low, high = self.y_range
        return torch.sigmoid(out) * (high - low) + low

    def score_users(self, user_idx: torch.Tensor) -> torch.Tensor:
        """Predicted rating of every item for each user in the batch: shape (batch, n_items)."""
        items = torch.arange(self.n_items, device=user_idx.device)
        users = user_idx.repeat_interleave(self.n_items)
        return self(users, items.repeat(len(user_idx))).view(len(user_idx), self.n_items)

    def item_embeddings(self) -> torch.Tensor:
        """Item factors, the vectors the map, neighbours and fold-in use."""
        return self.item_factors.weight

    def user_embeddings(self) -> torch.Tensor:
        return self.user_factors.weight

    def item_biases(self) -> torch.Tensor | None:
        """Per-item bias, or None for models without one."""
        return None

    def user_biases(self) -> torch.Tensor | None:
        return None


class DotProduct(CollabModel):
    """The book's DotProduct: user · item, optionally squashed into y_range."""

    kind = "dot"

    def __init__(self, n_users, n_items, n_factors=50, y_range=None) -> None:
        super().__init__(n_users, n_items, y_range)
        self.user_factors = _embedding(n_users, n_factors)
        self.item_factors = _embedding(n_items, n_factors)

    def raw(self, user_idx, item_idx):
        return (self._user_rows(user_idx) * _rows(self.item_factors, item_idx)).sum(dim=1)

    def vector_raw(self, vectors, item_idx):
        return (vectors * _rows(self.item_factors, item_idx)).sum(dim=1)

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
            + _rows(self.user_bias, user_idx).squeeze(1)
            + _rows(self.item_bias, item_idx).squeeze(1)
        )

    def vector_raw(self, vectors, item_idx):
        return super().vector_raw(vectors, item_idx) + _rows(self.item_bias, item_idx).squeeze(1)

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
        self.user_factors = _embedding(n_users, n_factors)
        self.item_factors = _embedding(n_items, item_factors or n_factors)
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
        user_bias = _rows(self.user_bias, user_idx).squeeze(1)
        return self.vector_raw(self._user_rows(user_idx), item_idx) + user_bias

    def vector_raw(self, vectors: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        items = _rows(self.item_factors, item_idx)
        out = self.layers(torch.cat([vectors, items], dim=1)) + _rows(self.item_bias, item_idx)
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
        self.user_factors = _embedding(n_users, n_factors)
        self.item_factors = _embedding(n_items, n_factors)
        self.user_bias = nn.Embedding(n_users, len(values))
        self.item_bias = nn.Embedding(n_items, len(values))
        place = (values - values.mean()) / (values.max() - values.min()) * 2
        self.level_weight = nn.Parameter(place.unsqueeze(1).repeat(1, n_factors))
        self.level_bias = nn.Parameter(torch.zeros(len(values)))
        with torch.no_grad():
            self.user_bias.weight.zero_()
            self.item_bias.weight.zero_()

    def _logits(self, factors, user_bias, item_idx):
        items = _rows(self.item_factors, item_idx)
        out = (factors * items) @ self.level_weight.T + self.level_bias
        return out + user_bias + _rows(self.item_bias, item_idx)

    def fit_outputs(self, user_idx, item_idx):
        return self._logits(self._user_rows(user_idx), _rows(self.user_bias, user_idx), item_idx)

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
) -> CollabModel:
    """Make a fresh model of one of MODEL_KINDS (`dot_branch` is for nn, `levels` for dist)."""
    if kind == "dot":
        return DotProduct(n_users, n_items, n_factors, y_range)
    if kind == "dotbias":
        return DotProductBias(n_users, n_items, n_factors, y_range)
    if kind == "nn":
        return EmbeddingNN(n_users, n_items, n_factors, y_range, layers, dot_branch=dot_branch)
    if kind == "dist":
        return RatingDistribution(n_users, n_items, n_factors, levels)
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
        return build_model(
            config.model,
            train.n_users,
            train.n_items,
            config.n_factors,
            y_range,
            config.nn_layers,
            levels=levels,
        )
