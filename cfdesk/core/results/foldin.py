"""Fold a new user into a trained model from a few ratings, without retraining."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.lookup import item_index

DEFAULT_REG = 1.0  # pull toward the average user; a handful of ratings cannot pin 50 factors
GRADIENT_STEPS = 300  # the nn model has no closed form: Adam on the user vector and bias
_LR = 0.05
_EDGE = 1e-3  # ratings at the ends of y_range map to a finite logit


@dataclass(frozen=True, eq=False)
class FoldedUser:
    """A user vector and bias fitted against frozen item factors; `method` says how."""

    vector: torch.Tensor  # (n_factors,)
    bias: float
    item_idx: np.ndarray  # the items the user rated (excluded from their recommendations)
    ratings: np.ndarray
    method: str  # "least-squares" or "gradient"


def _pairs_to_arrays(fitted: FittedModel, pairs: Iterable[tuple[object, float]]) -> tuple:
    """Resolve raw item ids (unknown ones raise UnknownIdError); a repeated item keeps its last."""
    chosen: dict[int, float] = {}
    for item_id, rating in pairs:
        chosen[item_index(fitted, item_id)] = float(rating)
    if not chosen:
        raise CfdeskError("rate at least one item to get recommendations for a new user")
    idx = np.fromiter(chosen, dtype=np.int64)
    return idx, np.fromiter(chosen.values(), dtype=np.float32)


def rating_logits(ratings: np.ndarray, y_range: tuple[float, float] | None) -> np.ndarray:
    """Undo the output sigmoid so the fit is linear; ratings at or past the ends are clipped."""
    if y_range is None:
        return ratings.astype(np.float64)
    low, high = y_range
    p = np.clip((ratings - low) / (high - low), _EDGE, 1 - _EDGE)
    return np.log(p / (1 - p))


def fold_in(
    fitted: FittedModel, pairs: Iterable[tuple[object, float]], reg: float = DEFAULT_REG
) -> FoldedUser:
    """Fit a vector (and bias) for someone the model has never seen from (item_id, rating) pairs.

    Factorized models (the dot family, autorec) solve ridge least squares toward the average trained user in closed form
    (milliseconds); the others (nn, dist, ensembles) run GRADIENT_STEPS Adam steps on one row
    of the model's user state.
    """
    idx, ratings = _pairs_to_arrays(fitted, pairs)
    module = fitted.module
    if module.factorized:
        return _least_squares(fitted, idx, ratings, reg)
    return _gradient(fitted, idx, ratings, reg)


@torch.no_grad()
def _least_squares(
    fitted: FittedModel, idx: np.ndarray, ratings: np.ndarray, reg: float
) -> FoldedUser:
    """min ||A w - y||² + reg ||w - w0||², A = [item vectors, 1], y = logit(r) - item bias."""
    module = fitted.module
    vectors = module.item_embeddings().detach().double().numpy()[idx]
    prior = module.user_embeddings().detach().double().mean(dim=0).numpy()
    targets = rating_logits(ratings, module.y_range)
    item_bias, user_bias = module.item_biases(), module.user_biases()
    if item_bias is not None:
        targets = targets - item_bias.detach().double().numpy()[idx]
    has_bias = user_bias is not None  # autorec has a user bias but no item bias
    if has_bias:
        vectors = np.hstack([vectors, np.ones((len(idx), 1))])
        prior = np.append(prior, float(user_bias.detach().double().mean()))
    gram = vectors.T @ vectors + reg * np.eye(vectors.shape[1])
    w = np.linalg.solve(gram, vectors.T @ targets + reg * prior)
    vector, bias = (w[:-1], float(w[-1])) if has_bias else (w, 0.0)
    return FoldedUser(
        torch.as_tensor(vector, dtype=torch.float32), bias, idx, ratings, "least-squares"
    )


def _gradient(fitted: FittedModel, idx: np.ndarray, ratings: np.ndarray, reg: float) -> FoldedUser:
    """Adam on one row of the model's user state (vector, and bias where the model has one),
    weights frozen; squared error on the rating scale, pulled toward the average user.

    Predictions go through the model's own `state_predict`, so whatever the network adds (item
    biases, extra inputs, the members of an ensemble) is part of the fit.
    """
    module = fitted.module
    module.eval()
    with torch.no_grad():
        prior = module.user_state().detach().float().mean(dim=0)
    has_bias = module.user_biases() is not None
    items = torch.as_tensor(idx)
    target = torch.as_tensor(ratings)
    params = prior.clone().requires_grad_(True)
    first, second = torch.zeros_like(prior), torch.zeros_like(prior)
    with _one_thread(), torch.enable_grad():
        for step in range(1, GRADIENT_STEPS + 1):
            pred = module.state_predict(params.expand(len(idx), -1), items)
            loss = ((pred - target) ** 2).sum() + reg * ((params - prior) ** 2).sum()
            (grad,) = torch.autograd.grad(loss, params)  # the network's weights stay untouched
            first.mul_(0.9).add_(grad, alpha=0.1)
            second.mul_(0.999).addcmul_(grad, grad, value=0.001)
            with torch.no_grad():
                step_size = _LR / (1 - 0.9**step)
                params -= step_size * first / ((second / (1 - 0.999**step)).sqrt() + 1e-8)
    state = params.detach().clone()
    if has_bias:
        return FoldedUser(state[:-1], float(state[-1]), idx, ratings, "gradient")
    return FoldedUser(state, 0.0, idx, ratings, "gradient")


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Tiny tensors: with busy cores, a second thread makes each step far slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
