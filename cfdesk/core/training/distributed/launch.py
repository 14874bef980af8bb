"""Joining a job started by torchrun: ranks from the environment, the device, the backend (gloo
on CPUs, NCCL on GPUs) and a collective timeout, so a hung process fails the job."""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import torch
import torch.distributed as dist

from cfdesk.core.errors import TrainingError
from cfdesk.core.training.device import resolve_device
from cfdesk.core.training.distributed.comm import Comm

TIMEOUT_ENV = "CFDESK_DIST_TIMEOUT"  # seconds a collective may wait for the slowest process
DEFAULT_TIMEOUT_S = 1800.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")
NOT_LAUNCHED = (
    "--distributed needs torchrun to start its processes (RANK and WORLD_SIZE are not set): "
    "run torchrun --nproc-per-node N -m cfdesk train RATINGS --distributed --out MODEL.cfmodel"
)


@dataclass(frozen=True)
class Launch:
    """This process's place as torchrun describes it."""

    rank: int
    size: int
    local_rank: int
    timeout_s: float


def launch_from_env(env: Mapping[str, str] | None = None) -> Launch:
    """RANK, WORLD_SIZE and LOCAL_RANK as torchrun (or a cluster's job controller) sets them; a
    sentence when they are missing."""
    env = os.environ if env is None else env
    if "RANK" not in env or "WORLD_SIZE" not in env:
        raise TrainingError(NOT_LAUNCHED)
    try:
        rank, size = int(env["RANK"]), int(env["WORLD_SIZE"])
        local_rank = int(env.get("LOCAL_RANK", 0))  # absent: one process per machine (or pod)
        timeout = float(env.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S))
    except ValueError as exc:
        raise TrainingError(
            f"RANK, WORLD_SIZE, LOCAL_RANK and {TIMEOUT_ENV} must be numbers ({exc})"
        ) from exc
    if not 0 <= rank < size or timeout <= 0:
        raise TrainingError(f"RANK {rank} must be below WORLD_SIZE {size}, timeout above 0")
    return Launch(rank, size, local_rank, timeout)


def pick_device(setting: str, launch: Launch) -> torch.device:
    """One GPU per process on a node (LOCAL_RANK), else the CPU; Apple's MPS has no backend."""
    choice = (setting or "auto").strip().lower()
    if choice in ("auto", "cuda") and torch.cuda.is_available():
        return resolve_device(f"cuda:{launch.local_rank}")
    if choice == "auto":
        return torch.device("cpu")
    device = resolve_device(choice)
    if device.type == "mps":
        raise TrainingError(
            "device setting 'mps' cannot train distributed (torch.distributed has no MPS "
            "backend); use cpu"
        )
    return device


def backend_for(device: torch.device) -> str:
    """NCCL between GPUs, gloo between CPUs."""
    return "nccl" if device.type == "cuda" else "gloo"


def _loopback_interface() -> str | None:
    """The loopback interface's name ("lo" on Linux, "lo0" on macOS), if there is one."""
    with contextlib.suppress(OSError):
        for _, name in socket.if_nameindex():
            if name in ("lo", "lo0"):
                return name
    return None


def _keep_gloo_on_loopback() -> None:
    """Gloo binds to the address of the machine's host name; when the job's master is this
    machine's loopback address, keep every connection on loopback too."""
    if os.environ.get("MASTER_ADDR", "") in LOOPBACK and "GLOO_SOCKET_IFNAME" not in os.environ:
        name = _loopback_interface()
        if name:
            os.environ["GLOO_SOCKET_IFNAME"] = name


@contextlib.contextmanager
def joined(launch: Launch, device: torch.device) -> Iterator[Comm]:
    """Join the job's process group for the `with` block; leave it afterwards."""
    backend = backend_for(device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    _keep_gloo_on_loopback()
    timeout = datetime.timedelta(seconds=launch.timeout_s)
    try:
        dist.init_process_group(backend, timeout=timeout, rank=launch.rank, world_size=launch.size)
    except (RuntimeError, ValueError) as exc:
        raise TrainingError(
            f"process {launch.rank} of {launch.size} could not join the job ({backend}): {exc}"
        ) from exc
    try:
        cpu_group = None if backend == "gloo" else dist.new_group(backend="gloo", timeout=timeout)
        yield Comm(launch.rank, launch.size, device, launch.timeout_s, cpu_group)
        # leave together: a gloo process whose peer tore down first could abort at exit
        # ("terminate called without an active exception", 1 run in 8 here)
        dist.barrier()
    finally:
        dist.destroy_process_group()
