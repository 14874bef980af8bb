"""Memory in use while training (the course's report_gpu): NVML and torch on CUDA, RSS on CPU.

A CUDA device is found in NVML by its UUID, never by its index: CUDA numbers GPUs fastest first
and only those CUDA_VISIBLE_DEVICES lets through, NVML numbers every GPU by PCI bus, so one index
can name two different cards. A MIG slice has a UUID of its own ("MIG-..."), whose handle reports
the slice's memory rather than the whole card's. When NVML is missing or fails, the log says why
once and the samples carry CUDA's and torch's own figures with a note the memory chart shows.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass

import psutil
import torch

log = logging.getLogger(__name__)
NVML_MISSING_NOTE = "NVML unavailable: showing CUDA's and torch's figures"


@dataclass(frozen=True)
class MemorySample:
    """One reading, in bytes; None where the device has no such figure."""

    t: float  # time.monotonic() seconds
    kind: str  # "cuda" | "cpu" | "mps"
    device_name: str
    used: int | None  # device memory used by every process (NVML, else CUDA's), or None
    total: int | None
    torch_allocated: int | None
    torch_reserved: int | None
    torch_peak: int | None
    rss: int | None  # this process's resident memory
    system_used: int | None
    system_total: int | None
    note: str = ""  # NVML_MISSING_NOTE when `used` and `total` do not come from NVML


_reported: set[str] = set()


def _report_once(message: str) -> None:
    """A problem with NVML goes to the log once per process, not once per sample."""
    if message not in _reported:
        _reported.add(message)
        log.warning("%s; the memory chart shows CUDA's and torch's own figures", message)


@functools.lru_cache(maxsize=1)
def _nvml() -> tuple[object | None, str]:
    """(pynvml, "") once NVML is initialised, else (None, why not)."""
    try:
        import pynvml
    except ImportError:
        return None, "NVML unavailable: the nvidia-ml-py package is not installed"
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError_LibraryNotFound, driver mismatch, a broken library
        return None, f"NVML unavailable: it could not start ({exc})"
    return pynvml, ""


def cuda_uuid(index: int) -> str:
    """The CUDA device's UUID without a prefix, as torch reports it."""
    text = str(torch.cuda.get_device_properties(index).uuid)
    return text.split("-", 1)[1] if text.startswith(("GPU-", "MIG-")) else text


@functools.cache
def nvml_handle(index: int) -> tuple[object | None, str]:
    """(NVML handle of CUDA device `index`, "") found by UUID, as a whole GPU ("GPU-...") or a
    MIG slice ("MIG-..."); (None, why not) when NVML cannot say."""
    nvml, why = _nvml()
    if nvml is None:
        return None, why
    uuid = cuda_uuid(index)
    for prefix in ("GPU-", "MIG-"):
        try:
            return nvml.nvmlDeviceGetHandleByUUID(f"{prefix}{uuid}"), ""
        except nvml.NVMLError as exc:
            error = exc
    return None, f"NVML unavailable: no GPU or MIG slice has UUID {uuid} ({error})"


def _nvml_memory(index: int) -> tuple[int | None, int | None, str]:
    """(used, total, "") from NVML for CUDA device `index`, else (None, None, why not)."""
    handle, why = nvml_handle(index)
    if handle is None:
        return None, None, why
    nvml, _ = _nvml()
    try:
        info = nvml.nvmlDeviceGetMemoryInfo(handle)
    except nvml.NVMLError as exc:
        return None, None, f"NVML unavailable: reading GPU memory failed ({exc})"
    return int(info.used), int(info.total), ""


def _host() -> tuple[int, int, int]:
    vm = psutil.virtual_memory()
    return psutil.Process().memory_info().rss, int(vm.total - vm.available), int(vm.total)


def _cuda_sample(index: int, host: tuple[int, int, int]) -> MemorySample:
    used, total, why = _nvml_memory(index)
    note = ""
    if why:
        _report_once(why)
        free, total = torch.cuda.mem_get_info(index)
        used, note = total - free, NVML_MISSING_NOTE
    return MemorySample(
        time.monotonic(),
        "cuda",
        torch.cuda.get_device_name(index),
        used,
        total,
        int(torch.cuda.memory_allocated(index)),
        int(torch.cuda.memory_reserved(index)),
        int(torch.cuda.max_memory_allocated(index)),
        *host,
        note,
    )


def memory_sample(device: torch.device | str) -> MemorySample:
    """Read the memory figures for `device` now; cheap enough to call every few batches."""
    device = torch.device(device)
    host = _host()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return _cuda_sample(index, host)
    if device.type == "mps":
        allocated = int(torch.mps.current_allocated_memory())
        reserved = int(torch.mps.driver_allocated_memory())
        return MemorySample(
            time.monotonic(), "mps", "Apple GPU", None, None, allocated, reserved, None, *host
        )
    return MemorySample(time.monotonic(), "cpu", "CPU", None, None, None, None, None, *host)


def reset_peak(device: torch.device) -> None:
    """Start a fresh peak so each run reports its own high-water mark."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def release(device: torch.device) -> None:
    """Hand cached blocks back after an out-of-memory error so a smaller retry can fit."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()
