"""I-AutoRec (Sedhain et al., 2015): each item's column of training ratings through a sigmoid
hidden layer, decoded for every user.

An item's code h_i = sigmoid(V r_i + c) is computed from the ratings it received in training
(kept in the model as buffers, so a model file carries them), and the prediction is
squash(w_u · h_i + b_u): a factor model whose item factors come from the item's raters instead
of a free table. It is `factorized`, so scoring, least-squares fold-in, maps and neighbours use
the codes as item factors. A folded-in user gets a decoder row and bias against the fixed codes;
their ratings do not enter the items' codes (that would change every other user's predictions).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cfdesk.core.base_model import CollabModel, new_embedding, table_rows

DEFAULT_UNITS = 500  # the paper's hidden layer; cfdesk's n_factors setting for this kind


class ItemAutoRec(CollabModel):
    """w_u · sigmoid(V r_i + c) + b_u; `set_inputs` loads the item columns r_i it encodes."""

    kind = "autorec"
    factorized = True
    batches_by_item = True
    row_sparse_ready = False

    def __init__(
        self, n_users: int, n_items: int, n_factors: int = DEFAULT_UNITS,
        y_range: tuple[float, float] | None = None, n_inputs: int = 0,
    ) -> None:  # fmt: skip
        super().__init__(n_users, n_items, y_range)
        self.user_factors = new_embedding(n_users, n_factors)  # the decoder's rows
        self.encoder = new_embedding(n_users, n_factors)  # V: one column per user, as rows
        self.code_bias = nn.Parameter(torch.zeros(n_factors))
        self.user_bias = nn.Embedding(n_users, 1)
        with torch.no_grad():
            self.user_bias.weight.zero_()
        self.register_buffer("input_indptr", torch.zeros(n_items + 1, dtype=torch.long))
        self.register_buffer("input_users", torch.zeros(n_inputs, dtype=torch.long))
        self.register_buffer("input_values", torch.zeros(n_inputs))
        self._codes: torch.Tensor | None = None  # every item's code while not training

    def train(self, mode: bool = True) -> ItemAutoRec:
        self._codes = None  # training changes the codes
        return super().train(mode)

    def _apply(self, fn, recurse: bool = True):
        self._codes = None  # moved or cast: recompute on the new device
        return super()._apply(fn, recurse)

    def _load_from_state_dict(self, *args, **kwargs) -> None:
        self._codes = None
        super()._load_from_state_dict(*args, **kwargs)

    @property
    def n_inputs(self) -> int:
        """Training ratings the codes are computed from (the model file needs the count)."""
        return int(self.input_users.shape[0])

    def set_inputs(self, user_idx: np.ndarray, item_idx: np.ndarray, rating: np.ndarray) -> None:
        """The training ratings, grouped by item: what each item's code is computed from."""
        order = np.lexsort((user_idx, item_idx))
        counts = np.bincount(item_idx, minlength=self.n_items)
        device = self.encoder.weight.device
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.input_indptr = torch.as_tensor(indptr).to(device)
        self.input_users = torch.as_tensor(user_idx[order], dtype=torch.long).to(device)
        self.input_values = torch.as_tensor(rating[order], dtype=torch.float32).to(device)
        self._codes = None

    def check_inputs(self) -> None:
        """Encoded ratings read from a file must index this model's own users, in item order."""
        indptr, users = self.input_indptr, self.input_users
        ordered = bool((indptr[1:] >= indptr[:-1]).all()) and int(indptr[0]) == 0
        if not ordered or int(indptr[-1]) != self.n_inputs:
            raise ValueError("its encoded ratings are not grouped by item")
        if users.numel() and (int(users.min()) < 0 or int(users.max()) >= self.n_users):
            raise ValueError("its encoded ratings name users it does not have")

    def codes(self, item_idx: torch.Tensor) -> torch.Tensor:
        """sigmoid(V r_i + c) for each item: its factors (an unrated item gets sigmoid(c))."""
        start = self.input_indptr[item_idx]
        count = self.input_indptr[item_idx + 1] - start
        offsets = torch.cumsum(count, 0) - count
        total = int(count.sum())
        pos = torch.repeat_interleave(start - offsets, count, output_size=total)
        pos = pos + torch.arange(total, device=pos.device)
        summed = F.embedding_bag(
            self.input_users[pos], self.encoder.weight, offsets, mode="sum",
            per_sample_weights=self.input_values[pos],
        )  # fmt: skip
        return torch.sigmoid(summed + self.code_bias)

    def _item_rows(self, item_idx: torch.Tensor) -> torch.Tensor:
        """Codes of a batch's items, each distinct item encoded once (outside training, read
        from every item's codes, computed once)."""
        if not self.training:
            return self.item_embeddings().index_select(0, item_idx)
        unique, inverse = torch.unique(item_idx, return_inverse=True)
        return self.codes(unique).index_select(0, inverse)

    def raw(self, user_idx, item_idx):
        dot = (self._user_rows(user_idx) * self._item_rows(item_idx)).sum(dim=1)
        return dot + table_rows(self.user_bias, user_idx).squeeze(1)

    def vector_raw(self, vectors, item_idx):
        return (vectors * self._item_rows(item_idx)).sum(dim=1)

    def score_users(self, user_idx: torch.Tensor) -> torch.Tensor:
        out = self._user_rows(user_idx) @ self.item_embeddings().T + self.user_bias(user_idx)
        return self._squash(out)

    def item_embeddings(self) -> torch.Tensor:
        """Every item's code: about one multiply-add per training rating and unit, so outside
        training it is computed once and kept (a ranker, the map and exports all ask for it)."""
        if self._codes is not None:
            return self._codes
        with torch.set_grad_enabled(self.training and torch.is_grad_enabled()):
            codes = self.codes(torch.arange(self.n_items, device=self.input_indptr.device))
        if not self.training:
            self._codes = codes
        return codes

    def user_biases(self) -> torch.Tensor:
        return self.user_bias.weight.squeeze(1)
