"""Which torch device to train on: Auto picks CUDA, then Apple MPS, where the data is big enough
for a GPU to pay (AUTO_GPU_MIN_RATINGS), else the CPU."""

from __future__ import annotations

import contextlib
import functools
import os
import platform
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import torch

from cfdesk.core.errors import TrainingError


@dataclass(frozen=True)
class DeviceInfo:
    """One entry of the GUI's device drop-down."""

    id: str  # "cpu", "cuda:0", "mps"
    name: str  # display name, e.g. "NVIDIA H200 (cuda:0)"


# Provisional (docs/gpu.md, "Auto"): below this many training ratings a GPU epoch is estimated
# to cost more than a CPU epoch, since a GPU step costs its ~80 kernel launches (~0.5 ms) however
# few ratings it holds and CUDA's start-up takes 1-3 s; to be replaced by a measured threshold.
AUTO_GPU_MIN_RATINGS = 2_000_000


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps and mps.is_available())


def _gpu_kind() -> str | None:
    """The GPU kind here ("cuda" or "mps") or None; counting CUDA devices creates no context."""
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if _mps_available() else None


def pick_device(name: str, n_ratings: int) -> tuple[torch.device, str]:
    """The device for a fit of `n_ratings` training ratings and, for Auto, a sentence saying why
    (empty for an explicit setting)."""
    if (name or "auto").strip().lower() != "auto":
        return resolve_device(name), ""
    kind = _gpu_kind()
    if kind is None:
        return torch.device("cpu"), "Auto: no GPU found, training on the CPU."
    if n_ratings < AUTO_GPU_MIN_RATINGS:
        return torch.device("cpu"), (
            f"Auto: training on the CPU, not the GPU ({kind}): {n_ratings:,} training ratings "
            f"are fewer than {AUTO_GPU_MIN_RATINGS:,}, below which a GPU epoch is estimated to "
            "be slower (docs/gpu.md). Choose the GPU in Device to use it anyway."
        )
    device = resolve_device(kind)
    return device, (
        f"Auto: training on {device_name(device)}: {n_ratings:,} training ratings are at "
        f"least {AUTO_GPU_MIN_RATINGS:,}, where the GPU is estimated to be faster."
    )


def resolve_device(name: str = "auto") -> torch.device:
    """Turn a setting ("auto", "cpu", "cuda", "cuda:1", "mps") into an available device; Auto
    here is the first GPU whatever the data size (see pick_device)."""
    choice = (name or "auto").strip().lower()
    if choice == "auto":
        kind = _gpu_kind()
        return resolve_device(kind) if kind else torch.device("cpu")
    try:
        device = torch.device(choice)
    except RuntimeError as exc:
        raise TrainingError(
            f"device setting {name!r} is not a device; use auto, cpu, cuda, cuda:N or mps"
        ) from exc
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise TrainingError(f"device setting {name!r} asks for CUDA, but no CUDA GPU is usable")
        index = device.index if device.index is not None else torch.cuda.current_device()
        if index >= torch.cuda.device_count():
            raise TrainingError(
                f"device setting {name!r} names GPU {index}, but only "
                f"{torch.cuda.device_count()} CUDA device(s) exist"
            )
        return torch.device("cuda", index)
    if device.type == "mps" and not _mps_available():
        raise TrainingError(f"device setting {name!r} asks for Apple MPS, which is not available")
    if device.type not in ("cpu", "cuda", "mps"):
        raise TrainingError(f"device setting {name!r} is not supported; use cpu, cuda or mps")
    return device


def device_name(device: torch.device) -> str:
    """Human name of a device: the GPU model, or the CPU with its thread count."""
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} ({device})"
    if device.type == "mps":
        return "Apple GPU (mps)"
    cpu = platform.processor() or platform.machine() or "CPU"
    threads = torch.get_num_threads()
    return f"{cpu} CPU ({threads} thread{'s' if threads > 1 else ''})"


def cpu_device() -> DeviceInfo:
    """The CPU's entry: known at once, without asking any GPU driver."""
    return DeviceInfo("cpu", device_name(torch.device("cpu")))


def list_devices() -> list[DeviceInfo]:
    """Every device this machine can train on, CPU last so the first entry is the fastest.

    Naming a CUDA GPU starts CUDA in this process (a second or more): call it off the UI thread.
    """
    found = [
        DeviceInfo(f"cuda:{i}", f"{torch.cuda.get_device_name(i)} (cuda:{i})")
        for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0)
    ]
    if _mps_available():
        found.append(DeviceInfo("mps", "Apple GPU (mps)"))
    return [*found, cpu_device()]


SYNC_FREE_DEVICES = frozenset({"cuda"})


def sync_free(device: torch.device) -> bool:
    """Whether a training step here must never make the host wait for the device: on CUDA each
    wait costs a round trip per step, so steps use fixed-size slot tables and fused optimizers
    with step counts on the device; the CPU keeps its exact-size tables (faster there)."""
    return device.type in SYNC_FREE_DEVICES


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work so wall-clock timings measure the work itself."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


SMALL_MODEL_PARAMS = 2_000_000  # below this, per-op work is too small to split across threads


def waits_spin() -> bool:
    """OpenMP's idle threads spin, if only briefly, unless told to sleep at once: PASSIVE, and
    no GOMP_SPINCOUNT that this process's OpenMP reads (cfdesk.entry asks for one)."""
    passive = os.environ.get("OMP_WAIT_POLICY", "").strip().upper() == "PASSIVE"
    spins = os.environ.get("GOMP_SPINCOUNT", "").strip() not in ("", "0")
    return not passive or (spins and _gnu_openmp())


@functools.cache
def _gnu_openmp() -> bool:
    """Whether torch runs on GNU OpenMP (its Linux wheels), the runtime that reads
    GOMP_SPINCOUNT; LLVM's and Intel's (macOS and Windows wheels) ignore it."""
    try:
        return "libgomp" in Path("/proc/self/maps").read_text()
    except OSError:
        return False


def _free_cores() -> int:
    """Cores idle right now (sampled for 0.2 s, not the lagging load average): a spinning
    thread on a core another process holds stalls the others."""
    cores = os.cpu_count() or 1
    try:
        busy = psutil.cpu_percent(interval=0.2) / 100 * cores
    except (OSError, psutil.Error):
        busy = 0.0  # cannot tell (no /proc/stat in a sandbox): as if idle
    return max(1, round(cores - busy))


def cpu_thread_count(n_params: int, available: int) -> int:
    """Threads for a CPU fit: one for small models (tiny ops gain nothing), all `available`
    for big ones; only the idle cores if OpenMP spins at all, since a spinning thread on a core
    another process holds stalls the step (docs/training.md, "CPU threads")."""
    if n_params < SMALL_MODEL_PARAMS:
        return 1
    return min(available, _free_cores()) if waits_spin() else available


@contextlib.contextmanager
def cpu_threads_for(device: torch.device, n_params: int) -> Iterator[None]:
    """Train on `cpu_thread_count` threads, then give torch its own setting back."""
    if device.type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(cpu_thread_count(n_params, before))
    try:
        yield
    finally:
        torch.set_num_threads(before)
