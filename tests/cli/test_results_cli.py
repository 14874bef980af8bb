"""Results subcommands end to end on a tiny model file made with fit + save_model."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from cfdesk.cli import main
from cfdesk.core.config import TrainConfig
from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.trainer import fit

N_USERS, N_ITEMS = 30, 25


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A 30-user × 25-item dotbias model with titles and genres, saved as .cfmodel."""
    rng = np.random.default_rng(0)
    cells = rng.random((N_USERS, N_ITEMS)) < 0.5
    users, items = np.nonzero(cells)
    taste = rng.normal(size=(N_USERS, 2)) @ rng.normal(size=(2, N_ITEMS))
    stars = np.clip(np.round(3 + taste[users, items]), 1, 5).astype(np.float32)
    ratings = ratings_from_raw(users + 1, items + 501, stars)
    titles = np.array([f"Film {i}" for i in ratings.items.ids], dtype=object)
    genres = tuple(("Drama",) if i % 2 else ("Comedy",) for i in range(N_ITEMS))
    ratings = replace(ratings, item_table=ItemTable(titles, genres))
    fitted = fit(ratings, TrainConfig(epochs=2, n_factors=4, device="cpu", seed=1))
    path = save_model(fitted, tmp_path_factory.mktemp("model") / "tiny.cfmodel")
    return path


def run_json(capsys, *argv: str) -> dict:
    """Run the CLI with --json and parse its last stdout line."""
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_recommend_lists_unseen_items_with_titles(model_file, capsys):
    out = run_json(capsys, "recommend", str(model_file), "--user", "3", "-n", "5")
    fitted = load_model(model_file)
    seen = set(fitted.items.ids[fitted.seen.of(fitted.users.index_of(3))].tolist())
    assert out["user_id"] == 3 and len(out["items"]) == 5
    assert [r["rank"] for r in out["items"]] == [1, 2, 3, 4, 5]
    assert not seen & {r["item_id"] for r in out["items"]}
    assert all(r["title"] == f"Film {r['item_id']}" for r in out["items"])


def test_recommend_for_a_new_user_from_ratings(model_file, capsys):
    out = run_json(capsys, "recommend", str(model_file), "--rate", "501=5", "--rate", "502=1")
    assert out["new_user"] == {"ratings": 2, "method": "least-squares"}
    assert not {501, 502} & {r["item_id"] for r in out["items"]}


