"""Process 0 puts the shards back together: one ordinary model (users sorted by id, items in the
job's index), the seen items, counts and metrics, so the model file is like any other."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.loader import load_item_table, sniff
from cfdesk.core.fitted import FittedModel, SeenItems, rated_rows
from cfdesk.core.model import CollabModel, build_model
from cfdesk.core.training.distributed.agree import Part
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.local_step import item_tables
from cfdesk.core.training.distributed.plan import ShardLayout
from cfdesk.core.training.distributed.sync import replicated_parameters


def peak_rss_bytes() -> int | None:
    """This process's peak resident memory so far (None where the OS does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _user_tables(module: CollabModel) -> dict[str, torch.Tensor]:
    return {
        f"{name}.weight": sub.weight
        for name, sub in module.named_modules()
        if isinstance(sub, torch.nn.Embedding) and name.startswith("user")
    }


def _numpy(tables: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    return {name: t.detach().cpu().numpy() for name, t in tables.items()}


def own_share(module: CollabModel, part: Part, shard: int, stats: dict, comm: Comm) -> dict:
    """What this process sends process 0: its users' rows and ids, the item shard it holds,
    its users' rated items and counts, and figures about itself."""
    rated = rated_rows(part.train, part.valid)
    groups = rated.by_user(within=rated.item_idx)
    return {
        "user_ids": part.train.users.ids,
        "users": _numpy(_user_tables(module)),
        "item_shard": shard,
        "items": _numpy(item_tables(module)),
        "user_count": part.train.user_counts(),
        "seen_counts": groups.counts,
        "seen_items": rated.item_idx[groups.order].astype(np.int32),
        "stats": {
            **stats,
            "rank": comm.rank,
            "peak_rss_bytes": peak_rss_bytes(),
            "traffic": comm.summary(),
        },  # fmt: skip
    }


def _user_order(shares: list[dict]) -> tuple[IdIndex, np.ndarray]:
    """Every process's users sorted by id (as one process indexes them), and the order that
    sorts the concatenated shares."""
    ids = [s["user_ids"] for s in shares if len(s["user_ids"])]
    every = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    if all(np.asarray(s).dtype.kind in "iu" for s in ids):
        every = every.astype(np.int64)
    order = np.argsort(every, kind="stable")
    return IdIndex(every[order]), order


def _seen(shares: list[dict], order: np.ndarray) -> SeenItems:
    """Rated items per user, CSR over the sorted users."""
    counts = np.concatenate([s["seen_counts"] for s in shares]).astype(np.int64)
    items = np.concatenate([s["seen_items"] for s in shares])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    lengths = counts[order]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    within = np.arange(indptr[-1]) - np.repeat(indptr[:-1], lengths)
    return SeenItems(indptr, items[np.repeat(starts[order], lengths) + within])


@torch.no_grad()
def _whole_module(shares, local, config, n_users, n_items, layout, order) -> CollabModel:
    """One model holding every process's rows; the replicated weights are process 0's."""
    kind, layers = local.kind, getattr(local, "hidden", config.nn_layers)
    whole = build_model(kind, n_users, n_items, config.n_factors, local.y_range, layers)
    for name, table in _user_tables(whole).items():
        table.copy_(torch.from_numpy(np.concatenate([s["users"][name] for s in shares])[order]))
    held = sorted(s["item_shard"] for s in shares)
    if held != list(range(layout.n_shards)):
        raise AssertionError(f"item shards held at the end: {held}")
    for share in shares:
        items, slots = layout.members(share["item_shard"])
        for name, table in item_tables(whole).items():
            table[torch.from_numpy(items)] = torch.from_numpy(share["items"][name][slots])
    for mine, theirs in zip(
        replicated_parameters(whole), replicated_parameters(local), strict=True
    ):
        mine.copy_(theirs.detach().cpu())
    whole.eval()
    for param in whole.parameters():
        param.requires_grad_(False)
    return whole


def assemble(
    shares: list[dict],
    local: CollabModel,
    config: TrainConfig,
    part: Part,
    layout: ShardLayout,
    history: list[dict],
    metrics: dict,
    facts: dict,
    item_file: str | Path | bool | None = None,
) -> FittedModel:
    """The FittedModel of the whole job (process 0); `item_file` as `load_ratings`' `items`."""
    users, order = _user_order(shares)
    items = part.train.items
    user_count = np.concatenate([s["user_count"] for s in shares]).astype(np.int64)[order]
    source = part.train.source
    if item_file is None and source:
        item_file = sniff(source).item_file
    table = load_item_table(item_file, items)[0] if item_file else None
    facts = {**facts, "per_process": [s["stats"] for s in shares]}
    return FittedModel(
        module=_whole_module(shares, local, config, len(users), len(items), layout, order),
        config=config,
        users=users,
        items=items,
        seen=_seen(shares, order),
        item_count=part.item_counts.astype(np.int64),
        item_mean=part.item_means,
        user_count=user_count,
        rating_range=(part.low, part.high),
        item_table=table,
        held_out_users=frozenset(users.ids[user_count == 0].tolist()),
        held_out_items=frozenset(items.ids[part.item_counts == 0].tolist()),
        history=history,
        metrics={**metrics, "distributed": facts},
        dataset_name=Path(source).name if source else "",
    )
