"""`cfdesk tune RATINGS`: search training settings (Optuna), optionally blend the best few, save."""

from __future__ import annotations

import argparse
import signal
import sys

from cfdesk.cli.commands.train import add_input_options
from cfdesk.cli.output import fail, reports_errors
from cfdesk.core.runs.search_space import BAG, ENSEMBLE, KINDS

DEFAULT_MINUTES = 10.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `tune` subcommand."""
    p = subparsers.add_parser(
        "tune",
        help="search training settings for a ratings file (Optuna), optionally blend the best",
        description="Try settings (model kind, factors, learning rate, weight decay, epochs, "
        "batch size, implicit term, nn layers) with Optuna's TPE sampler, judged on a "
        "validation split of RATINGS only; weak trials are pruned early. A --test file is "
        f"scored once, at the end. Without a budget it runs {DEFAULT_MINUTES:g} minutes; "
        "Ctrl+C ends the search and keeps the best so far. One line per trial on stderr.",
    )
    add_input_options(p, "tune", "test file, scored once after the search")
    p.add_argument("--minutes", type=float, help="time budget (the search, refit and scoring)")
    p.add_argument("--trials", type=int, help="trial budget (the first budget reached ends it)")
    p.add_argument(
        "--ensemble",
        type=int,
        default=ENSEMBLE,
        metavar="K",
        help="blend up to K trials chosen greedily from all finished ones for how much they "
        f"improve the blend on the validation split (default {ENSEMBLE}; 1: the best alone)",
    )
    p.add_argument(
        "--bag",
        type=int,
        default=BAG,
        metavar="N",
        help=f"train each chosen setting with N seeds in the refit, each one a member (default "
        f"{BAG})",
    )
    p.add_argument(
        "--models",
        metavar="KINDS",
        help=f"comma-separated model kinds to search (default {','.join(KINDS)})",
    )
    p.add_argument(
        "--no-refit",
        action="store_true",
        help="keep the trials' models (trained without the validation rows) instead of "
        "training the chosen settings again on every rating",
    )
    p.add_argument("--valid-frac", type=float, help="share held out for validation (0.1)")
    p.add_argument(
        "--split",
        choices=("random", "temporal"),
        help="validation rows: random, or each user's latest (to match a test set of later "
        "ratings; default random)",
    )
    p.add_argument("--seed", type=int, default=42, help="sampler, split and model seed (42)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--out", metavar="MODEL", help="save the best model (or ensemble) here")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON summary line")
    p.set_defaults(func=_run)


def _settings(args: argparse.Namespace):
    from cfdesk.core.runs.events import TuneSettings

    minutes = args.minutes
    if minutes is None and args.trials is None:
        minutes = DEFAULT_MINUTES
    kinds = tuple(k.strip() for k in args.models.split(",")) if args.models else KINDS
    return TuneSettings(
        minutes, args.trials, args.ensemble, args.seed, not args.no_refit, kinds, args.bag
    )


def _base(args: argparse.Namespace):
    from cfdesk.core.config import TrainConfig

    changes = {"valid_frac": args.valid_frac, "device": args.device, "split": args.split}
    return TrainConfig(**{k: v for k, v in changes.items() if v is not None})


class _StopOnInterrupt:
    """The first Ctrl+C ends the search and keeps the best so far; a second one aborts."""

    def __init__(self, tuner) -> None:
        self.tuner = tuner
        self.previous = signal.signal(signal.SIGINT, self._on_interrupt)

    def _on_interrupt(self, _signum, _frame) -> None:
        print("\nstopping: finishing with the best trials so far", file=sys.stderr, flush=True)
        self.tuner.stop()
        signal.signal(signal.SIGINT, self.previous)

    def restore(self) -> None:
        signal.signal(signal.SIGINT, self.previous)


@reports_errors
def _run(args: argparse.Namespace) -> int:
    from cfdesk.cli.commands.train import load_inputs
    from cfdesk.cli.progress import TuneProgress
    from cfdesk.cli.recording import close_writer, run_writer
    from cfdesk.cli.tables import report
    from cfdesk.core.runs.dataset import describe_dataset
    from cfdesk.core.runs.study_recorder import StudyRecorder
    from cfdesk.core.runs.tune import Tuner, run_to_end
    from cfdesk.core.storage.model_file import save_model

    settings = _settings(args)
    ratings, test = load_inputs(args, "tune")
    writer = run_writer()
    recorder = StudyRecorder(writer, describe_dataset(ratings), "cli", args.test)
    tuner = Tuner(ratings, settings, _base(args), test, recorder=recorder)
    interrupt = _StopOnInterrupt(tuner)
    try:
        result = run_to_end(tuner, TuneProgress().update)
    except BaseException as exc:
        recorder.study_failed(exc)
        raise
    finally:
        interrupt.restore()
        close_writer(writer)
    if result.fitted is None:
        return fail("no trial finished within the budget; give Tune more minutes or trials")
    summary = {
        **result.summary(),
        "out": str(save_model(result.fitted, args.out)) if args.out else None,
        "study_id": recorder.study.id,
    }
    return report(args, summary)
