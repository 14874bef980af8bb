"""Counts the calls that would make the host wait for a GPU, on any device (the CPU included).

On CUDA `torch.cuda.set_sync_debug_mode` reports each real sync, but only where a GPU is. This
audit names the calls that sync there (a value read back to the host, an output whose size
depends on the data, host data copied to the device) whatever the device, so the CPU tests and
the CPU run of bench/gpu_check.sh can check that a training step issues none.
"""

from __future__ import annotations

from collections import Counter

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten
# Each returns a size or a value the host must wait for, or copies host memory to the device.
SYNCING_OPS = {
    aten._local_scalar_dense.default: "a value read back (item, float, int, bool)",
    aten.nonzero.default: "nonzero (size depends on the data)",
    aten._unique2.default: "torch.unique (size depends on the data)",
    aten.unique_consecutive.default: "unique_consecutive (size depends on the data)",
    aten.unique_dim.default: "torch.unique with dim (size depends on the data)",
    aten.masked_select.default: "masked_select (size depends on the data)",
    aten.repeat_interleave.Tensor: "repeat_interleave by tensor (size depends on the data)",
    aten.lift_fresh.default: "a tensor made from host data (a blocking copy on CUDA)",
    aten.equal.default: "torch.equal (a value read back)",
}
SYNCING_METHODS = {"tolist": "tolist()", "numpy": "numpy()", "cpu": "cpu()"}


class _Methods(TorchFunctionMode):
    """Tensor methods that read device memory from the host without an aten op on the CPU."""

    def __init__(self, counts: Counter) -> None:
        super().__init__()
        self.counts = counts

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in SYNCING_METHODS:
            self.counts[SYNCING_METHODS[name]] += 1
        return func(*args, **(kwargs or {}))


class _Ops(TorchDispatchMode):
    """aten ops that sync on CUDA, and boolean-mask indexing (a hidden nonzero)."""

    def __init__(self, counts: Counter) -> None:
        super().__init__()
        self.counts = counts

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func in SYNCING_OPS:
            self.counts[SYNCING_OPS[func]] += 1
        elif func is aten.index.Tensor and any(
            i is not None and i.dtype == torch.bool for i in args[1]
        ):
            self.counts["boolean-mask indexing (size depends on the data)"] += 1
        return func(*args, **(kwargs or {}))


class SyncAudit:
    """`with SyncAudit() as audit: ...` then `audit.counts`: what synced, how many times."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self._modes = (_Methods(self.counts), _Ops(self.counts))

    def __enter__(self) -> SyncAudit:
        for mode in self._modes:
            mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for mode in reversed(self._modes):
            mode.__exit__(*exc)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
