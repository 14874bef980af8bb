"""The collectives a distributed fit uses, each counted (bytes this process sent, seconds spent,
waiting for slower processes included) and each turning a lost peer into one sentence."""

from __future__ import annotations

import contextlib
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from cfdesk.core.errors import TrainingError


class LostContact(TrainingError):
    """Another process of the job stopped, failed or hung; this one cannot go on."""


@dataclass
class Traffic:
    """What one kind of exchange cost this process so far."""

    bytes: int = 0
    seconds: float = 0.0
    calls: int = 0


def _nbytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


def _object_bytes(obj: object) -> int:
    """About what pickling `obj` takes: arrays by their bytes (pickling big ones twice to count
    them would cost the time and memory of the exchange itself)."""
    if isinstance(obj, np.ndarray) and obj.dtype != object:
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_object_bytes(k) + _object_bytes(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return sum(_object_bytes(v) for v in obj)
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _unflatten_(flat: torch.Tensor, tensors: list[torch.Tensor]) -> None:
    """Copy consecutive pieces of `flat` into `tensors`, in order."""
    start = 0
    for tensor in tensors:
        tensor.copy_(flat[start : start + tensor.numel()].view_as(tensor))
        start += tensor.numel()


class Comm:
    """This process's place in the job (rank of size) and its exchanges. Tensors on `device`
    go through the job's backend; numpy arrays and objects through `cpu_group` (gloo), so the
    same code runs under NCCL. Bytes are those a ring algorithm sends from this process."""

    def __init__(
        self, rank: int, size: int, device: torch.device, timeout_s: float, cpu_group=None
    ) -> None:
        self.rank, self.size, self.device = rank, size, device
        self.timeout_s, self.cpu_group = timeout_s, cpu_group
        self.traffic: dict[str, Traffic] = {}

    @contextlib.contextmanager
    def _counted(self, what: str, sent: int) -> Iterator[None]:
        entry = self.traffic.setdefault(what, Traffic())
        start = time.perf_counter()
        try:
            yield
        except RuntimeError as exc:  # gloo/NCCL: a peer closed its sockets, or a timeout
            raise LostContact(
                f"process {self.rank} of {self.size} lost contact with the others during "
                f"{what}: another process stopped or failed (its own message says why) or "
                f"waited past the {self.timeout_s:g} s timeout; no model file was written"
            ) from exc
        entry.bytes += int(sent)
        entry.seconds += time.perf_counter() - start
        entry.calls += 1

    def shift_(self, tensors: list[torch.Tensor], by: int, what: str) -> None:
        """Replace `tensors` (in place) with those of the process `by` ranks up; this
        process's go to the one `by` ranks down. All processes call it with the same `by`."""
        if by % self.size == 0 or not tensors:
            return
        flat = torch.cat([t.reshape(-1) for t in tensors])
        got = torch.empty_like(flat)
        with self._counted(what, _nbytes(flat)):
            ops = [
                dist.P2POp(dist.isend, flat, (self.rank - by) % self.size),
                dist.P2POp(dist.irecv, got, (self.rank + by) % self.size),
            ]
            for work in dist.batch_isend_irecv(ops):
                work.wait()
        _unflatten_(got, tensors)

    def copy_from_first_(self, tensors: list[torch.Tensor], what: str) -> None:
        """Overwrite `tensors` (in place) with process 0's."""
        if self.size == 1 or not tensors:
            return
        flat = torch.cat([t.reshape(-1) for t in tensors])
        with self._counted(what, _nbytes(flat) if self.rank == 0 else 0):
            dist.broadcast(flat, src=0)
        _unflatten_(flat, tensors)

    def all_reduce_(self, tensor: torch.Tensor, what: str, op=dist.ReduceOp.SUM) -> torch.Tensor:
        """Reduce a device tensor over every process, in place; returns it."""
        if self.size > 1:
            with self._counted(what, 2 * (self.size - 1) * _nbytes(tensor) // self.size):
                dist.all_reduce(tensor, op=op)
        return tensor

    def all_gather(self, tensor: torch.Tensor, what: str) -> torch.Tensor:
        """Every process's `tensor` (equal shapes) stacked along the first dimension, by rank."""
        if self.size == 1:
            return tensor.clone()
        out = tensor.new_empty((self.size * tensor.shape[0], *tensor.shape[1:]))
        gather = getattr(dist, "all_gather_single", None) or dist.all_gather_into_tensor
        with self._counted(what, (self.size - 1) * _nbytes(tensor)):
            gather(out, tensor.contiguous())
        return out

    def reduce_scatter(self, tensor: torch.Tensor, what: str) -> torch.Tensor:
        """The sum over processes of this process's slice of `tensor` (first dimension split
        into `size` equal slices, by rank)."""
        if self.size == 1:
            return tensor.clone()
        out = tensor.new_empty((tensor.shape[0] // self.size, *tensor.shape[1:]))
        scatter = getattr(dist, "reduce_scatter_single", None) or dist.reduce_scatter_tensor
        with self._counted(what, (self.size - 1) * _nbytes(out)):
            scatter(out, tensor.contiguous())
        return out

    def sum_numpy(self, array: np.ndarray, what: str, op=dist.ReduceOp.SUM) -> np.ndarray:
        """A numpy array reduced over every process (float64 or int64 kept)."""
        tensor = torch.from_numpy(np.ascontiguousarray(array)).clone()
        if self.size > 1:
            with self._counted(what, 2 * (self.size - 1) * _nbytes(tensor) // self.size):
                dist.all_reduce(tensor, op=op, group=self.cpu_group)
        return tensor.numpy()

    def all_gather_object(self, obj: object, what: str) -> list:
        """Every process's `obj` (picklable), by rank."""
        if self.size == 1:
            return [obj]
        out: list = [None] * self.size
        sent = (self.size - 1) * _object_bytes(obj)
        with self._counted(what, sent):
            dist.all_gather_object(out, obj, group=self.cpu_group)
        return out

    def gather_object(self, obj: object, what: str) -> list | None:
        """Every process's `obj` on process 0 (by rank); None elsewhere."""
        if self.size == 1:
            return [obj]
        out: list | None = [None] * self.size if self.rank == 0 else None
        sent = 0 if self.rank == 0 else _object_bytes(obj)
        with self._counted(what, sent):
            dist.gather_object(obj, out, dst=0, group=self.cpu_group)
        return out

    def summary(self) -> dict:
        """{kind: {"bytes", "seconds", "calls"}} so far, for the metrics and the docs."""
        return {
            what: {"bytes": t.bytes, "seconds": round(t.seconds, 4), "calls": t.calls}
            for what, t in sorted(self.traffic.items())
        }
