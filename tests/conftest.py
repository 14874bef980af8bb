"""Shared fixtures: offscreen Qt (set before any Qt import), small synthetic ratings, and a run
store of each test's own (never the user's)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
import pytest

ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"


@pytest.fixture(scope="session")
def qapp_cls():
    """Qt tests run in cfdesk's own application class (Finder's FileOpen, Dock → Quit)."""
    from cfdesk.qt.app import Application

    return Application


@pytest.fixture
def ml100k() -> Path:
    """MovieLens 100k from ../shared (never copied into the project); skip when absent."""
    if not (ML100K / "u.data").exists():
        pytest.skip(f"MovieLens 100k not found at {ML100K} (licence forbids shipping it)")
    return ML100K


@pytest.fixture
def planted() -> dict:
    """A rank-3 planted taste model: 60 users × 40 items, 70% observed, noise std 0.1."""
    rng = np.random.default_rng(0)
    n_users, n_items, rank, noise = 60, 40, 3, 0.1
    u = rng.normal(size=(n_users, rank))
    v = rng.normal(size=(n_items, rank))
    truth = 3.0 + u @ v.T / np.sqrt(rank)
    mask = rng.random((n_users, n_items)) < 0.7
    users, items = np.nonzero(mask)
    ratings = truth[users, items] + rng.normal(scale=noise, size=len(users))
    return {
        "user_ids": users + 1,
        "item_ids": items + 101,
        "ratings": ratings.astype(np.float32),
        "truth": truth,
        "noise": noise,
        "user_vectors": u,
        "item_vectors": v,
    }


@pytest.fixture(autouse=True)
def isolated_runs_db(tmp_path, monkeypatch) -> Path:
    """Every training a test runs is recorded in that test's own run database."""
    path = tmp_path / "runs" / "runs.sqlite"
    monkeypatch.setenv("CFDESK_RUNS_DB", str(path))
    return path


@pytest.fixture
def loopback_port() -> int:
    """A free TCP port on 127.0.0.1; skipped where this machine refuses sockets."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
    except OSError as exc:
        pytest.skip(f"cannot open a TCP socket on 127.0.0.1 ({exc})")


@pytest.fixture
def torchrun(loopback_port):
    """Run `torchrun ARGS` on 127.0.0.1 (never another address) and return the finished
    process."""

    def run(args: list[str], nproc: int = 2, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [
            sys.executable, "-m", "torch.distributed.run", f"--nproc-per-node={nproc}",
            "--master-addr=127.0.0.1", f"--master-port={loopback_port}", "--monitor-interval=0.1",
            *args,
        ]  # fmt: skip
        env = {**os.environ, "CFDESK_DIST_TIMEOUT": "60", "OMP_NUM_THREADS": "1"}
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)

    return run
