"""TF32 matmuls for one fit, only where they act (the nn model's layers on CUDA), then undone."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


def _per_backend() -> list[tuple[object, str]]:
    """torch 2.9+'s per-backend matmul settings with their values (set_float32_matmul_precision
    changes them too), so they can be put back exactly."""
    found = []
    for backend in (torch.backends.cuda.matmul, getattr(torch.backends.mkldnn, "matmul", None)):
        try:
            found.append((backend, backend.fp32_precision))
        except AttributeError:  # an older torch: only the global setting exists
            continue
    return found


@contextlib.contextmanager
def tf32_matmuls(device: torch.device, wanted: bool, has_matmuls: bool) -> Iterator[None]:
    """Let CUDA matmuls use TF32 during the fit when asked, then give back every setting as it
    was. Through torch.set_float32_matmul_precision("high"), which keeps torch's old and new TF32
    settings in agreement: the old `allow_tf32` setters are deprecated, and setting only the new
    per-backend `fp32_precision` makes the old getters raise ("a mix of the legacy and new APIs")
    until undone. The dot models have no matmul, so they leave it all alone."""
    if not (wanted and has_matmuls and device.type == "cuda"):
        yield
        return
    before, backends = torch.get_float32_matmul_precision(), _per_backend()
    torch.set_float32_matmul_precision("high")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(before)
        for backend, value in backends:
            backend.fp32_precision = value
