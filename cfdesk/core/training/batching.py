"""Batch size and learning rate: automatic batch sizes and the rule the rate follows."""

from __future__ import annotations

import math

import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.errors import OutOfMemoryError, TrainingError

MIN_AUTO_BATCH = 1024
MAX_AUTO_BATCH = 65536
STEPS_PER_EPOCH = 1000  # automatic batches grow so an epoch stays about this many steps

LR_RULE = (
    "the rate follows the batch size: proportional below the reference batch (halve the batch, "
    "halve the rate), proportional to its square root above it (Adam's noise scale)"
)


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def _lr_factor(batch: int, reference: int) -> float:
    ratio = batch / reference
    return ratio if ratio <= 1 else math.sqrt(ratio)


def scaled_lr(lr: float, from_batch: int, to_batch: int) -> float:
    """The rate for `to_batch` given a rate tuned at `from_batch` (see LR_RULE)."""
    if from_batch <= 0 or to_batch <= 0:
        raise TrainingError("batch sizes must be positive to scale the learning rate")
    return lr * _lr_factor(to_batch, from_batch) / _lr_factor(from_batch, from_batch)


def effective_batch(config: TrainConfig, n_train: int | None = None) -> int:
    """Samples per optimizer step: the setting, or automatic (a power of two from the data size).

    Automatic keeps 1024 for up to ~1M ratings (accuracy) and grows for bigger data so an epoch
    stays near STEPS_PER_EPOCH steps (speed: every step updates every embedding row).
    """
    if config.batch_size:
        if not _is_power_of_two(config.batch_size):
            raise TrainingError(
                f"batch_size setting {config.batch_size} must be a power of two (e.g. 512, 1024)"
            )
        return config.batch_size
    wanted = max(MIN_AUTO_BATCH, (n_train or 0) // STEPS_PER_EPOCH)
    return min(MAX_AUTO_BATCH, 1 << math.ceil(math.log2(wanted)))


def micro_batch(batch: int, accum_steps: int) -> int:
    """Samples per forward pass when a step is accumulated over `accum_steps` passes."""
    if accum_steps < 1 or batch % accum_steps:
        raise TrainingError(
            f"accum_steps setting {accum_steps} must be a power of two that divides the batch "
            f"size {batch}"
        )
    return batch // accum_steps


def lr_rule_sentence(config: TrainConfig, batch: int, lr: float) -> str:
    """What the user sees next to the rate: the reference, the batch and the scaled rate."""
    if batch == config.lr_batch:
        return f"lr {config.lr:g} at batch {batch} (the batch it is set for)"
    return (
        f"lr {config.lr:g} is set for batch {config.lr_batch}; batch {batch} uses {lr:.4g} "
        f"({LR_RULE})"
    )


def after_out_of_memory(epoch: int, batch: int, accum: int, retry: bool) -> tuple[int, int]:
    """(micro-batch, accumulation) to retry with after running out of memory, when `retry`;
    otherwise OutOfMemoryError naming them."""
    accum *= 2
    if accum > batch:
        raise OutOfMemoryError(
            f"the device ran out of memory in epoch {epoch} even one rating at a time; "
            "use a smaller model (fewer factors) or the CPU",
            1,
            batch,
        )
    micro = batch // accum
    if not retry:
        raise OutOfMemoryError(
            f"the device ran out of memory in epoch {epoch} at batch size {batch} with "
            f"accumulation {accum // 2}; batch size {micro} with accumulation {accum} (same "
            "effective batch) should fit",
            micro,
            accum,
        )
    return micro, accum


def epoch_order(n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """A random permutation of range(n) for one epoch: sorting random 31-bit keys (stable, so a
    seed gives one order) is cheaper on the CPU than randperm's swaps."""
    if device.type == "mps":  # big MPS sorts have had correctness bugs: randperm, as before
        return torch.randperm(n, generator=generator, device=device)
    keys = torch.randint(0, 2**31 - 1, (n,), generator=generator, device=device, dtype=torch.int32)
    return torch.sort(keys, stable=True).indices


def item_grouped_order(
    items: torch.Tensor, n_items: int, generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """An epoch's order that keeps each item's rows together (items in a random order, rows
    shuffled within): for models that encode a batch's distinct items (autorec.py), a batch of
    whole items costs one code per item instead of one per row."""
    rows = epoch_order(len(items), generator, device)
    rank = epoch_order(n_items, generator, device)
    return rows[torch.sort(rank[items[rows]], stable=True).indices]


def device_tensors(ratings: Ratings, device: torch.device) -> tuple[torch.Tensor, ...]:
    """Training data lives on the device; batches index it (no per-sample DataLoader)."""
    return (
        torch.as_tensor(ratings.user_idx, dtype=torch.long).to(device),
        torch.as_tensor(ratings.item_idx, dtype=torch.long).to(device),
        torch.as_tensor(ratings.rating).to(device),
    )


def pack_rows(users: torch.Tensor, items: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """One 16-byte element per rating (user, item, rating bits, padding as 32-bit words), so
    shuffling an epoch is one random gather instead of three."""
    pad = torch.zeros_like(users, dtype=torch.int32)
    words = torch.stack([users.int(), items.int(), target.float().view(torch.int32), pad], dim=1)
    if words.device.type == "mps":  # no complex128 there: rows of four words, same gather
        return words
    return words.view(torch.complex128).squeeze(1)


def unpack_rows(packed: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(users, items, target) of packed ratings, as the training step takes them."""
    words = packed.view(torch.int32).view(-1, 4)
    target = words[:, 2].contiguous().view(torch.float32)
    return words[:, 0].long(), words[:, 1].long(), target
