"""Raw (pre-sigmoid) scores of every item for batches of users, with factors cached on a device."""

from __future__ import annotations

import copy

import numpy as np
import torch

from cfdesk.core.model import CollabModel

SCORE_BYTES_PER_BATCH = 256 * 2**20  # bounds the (batch, n_items) score block


class ItemScorer:
    """Scores users against all items; dot-product models skip the per-user bias for ranking.

    Ranking uses `key = raw_without_user_bias + extra` (one fused matmul); the predicted rating of
    the few items kept is recovered from the key, so the sigmoid runs on top-k entries only.
    """

    def __init__(self, module: CollabModel, device: str | torch.device = "cpu") -> None:
        self.device = torch.device(device)
        self.module = module
        module.eval()
        self.is_dot = module.factorized
        self.n_items = module.n_items
        with torch.no_grad():
            self.item_vectors = module.item_embeddings().detach().float().to(self.device)
            self.user_vectors = module.user_embeddings().detach().float()
            ib, ub = module.item_biases(), module.user_biases()
            zeros = torch.zeros(self.n_items)
            self.item_bias = (zeros if ib is None else ib.detach().float()).to(self.device)
            self.user_bias = None if ub is None else ub.detach().float()
        self._net = None if self.is_dot else self._device_copy(module)

    def _device_copy(self, module: CollabModel) -> CollabModel:
        """Other models than the dot family run on the chosen device without moving the caller's
        CPU copy."""
        return module if self.device.type == "cpu" else copy.deepcopy(module).to(self.device)

    @property
    def batch_size(self) -> int:
        """Users per batch so the score block (and a network's hidden activations) stay bounded."""
        width = 1 if self.is_dot else self._net.scoring_width()
        return max(1, SCORE_BYTES_PER_BATCH // (4 * self.n_items * max(1, width)))

    def item_offset(self) -> torch.Tensor:
        """What a dot model adds per item before the user enters (its item bias)."""
        return self.item_bias if self.is_dot else torch.zeros_like(self.item_bias)

    @torch.no_grad()
    def keys(
        self, user_idx: np.ndarray, extra: torch.Tensor, out: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Ranking keys (batch, n_items): raw score without the user's own bias, plus `extra`.

        `out`, a reusable (>= batch, n_items) buffer, spares a large allocation per batch.
        """
        users = torch.as_tensor(user_idx, dtype=torch.int64)
        if self.is_dot:
            vectors = self.user_vectors[users].to(self.device)
            if out is None:
                return torch.addmm(extra, vectors, self.item_vectors.T)
            return torch.addmm(extra, vectors, self.item_vectors.T, out=out[: len(users)])
        return self._net_raw(self.user_vectors[users].to(self.device)) + extra

    @torch.no_grad()
    def folded_keys(self, vector: torch.Tensor, extra: torch.Tensor) -> torch.Tensor:
        """Ranking keys (1, n_items) for a user vector that is not in the model (fold-in)."""
        vector = vector.float().to(self.device).view(1, -1)
        if self.is_dot:
            return torch.addmm(extra, vector, self.item_vectors.T)
        return self._net_raw(vector) + extra

    def _net_raw(self, vectors: torch.Tensor) -> torch.Tensor:
        """Other models score every (user, item) pair through their own vector_raw (biases too)."""
        b, n = vectors.shape[0], self.n_items
        items = torch.arange(n, device=self.device).repeat(b)
        return self._net.vector_raw(vectors.repeat_interleave(n, dim=0), items).view(b, n)

    def user_offset(self, user_idx: np.ndarray) -> torch.Tensor:
        """The user bias a dot model adds to every item, shape (batch, 1)."""
        if self.user_bias is None:
            return torch.zeros(len(user_idx), 1)
        return self.user_bias[torch.as_tensor(user_idx, dtype=torch.int64)].view(-1, 1)

    def squash(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw scores -> predicted ratings (sigmoid into y_range when the model has one)."""
        return self.module._squash(raw)
