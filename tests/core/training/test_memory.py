"""GPU memory samples on a pretend machine: NVML is asked by UUID (so CUDA's order and
CUDA_VISIBLE_DEVICES cannot swap cards), a MIG slice reports its own memory, and a missing or
failing NVML is said once in the log while the samples fall back to CUDA's and torch's figures."""

from __future__ import annotations

import logging
import sys
from types import SimpleNamespace

import pytest
import torch

from cfdesk.core.training import memory
from cfdesk.core.training.memory import NVML_MISSING_NOTE, memory_sample

GIB = 1024**3
H200_A = "11111111-aaaa-bbbb-cccc-000000000001"
H200_B = "22222222-aaaa-bbbb-cccc-000000000002"
MIG = "33333333-aaaa-bbbb-cccc-000000000003"


class NVMLError(Exception):
    pass


class FakeNvml:
    """pynvml as NVML sees the machine: handles by UUID only (no lookup by index at all)."""

    NVMLError = NVMLError

    def __init__(self, cards: dict[str, tuple[int, int]], fail: str = "") -> None:
        self.cards, self.fail, self.asked = cards, fail, []

    def nvmlInit(self):
        if self.fail == "init":
            raise NVMLError("Driver/library version mismatch")

    def nvmlDeviceGetHandleByUUID(self, uuid: str):
        self.asked.append(uuid)
        if uuid not in self.cards:
            raise NVMLError("Not Found")
        return uuid

    def nvmlDeviceGetMemoryInfo(self, handle):
        if self.fail == "read":
            raise NVMLError("GPU is lost")
        used, total = self.cards[handle]
        return SimpleNamespace(used=used, total=total)


@pytest.fixture
def machine(monkeypatch):
    """Pretend CUDA devices: index -> torch's UUID text; returns a function installing NVML."""
    uuids = {0: H200_B, 1: H200_A}  # CUDA's order (fastest first) is not NVML's PCI order
    props = {i: SimpleNamespace(uuid=u) for i, u in uuids.items()}
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda i: props[i])
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: f"GPU {i}")
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda i: 1 * GIB)
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda i: 2 * GIB)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda i: 3 * GIB)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda i: (100 * GIB, 140 * GIB))
    for cache in (memory._nvml, memory.nvml_handle):
        cache.cache_clear()
    monkeypatch.setattr(memory, "_reported", set())

    def install(nvml: FakeNvml | None) -> FakeNvml | None:
        monkeypatch.setitem(sys.modules, "pynvml", nvml)  # None: the import fails
        return nvml

    yield install, props
    for cache in (memory._nvml, memory.nvml_handle):
        cache.cache_clear()


def test_each_cuda_device_reads_its_own_card_by_uuid(machine):
    install, _ = machine
    nvml = install(
        FakeNvml({f"GPU-{H200_A}": (5 * GIB, 141 * GIB), f"GPU-{H200_B}": (9 * GIB, 140 * GIB)})
    )
    first, second = memory_sample("cuda:0"), memory_sample("cuda:1")
    assert (first.used, first.total, first.note) == (9 * GIB, 140 * GIB, "")
    assert (second.used, second.total) == (5 * GIB, 141 * GIB)
    assert (first.torch_allocated, first.torch_reserved, first.torch_peak) == (
        GIB,
        2 * GIB,
        3 * GIB,
    )
    assert nvml.asked == [f"GPU-{H200_B}", f"GPU-{H200_A}"]


def test_a_mig_slice_reports_the_slice_not_the_card(machine):
    install, props = machine
    props[0].uuid = MIG
    install(FakeNvml({f"GPU-{H200_A}": (30 * GIB, 141 * GIB), f"MIG-{MIG}": (2 * GIB, 16 * GIB)}))
    sample = memory_sample("cuda:0")
    assert (sample.used, sample.total, sample.note) == (2 * GIB, 16 * GIB, "")


def test_a_prefixed_uuid_from_torch_is_found_too(machine):
    install, props = machine
    props[0].uuid = f"GPU-{H200_A}"
    install(FakeNvml({f"GPU-{H200_A}": (5 * GIB, 141 * GIB)}))
    assert memory_sample("cuda:0").total == 141 * GIB


@pytest.mark.parametrize(
    "nvml, words",
    [
        (None, "nvidia-ml-py package is not installed"),
        (FakeNvml({}, fail="init"), "Driver/library version mismatch"),
        (FakeNvml({}), f"no GPU or MIG slice has UUID {H200_B}"),
        (FakeNvml({f"GPU-{H200_B}": (1, 2)}, fail="read"), "GPU is lost"),
    ],
)
def test_without_nvml_samples_show_cudas_figures_and_the_log_says_why_once(
    machine, caplog, nvml, words
):
    install, _ = machine
    install(nvml)
    with caplog.at_level(logging.WARNING, logger=memory.__name__):
        samples = [memory_sample("cuda:0") for _ in range(3)]
    assert all(s.note == NVML_MISSING_NOTE for s in samples)
    assert (samples[0].used, samples[0].total) == (40 * GIB, 140 * GIB)  # cudaMemGetInfo
    assert samples[0].torch_reserved == 2 * GIB
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and words in warned[0], warned


def test_cpu_samples_have_host_figures_only():
    sample = memory_sample("cpu")
    assert sample.kind == "cpu" and sample.rss > 0 and sample.system_total >= sample.system_used
    assert sample.used is None and sample.torch_allocated is None and sample.note == ""
