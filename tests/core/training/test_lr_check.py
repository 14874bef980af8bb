"""Find LR's check: the suggestion is offered only when it trains better than the rate set."""

from __future__ import annotations

from cfdesk.core.training.lr_check import check_rates


def test_a_suggestion_that_trains_worse_keeps_the_current_rate(tiny, quick):
    check = check_rates(tiny, quick.with_changes(lr=0.01), suggested_lr=1e-6)
    assert check.keeps_current and check.best_lr == 0.01
    assert check.current_rmse < check.suggested_rmse


def test_a_suggestion_that_trains_better_is_offered(tiny, quick):
    seen: list[float] = []
    check = check_rates(tiny, quick.with_changes(lr=1e-6), 0.01, progress=seen.append)
    assert not check.keeps_current and check.best_lr == 0.01
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_cancelling_returns_nothing(tiny, quick):
    assert check_rates(tiny, quick, 0.02, should_stop=lambda: True) is None
