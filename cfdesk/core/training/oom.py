"""Running out of memory anywhere in a fit becomes one sentence a user can act on.

A training step that runs out of GPU memory is retried or answered by the trainer with a smaller
micro-batch (batching.after_out_of_memory). Anywhere else (copying the ratings or the model to the
GPU, shuffling, scoring held-out ratings, copying the result back) a smaller batch would not help:
those become an OutOfMemoryError that offers the CPU, or on the CPU a TrainingError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from cfdesk.core.errors import OutOfMemoryError, TrainingError
from cfdesk.core.training.memory import release

# What the CPU's allocator and numpy say; CUDA and MPS raise torch.OutOfMemoryError.
ALLOCATOR_TEXTS = ("can't allocate memory", "out of memory")


def is_out_of_memory(exc: BaseException) -> bool:
    """torch's out-of-memory error, Python's, or the RuntimeError the CPU allocator raises."""
    if isinstance(exc, (torch.OutOfMemoryError, MemoryError)):
        return True
    return isinstance(exc, RuntimeError) and any(t in str(exc) for t in ALLOCATOR_TEXTS)


def out_of_memory_error(
    device: torch.device, doing: str, batch_size: int, accum_steps: int
) -> TrainingError:
    """The error to raise: on a GPU an offer to train on the CPU with the same micro-batch
    (`batch_size`) and accumulation, on the CPU advice."""
    if device.type == "cpu":
        return TrainingError(
            f"the computer ran out of memory while {doing}; use fewer factors, the dot model "
            "or fewer ratings, or close other programs"
        )
    return OutOfMemoryError(
        f"the GPU ({device}) ran out of memory while {doing}; train on the CPU (device setting "
        "cpu) or free memory on the GPU",
        batch_size,
        accum_steps,
        device="cpu",
    )


@contextlib.contextmanager
def out_of_memory_explained(
    device: torch.device, doing: str, batch_size: int, accum_steps: int
) -> Iterator[None]:
    """Turn running out of memory inside the block into `out_of_memory_error`, after handing the
    allocator's cached blocks back so the next attempt starts from a clean slate."""
    try:
        yield
    except (RuntimeError, MemoryError) as exc:
        if not is_out_of_memory(exc):
            raise
        release(device)
        raise out_of_memory_error(device, doing, batch_size, accum_steps) from exc
