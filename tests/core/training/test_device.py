"""Device choice on a pretend CUDA machine: Auto pays only with enough data, errors name the
setting, listing needs no GPU for the CPU, TF32 is set for the fit alone, bf16 only for nn."""

from __future__ import annotations

import warnings

import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.model import build_model
from cfdesk.core.training import device as dev
from cfdesk.core.training.hand_grad import HandGradOptimizer
from cfdesk.core.training.precision import tf32_matmuls
from cfdesk.core.training.steps import AutogradStep, RowSparseStep, make_step

CUDA = torch.device("cuda", 0)


@pytest.fixture
def fake_cuda(monkeypatch):
    """Two CUDA GPUs as torch would report them, without a GPU; records what was asked."""
    asked: list[str] = []

    def name(index=None):
        asked.append("name")
        index = index.index if isinstance(index, torch.device) else index
        return ["NVIDIA H200", "NVIDIA L4"][index or 0]

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_name", name)
    return asked


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(dev, "_mps_available", lambda: False)


def test_auto_keeps_small_data_on_the_cpu_and_says_why(fake_cuda):
    device, note = dev.pick_device("auto", 80_000)
    assert device == torch.device("cpu")
    assert "80,000 training ratings" in note and f"{dev.AUTO_GPU_MIN_RATINGS:,}" in note
    assert "name" not in fake_cuda  # choosing the CPU never starts CUDA to name a GPU


def test_auto_takes_the_gpu_for_big_data_and_names_it(fake_cuda):
    device, note = dev.pick_device("auto", 25_000_000)
    assert device == CUDA
    assert "NVIDIA H200 (cuda:0)" in note and "25,000,000" in note


def test_auto_without_a_gpu_says_so(no_gpu):
    device, note = dev.pick_device("auto", 25_000_000)
    assert device == torch.device("cpu") and "no GPU" in note


def test_auto_applies_the_same_rule_to_apple_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(dev, "_mps_available", lambda: True)
    assert dev.pick_device("auto", 1000)[0] == torch.device("cpu")
    assert dev.pick_device("auto", 10**8)[0] == torch.device("mps")


def test_an_explicit_device_is_used_whatever_the_size(fake_cuda):
    assert dev.pick_device("cuda:1", 10) == (torch.device("cuda", 1), "")
    assert dev.pick_device("cpu", 10**9) == (torch.device("cpu"), "")


@pytest.mark.parametrize(
    "setting, words",
    [("cuda:5", "names GPU 5, but only 2"), ("xpu", "not supported"), ("tpu", "is not a device")],
)
def test_bad_device_settings_name_the_setting(fake_cuda, setting, words):
    with pytest.raises(TrainingError, match=words):
        dev.resolve_device(setting)


def test_cuda_and_mps_settings_without_them_are_refused(no_gpu):
    with pytest.raises(TrainingError, match="no CUDA GPU is usable"):
        dev.resolve_device("cuda")
    with pytest.raises(TrainingError, match="Apple MPS, which is not available"):
        dev.resolve_device("mps")


def test_list_devices_names_every_gpu_then_the_cpu(fake_cuda):
    found = dev.list_devices()
    assert [d.id for d in found] == ["cuda:0", "cuda:1", "cpu"]
    assert found[1].name == "NVIDIA L4 (cuda:1)"


def test_the_cpu_entry_asks_no_gpu_driver(monkeypatch):
    def refuse(*args):
        raise AssertionError("the CPU entry asked the CUDA driver")

    for name in ("is_available", "device_count", "get_device_name", "current_device"):
        monkeypatch.setattr(torch.cuda, name, refuse)
    assert dev.cpu_device().id == "cpu" and "CPU" in dev.cpu_device().name


def test_only_cuda_steps_must_be_sync_free():
    assert dev.sync_free(CUDA)
    assert not dev.sync_free(torch.device("cpu")) and not dev.sync_free(torch.device("mps"))


def _precision() -> tuple[str, str, str]:
    """torch's global matmul precision and the per-backend CUDA and oneDNN settings."""
    mkldnn = torch.backends.mkldnn.matmul
    cuda = torch.backends.cuda.matmul
    return torch.get_float32_matmul_precision(), cuda.fp32_precision, mkldnn.fp32_precision


def test_tf32_is_on_for_the_nn_fit_only_and_everything_is_given_back():
    before = _precision()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # deprecated setters warn; mixed old and new APIs raise
        with tf32_matmuls(CUDA, wanted=True, has_matmuls=True):
            assert _precision()[:2] == ("high", "tf32")
            assert torch.backends.cuda.matmul.allow_tf32  # the old getter still answers
        assert _precision() == before
        with pytest.raises(ZeroDivisionError), tf32_matmuls(CUDA, True, True):
            1 / 0  # noqa: B018 (an error inside the fit restores it too)
        assert _precision() == before
        assert not torch.backends.cuda.matmul.allow_tf32


@pytest.mark.parametrize(
    "device, wanted, has_matmuls",
    [(CUDA, True, False), (CUDA, False, True), (torch.device("cpu"), True, True)],
)
def test_tf32_is_left_alone_where_it_does_nothing(device, wanted, has_matmuls):
    before = _precision()
    with tf32_matmuls(device, wanted, has_matmuls):
        assert _precision() == before


@pytest.mark.parametrize(
    "kind, row_sparse, expected, bf16",
    [
        ("dotbias", True, HandGradOptimizer, None),  # the hand-gradient step stays on
        ("dot", True, HandGradOptimizer, None),
        ("dotbias", False, AutogradStep, False),  # no matmul for autocast to cast
        ("nn", True, RowSparseStep, True),
        ("nn", False, AutogradStep, True),
    ],
)
def test_bf16_asks_autocast_only_for_the_nn_model(kind, row_sparse, expected, bf16):
    config = TrainConfig(model=kind, n_factors=4, bf16=True, implicit=False)
    module = build_model(kind, 10, 8, n_factors=4, layers=(4,))
    step = make_step(module, config, 0.01, row_sparse, None, CUDA)  # weights stay on the CPU
    assert type(step) is expected
    if bf16 is not None:
        assert step.bf16 is bf16
    on_cpu = make_step(module, config, 0.01, row_sparse, None, torch.device("cpu"))
    assert getattr(on_cpu, "bf16", False) is False
