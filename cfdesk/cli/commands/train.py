"""`cfdesk train RATINGS`: train a model from the terminal, optionally save it and print JSON."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from cfdesk.cli.output import print_json, reports_errors

MODELS = ("dot", "dotbias", "nn")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train a recommender on a ratings file",
        description="Train a collaborative-filtering model; progress goes to stderr. Settings "
        "not given keep cfdesk's tuned defaults (see docs/training.md).",
    )
    p.add_argument("ratings", nargs="?", metavar="RATINGS", help="ratings file (CSV, TSV, ...)")
    p.add_argument("--demo", action="store_true", help="train on the built-in demo data set")
    p.add_argument("--items", metavar="FILE", help="item metadata file (titles, genres)")
    p.add_argument("--test", metavar="FILE", help="separate test file, scored at the end")
    p.add_argument("--model", choices=MODELS, help="model type (default dotbias)")
    p.add_argument("--factors", type=int, help="latent factors (default 50)")
    p.add_argument("--epochs", type=int, help="epochs (default 10)")
    p.add_argument("--lr", type=float, help="peak learning rate at batch 1024 (default 0.01)")
    p.add_argument("--wd", type=float, help="weight decay on factors (default 1.5)")
    p.add_argument("--batch-size", type=int, help="power of two (default: from the data size)")
    p.add_argument("--accum", type=int, help="gradient accumulation steps (default 1)")
    p.add_argument(
        "--valid-frac",
        type=float,
        help="share held out for validation (default 0.1; 0 when --test is given)",
    )
    p.add_argument(
        "--implicit",
        action=argparse.BooleanOptionalAction,
        help="SVD++'s implicit term (which items each user rated); --no-implicit trains the "
        "plain model (default: on, off for row-sparse models of 2M+ embedding weights)",
    )
    p.add_argument("--split", choices=("random", "temporal"), help="validation split")
    p.add_argument("--patience", type=int, help="early stopping patience in epochs (0 = off)")
    p.add_argument("--seed", type=int, help="random seed (default 42)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--out", metavar="MODEL", help="save the model to this .cfmodel file")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON summary line")
    p.set_defaults(func=_run)


def _config(args: argparse.Namespace):
    from cfdesk.core.config import TrainConfig

    names = {
        "model": "model", "factors": "n_factors", "epochs": "epochs", "lr": "lr",
        "wd": "weight_decay", "batch_size": "batch_size", "accum": "accum_steps",
        "valid_frac": "valid_frac", "split": "split", "patience": "patience", "seed": "seed",
        "device": "device", "implicit": "implicit",
    }  # fmt: skip
    changes = {field: getattr(args, arg) for arg, field in names.items()}
    changes = {k: v for k, v in changes.items() if v is not None}
    if args.test and args.valid_frac is None:
        changes["valid_frac"] = 0.0  # the test file measures; train on every row
    return TrainConfig(**changes)


def _load(args: argparse.Namespace):
    from cfdesk.core.data.loader import load_ratings

    if args.demo:
        from cfdesk.core.data.demo import demo_ratings_path

        path = demo_ratings_path()
    elif args.ratings:
        path = Path(args.ratings)
    else:
        raise SystemExit("cfdesk train: error: give a RATINGS file or --demo")
    ratings = load_ratings(path, items=args.items if args.items else None)
    test = load_ratings(args.test, items=False) if args.test else None
    return ratings, test


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _warn(sentence: str) -> None:
    """The run store failed: say so once; training goes on."""
    print(f"cfdesk: warning: this run is not recorded: {sentence}", file=sys.stderr, flush=True)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.cli.progress import ProgressBar
    from cfdesk.core.data.split import prepare_split
    from cfdesk.core.runs.dataset import describe_dataset
    from cfdesk.core.runs.recorder import RunRecorder, train_recorded
    from cfdesk.core.runs.store import RunStore
    from cfdesk.core.runs.writer import RunWriter
    from cfdesk.core.storage.model_file import save_model
    from cfdesk.core.training.trainer import Trainer

    config = _config(args)
    ratings, test = _load(args)
    train, valid, test = prepare_split(ratings, config, test)
    trainer = Trainer(train, valid, config, test)
    writer = RunWriter(RunStore.default(), on_problem=_warn)
    recorder = RunRecorder(
        writer, describe_dataset(ratings), config, source="cli", test_path=args.test
    )
    try:
        fitted = train_recorded(trainer, recorder, ProgressBar().update)
        out = save_model(fitted, args.out) if args.out else None
        if out is not None:
            recorder.set_model_path(out)
    finally:
        writer.close()
    m = fitted.metrics
    held_out = "test" if m["n_test"] else "valid"
    summary = {
        "model": fitted.config.model,
        "device": m["device"],
        "epochs": m["epochs_run"],
        "train_rmse": _clean(m["train_rmse"]),
        "valid_rmse": _clean(m["valid_rmse"]),
        "test_rmse": _clean(m["test_rmse"]),
        "baseline_rmse": _clean(m["baselines"]["user_item_bias"].get(held_out)),
        "global_mean_rmse": _clean(m["baselines"]["global_mean"].get(held_out)),
        "fit_seconds": round(m["fit_seconds"], 3),
        "n_train": m["n_train"],
        "n_valid": m["n_valid"],
        "n_valid_skipped": m["n_valid_skipped"],
        "n_test": m["n_test"],
        "n_test_skipped": m["n_test_skipped"],
        "batch_size": m["batch_size"],
        "lr": m["lr"],
        "out": str(out) if out is not None else None,
        "run_id": recorder.handle.id,
    }
    if args.json:
        print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0
