"""Several trained models as one: a weighted blend of their predictions (Tune's ensembles).

The blend is a CollabModel like the others, so scoring, recommendations, exports and files need
nothing new. A user's vector is the concatenation of every member's user state (factors and
bias), so fold-in fits all members' rows at once; the map, neighbours and item facts use the
first member's item factors (the member with the lowest validation RMSE): a concatenation would
mix factor spaces of different scales, and one member's map is the one a user can interpret.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from cfdesk.core.model import CollabModel


class Ensemble(CollabModel):
    """intercept + Σ weight_k · member_k(user, item); members keep their own output ranges."""

    kind = "ensemble"

    def __init__(
        self, members: Sequence[CollabModel], weights: Sequence[float], intercept: float = 0.0
    ) -> None:
        if not members or len(members) != len(weights):
            raise ValueError("an ensemble needs one weight per member, and at least one member")
        first = members[0]
        if any((m.n_users, m.n_items) != (first.n_users, first.n_items) for m in members):
            raise ValueError("ensemble members must share their users and items")
        super().__init__(first.n_users, first.n_items, None)
        self.members = nn.ModuleList(members)
        self.register_buffer("weights", torch.tensor([float(w) for w in weights]))
        self.register_buffer("intercept", torch.tensor(float(intercept)))
        self._widths = [int(m.user_state().shape[1]) for m in members]

    def forward(self, user_idx: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        out = self.intercept.expand(len(user_idx)).float()
        for weight, member in zip(self.weights, self.members, strict=True):
            out = out + weight * member(user_idx, item_idx).float()
        return out

    def user_embeddings(self) -> torch.Tensor:
        """Every member's user state side by side (what fold-in fits for a new user)."""
        return torch.cat([m.user_state() for m in self.members], dim=1)

    def vector_raw(self, vectors: torch.Tensor, item_idx: torch.Tensor) -> torch.Tensor:
        """The blended rating of (user vector, item) pairs (a blend is not squashed again)."""
        parts = vectors.split(self._widths, dim=1)
        out = self.intercept.expand(len(item_idx)).float()
        for weight, member, part in zip(self.weights, self.members, parts, strict=True):
            out = out + weight * member.state_predict(part, item_idx).float()
        return out

    def item_embeddings(self) -> torch.Tensor:
        """The first (best) member's item factors: see the module's docstring."""
        return self.members[0].item_embeddings()

    def scoring_width(self) -> int:
        return sum(m.scoring_width() for m in self.members)
