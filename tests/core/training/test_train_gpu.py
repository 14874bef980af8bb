"""CUDA only: training runs on the GPU, reports GPU memory, and bf16/TF32 options work; the steady
step never syncs, hand gradients match autograd there, NVML finds this GPU, and out of memory
while loading the data is the clear error."""

from __future__ import annotations

import warnings

import pytest
import torch

from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import OutOfMemoryError
from cfdesk.core.training.memory import NVML_MISSING_NOTE, memory_sample
from cfdesk.core.training.reports import EpochReport
from cfdesk.core.training.trainer import Trainer

from ..conftest import planted_ratings
from .test_hand_grad import _assert_hand_matches_autograd
from .test_syncs import STEPS, _stepper

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


@pytest.mark.parametrize("options", [{}, {"bf16": True, "tf32": True}, {"row_sparse": True}])
def test_training_on_cuda_reports_gpu_memory(tiny, quick, options):
    config = quick.with_changes(device="cuda", **options)
    train, valid, _ = prepare_split(tiny, config)
    trainer = Trainer(train, valid, config)
    epochs = [r for r in trainer.reports() if isinstance(r, EpochReport)]
    assert trainer.module.user_factors.weight.device.type == "cuda"
    assert epochs[-1].memory.kind == "cuda" and epochs[-1].memory.torch_allocated > 0
    fitted = trainer.result()
    assert fitted.metrics["valid_rmse"] < fitted.metrics["baselines"]["global_mean"]["valid"]
    assert next(fitted.module.parameters()).device.type == "cpu"


@pytest.mark.parametrize("changes", STEPS)
def test_a_steady_cuda_step_never_syncs(tiny, quick, changes):
    trainer = Trainer(tiny, None, quick.with_changes(device="cuda", **changes))
    steps = _stepper(trainer, tiny, 64)
    steps(3)  # the first steps set up optimizer state
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        steps(10)
    finally:
        torch.cuda.set_sync_debug_mode("default")


@pytest.mark.parametrize("changes", [{}, {"accum_steps": 4}, {"optimizer": "sgd", "lr": 0.5}])
def test_hand_gradients_on_cuda_match_autograd(tiny, quick, monkeypatch, changes):
    config = quick.with_changes(device="cuda", row_sparse=True, **changes)
    _assert_hand_matches_autograd(tiny, config, monkeypatch)


def test_memory_samples_find_this_gpu_in_nvml():
    pytest.importorskip("pynvml")
    sample = memory_sample("cuda")
    assert sample.note != NVML_MISSING_NOTE, "NVML did not find this GPU by its UUID"
    free, total = torch.cuda.mem_get_info()
    assert abs(sample.total - total) < 0.05 * total  # the same card (or MIG slice)


def test_a_tf32_nn_fit_gives_the_setting_back_without_warnings(tiny, quick):
    config = quick.with_changes(device="cuda", model="nn", tf32=True)
    before = torch.get_float32_matmul_precision(), torch.backends.cuda.matmul.fp32_precision
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(Trainer(tiny, None, config).reports())
    after = torch.get_float32_matmul_precision(), torch.backends.cuda.matmul.fp32_precision
    assert after == before


def test_out_of_memory_loading_the_ratings_offers_the_cpu(quick):
    ratings = planted_ratings(600, 500)  # ~150k ratings: the upload needs fresh segments
    trainer = Trainer(ratings, None, quick.with_changes(device="cuda"))
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(torch.cuda.memory_reserved() / total)
    try:
        with pytest.raises(OutOfMemoryError, match="while loading the ratings") as info:
            list(trainer.reports())
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    assert info.value.device == "cpu"
