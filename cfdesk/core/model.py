"""The model family of fastbook chapter 8: dot product, dot product + biases, and EmbeddingNN."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from cfdesk.core.config import MODEL_KINDS, TrainConfig
from cfdesk.core.data.ratings import Ratings

NN_DOT_BRANCH = True  # u1.base validation: see docs/training.md ("nn model")


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

    def forward(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        return self._squash(self.raw(user_idx, item_idx))

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
        """Raw score of each (user vector, item) pair without the user bias: fold-in and the
        scorer go through this, so they follow any change of the architecture."""
        items = _rows(self.item_factors, item_idx)
        out = self.layers(torch.cat([vectors, items], dim=1)) + _rows(self.item_bias, item_idx)
        out = out.squeeze(1)
        return out + (vectors * items).sum(dim=1) if self.dot_branch else out

    def item_biases(self) -> torch.Tensor:
        return self.item_bias.weight.squeeze(1)

    def user_biases(self) -> torch.Tensor:
        return self.user_bias.weight.squeeze(1)


def build_model(
    kind: str,
    n_users: int,
    n_items: int,
    n_factors: int = 50,
    y_range: tuple[float, float] | None = None,
    layers: Sequence[int] = (100,),
    dot_branch: bool = NN_DOT_BRANCH,
) -> CollabModel:
    """Make a fresh model of one of MODEL_KINDS (`dot_branch` is for nn only)."""
    if kind == "dot":
        return DotProduct(n_users, n_items, n_factors, y_range)
    if kind == "dotbias":
        return DotProductBias(n_users, n_items, n_factors, y_range)
    if kind == "nn":
        return EmbeddingNN(n_users, n_items, n_factors, y_range, layers, dot_branch=dot_branch)
    raise ValueError(f"unknown model type {kind!r}; choose one of {', '.join(MODEL_KINDS)}")


def default_y_range(low: float, high: float) -> tuple[float, float]:
    """The data's scale widened by 1/8 of its span each side, so the sigmoid can reach the ends."""
    margin = (high - low) / 8 if high > low else 0.5
    return (low - margin, high + margin)


def make_model(config: TrainConfig, train: Ratings) -> CollabModel:
    """A fresh model for `train`, seeded so equal settings give equal weights."""
    y_range = None
    if config.use_y_range:
        scale = train.scale
        y_range = config.y_range or default_y_range(scale.low, scale.high)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return build_model(
            config.model, train.n_users, train.n_items, config.n_factors, y_range, config.nn_layers
        )
