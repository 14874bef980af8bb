"""Distributed training benchmark, gloo on 127.0.0.1: MovieLens-100k u1 accuracy with 1, 2 and 4
processes, epochs of a 25M-rating MovieLens-25M-shaped file with 1 and 2 processes, alternating (what
the processes exchanged, and peak memory per process), and, with --lookups, what the design not taken
(model-parallel lookups with all-to-all every step) would exchange per epoch at that shape.

Run from the repository root, alone on the machine:
    flock /tmp/cfdesk-bench.lock .venv/bin/python bench/bench_distributed.py [--skip-u1]
        [--skip-big] [--big-n N] [--big-file PATH] [--runs R] [--epochs E] [--lookups]
The 25M file is generated into a temporary folder (bench_load.generate) unless --big-file names
one. Each run is a fresh `cfdesk train` (torchrun for 2+ processes); the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ML100K = ROOT.parent / "shared" / "data" / "ml-100k"
BIG_SHAPE = (162_541, 59_047)  # MovieLens-25M users, items
EXCHANGE = "the item-shard exchange"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def torchrun(nproc: int, *args: str) -> list[str]:
    """A torchrun command line on this machine's loopback address only."""
    return [sys.executable, "-m", "torch.distributed.run", f"--nproc-per-node={nproc}",
            "--master-addr=127.0.0.1", f"--master-port={_free_port()}", *args]  # fmt: skip


def train(nproc: int, ratings: Path, *options: str) -> dict:
    """`cfdesk train` on one process (nproc 1, the single-process trainer) or `nproc` under
    torchrun; the JSON summary plus wall seconds and the peak RSS of the largest process."""
    cli = ["-m", "cfdesk", "train", str(ratings), *options, "--json"]
    command = [sys.executable, *cli] if nproc == 1 else torchrun(nproc, *cli, "--distributed")
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)  # this run's own peak, not every child's
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read()[-3000:]}")
        out.seek(0)
        summary = json.loads(out.read().strip().splitlines()[-1])
    summary["wall_s"] = wall
    summary["peak_rss_mb"] = usage.ru_maxrss / 1024
    return summary


def _per_process(summary: dict) -> list[dict]:
    """Per process: weights, peak RSS and bytes/seconds exchanged (nothing for one process)."""
    rows = []
    for share in summary.get("distributed", {}).get("per_process", []):
        traffic = share["traffic"]
        rows.append({
            "rank": share["rank"], "ratings": share["ratings"], "weights": share["weights"],
            "optimizer_state": share["optimizer_state"],
            "peak_rss_mb": (share["peak_rss_bytes"] or 0) / 2**20,
            "rss_after_load_mb": share["rss_after_load_bytes"] / 2**20,
            "sent_mb": sum(t["bytes"] for t in traffic.values()) / 1e6,
            "exchange_s": sum(t["seconds"] for t in traffic.values()),
            "traffic": traffic,
        })  # fmt: skip
    return rows


def u1_accuracy() -> list[dict]:
    """Test RMSE on u1.test with the defaults (and --model nn, dot) on 1, 2 and 4 processes."""
    rows = []
    for model in ("dotbias", "nn", "dot"):
        for nproc in (1, 2, 4):
            base, test = ML100K / "u1.base", ML100K / "u1.test"
            summary = train(nproc, base, "--test", str(test), "--model", model)
            row = {"model": model, "processes": nproc, "test_rmse": summary["test_rmse"],
                   "fit_s": summary["fit_seconds"], "peak_rss_mb": summary["peak_rss_mb"],
                   "per_process": _per_process(summary)}  # fmt: skip
            rows.append(row)
            print(f"  u1 {model:7s} {nproc} process(es): test RMSE {row['test_rmse']:.4f} "
                  f"fit {row['fit_s']:.2f} s", file=sys.stderr, flush=True)  # fmt: skip
    return rows


def _history(model: Path) -> list[dict]:
    from cfdesk.core.storage.model_file import load_model

    return load_model(model).history


