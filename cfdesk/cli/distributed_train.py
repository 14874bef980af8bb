"""`cfdesk train RATINGS --distributed` in each process torchrun starts: every process loads and
trains its part; process 0 shows progress, writes the model file and prints the summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from cfdesk.cli.train_shared import print_summary, ratings_path, summary_of
from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import CfdeskError, WriteError


def _check_out(out: str | None) -> None:
    """Refuse an output folder that does not exist before training, not after."""
    if out and not Path(out).resolve().parent.is_dir():
        raise WriteError(f"cannot write {out}: the folder {Path(out).parent} does not exist")


def run_distributed(args: argparse.Namespace, config: TrainConfig) -> int:
    """Train this process's part; on process 0 save `--out` and print the summary."""
    from cfdesk.cli.progress import ProgressBar
    from cfdesk.core.training.distributed.agree import load_parts
    from cfdesk.core.training.distributed.comm import LostContact
    from cfdesk.core.training.distributed.launch import joined, launch_from_env, pick_device
    from cfdesk.core.training.distributed.trainer import ShardedTrainer

    launch = launch_from_env()
    path = ratings_path(args)
    try:
        with joined(launch, pick_device(config.device, launch)) as comm:
            if comm.rank == 0:  # after joining: the others then see at once that it stopped
                _check_out(args.out)
            part = load_parts(path, config, comm, args.test)
            trainer = ShardedTrainer(part, config, comm)
            bar = ProgressBar() if comm.rank == 0 else None
            for report in trainer.reports():
                if bar is not None:
                    bar.update(report)
            fitted = trainer.result(item_file=args.items or None)
    except LostContact:
        raise
    except CfdeskError as exc:  # say which process: the others only lose contact
        raise CfdeskError(f"process {launch.rank} of {launch.size}: {exc}") from exc
    if fitted is None:
        return 0
    summary = summary_of(fitted, args.out)
    summary["distributed"] = fitted.metrics["distributed"]
    print_summary(summary, args.json)
    return 0
