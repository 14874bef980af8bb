"""`cfdesk train RATINGS`: train a model from the terminal, optionally save it and print JSON."""

from __future__ import annotations

import argparse

from cfdesk.cli.output import reports_errors
from cfdesk.cli.train_shared import print_summary, ratings_path, summary_of
from cfdesk.core.config import MODEL_KINDS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train a recommender on a ratings file",
        description="Train a collaborative-filtering model; progress goes to stderr. Settings "
        "not given keep cfdesk's tuned defaults (see docs/training.md).",
    )
    add_input_options(p, "train", "separate test file, scored at the end")
    p.add_argument("--model", choices=MODEL_KINDS, help="model type (default dotbias)")
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
    p.add_argument(
        "--keep-last",
        dest="keep_best",
        action="store_false",
        default=None,
        help="keep the last epoch's weights instead of the best validation epoch's",
    )
    p.add_argument("--seed", type=int, help="random seed (default 42)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--out", metavar="MODEL", help="save the model to this .cfmodel file")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON summary line")
    p.add_argument(
        "--distributed",
        action="store_true",
        help="train across the processes torchrun starts, embedding tables sharded over them "
        "(see docs/distributed.md); process 0 writes --out",
    )
    p.set_defaults(func=_run)


def add_input_options(parser: argparse.ArgumentParser, verb: str, test_help: str) -> None:
    """RATINGS or --demo, --items and --test: what `train` and `tune` read (load_inputs)."""
    parser.add_argument("ratings", nargs="?", metavar="RATINGS", help="ratings file (CSV, ...)")
    parser.add_argument("--demo", action="store_true", help=f"{verb} on the built-in demo data")
    parser.add_argument("--items", metavar="FILE", help="item metadata file (titles, genres)")
    parser.add_argument("--test", metavar="FILE", help=test_help)


def _config(args: argparse.Namespace):
    from cfdesk.core.config import TrainConfig

    names = {
        "model": "model", "factors": "n_factors", "epochs": "epochs", "lr": "lr",
        "wd": "weight_decay", "batch_size": "batch_size", "accum": "accum_steps",
        "valid_frac": "valid_frac", "split": "split", "patience": "patience", "seed": "seed",
        "device": "device", "implicit": "implicit", "keep_best": "keep_best",
    }  # fmt: skip
    changes = {field: getattr(args, arg) for arg, field in names.items()}
    changes = {k: v for k, v in changes.items() if v is not None}
    if args.test and args.valid_frac is None:
        changes["valid_frac"] = 0.0  # the test file measures; train on every row
    return TrainConfig(**changes)


def load_inputs(args: argparse.Namespace, command: str = "train"):
    """(ratings, test or None) from RATINGS or --demo, --items and --test."""
    from cfdesk.core.data.loader import load_ratings

    path = ratings_path(args, command)
    ratings = load_ratings(path, items=args.items if args.items else None)
    test = load_ratings(args.test, items=False) if args.test else None
    return ratings, test


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.cli.progress import ProgressBar
    from cfdesk.cli.recording import close_writer, run_writer
    from cfdesk.core.data.split import prepare_split
    from cfdesk.core.runs.dataset import describe_dataset
    from cfdesk.core.runs.recorder import RunRecorder, train_recorded
    from cfdesk.core.training.trainer import Trainer

    config = _config(args)
    if args.distributed:
        from cfdesk.cli.distributed_train import run_distributed

        return run_distributed(args, config)
    ratings, test = load_inputs(args)
    train, valid, test = prepare_split(ratings, config, test)
    trainer = Trainer(train, valid, config, test)
    writer = run_writer()
    recorder = RunRecorder(
        writer, describe_dataset(ratings), config, source="cli", test_path=args.test
    )
    try:
        fitted = train_recorded(trainer, recorder, ProgressBar().update)
        summary = summary_of(fitted, args.out)  # saves the model first
        if summary["out"]:
            recorder.set_model_path(summary["out"])
    finally:
        close_writer(writer)
    summary["run_id"] = recorder.handle.id
    print_summary(summary, args.json)
    return 0