def big_epochs(path: Path, epochs: int, factors: int, runs: int) -> dict:
    """The same file trained by one process and by two, alternating `runs` times so the
    machine's load drifts hit both alike; epoch figures from the model files."""
    out: dict = {"1_process": [], "2_process": []}
    options = ["--epochs", str(epochs), "--factors", str(factors), "--valid-frac", "0"]
    with tempfile.TemporaryDirectory(prefix="cfdesk-bench-") as tmp:
        for _ in range(runs):
            for nproc in (1, 2):
                model = Path(tmp) / f"big{nproc}.cfmodel"
                summary = train(nproc, path, *options, "--out", str(model))
                history = _history(model)
                model.unlink()
                run = {
                    "n_train": summary["n_train"], "wall_s": summary["wall_s"],
                    "epoch_s": [h["seconds"] for h in history],
                    "ratings_per_s": [h["samples_per_second"] for h in history],
                    "train_rmse": summary["train_rmse"], "batch": summary["batch_size"],
                    "peak_rss_mb": summary["peak_rss_mb"], "per_process": _per_process(summary),
                    "load_average": os.getloadavg()[0],
                }  # fmt: skip
                out[f"{nproc}_process"].append(run)
                print(f"  25M {nproc} process(es): {[f'{r / 1e6:.2f}' for r in run['ratings_per_s']]}"
                      f" M ratings/s, wall {run['wall_s']:.0f} s", file=sys.stderr, flush=True)  # fmt: skip
    return out


def lookups_child(n: int, factors: int, steps: int) -> None:
    """Under torchrun: the per-step exchange of model-parallel lookups (items owned by
    item mod N, each rank's batch drawn with MovieLens-25M's item popularity): ids out, rows
    back, gradients out, for `steps` steps; process 0 prints JSON."""
    import torch
    import torch.distributed as dist

    dist.init_process_group("gloo")
    rank, size = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(rank)
    weights = 1.0 / (np.arange(BIG_SHAPE[1]) + 20.0)
    popularity = weights / weights.sum()
    local_batch = (1 << math.ceil(math.log2(n / 1000))) // size  # the automatic batch, shared
    width = factors + 1  # factors and bias per item row
    sent = 0
    seconds = 0.0
    for _ in range(steps):
        items = np.unique(rng.choice(BIG_SHAPE[1], local_batch, p=popularity))
        owner = items % size
        wanted = [torch.as_tensor(items[owner == peer]) for peer in range(size)]
        wanted[rank] = wanted[rank][:0]  # own rows need no exchange
        counts = torch.tensor([len(w) for w in wanted])
        start = time.perf_counter()
        theirs = torch.empty_like(counts)
        dist.all_to_all_single(theirs, counts)
        asked = torch.empty(int(theirs.sum()), dtype=torch.long)
        dist.all_to_all_single(asked, torch.cat(wanted), theirs.tolist(), counts.tolist())
        rows = torch.randn(len(asked), width)
        got = torch.empty(int(counts.sum()), width)
        dist.all_to_all_single(got, rows, counts.tolist(), theirs.tolist())  # rows back
        grads = torch.empty(len(asked), width)
        dist.all_to_all_single(grads, got, theirs.tolist(), counts.tolist())  # gradients out
        seconds += time.perf_counter() - start
        sent += 8 * int(counts.sum()) + 4 * width * (len(asked) + int(counts.sum()))
    per_epoch = math.ceil(n / (local_batch * size))
    if rank == 0:
        print(json.dumps({"steps_measured": steps, "steps_per_epoch": per_epoch,
                          "sent_mb_per_epoch": sent / steps * per_epoch / 1e6,
                          "seconds_per_epoch": seconds / steps * per_epoch}))  # fmt: skip
    dist.destroy_process_group()


