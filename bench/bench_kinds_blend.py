"""Model kinds alone and blended, on a validation split of u1.base (u1.test is never read).

Run from the repository root (MovieLens-100k in ../shared/data/ml-100k):
    python bench/bench_kinds_blend.py [--seed 42]

Trains each model below on the same 90 % of u1.base and prints its validation RMSE, then the
NNLS blend (runs/blend.py, as Tune's ensembles) of all of them and of the best with each other
one. Also the dist model with its level weights decayed like the factors (the choice
`model.light_decay` replaced), to show why they decay like biases.
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()


from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.runs import blend
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
}  # fmt: skip


def fit(train, valid, changes: dict):
    trainer = Trainer(train, valid, TrainConfig(**changes))
    for _ in trainer.reports():
        pass
    return trainer.result()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
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
    for k in range(1, len(names)):
        pair = x[:, [0, k]]
        w, b = blend.fit_blend(pair, y)
        print(f"{blend.blend_rmse(pair, y, w, b):.4f}  blend of the first with {names[k]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
