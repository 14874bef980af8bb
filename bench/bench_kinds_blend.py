"""Model kinds alone and blended, on a validation split of u1.base (u1.test is never read).

Run from the repository root (MovieLens-100k in ../shared/data/ml-100k):
    python bench/bench_kinds_blend.py [--seed 42] [--bag 3]

Trains each model below on the same 90 % of u1.base and prints its validation RMSE, then the
NNLS blend (runs/blend.py) of all of them and of the default dotbias with each other one. Also
the dist model with its level weights decayed like the factors (the choice
`base_model.light_decay` replaced), to show why they decay like biases. Then what Tune's
ensembles do: bags of seeds (the default dotbias and autorec's start, each averaged over 1..bag
seeds, alone and blended), and the greedy selection of up to 3 and 5 members followed by NNLS
weights, against NNLS over all and the best 5 alone, each fitted on one random half of the
validation rows and scored on the other (5 halvings, both ways: a fair estimate of how much of
the blend's gain is not fitted noise).
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from cfdesk.entry import configure_openmp

configure_openmp()


from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.runs import blend
from cfdesk.core.runs.search_space import AUTOREC_START
from cfdesk.core.runs.selection import greedy_selection
from cfdesk.core.training import optim
from cfdesk.core.training.trainer import Trainer

ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"
MODELS = {
    "dotbias, tuned on u1 (bench_tune.py's best)": {
        "n_factors": 74, "lr": 0.00764, "weight_decay": 1.633, "epochs": 11,
    },
    "dotbias, 200 factors, wd 3, 15 epochs": {
        "n_factors": 200, "lr": 0.005, "weight_decay": 3.0, "epochs": 15,
    },
    "dotbias defaults": {},
    "dotbias without the implicit term": {"implicit": False},
    "nn": {"model": "nn"},
    "nn, layers (32,), wd 2": {"model": "nn", "nn_layers": (32,), "weight_decay": 2.0},
    "dist": {"model": "dist"},
    "dot": {"model": "dot"},
    "autorec (Tune's start)": {"model": "autorec", **AUTOREC_START},
    "autorec without the implicit term": {"model": "autorec", **AUTOREC_START, "implicit": False},
    "autorec, 287 units, lr 0.0024, wd 7, 31 epochs": {
        "model": "autorec", "n_factors": 287, "lr": 0.0024, "weight_decay": 7.0, "epochs": 31,
    },
}  # fmt: skip
HALVINGS = 5


def fit(train, valid, changes: dict):
    trainer = Trainer(train, valid, TrainConfig(**changes))
    for _ in trainer.reports():
        pass
    return trainer.result()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bag", type=int, default=3)
    args = parser.parse_args()
    base = load_ratings(ML100K / "u1.base")
    train, valid, _ = prepare_split(base, TrainConfig(seed=args.seed))
    fits = {}
    for name, changes in MODELS.items():
        fits[name] = fit(train, valid, {**changes, "seed": args.seed})
        print(f"{fits[name].metrics['valid_rmse']:.4f}  {name}", flush=True)
    light = optim.light_decay
    optim.light_decay = lambda name: "bias" in name  # level weights decay like the factors
    try:
        decayed = fit(train, valid, {"model": "dist", "seed": args.seed})
    finally:
        optim.light_decay = light
    print(f"{decayed.metrics['valid_rmse']:.4f}  dist, level weights decayed like the factors")
    names = list(fits)
    x, y = blend.validation_predictions([fits[n] for n in names], valid)
    weights, intercept = blend.fit_blend(x, y)
    print(f"{blend.blend_rmse(x, y, weights, intercept):.4f}  blend of all "
          f"(weights {', '.join(f'{w:.2f}' for w in weights)})")  # fmt: skip
    first = names.index("dotbias defaults")
    for k, name in enumerate(names):
        if k != first:
            pair = x[:, [first, k]]
            w, b = blend.fit_blend(pair, y)
            print(f"{blend.blend_rmse(pair, y, w, b):.4f}  dotbias defaults with {name}")
    bags(train, valid, args, fits)
    halves(x, y, names)
    return 0


def bags(train, valid, args, fits) -> None:
    """Seed bags of the default dotbias and autorec's start: alone, and their blend with the
    weights fitted on the single-seed predictions (as Tune's refit uses them)."""
    columns = {}
    for name in ("dotbias defaults", "autorec (Tune's start)"):
        runs = [fits[name]]
        for k in range(1, args.bag):
            runs.append(fit(train, valid, {**MODELS[name], "seed": args.seed + k}))
        x, y = blend.validation_predictions(runs, valid)
        columns[name] = x
        for n in range(1, args.bag + 1):
            print(f"{blend.blend_rmse(x[:, :n].mean(1, keepdims=True), y, [1.0], 0.0):.4f}  "
                  f"{name}, {n} seed(s) averaged")  # fmt: skip
    one = np.stack([c[:, 0] for c in columns.values()], axis=1)
    w, b = blend.fit_blend(one, y)
    for n in range(1, args.bag + 1):
        bagged = np.stack([c[:, :n].mean(1) for c in columns.values()], axis=1)
        print(f"{blend.blend_rmse(bagged, y, w, b):.4f}  both blended, {n} seed(s) each "
              f"(weights {', '.join(f'{v:.2f}' for v in w)} from one seed)")  # fmt: skip


def halves(x: np.ndarray, y: np.ndarray, names: list[str]) -> None:
    """Each way of choosing and weighting, fitted on half the validation rows, scored on the
    other half; the mean over HALVINGS random halvings, both ways."""
    rng = np.random.default_rng(0)
    scores: dict[str, list[float]] = {}

    def score(key: str, cols, rows_fit, rows_out) -> None:
        w, b = blend.fit_blend(x[rows_fit][:, cols], y[rows_fit])
        scores.setdefault(key, []).append(blend.blend_rmse(x[rows_out][:, cols], y[rows_out], w, b))

    for _ in range(HALVINGS):
        half = rng.random(len(y)) < 0.5
        for a, b in ((half, ~half), (~half, half)):
            alone = np.sqrt(np.mean((x[a] - y[a, None]) ** 2, axis=0))
            order = list(np.argsort(alone))
            scores.setdefault("best alone", []).append(
                blend.blend_rmse(x[b][:, order[:1]], y[b], [1.0], 0.0))  # fmt: skip
            score("NNLS over the best 5 alone", order[:5], a, b)
            score("NNLS over all", list(range(x.shape[1])), a, b)
            for k in (3, 5):
                picked = list(greedy_selection(x[a], y[a], k).columns)
                score(f"greedy selection of up to {k}, then NNLS", picked, a, b)
    for key, values in scores.items():
        print(f"{np.mean(values):.4f}  {key} (fitted on one half, scored on the other)")
    picked = greedy_selection(x, y, 5)
    shares = zip(picked.columns, picked.counts, strict=True)
    print(
        "greedy selection of up to 5 on all rows: "
        + ", ".join(f"{names[c]} ×{n}" for c, n in shares)
    )


if __name__ == "__main__":
    raise SystemExit(main())
