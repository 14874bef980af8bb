"""What every model kind shares: the CollabModel interface (prediction, loss, user state,
scoring, embeddings), fastai's embedding init, the cheap row lookup, and which weights decay
lightly."""

from __future__ import annotations

import torch
from torch import nn


def light_decay(name: str) -> bool:
    """Biases hold mean offsets and the distribution's level weights its scale: the factors'
    strong decay would erase them (bench/bench_kinds_blend.py: dist 0.9174 decayed, 0.9010
    light)."""
    return "bias" in name or name.startswith("level_")


def new_embedding(n: int, dim: int) -> nn.Embedding:
    """fastai's init: truncated normal with std 0.01 keeps early dot products near zero."""
    emb = nn.Embedding(n, dim)
    with torch.no_grad():
        nn.init.trunc_normal_(emb.weight, std=0.01, a=-0.02, b=0.02)
    return emb


def table_rows(table: nn.Embedding, idx: torch.Tensor) -> torch.Tensor:
    """Embedding lookup whose backward is a plain index_add, far cheaper on the CPU than
    F.embedding's sorting backward (docs/training.md, "What was tried")."""
    return table.weight.index_select(0, idx)


class CollabModel(nn.Module):
    """Shared output range and scoring helpers; subclasses define `raw(user_idx, item_idx)`."""

    kind = ""
    # True when a prediction is squash(user vector · item vector + user bias + item bias): then
    # scoring every item is one matmul and a new user folds in by least squares.
    factorized = False
    # True when each batch should hold whole items (their rows together): the model encodes a
    # batch's distinct items, so grouping them saves recomputing codes (autorec.py).
    batches_by_item = False
    # False when a prediction reads more rows than the batch's users and items (autorec's codes
    # read every rater of an item), so row-sparse updates cannot train it.
    row_sparse_ready = True

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
        rows = table_rows(self.user_factors, user_idx)
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
