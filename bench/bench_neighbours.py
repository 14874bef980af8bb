"""Which default keeps the similar-items list from being led by barely rated items (ml-100k).

    python bench/bench_neighbours.py [--data /work/shared/data/ml-100k] [--seeds 3] [--model autorec]

Trains the default model on u.data, then for the 100 most-rated items (and for the items ranked
301-400 by rating count) takes the 10 nearest items by cosine of the item factors under each
candidate default: a minimum number of ratings, or the
cosine shrunk by support (cos · n / (n + λ)). Reported per candidate: the share of neighbours with
fewer than 5 (and 20) ratings, the share sharing a genre with the item, and the neighbours' median
rating count. Figures go into docs/results.md ("Similar items"). `--model autorec` trains the
item autoencoder at Tune's starting point instead (its neighbours are cosines of item codes).
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()

import numpy as np
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.runs.search_space import AUTOREC_START
from cfdesk.core.training.trainer import fit

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"
QUERIES, K = 100, 10
QUERY_SETS = {"100 most-rated items": 0, "items ranked 301-400 by ratings": 300}
MIN_RATINGS = (0, 5, 10, 20, 50)
SHRINK = (5, 10, 25, 50)


def candidates(fitted: FittedModel, skip: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per candidate default, the (QUERIES, K) neighbour indices of QUERIES items, the `skip`
    most-rated left out."""
    vectors = fitted.module.item_embeddings().detach().float()
    unit = vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-12)
    count = torch.as_tensor(np.asarray(fitted.item_count, dtype=np.float32))
    queries = np.argsort(-fitted.item_count, kind="stable")[skip : skip + QUERIES]
    cosine = unit[torch.as_tensor(queries)] @ unit.T
    cosine[torch.arange(QUERIES), torch.as_tensor(queries)] = -torch.inf
    cosine[:, count == 0] = -torch.inf
    out = {}
    for least in MIN_RATINGS:
        keys = cosine.masked_fill(count < max(least, 1), -torch.inf)
        out[f"min ratings {least}"] = torch.topk(keys, K, dim=1).indices.numpy()
    for lam in SHRINK:
        keys = torch.where(cosine > 0, cosine * count / (count + lam), cosine)
        out[f"shrunk, λ {lam}"] = torch.topk(keys, K, dim=1).indices.numpy()
    return out, queries


def judge(fitted: FittedModel, queries: np.ndarray, found: np.ndarray) -> dict[str, float]:
    """Share of rarely rated neighbours, genre agreement and the neighbours' median support."""
    count = np.asarray(fitted.item_count)[found]
    genres = [set(g) for g in fitted.item_table.genres]
    shared = [bool(genres[q] & genres[n]) for q, row in zip(queries, found, strict=True)
              for n in row]  # fmt: skip
    return {
        "under 5": float(np.mean(count < 5)),
        "under 20": float(np.mean(count < 20)),
        "same genre": float(np.mean(shared)),
        "median count": float(np.median(count)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--model", choices=("dotbias", "autorec"), default="dotbias")
    args = parser.parse_args()
    ratings = load_ratings(args.data / "u.data")
    rows: dict[tuple[str, str], list[dict]] = {}
    for seed in range(args.seeds):
        kind = AUTOREC_START if args.model == "autorec" else {}
        fitted = fit(ratings, TrainConfig(device="cpu", seed=seed, model=args.model, **kind))
        for label, skip in QUERY_SETS.items():
            found, queries = candidates(fitted, skip)
            for name, idx in found.items():
                rows.setdefault((label, name), []).append(judge(fitted, queries, idx))
    print(f"{args.data / 'u.data'}, top {K} cosine neighbours, {args.model}, {args.seeds} seeds")
    print(
        "| queries | default | neighbours with < 5 ratings | < 20 | share a genre | median ratings |"
    )
    print("|---|---|---|---|---|---|")
    for (label, name), runs in rows.items():
        mean = {key: float(np.mean([r[key] for r in runs])) for key in runs[0]}
        print(
            f"| {label} | {name} | {mean['under 5']:.1%} | {mean['under 20']:.1%} | "
            f"{mean['same genre']:.1%} | {mean['median count']:.0f} |"
        )


if __name__ == "__main__":
    main()
