"""What both ways of training from the terminal share: the ratings file asked for, and the
summary printed (and the model saved) at the end."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from cfdesk.cli.output import print_json


def ratings_path(args: argparse.Namespace, command: str = "train") -> Path:
    """The RATINGS argument, or the demo data's file with --demo."""
    if args.demo:
        from cfdesk.core.data.demo import demo_ratings_path

        return demo_ratings_path()
    if args.ratings:
        return Path(args.ratings)
    raise SystemExit(f"cfdesk {command}: error: give a RATINGS file or --demo")


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def summary_of(fitted, out: str | None) -> dict:
    """The figures `--json` prints; saves the model to `out` first when given."""
    from cfdesk.core.storage.model_file import save_model

    m = fitted.metrics
    held_out = "test" if m["n_test"] else "valid"
    return {
        "model": fitted.config.model,
        "device": m["device"],
        "epochs": m["epochs_run"],
        **{key: m[key] for key in ("kept_epoch", "kept") if key in m},  # which epoch and why
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
        "out": str(save_model(fitted, out)) if out else None,
    }


def print_summary(summary: dict, as_json: bool) -> None:
    """One JSON line, or one `key: value` line per figure."""
    if as_json:
        print_json(summary)
        return
    for key, value in summary.items():
        print(f"{key}: {distributed_line(value) if key == 'distributed' else value}")


def _processes(n: int) -> str:
    return f"{n} process" if n == 1 else f"{n} processes"


def distributed_line(facts: dict) -> str:
    """One line about a distributed run: processes, and per process what it held and sent."""
    shares = facts.get("per_process", [])
    rss = [s["peak_rss_bytes"] for s in shares if s.get("peak_rss_bytes")]
    sent = [sum(t["bytes"] for t in s["traffic"].values()) for s in shares]
    weights = [s["weights"] for s in shares]
    return (
        f"{_processes(facts['processes'])} ({facts['backend']}), {facts['schedule']}; per process "
        f"{min(weights, default=0):,}-{max(weights, default=0):,} weights, peak memory "
        f"{max(rss, default=0) / 2**20:,.0f} MiB at most, {max(sent, default=0) / 1e6:,.1f} MB "
        "sent at most"
    )
