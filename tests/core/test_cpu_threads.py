"""CPU thread policy: OpenMP waits passively from the first import, so big fits use every core."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cfdesk.core import device
from cfdesk.core.device import SMALL_MODEL_PARAMS, cpu_thread_count


def _policy_after_import(env: dict[str, str]) -> list[str]:
    code = (
        "import os, sys, cfdesk\n"
        "print(os.environ.get('OMP_WAIT_POLICY'))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'PySide6'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split("\n")[:2]


def test_importing_cfdesk_asks_for_passive_waits_without_loading_torch():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert _policy_after_import(env) == ["PASSIVE", "[]"]


def test_a_users_own_wait_policy_wins():
    assert _policy_after_import({**os.environ, "OMP_WAIT_POLICY": "ACTIVE"})[0] == "ACTIVE"


@pytest.fixture
def busy_machine(monkeypatch):
    """Two cores, both busy with other work."""
    monkeypatch.setattr(device.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(device.os, "getloadavg", lambda: (2.3, 2.3, 2.3))


def test_big_models_use_every_core_even_when_busy_if_waits_are_passive(busy_machine, monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=2) == 2
    assert cpu_thread_count(SMALL_MODEL_PARAMS - 1, available=2) == 1


def test_spinning_waits_keep_big_models_to_the_idle_cores(busy_machine, monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=2) == 1
