"""Exports: right shape and header, parse back, atomic under cancel and disk-full, progress."""

from __future__ import annotations

import errno
import os

import numpy as np
import pandas as pd
import pytest

from cfdesk.core.atomic import Cancelled, atomic_write
from cfdesk.core.errors import CfdeskError, UnknownIdError
from cfdesk.core.results.projection import item_map
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.storage.embeddings import export_map, export_projector
from cfdesk.core.storage.export import export_predictions, export_recommendations, read_pairs

N = 3  # every planted user has at least this many unrated items


def leftovers(folder):
    """Temp files a failed write might have left behind."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_every_user_gets_n_rows_with_the_right_header(fitted, tmp_path):
    assert min(fitted.n_items - len(fitted.seen.of(u)) for u in range(fitted.n_users)) >= N
    rec = Recommender(fitted)
    seen_progress = []
    out = tmp_path / "recs.csv"
    summary = export_recommendations(rec, out, n=N, progress=seen_progress.append, batch_size=7)
    frame = pd.read_csv(out)
    assert list(frame.columns) == [
        "user_id", "rank", "item_id", "title", "predicted_rating", "score", "ranking"
    ]  # fmt: skip
    assert len(frame) == summary.rows == fitted.n_users * N
    assert frame.groupby("user_id")["rank"].apply(list).map(lambda r: r == [1, 2, 3]).all()
    ids, scores = rec.recommend(fitted.users.ids[4], n=N)
    mine = frame[frame["user_id"] == fitted.users.ids[4]]
    assert list(mine["item_id"]) == list(ids)
    np.testing.assert_allclose(mine["predicted_rating"], scores, atol=1e-4)
    assert mine["title"].iloc[0] == f"Item {ids[0]}"
    assert seen_progress == sorted(seen_progress) and seen_progress[-1] == 1.0
    assert leftovers(tmp_path) == []


def test_given_users_only_and_no_title_without_metadata(bare_fitted, tmp_path):
    out = tmp_path / "some.csv"
    users = list(bare_fitted.users.ids[:3])
    export_recommendations(Recommender(bare_fitted), out, n=N, user_ids=users)
    frame = pd.read_csv(out)
    assert list(frame.columns) == [
        "user_id", "rank", "item_id", "predicted_rating", "score", "ranking"
    ]  # fmt: skip
    assert sorted(frame["user_id"].unique()) == sorted(users) and len(frame) == 3 * N


def test_the_file_says_how_it_was_ranked_and_each_row_its_score(fitted, tmp_path):
    """score orders each user's rows (among liked items) and is the prior-free rating when the
    ranking is by prediction; ranking names the choice on every row."""
    prior, plain = tmp_path / "prior.csv", tmp_path / "plain.csv"
    export_recommendations(Recommender(fitted, liked_share=None), prior, n=5)
    export_recommendations(Recommender(fitted, popularity_weight=0.0), plain, n=5)
    with_prior, by_rating = pd.read_csv(prior), pd.read_csv(plain)
    assert set(with_prior["ranking"]) == {"popular-prior w=1.5 no-floor"}
    assert set(by_rating["ranking"]) == {"predicted"}
    for _, rows in with_prior.groupby("user_id"):
        assert rows["score"].is_monotonic_decreasing
    np.testing.assert_allclose(by_rating["score"], by_rating["predicted_rating"])
    assert not (with_prior["score"] == with_prior["predicted_rating"]).all()


def test_unknown_user_in_the_list_writes_nothing(fitted, tmp_path):
    out = tmp_path / "x.csv"
    with pytest.raises(UnknownIdError, match="held-out"):
        export_recommendations(Recommender(fitted), out, user_ids=[fitted.users.ids[0], 999])
    assert not out.exists()


def test_cancel_leaves_no_file_and_keeps_the_old_one(fitted, tmp_path):
    out = tmp_path / "recs.csv"
    out.write_text("old contents\n")
    calls = []

    def stop_after_two_batches():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled, match="cancelled"):
        export_recommendations(
            Recommender(fitted), out, n=N, should_stop=stop_after_two_batches, batch_size=5
        )
    assert out.read_text() == "old contents\n"
    assert leftovers(tmp_path) == []


def test_disk_full_leaves_no_partial_file(fitted, tmp_path, monkeypatch):
    out = tmp_path / "recs.csv"
    out.write_text("old contents\n")
    real = pd.DataFrame.to_csv
    written = []

    def fill_disk(self, handle, *args, **kwargs):
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(1)
        return real(self, handle, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fill_disk)
    with pytest.raises(CfdeskError, match="No space left"):
        export_recommendations(Recommender(fitted), out, n=N, batch_size=5)
    assert out.read_text() == "old contents\n"
    assert leftovers(tmp_path) == []


def test_atomic_write_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(CfdeskError, match="does not exist"), atomic_write(tmp_path / "no" / "f"):
        pass


def test_predictions_mark_unknown_pairs(fitted, tmp_path):
    pairs = tmp_path / "pairs.csv"
    u, i = fitted.users.ids, fitted.items.ids
    pairs.write_text(f"user,item\n{u[0]},{i[0]}\n{u[1]},{i[2]}\n999,{i[0]}\n{u[0]},424242\n")
    users, items = read_pairs(pairs)
    out = tmp_path / "pred.csv"
    summary = export_predictions(fitted, users, items, out)
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["user_id", "item_id", "predicted_rating", "known"]
    assert list(frame["known"]) == [True, True, False, False] and summary.unknown == 2
    want = fitted.predict(np.array([0, 1]), np.array([0, 2]))
    np.testing.assert_allclose(frame["predicted_rating"][:2], want, atol=1e-4)
    assert frame["predicted_rating"][2:].isna().all()


def test_projector_files_have_matching_rows(fitted, tmp_path):
    files = export_projector(fitted, tmp_path / "proj")
    vectors = np.loadtxt(files.vectors, delimiter="\t")
    meta = pd.read_csv(files.metadata, sep="\t")
    assert vectors.shape == (fitted.n_items, 3) and len(meta) == fitted.n_items == files.rows
    assert list(meta.columns) == ["item_id", "title", "genres", "count", "mean"]
    np.testing.assert_allclose(vectors, fitted.module.item_factors.weight.detach(), atol=1e-5)


def test_projector_cancel_leaves_neither_file(fitted, tmp_path):
    with pytest.raises(Cancelled):
        export_projector(fitted, tmp_path, should_stop=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_map_csv_parses_back(fitted, tmp_path):
    result = item_map(fitted, fit_on=None)
    frame = pd.read_csv(export_map(result, tmp_path / "map.csv"))
    assert len(frame) == fitted.n_items
    np.testing.assert_allclose(frame["pc1"], result.frame["pc1"], atol=1e-9)


def test_unwritable_folder_is_a_sentence_not_a_traceback(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    expected = pytest.raises(CfdeskError, match="cannot write in .*Permission denied")
    with expected, atomic_write(tmp_path / "f"):
        pass


def test_all_users_export_skips_users_without_training_ratings(fitted, tmp_path):
    fitted.user_count[0] = 0  # as for an id seen only in held-out rows
    out = tmp_path / "recs.csv"
    summary = export_recommendations(Recommender(fitted), out, n=N)
    frame = pd.read_csv(out)
    assert fitted.users.ids[0] not in set(frame["user_id"])
    assert summary.users == fitted.n_users - 1 and len(frame) == (fitted.n_users - 1) * N
