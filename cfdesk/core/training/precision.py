"""TF32 matmuls for one fit, only where they act (the nn model's layers on CUDA), then undone."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def tf32_matmuls(device: torch.device, wanted: bool, has_matmuls: bool) -> Iterator[None]:
    """Let CUDA matmuls use TF32 during the fit when asked, and give the process its previous
    setting back after. Through `fp32_precision`, the API torch 2.9+ asks for: the old
    `allow_tf32` flags are deprecated, and mixing both makes torch warn. The dot models have no
    matmul, so they leave the setting alone."""
    if not (wanted and has_matmuls and device.type == "cuda"):
        yield
        return
    matmul = torch.backends.cuda.matmul
    before = matmul.fp32_precision
    matmul.fp32_precision = "tf32"
    try:
        yield
    finally:
        matmul.fp32_precision = before
