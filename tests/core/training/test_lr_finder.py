"""The LR finder sweeps on a copy: the caller's model is untouched, and it can be cancelled."""

from __future__ import annotations

import math

import torch

from cfdesk.core.model import make_model
from cfdesk.core.training.lr_finder import LRFinder, find_lr, valley


def test_sweep_suggests_a_rate_and_leaves_the_model_untouched(tiny, quick):
    model = make_model(quick, tiny)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    seen = []
    result = find_lr(tiny, quick, model=model, progress=seen.append, n_steps=60)
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, before[name], rtol=0, atol=0)
    assert len(result.lrs) == len(result.losses) == len(seen) > 10
    assert result.lrs == sorted(result.lrs)
    assert result.lrs[0] < result.suggestion < result.lrs[-1]
    assert math.isclose(result.config_lr, result.suggestion)  # batch 128 is the lr batch


def test_should_stop_cancels_the_sweep(tiny, quick):
    result = find_lr(tiny, quick, should_stop=lambda: True, n_steps=60)
    assert len(result.lrs) == 1


def test_diverging_loss_stops_the_sweep(tiny, quick):
    config = quick.with_changes(use_y_range=False, optimizer="sgd")
    finder = LRFinder(tiny, config, start_lr=1e-3, end_lr=1e6, n_steps=100)
    steps = list(finder.steps())
    assert len(steps) < 100


def test_valley_picks_inside_the_longest_fall():
    lrs = [10**e for e in range(-6, 2)]
    losses = [5, 5, 4, 3, 2, 1, 3, 9]
    assert 1e-5 <= valley(lrs, losses) <= 1e-2
