"""The implicit-feedback term: better u1 validation, and trained models stay ordinary models."""

from __future__ import annotations

import numpy as np
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.split import prepare_split
from cfdesk.core.model import DotProductBias
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.trainer import Trainer, fit

from ..conftest import read_u


def test_implicit_term_lowers_u1_validation_rmse(ml100k):
    base = read_u(ml100k / "u1.base")  # validation is carved from u1.base; u1.test is not read
    plain = fit(base, TrainConfig(device="cpu", implicit=False)).metrics["valid_rmse"]
    implicit = fit(base, TrainConfig(device="cpu")).metrics["valid_rmse"]
    assert implicit < plain - 0.003


def test_trained_model_is_a_plain_model_predicting_what_training_scored(tiny, quick, tmp_path):
    config = quick.with_changes(implicit=True)
    train, valid, _ = prepare_split(tiny, config)
    trainer = Trainer(train, valid, config)
    list(trainer.reports())
    users = torch.as_tensor(valid.user_idx, dtype=torch.long)
    items = torch.as_tensor(valid.item_idx, dtype=torch.long)
    with torch.no_grad():
        during = trainer.module(users, items)
    fitted = trainer.result()
    assert type(fitted.module) is DotProductBias and fitted.module.user_offsets is None
    assert "implicit.weight" not in fitted.module.state_dict()
    torch.testing.assert_close(fitted.predict(valid.user_idx, valid.item_idx), during.numpy())
    assert np.isclose(fitted.metrics["valid_rmse"], trainer.history[-1].valid_rmse, rtol=1e-5)
    again = load_model(save_model(fitted, tmp_path / "m.cfmodel"))
    np.testing.assert_allclose(
        again.predict(valid.user_idx, valid.item_idx), during.numpy(), rtol=1e-5, atol=1e-6
    )
