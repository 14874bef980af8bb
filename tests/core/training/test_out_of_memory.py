"""Running out of memory anywhere in a fit gives one sentence naming what was being done, and on
a GPU the offer to train on the CPU; the CLI prints that sentence, no traceback."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.cli import main
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import OutOfMemoryError, TrainingError
from cfdesk.core.training import batching
from cfdesk.core.training import trainer as trainer_module
from cfdesk.core.training.evaluation import EvalRows
from cfdesk.core.training.oom import out_of_memory_explained
from cfdesk.core.training.trainer import Trainer


def _fails(*args, **kwargs):
    raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (injected)")


def _score_fails_for(name: str):
    real = EvalRows.score

    def score(self, module):
        if self.name == name:
            _fails()
        return real(self, module)

    return score


PHASES = {  # where the fault is planted -> what the sentence says was being done
    "model": (trainer_module, "make_model", _fails, "loading the model and the validation"),
    "upload": (batching, "device_tensors", _fails, "loading the ratings"),
    "shuffle": (batching, "epoch_order", _fails, "shuffling the ratings for epoch 1"),
    "valid": (EvalRows, "score", _score_fails_for("valid"), "scoring the validation ratings"),
    "result": (EvalRows, "score", _score_fails_for("test"), "scoring the held-out ratings"),
}


@pytest.mark.parametrize("phase", PHASES)
def test_out_of_memory_outside_the_step_names_what_was_being_done(tiny, quick, monkeypatch, phase):
    owner, name, fault, words = PHASES[phase]
    train, valid, test = prepare_split(tiny, quick.with_changes(valid_frac=0.2))
    monkeypatch.setattr(owner, name, fault)
    with pytest.raises(TrainingError) as info:
        trainer = Trainer(train, valid, quick, test)
        list(trainer.reports())
        trainer.result()
    message = str(info.value)
    assert message.startswith("the computer ran out of memory while ") and words in message
    assert isinstance(info.value.__cause__, torch.OutOfMemoryError)


def test_the_cpu_allocators_failure_in_a_step_is_a_sentence_too(tiny, quick, monkeypatch):
    def step(self, *args):
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 8 GB")

    monkeypatch.setattr(Trainer, "_try_step", step)
    with pytest.raises(TrainingError, match="ran out of memory while training"):
        list(Trainer(tiny, None, quick).reports())


def test_other_runtime_errors_pass_unchanged(tiny, quick, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(batching, "epoch_order", broken)
    with pytest.raises(RuntimeError, match="^boom$"):
        list(Trainer(tiny, None, quick).reports())


def test_on_a_gpu_the_error_offers_the_cpu_with_the_same_batch():
    with (
        pytest.raises(OutOfMemoryError) as info,
        out_of_memory_explained(torch.device("cuda", 0), "loading the ratings", 512, 2),
    ):
        _fails()
    error = info.value
    assert (error.device, error.batch_size, error.accum_steps) == ("cpu", 512, 2)
    assert str(error).startswith("the GPU (cuda:0) ran out of memory while loading the ratings")
    assert "device setting cpu" in str(error)


def test_the_step_keeps_offering_a_smaller_micro_batch(tiny, quick, monkeypatch):
    monkeypatch.setattr(Trainer, "_try_step", _fails)
    with pytest.raises(OutOfMemoryError) as info:
        list(Trainer(tiny, None, quick).reports())
    assert info.value.device is None and (info.value.batch_size, info.value.accum_steps) == (64, 2)


def test_the_cli_prints_one_sentence(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    lines = ["user,item,rating"] + [
        f"{u},{i},{r}" for u, i, r in zip(rng.integers(1, 30, 400), rng.integers(1, 20, 400),
                                          rng.integers(1, 6, 400), strict=True)
    ]  # fmt: skip
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(batching, "device_tensors", _fails)
    code = main(["train", str(path), "--device", "cpu", "--epochs", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("cfdesk: error: the computer ran out of memory while loading")
    assert "Traceback" not in "\n".join(err)
