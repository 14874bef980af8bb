"""`cfdesk train` records every run; `cfdesk runs`, `runs show` and `runs compare` read them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cfdesk.cli import main


@pytest.fixture
def ratings_csv(tmp_path):
    rng = np.random.default_rng(1)
    users, items = rng.integers(1, 60, 2000), rng.integers(1, 40, 2000)
    rating = np.clip(np.round(3 + (users % 3 - 1) + rng.normal(0, 0.5, 2000)), 1, 5)
    lines = ["user_id,item_id,rating"] + [
        f"{u},{i},{r:.0f}" for u, i, r in zip(users, items, rating, strict=True)
    ]
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _train(path, capsys, *extra: str) -> dict:
    args = ["train", str(path), "--epochs", "2", "--device", "cpu", "--batch-size", "256"]
    assert main([*args, "--json", *extra]) == 0
    return _last_json(capsys)


def test_each_training_is_listed_with_the_promised_fields(ratings_csv, capsys, tmp_path):
    first = _train(ratings_csv, capsys, "--factors", "8")
    out = tmp_path / "m.cfmodel"
    second = _train(ratings_csv, capsys, "--factors", "16", "--out", str(out))
    assert main(["runs", "--json"]) == 0
    runs = _last_json(capsys)["runs"]
    assert [r["id"] for r in runs] == [second["run_id"], first["run_id"]]  # newest first
    for key in ("id", "status", "model", "valid_rmse", "test_rmse", "dataset"):
        assert key in runs[0]
    assert runs[0]["status"] == "finished" and runs[0]["dataset"] == "ratings.csv"
    assert runs[0]["valid_rmse"] == pytest.approx(second["valid_rmse"])
    assert runs[0]["model_path"] == str(out.resolve()) and runs[1]["model_path"] == ""
    assert main(["runs"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["id", "started", "status"] and len(table) == 3


def test_show_prints_settings_metrics_and_every_epoch(ratings_csv, capsys):
    run_id = _train(ratings_csv, capsys)["run_id"]
    assert main(["runs", "show", str(run_id), "--json"]) == 0
    shown = _last_json(capsys)
    assert shown["id"] == run_id and shown["config"]["epochs"] == 2
    assert [e["epoch"] for e in shown["epochs"]] == [1, 2]
    assert shown["device"] == "cpu" and shown["source"] == "cli"
    assert main(["runs", "show", str(run_id)]) == 0
    text = capsys.readouterr().out
    assert "Validation RMSE:" in text and "Learning rate:" in text


def test_compare_marks_the_settings_that_differ(ratings_csv, capsys):
    a = _train(ratings_csv, capsys, "--factors", "8")["run_id"]
    b = _train(ratings_csv, capsys, "--factors", "16", "--wd", "0.5")["run_id"]
    assert main(["runs", "compare", str(a), str(b), "--json"]) == 0
    compared = _last_json(capsys)
    assert [r["id"] for r in compared["runs"]] == [a, b]
    rows = {row["name"]: row for row in compared["rows"] if row["section"] == "setting"}
    assert rows["n_factors"]["values"] == [8, 16] and rows["n_factors"]["differs"]
    assert not rows["lr"]["differs"]
    assert {"n_factors", "weight_decay"} <= set(compared["differences"])
    assert main(["runs", "compare", str(a), str(b)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("*")][-2:] == ["Factors", "Weight"]


def test_unknown_ids_and_a_lone_compare_are_one_sentence_and_exit_2(ratings_csv, capsys):
    _train(ratings_csv, capsys)
    assert main(["runs", "show", "99"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cfdesk: error: run 99 does not exist") and len(err.splitlines()) == 1
    assert main(["runs", "compare", "1"]) == 2
    assert "two or more run ids" in capsys.readouterr().err


def test_a_damaged_store_warns_once_and_training_still_succeeds(
    ratings_csv, capsys, isolated_runs_db
):
    isolated_runs_db.parent.mkdir(parents=True, exist_ok=True)
    isolated_runs_db.write_bytes(b"not sqlite " * 300)
    args = ["train", str(ratings_csv), "--epochs", "2", "--device", "cpu", "--json"]
    assert main(args) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["run_id"] is None and summary["valid_rmse"] > 0
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "this run is not recorded" in warnings[0]
    assert str(isolated_runs_db) in warnings[0] and "damaged" in warnings[0]
    assert main(["runs"]) == 2  # reading it is an error, with the same sentence
    assert "is damaged or not a cfdesk run database" in capsys.readouterr().err


def test_delete_removes_runs(ratings_csv, capsys):
    a = _train(ratings_csv, capsys)["run_id"]
    b = _train(ratings_csv, capsys)["run_id"]
    assert main(["runs", "delete", str(a), "--json"]) == 0
    assert _last_json(capsys) == {"deleted": 1, "kept_running": 0}
    assert main(["runs", "--json"]) == 0
    assert [r["id"] for r in _last_json(capsys)["runs"]] == [b]


def test_tune_records_its_trials_as_runs_of_one_study(ratings_csv, capsys):
    args = ["tune", str(ratings_csv), "--trials", "2", "--models", "dotbias,dot", "--device",
            "cpu", "--json"]  # fmt: skip
    assert main(args) == 0
    study = _last_json(capsys)["study_id"]
    assert main(["runs", "--study", str(study), "--json"]) == 0
    trials = _last_json(capsys)["runs"]
    assert sorted(r["trial"] for r in trials) == [0, 1]
    assert {r["study_id"] for r in trials} == {study} and all(r["source"] == "cli" for r in trials)
    assert all(r["status"] in ("finished", "pruned") for r in trials)


def test_a_store_too_slow_to_take_the_last_writes_is_said(ratings_csv, capsys, monkeypatch):
    from cfdesk.core.runs.writer import RunWriter

    closes = []
    monkeypatch.setattr(RunWriter, "close", lambda self, timeout=5.0: closes.append(1) and False)
    args = ["train", str(ratings_csv), "--epochs", "1", "--device", "cpu", "--batch-size", "256"]
    assert main(args) == 0
    assert closes
    assert "did not take the last writes within 5 s" in capsys.readouterr().err
