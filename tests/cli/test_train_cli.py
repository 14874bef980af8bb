"""`cfdesk train`: the JSON line scripts read, the model file, and errors as sentences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cfdesk.cli import main
from cfdesk.core.storage.model_file import load_model


@pytest.fixture
def ratings_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 3000
    users, items = rng.integers(1, 80, n), rng.integers(1, 60, n)
    rating = np.clip(
        np.round(3 + (users % 5 - 2) * 0.5 + (items % 3 - 1) + rng.normal(0, 0.5, n)), 1, 5
    )
    lines = ["user_id,item_id,rating,timestamp"]
    lines += [
        f"{u},{i},{r:.0f},{t}"
        for u, i, r, t in zip(users, items, rating, rng.integers(0, 10**6, n), strict=True)
    ]
    train = tmp_path / "ratings.csv"
    train.write_text("\n".join(lines[:2500]) + "\n")
    test = tmp_path / "test.csv"
    test.write_text("\n".join([lines[0], *lines[2500:], "9999,1,4,5"]) + "\n")
    return train, test


def test_json_line_has_the_promised_fields_and_the_model_is_saved(ratings_csv, tmp_path, capsys):
    train, test = ratings_csv
    out = tmp_path / "m.cfmodel"
    code = main(
        [
            "train",
            str(train),
            "--test",
            str(test),
            "--epochs",
            "2",
            "--device",
            "cpu",
            "--batch-size",
            "256",
            "--json",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    summary = json.loads(captured.out.strip().splitlines()[-1])
    for key in (
        "model",
        "device",
        "epochs",
        "train_rmse",
        "valid_rmse",
        "test_rmse",
        "baseline_rmse",
        "fit_seconds",
        "n_train",
        "n_valid",
        "n_test",
        "n_test_skipped",
    ):
        assert key in summary
    assert summary["model"] == "dotbias" and summary["epochs"] == 2
    assert summary["n_test_skipped"] >= 1 and summary["n_valid"] == 0
    assert 0 < summary["test_rmse"] < 2
    assert "epoch 2/2" in captured.err
    assert load_model(out).metrics["test_rmse"] == pytest.approx(summary["test_rmse"])


def test_validation_split_is_used_without_a_test_file(ratings_csv, capsys):
    train, _ = ratings_csv
    code = main(
        ["train", str(train), "--epochs", "1", "--model", "nn", "--device", "cpu", "--json"]
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and summary["model"] == "nn"
    assert summary["n_valid"] > 0 and summary["test_rmse"] is None


def test_bad_setting_is_a_sentence_and_exit_code_2(ratings_csv, capsys):
    train, _ = ratings_csv
    code = main(["train", str(train), "--batch-size", "100", "--device", "cpu"])
    assert code == 2
    assert "power of two" in capsys.readouterr().err


def test_no_implicit_trains_the_plain_model_and_says_so_in_help(ratings_csv, tmp_path, capsys):
    train, test = ratings_csv
    common = ["train", str(train), "--test", str(test), "--epochs", "2", "--device", "cpu"]
    common += ["--batch-size", "256"]  # enough steps for the implicit table to get updates
    rmse = {}
    for flag in ("--implicit", "--no-implicit"):
        out = tmp_path / f"{flag}.cfmodel"
        assert main([*common, flag, "--json", "--out", str(out)]) == 0
        rmse[flag] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test_rmse"]
        assert load_model(out).config.implicit is (flag == "--implicit")
    assert rmse["--implicit"] != pytest.approx(rmse["--no-implicit"], abs=1e-6)
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "--no-implicit" in capsys.readouterr().out


def test_keep_last_is_honoured_and_the_output_says_which_epoch_was_kept(ratings_csv, capsys):
    train, _ = ratings_csv
    common = ["train", str(train), "--epochs", "10", "--lr", "0.1", "--wd", "0", "--device", "cpu"]
    common += ["--batch-size", "32", "--factors", "64"]  # overfits: validation worsens late
    kept = {}
    for flags in ([], ["--keep-last"]):
        assert main([*common, *flags, "--json"]) == 0
        kept[bool(flags)] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    best, last = kept[False], kept[True]
    assert last["kept_epoch"] == 10 and "keep the best epoch is off" in last["kept"]
    assert best["kept_epoch"] < 10, "the run must overfit for this test to mean anything"
    assert f"Kept epoch {best['kept_epoch']}, the best validation RMSE" in best["kept"]
    assert best["valid_rmse"] < last["valid_rmse"]
    assert main([*common, "--epochs", "1"]) == 0
    assert "kept: Kept" in capsys.readouterr().out
