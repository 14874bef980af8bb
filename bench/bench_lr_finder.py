"""Find LR's suggestion rules against the default rate: validation RMSE of a default fit at each.

Run from the repository root (u1 needs MovieLens-100k in ../shared/data/ml-100k):
    python bench/bench_lr_finder.py [--sets u1,demo] [--models dotbias,nn,dist] [--seeds 1]

Per data set and model: the finder sweeps the training part of a validation split (as the app
does), each rule picks a rate from the curve, and the default settings train at that rate on
the same training part; the validation rows score it. The finder never sees the validation
rows. Rules: valley (fastai's, the old suggestion), steep (steepest fall), min/10 (fastai's
lr_min, the curve rule now), and "checked": what the app offers now, min/10 tried against the
default rate on a split of the training part itself (`lr_check.check_rates`).
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.demo import demo_ratings_path
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.training import batching, lr_check, lr_finder
from cfdesk.core.training.trainer import Trainer

ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"


def data_path(name: str) -> Path:
    return ML100K / "u1.base" if name == "u1" else demo_ratings_path()


def valid_rmse(train, valid, config: TrainConfig) -> float:
    trainer = Trainer(train, valid, config)
    for _ in trainer.reports():
        pass
    return trainer.result().metrics["valid_rmse"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="u1,demo")
    parser.add_argument("--models", default="dotbias,nn,dist")
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    print("| data | model | seed | rule | rate | validation RMSE | vs default |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        ratings = load_ratings(data_path(name))
        for model in args.models.split(","):
            for seed in range(42, 42 + args.seeds):
                config = TrainConfig(model=model, seed=seed)
                train, valid, _ = prepare_split(ratings, config)
                found = lr_finder.find_lr(train, config)
                batch = batching.effective_batch(config, train.n_ratings)
                rules = {
                    "default": config.lr,
                    "valley (old)": lr_finder.valley(found.lrs, found.losses),
                    "steep": lr_finder.steepest(found.lrs, found.losses),
                    "min/10": lr_finder.minimum_over_ten(found.lrs, found.losses),
                }
                check = lr_check.check_rates(train, config, found.config_lr)
                rules["checked (now)"] = check.best_lr
                default = valid_rmse(train, valid, config)
                for rule, rate in rules.items():
                    lr = (
                        rate
                        if rule in ("default", "checked (now)")
                        else (batching.scaled_lr(rate, batch, config.lr_batch))
                    )
                    rmse = (
                        default
                        if rule == "default"
                        else valid_rmse(train, valid, config.with_changes(lr=lr))
                    )
                    print(f"| {name} | {model} | {seed} | {rule} | {lr:.3g} | {rmse:.4f} | "
                          f"{rmse - default:+.4f} |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