def test_recommend_text_output_and_unknown_user(model_file, capsys):
    assert main(["recommend", str(model_file), "--user", "3", "-n", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].split()[0] == "1" and "Film" in lines[0]
    assert main(["recommend", str(model_file), "--user", "4242"]) == 2
    assert "user id '4242' does not occur" in capsys.readouterr().err


def test_similar_items_and_users(model_file, capsys):
    out = run_json(capsys, "similar", str(model_file), "--item", "501", "-n", "4")
    assert out["item_id"] == 501 and len(out["neighbours"]) == 4
    fitted = load_model(model_file)  # 25 items: the default minimum drops to keep them all
    assert out["min_ratings"] == int(fitted.item_count[fitted.item_count > 0].min())
    out = run_json(capsys, "similar", str(model_file), "--item", "501", "--min-ratings", "17")
    counts = dict(zip(fitted.items.ids.tolist(), fitted.item_count.tolist(), strict=True))
    assert out["min_ratings"] == 17
    assert all(counts[r["item_id"]] >= 17 for r in out["neighbours"])
    assert 501 not in {r["item_id"] for r in out["neighbours"]}
    out = run_json(capsys, "similar", str(model_file), "--user", "2", "--metric", "euclidean")
    assert 2 not in {r["user_id"] for r in out["neighbours"]}
    assert all("distance" in r for r in out["neighbours"])


def test_biases_both_ends(model_file, capsys):
    out = run_json(capsys, "biases", str(model_file), "-n", "3")
    assert len(out["lowest"]) == len(out["highest"]) == 3 and out["reason"] == ""
    assert out["lowest"][0]["bias"] <= out["highest"][0]["bias"]


def test_export_all_users_and_a_user_list(model_file, tmp_path, capsys):
    out_csv = tmp_path / "recs.csv"
    assert main(["export", str(model_file), str(out_csv), "-n", "3", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out.strip().splitlines()[-1])
    assert "export: 100%" in captured.err
    frame = pd.read_csv(out_csv)
    assert list(frame.columns) == [
        "user_id", "rank", "item_id", "title", "predicted_rating", "score", "ranking"
    ]  # fmt: skip
    assert set(frame["ranking"]) == {"popular-prior w=1.5"}
    assert len(frame) == out["rows"] == N_USERS * 3
    user_file = tmp_path / "users.txt"
    user_file.write_text("user_id\n1\n2\n")
    run_json(capsys, "export", str(model_file), str(out_csv), "--users", str(user_file))
    assert sorted(pd.read_csv(out_csv)["user_id"].unique()) == [1, 2]


def test_export_embeddings_writes_matching_files(model_file, tmp_path, capsys):
    out = run_json(capsys, "export-embeddings", str(model_file), str(tmp_path / "emb"))
    vectors = pd.read_csv(out["vectors"], sep="\t", header=None)
    meta = pd.read_csv(out["metadata"], sep="\t")
    pca = pd.read_csv(out["pca"])
    assert len(vectors) == len(meta) == len(pca) == N_ITEMS == out["rows"]
    assert vectors.shape[1] == 4 and {"pc1", "pc2", "pc3"} <= set(pca.columns)
    assert set(out["explained_variance"]) == {"pc1", "pc2", "pc3"}


def test_predict_marks_unknown_pairs(model_file, tmp_path, capsys):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("1\t501\n2\t502\n999\t501\n")
    out = run_json(capsys, "predict", str(model_file), str(pairs), str(tmp_path / "p.csv"))
    frame = pd.read_csv(tmp_path / "p.csv")
    assert out["rows"] == 3 and out["unknown"] == 1
    assert list(frame["known"]) == [True, True, False]
    assert frame["predicted_rating"][:2].between(1, 5.5).all()


def test_info_describes_a_model_file(model_file, capsys):
    out = run_json(capsys, "info", str(model_file))
    assert out["kind"] == "dotbias" and out["factors"] == 4
    assert out["users"] == N_USERS and out["items"] == N_ITEMS
    assert "valid_rmse" in out["metrics"]
    assert main(["info", str(model_file)]) == 0
    assert "dotbias model, 4 factors" in capsys.readouterr().out


def test_ranking_against_popularity(model_file, tmp_path, capsys):
    test = tmp_path / "test.csv"
    test.write_text("user,item,rating\n1,501,5\n2,503,4\n3,504,5\n")
    out = run_json(capsys, "ranking", str(model_file), str(test), "-k", "5")
    assert set(out) == {"popular-prior", "predicted", "popularity"}
    assert out["popular-prior"]["k"] == 5
    for report in out.values():  # coverage and concentration beside the accuracy
        assert 0 < report["coverage"] <= 1 and 0 <= report["gini"] <= 1
        assert 0 < report["top_share"] <= 1 and report["distinct"] >= 5


def test_export_and_recommend_take_the_ranking_choice(model_file, tmp_path, capsys):
    out_csv = tmp_path / "plain.csv"
    run_json(capsys, "export", str(model_file), str(out_csv), "--ranking", "predicted")
    frame = pd.read_csv(out_csv)
    assert set(frame["ranking"]) == {"predicted"}
    for _, rows in frame.groupby("user_id"):
        assert rows["predicted_rating"].is_monotonic_decreasing
    out = run_json(capsys, "recommend", str(model_file), "--user", "3", "--prior-weight", "3")
    assert out["ranking"] == "popular-prior w=3"
    scores = [r["score"] for r in out["items"]]
    assert scores != [r["predicted_rating"] for r in out["items"]]
    out = run_json(capsys, "recommend", str(model_file), "--user", "3", "--ranking", "predicted")
    assert out["ranking"] == "predicted"
    predicted = [r["predicted_rating"] for r in out["items"]]
    assert predicted == sorted(predicted, reverse=True) == [r["score"] for r in out["items"]]
