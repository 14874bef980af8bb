"""CUDA only: training runs on the GPU, reports GPU memory, and bf16/TF32 options work."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.data.split import prepare_split
from cfdesk.core.training.reports import EpochReport
from cfdesk.core.training.trainer import Trainer

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
