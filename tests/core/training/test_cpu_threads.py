"""CPU thread policy: OpenMP spins only briefly from the first import; big fits use the idle cores."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cfdesk.core.training import device
from cfdesk.core.training.device import SMALL_MODEL_PARAMS, cpu_thread_count


def _policy_after_import(env: dict[str, str], entry: bool = True) -> list[str]:
    start = "import cfdesk.entry; cfdesk.entry.configure_openmp()" if entry else "import cfdesk"
    code = (
        f"import os, sys; {start}\n"
        "print(os.environ.get('OMP_WAIT_POLICY'), os.environ.get('GOMP_SPINCOUNT'))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'PySide6'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split("\n")[:2]


def _clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    return {**env, **settings}


def test_the_entry_points_ask_for_a_short_spin_without_loading_torch():
    assert _policy_after_import(_clean_env()) == ["PASSIVE 10000", "[]"]


def test_importing_cfdesk_as_a_library_leaves_openmp_alone():
    assert _policy_after_import(_clean_env(), entry=False) == ["None None", "[]"]


def test_a_users_own_wait_settings_win():
    assert _policy_after_import(_clean_env(OMP_WAIT_POLICY="ACTIVE"))[0] == "ACTIVE None"
    assert _policy_after_import(_clean_env(GOMP_SPINCOUNT="0"))[0] == "PASSIVE 0"


@pytest.fixture
def busy_machine(monkeypatch):
    """Two cores, both busy with other work."""
    monkeypatch.setattr(device.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(device.psutil, "cpu_percent", lambda interval: 100.0)


def test_big_models_use_every_core_even_when_busy_if_waits_are_passive(busy_machine, monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")
    monkeypatch.setenv("GOMP_SPINCOUNT", "0")
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=2) == 2
    assert cpu_thread_count(SMALL_MODEL_PARAMS - 1, available=2) == 1


@pytest.mark.parametrize("policy, spins", [("ACTIVE", ""), ("PASSIVE", "10000")])
def test_spinning_waits_keep_big_models_to_the_idle_cores(busy_machine, monkeypatch, policy, spins):
    monkeypatch.setenv("OMP_WAIT_POLICY", policy)
    monkeypatch.setenv("GOMP_SPINCOUNT", spins)
    monkeypatch.setattr(device, "_gnu_openmp", lambda: True)
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=2) == 1


def test_a_spin_count_only_gnu_openmp_reads_leaves_waits_passive(busy_machine, monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.setenv("GOMP_SPINCOUNT", "10000")
    monkeypatch.setattr(device, "_gnu_openmp", lambda: False)  # LLVM's or Intel's OpenMP
    assert not device.waits_spin()
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=2) == 2


def test_idle_cores_that_cannot_be_sampled_count_as_idle(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    monkeypatch.setattr(device.os, "cpu_count", lambda: 2)

    def no_stat(interval):
        raise PermissionError("/proc/stat")

    monkeypatch.setattr(device.psutil, "cpu_percent", no_stat)
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=2) == 2


def test_spinning_waits_use_the_cores_other_processes_leave_idle(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.setenv("GOMP_SPINCOUNT", "10000")
    monkeypatch.setattr(device, "_gnu_openmp", lambda: True)
    monkeypatch.setattr(device.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(device.psutil, "cpu_percent", lambda interval: 30.0)  # 1.2 cores busy
    assert cpu_thread_count(SMALL_MODEL_PARAMS, available=4) == 3
