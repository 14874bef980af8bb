"""Memory in use while training (the course's report_gpu): NVML and torch on CUDA, RSS on CPU."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import psutil
import torch


@dataclass(frozen=True)
class MemorySample:
    """One reading, in bytes; None where the device has no such figure."""

    t: float  # time.monotonic() seconds
    kind: str  # "cuda" | "cpu" | "mps"
    device_name: str
    used: int | None  # device memory used by every process (NVML), or None
    total: int | None
    torch_allocated: int | None
    torch_reserved: int | None
    torch_peak: int | None
    rss: int | None  # this process's resident memory
    system_used: int | None
    system_total: int | None


@functools.lru_cache(maxsize=1)
def _nvml():
    """Initialise NVML once; None when there is no NVIDIA driver (the clean 'no GPU' state)."""
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # NVMLError_LibraryNotFound, driver mismatch, or no package at all
        return None
    return pynvml


def _nvml_memory(index: int) -> tuple[int | None, int | None]:
    nvml = _nvml()
    if nvml is None:
        return None, None
    try:
        info = nvml.nvmlDeviceGetMemoryInfo(nvml.nvmlDeviceGetHandleByIndex(index))
    except nvml.NVMLError:
        return None, None
    return int(info.used), int(info.total)


def _host() -> tuple[int, int, int]:
    vm = psutil.virtual_memory()
    return psutil.Process().memory_info().rss, int(vm.total - vm.available), int(vm.total)


def memory_sample(device: torch.device | str) -> MemorySample:
    """Read the memory figures for `device` now; cheap enough to call every few batches."""
    device = torch.device(device)
    rss, sys_used, sys_total = _host()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        used, total = _nvml_memory(index)
        if total is None:
            free, total = torch.cuda.mem_get_info(index)
            used = total - free
        return MemorySample(
            time.monotonic(),
            "cuda",
            torch.cuda.get_device_name(index),
            used,
            total,
            int(torch.cuda.memory_allocated(index)),
            int(torch.cuda.memory_reserved(index)),
            int(torch.cuda.max_memory_allocated(index)),
            rss,
            sys_used,
            sys_total,
        )
    if device.type == "mps":
        allocated = int(torch.mps.current_allocated_memory())
        reserved = int(torch.mps.driver_allocated_memory())
        return MemorySample(
            time.monotonic(),
            "mps",
            "Apple GPU",
            None,
            None,
            allocated,
            reserved,
            None,
            rss,
            sys_used,
            sys_total,
        )
    return MemorySample(
        time.monotonic(), "cpu", "CPU", None, None, None, None, None, rss, sys_used, sys_total
    )


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
