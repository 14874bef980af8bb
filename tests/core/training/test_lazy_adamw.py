"""The lazy (row-sparse) AdamW is torch.optim.AdamW where a batch touches every row: the fused
branch and the op-by-op branch, on the CPU's exact-size tables and on CUDA's slot tables."""

from __future__ import annotations

import copy

import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.model import make_model
from cfdesk.core.training import device as device_module
from cfdesk.core.training import row_sparse
from cfdesk.core.training.optim import build_optimizer, set_lr_and_momentum
from cfdesk.core.training.row_sparse import adamw_
from cfdesk.core.training.steps import AutogradStep, make_step

# (lr, beta1) per step: the one-cycle schedule moves both every step
SCHEDULE = [(0.02, 0.95), (0.05, 0.9), (0.03, 0.85), (0.01, 0.9), (0.004, 0.95)]


TOLERANCE = {"cpu": {"rtol": 1e-5, "atol": 1e-6}, "cuda": {"rtol": 1e-4, "atol": 1e-5}}  # atomics
GPU = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]
PLACES = [  # (device, tables): CUDA always uses slot tables
    ("cpu", "exact tables"),
    ("cpu", "slot tables"),
    pytest.param("cuda", "slot tables", marks=GPU),
]


@pytest.fixture(params=["fused", "op by op"])
def branch(request):
    """Which adamw_ branch runs: torch's fused kernel, or the same arithmetic op by op."""
    return request.param


def _use(monkeypatch, device: str, branch: str, tables: str) -> torch.device:
    """Pick the adamw_ branch and the tables for runs on `device`."""
    monkeypatch.setitem(row_sparse._FUSED, device, branch == "fused")
    if tables == "slot tables":
        monkeypatch.setattr(device_module, "SYNC_FREE_DEVICES", frozenset({"cuda", "cpu"}))
    return torch.device(device)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=GPU)])
def test_adamw_matches_torch_optim_adamw_step_by_step(monkeypatch, branch, device):
    dev = _use(monkeypatch, device, branch, "exact tables")
    torch.manual_seed(0)
    start = torch.randn(7, 5, device=dev)
    ours, theirs = start.clone(), torch.nn.Parameter(start.clone())
    exp_avg, exp_avg_sq = torch.zeros_like(start), torch.zeros_like(start)
    reference = torch.optim.AdamW([theirs], lr=0.0, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.3)
    step = torch.zeros((), device=dev)
    for lr, beta1 in SCHEDULE:
        grad = torch.randn_like(start)
        step += 1
        adamw_(ours, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=(beta1, 0.99),
               weight_decay=0.3, eps=1e-8)  # fmt: skip
        theirs.grad = grad.clone()
        set_lr_and_momentum(reference, lr, beta1)
        reference.step()
        torch.testing.assert_close(ours, theirs.detach(), rtol=1e-6, atol=1e-6)


def _every_row_batch(tiny, device: torch.device):
    """All of `tiny` as one batch: every user and every item has ratings in it."""
    users = torch.as_tensor(tiny.user_idx, dtype=torch.long)
    items = torch.as_tensor(tiny.item_idx, dtype=torch.long)
    assert len(users.unique()) == tiny.n_users and len(items.unique()) == tiny.n_items
    target = torch.as_tensor(tiny.rating, dtype=torch.float32)
    return users.to(device), items.to(device), target.to(device)


@pytest.mark.parametrize("device, tables", PLACES)
@pytest.mark.parametrize("kind", ["dot", "dotbias", "nn"])
def test_lazy_step_touching_every_row_is_torch_adamw(
    tiny, monkeypatch, kind, branch, device, tables
):
    dev = _use(monkeypatch, device, branch, tables)
    config = TrainConfig(model=kind, n_factors=6, nn_layers=(8,), implicit=False, seed=3)
    lazy_module = make_model(config, tiny).to(dev)
    dense_module = copy.deepcopy(lazy_module)
    lazy = make_step(lazy_module, config, 0.0, True, None, dev)  # hand-gradient or row-sparse
    dense = AutogradStep(dense_module, build_optimizer(dense_module, config), None, False)
    assert not isinstance(lazy, AutogradStep)
    users, items, target = _every_row_batch(tiny, dev)
    for lr, beta1 in SCHEDULE:
        for opt in (lazy, dense):
            set_lr_and_momentum(opt, lr, beta1)
            opt.train_step(users, items, target, micro=len(target) // 2)
        for name, value in dense_module.state_dict().items():
            torch.testing.assert_close(lazy_module.state_dict()[name], value, **TOLERANCE[device])