def lookups(n: int, factors: int, steps: int) -> dict:
    """Run lookups_child under torchrun with 2 processes."""
    args = [str(Path(__file__)), "--lookups-child", "--big-n", str(n), "--factors", str(factors),
            "--lookup-steps", str(steps)]  # fmt: skip
    done = subprocess.run(torchrun(2, *args), capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(summary: dict) -> str:
    """Markdown tables for docs/distributed.md."""
    lines = []
    if "u1" in summary:
        lines += ["| model | processes | test RMSE | fit s | weights per process (max) | "
                  "peak RSS per process (max) | sent per process |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        for row in summary["u1"]:
            shares = row["per_process"]
            weights = f"{max(s['weights'] for s in shares):,}" if shares else "all"
            rss = max((s["peak_rss_mb"] for s in shares), default=row["peak_rss_mb"])
            sent = f"{max(s['sent_mb'] for s in shares):.1f} MB" if shares else "-"
            lines.append(f"| {row['model']} | {row['processes']} | {row['test_rmse']:.4f} | "
                         f"{row['fit_s']:.2f} | {weights} | {rss:.0f} MB | {sent} |")  # fmt: skip
    for key, runs in summary.get("big", {}).items():
        speeds = [statistics.median(r["ratings_per_s"]) for r in runs]
        lines.append(f"\n{key}: {runs[0]['n_train']:,} ratings, batch {runs[0]['batch']}: median "
                     f"{statistics.median(speeds) / 1e6:.2f} M ratings/s over {len(runs)} runs "
                     f"({', '.join(f'{v / 1e6:.2f}' for v in speeds)}), epoch seconds "
                     f"{[r['epoch_s'] for r in runs]}, wall {[round(r['wall_s']) for r in runs]} s, "
                     f"largest process's peak RSS {[round(r['peak_rss_mb']) for r in runs]} MB")  # fmt: skip
        for share in runs[-1]["per_process"]:
            lines.append(f"  process {share['rank']} (last run): {share['ratings']:,} ratings, "
                         f"{share['weights']:,} weights, RSS after loading "
                         f"{share['rss_after_load_mb']:.0f} MB, peak {share['peak_rss_mb']:.0f} MB")  # fmt: skip
            for what, t in share["traffic"].items():
                lines.append(f"    {what}: {t['bytes'] / 1e6:.1f} MB in {t['seconds']:.2f} s "
                             f"({t['calls']} calls)")  # fmt: skip
    if "lookups" in summary:
        look = summary["lookups"]
        lines.append(f"\nall-to-all lookups instead: {look['sent_mb_per_epoch']:.0f} MB and "
                     f"{look['seconds_per_epoch']:.1f} s of exchange per epoch per process "
                     f"({look['steps_per_epoch']} steps, {look['steps_measured']} measured)")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Everything asked for, then the tables and one JSON line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--skip-u1", action="store_true")
    p.add_argument("--skip-big", action="store_true")
    p.add_argument("--big-n", type=int, default=25_000_000)
    p.add_argument("--big-file", type=Path, help="an existing ratings file instead of a new one")
    p.add_argument("--epochs", type=int, default=2, help="epochs of each 25M run")
    p.add_argument("--runs", type=int, default=3, help="alternating 1- and 2-process 25M runs")
    p.add_argument("--factors", type=int, default=64)
    p.add_argument("--lookups", action="store_true", help="also measure the all-to-all design")
    p.add_argument("--lookup-steps", type=int, default=100)
    p.add_argument("--lookups-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.lookups_child:
        lookups_child(args.big_n, args.factors, args.lookup_steps)
        return 0
    summary: dict = {"load_average": os.getloadavg()}
    if not args.skip_u1:
        summary["u1"] = u1_accuracy()
    if not args.skip_big:
        with tempfile.TemporaryDirectory(prefix="cfdesk-bench-data-") as tmp:
            path = args.big_file
            if path is None:
                from bench_load import generate

                path = Path(tmp) / "ratings.csv"
                start = time.perf_counter()
                generate(path, args.big_n)
                print(f"  generated {args.big_n:,} ratings in {time.perf_counter() - start:.0f} s",
                      file=sys.stderr)  # fmt: skip
            summary["big"] = big_epochs(path, args.epochs, args.factors, args.runs)
    if args.lookups:
        summary["lookups"] = lookups(args.big_n, args.factors, args.lookup_steps)
    print(report(summary))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
