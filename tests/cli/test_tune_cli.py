"""`cfdesk tune`: the JSON line, the saved model, progress on stderr; P(top rating) in recommend."""

from __future__ import annotations

import json

import pytest

from cfdesk.cli import main
from cfdesk.core.ensemble import Ensemble
from cfdesk.core.storage.model_file import load_model
from tests.core.conftest import star_ratings


@pytest.fixture
def star_files(tmp_path):
    """Planted ratings rounded to 1-5 stars: a training CSV and a test CSV (every fifth row)."""
    ratings = star_ratings(90, 70, seed=2)
    stars = ratings.rating.astype(int)
    users, items = ratings.users.ids[ratings.user_idx], ratings.items.ids[ratings.item_idx]
    rows = [f"{u},{i},{r}" for u, i, r in zip(users, items, stars, strict=True)]
    train, test = tmp_path / "stars.csv", tmp_path / "stars-test.csv"
    train.write_text("\n".join(["user,item,rating", *[r for k, r in enumerate(rows) if k % 5]]))
    test.write_text("\n".join(["user,item,rating", *rows[::5]]))
    return train, test


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def test_tune_prints_the_promised_json_and_saves_the_ensemble(star_files, tmp_path, capsys):
    train, test = star_files
    out = tmp_path / "tuned.cfmodel"
    args = ["tune", str(train), "--test", str(test), "--trials", "3", "--ensemble", "2",
            "--models", "dotbias,dot", "--device", "cpu", "--json", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    captured = capsys.readouterr()
    summary = last_json(captured.out)
    assert {"trials", "best_params", "best_valid_rmse", "test_rmse", "seconds"} <= set(summary)
    assert summary["trials"] == 3 and summary["best_params"]["model"] in ("dotbias", "dot")
    assert 0 < summary["best_valid_rmse"] < 2 and 0 < summary["test_rmse"] < 2
    assert summary["out"] == str(out)
    assert "trial 0 complete" in captured.err and "test file" in captured.err
    loaded = load_model(out)
    assert loaded.metrics["test_rmse"] == pytest.approx(summary["test_rmse"], abs=1e-6)
    assert isinstance(loaded.module, Ensemble) == (summary["ensemble"] > 0)


def test_a_budget_that_cannot_run_is_one_sentence(star_files, capsys):
    train, _ = star_files
    assert main(["tune", str(train), "--trials", "2", "--ensemble", "0"]) == 2
    assert "ensemble setting 0 must be at least 1" in capsys.readouterr().err


def test_recommend_shows_the_chance_of_the_top_rating_for_a_dist_model(
    star_files, tmp_path, capsys
):
    train, _ = star_files
    model = tmp_path / "dist.cfmodel"
    assert main(["train", str(train), "--model", "dist", "--epochs", "3", "--factors", "8",
                 "--device", "cpu", "--out", str(model)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["recommend", str(model), "--user", "1", "-n", "4", "--json"]) == 0
    items = last_json(capsys.readouterr().out)["items"]
    assert len(items) == 4 and all(0 <= row["p_top_rating"] <= 1 for row in items)
    assert main(["recommend", str(model), "--rate", "1001=5", "--rate", "1002=5", "-n", "3"]) == 0
    captured = capsys.readouterr()
    assert "P(5★), item id" in captured.err
    assert len(captured.out.strip().splitlines()) == 3


def test_a_bag_that_cannot_run_is_one_sentence(star_files, capsys):
    train, _ = star_files
    assert main(["tune", str(train), "--trials", "2", "--bag", "0"]) == 2
    assert "seeds-per-member setting 0 must be at least 1" in capsys.readouterr().err


def test_an_autorec_model_trains_saves_recommends_and_exports(star_files, tmp_path, capsys):
    train, test = star_files
    model = tmp_path / "autorec.cfmodel"
    assert main(["train", str(train), "--test", str(test), "--model", "autorec", "--epochs", "4",
                 "--factors", "16", "--device", "cpu", "--out", str(model)]) == 0  # fmt: skip
    capsys.readouterr()
    assert load_model(model).module.kind == "autorec"
    assert main(["recommend", str(model), "--user", "1", "-n", "4", "--json"]) == 0
    assert len(last_json(capsys.readouterr().out)["items"]) == 4
    assert main(["recommend", str(model), "--rate", "1001=5", "--rate", "1002=4", "-n", "3"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    assert main(["export-embeddings", str(model), str(tmp_path / "proj")]) == 0
    vectors = (tmp_path / "proj" / "vectors.tsv").read_text().splitlines()
    assert len(vectors[0].split("\t")) == 16
