"""Packed epoch rows give back exactly the users, items and ratings that went in."""

from __future__ import annotations

import torch

from cfdesk.core.training.batching import pack_rows, unpack_rows


def test_packed_rows_shuffle_as_one_and_unpack_exactly():
    users = torch.tensor([0, 2**31 - 1, 7, 162_540])
    items = torch.tensor([59_046, 0, 3, 2**31 - 1])
    target = torch.tensor([0.5, 5.0, 3.25, -1e-7])
    perm = torch.tensor([2, 0, 3, 1])
    got = unpack_rows(pack_rows(users, items, target).index_select(0, perm))
    for value, want in zip(got, (users, items, target), strict=True):
        assert value.dtype == want.dtype and torch.equal(value, want[perm])
