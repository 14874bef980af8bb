"""`cfdesk train --distributed` under torchrun with two gloo processes on 127.0.0.1: the model
file opens like any other and recommends like a single-process model; a failing process fails
the job with its sentence and leaves no file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from cfdesk.cli import main
from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.loader.part import id_parts
from cfdesk.core.results.context import ResultsContext
from cfdesk.core.results.item_facts import bias_extremes
from cfdesk.core.results.projection import item_map
from cfdesk.core.storage.model_file import load_model
from cfdesk.core.training.trainer import fit

pytestmark = [pytest.mark.sockets, pytest.mark.slow]
FAILING = Path(__file__).with_name("failing_process.py")
SETTINGS = ["--epochs", "10", "--factors", "8", "--seed", "3"]


@pytest.fixture
def files(tmp_path):
    """A rank-3 taste model, 200 users × 120 items, half observed; 10 % in a test file."""
    rng = np.random.default_rng(5)
    u, v = rng.normal(size=(200, 3)), rng.normal(size=(120, 3))
    users, items = np.nonzero(rng.random((200, 120)) < 0.5)
    stars = np.clip(
        np.round(3 + 0.8 * (u[users] * v[items]).sum(1) + rng.normal(0, 0.3, len(users))), 1, 5
    )
    rows = [f"{a + 1},{b + 501},{r:.0f}" for a, b, r in zip(users, items, stars, strict=True)]
    test_rows = set(rng.choice(len(rows), len(rows) // 10, replace=False).tolist())
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text("\n".join(r for k, r in enumerate(rows) if k not in test_rows) + "\n")
    test.write_text("\n".join(rows[k] for k in sorted(test_rows)) + "\n")
    return train, test


def _summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_two_processes_train_a_model_the_app_opens_like_any_other(
    files, tmp_path, torchrun, capsys
):
    train, test = files
    model = tmp_path / "two.cfmodel"
    args = [str(train), "--test", str(test), *SETTINGS]
    done = torchrun(
        ["-m", "cfdesk", "train", *args, "--distributed", "--json", "--out", str(model)]
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = _summary(done.stdout)
    config = TrainConfig(epochs=10, n_factors=8, seed=3, valid_frac=0.0, device="cpu")
    single = fit(load_ratings(train), config, load_ratings(test, items=False))
    assert summary["test_rmse"] < single.metrics["test_rmse"] + 0.03  # no less accurate
    assert summary["test_rmse"] < summary["baseline_rmse"]
    shares = summary["distributed"]["per_process"]
    whole = sum(p.numel() for p in single.module.parameters()) + single.n_items * 8  # + y
    assert len(shares) == 2 and all(0.35 < s["weights"] / whole < 0.65 for s in shares)

    assert main(["info", str(model), "--json"]) == 0
    info = _summary(capsys.readouterr().out)
    assert (info["users"], info["items"], info["kind"]) == (
        single.n_users,
        single.n_items,
        "dotbias",
    )
    fitted = load_model(model)
    context = ResultsContext.build(fitted)
    for user in fitted.users.ids[:20]:
        ids, scores = context.recommender.recommend(user, n=10)
        assert len(set(ids.tolist())) == 10 and np.isfinite(scores).all()
        rated = fitted.items.ids[fitted.seen.of(fitted.users.index_of(user))]
        assert not set(ids.tolist()) & set(rated.tolist())
    every = np.arange(fitted.n_items)
    agree = [
        np.corrcoef(fitted.predict(np.full(fitted.n_items, k), every),
                    single.predict(np.full(single.n_items, k), every))[0, 1]
        for k in range(0, fitted.n_users, 10)
    ]  # fmt: skip
    assert np.median(agree) > 0.9  # both models rank a user's items alike
    biases = [
        bias_extremes(m, n=fitted.n_items).highest.set_index("item_id")["bias"]
        for m in (fitted, single)
    ]
    assert biases[0].corr(biases[1]) > 0.9  # the Item biases page ranks items alike
    assert len(item_map(fitted).frame) == fitted.n_items  # and the Map page places every item


def test_without_torchrun_the_flag_says_how_to_launch(files, monkeypatch, capsys):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert main(["train", str(files[0]), "--distributed"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "torchrun --nproc-per-node" in err


def test_a_process_that_cannot_read_its_rows_fails_the_job_without_a_file(tmp_path, torchrun):
    rows = [f"{u},{i},{1 + (u * i) % 5}" for u in range(1, 60) for i in range(1, 30)]
    bad_user = 12
    line = rows.index(f"{bad_user},7,{1 + (bad_user * 7) % 5}")
    rows[line] = f"{bad_user},7,1e39"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n")
    bad_part = int(id_parts(np.array([str(bad_user)], dtype=object), 2)[0])
    out = tmp_path / "out"
    out.mkdir()
    done = torchrun(
        ["-m", "cfdesk", "train", str(path), "--distributed", "--out", str(out / "m.cfmodel")]
    )
    assert done.returncode != 0
    assert f"process {bad_part} of 2: " in done.stderr and f"line {line + 1}" in done.stderr
    assert list(out.iterdir()) == []


def test_a_process_failing_mid_training_fails_the_job_without_a_file(files, tmp_path, torchrun):
    out = tmp_path / "out"
    out.mkdir()
    done = torchrun(
        [str(FAILING), str(files[0]), *SETTINGS, "--distributed", "--out", str(out / "m.cfmodel")]
    )
    assert done.returncode != 0
    assert "process 1 of 2: this process was told to fail at its fifth step" in done.stderr
    assert list(out.iterdir()) == []
    assert torch.distributed.is_available()


@pytest.fixture
def one_process_job(monkeypatch, loopback_port):
    """This test process as the only process of a job on 127.0.0.1 (as torchrun would set it)."""
    env = {"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": str(loopback_port)}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_a_missing_output_folder_is_refused_before_training(
    files, tmp_path, one_process_job, capsys
):
    out = tmp_path / "missing" / "m.cfmodel"
    assert main(["train", str(files[0]), "--distributed", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "process 0 of 1: cannot write" in err and "does not exist" in err
    assert "epoch" not in err


def test_the_text_summary_says_how_the_job_ran(files, tmp_path, one_process_job, capsys):
    out = tmp_path / "one.cfmodel"
    assert main(["train", str(files[0]), "--distributed", "--epochs", "2", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("distributed: 1 process (gloo)") for line in lines)
    assert load_model(out).metrics["distributed"]["per_process"][0]["ratings"] > 0
