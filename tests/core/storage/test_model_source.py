"""A model file remembers its ratings file and can tell whether that file is still the same data;
files saved before this was recorded still open."""

from __future__ import annotations

import json
import shutil

import safetensors.torch

from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.provenance import DataSource
from cfdesk.core.storage import model_file
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.trainer import fit


def trained_on_a_file(tmp_path, quick, text: str = ""):
    """A tiny model trained on a CSV file (with header userId,movieId,rating)."""
    data = tmp_path / "ratings.csv"
    rows = text or "".join(
        f"{u},{i},{(u * i) % 5 + 1}\n" for u in range(1, 21) for i in range(1, 16) if (u + i) % 3
    )
    data.write_text("userId,movieId,rating\n" + rows)
    ratings = load_ratings(data)
    return data, ratings, fit(ratings, quick)


def test_the_source_is_saved_with_its_fingerprint_and_reads_the_file_again(tmp_path, quick):
    data, ratings, fitted = trained_on_a_file(tmp_path, quick)
    loaded = load_model(save_model(fitted, tmp_path / "m.cfmodel"))
    source = loaded.data_source
    assert source == fitted.data_source and source.path == str(data.resolve())
    assert (source.n_users, source.n_items, source.n_ratings) == (20, 15, ratings.n_ratings)
    assert source.size == data.stat().st_size and source.file_problem() == ""
    again = load_ratings(source.path, **source.load_options())
    assert source.data_problem(again) == ""


def test_a_moved_or_edited_file_is_named_plainly(tmp_path, quick):
    data, _, fitted = trained_on_a_file(tmp_path, quick)
    source = fitted.data_source
    with data.open("a") as handle:
        handle.write("99,1,5\n")
    assert "has changed since the model was trained" in source.file_problem()
    edited = load_ratings(data)
    assert source.data_problem(edited).startswith("ratings.csv has 21 users, 15 items")
    shutil.move(data, tmp_path / "elsewhere.csv")
    assert source.file_problem() == f"{data.resolve()} is not there any more"


def test_a_file_saved_before_sources_were_recorded_still_opens(tmp_path, quick):
    _, _, fitted = trained_on_a_file(tmp_path, quick)
    path = save_model(fitted, tmp_path / "old.cfmodel")
    tensors = safetensors.torch.load_file(str(path))
    with safetensors.safe_open(str(path), "pt") as f:
        meta = dict(f.metadata())
    del meta["data_source"], meta[model_file.CHECKSUM]
    body = model_file._body(safetensors.torch.save(tensors, metadata=meta))
    meta[model_file.CHECKSUM] = json.dumps(model_file._digest(meta, body))
    safetensors.torch.save_file(tensors, str(path), metadata=meta)
    old = load_model(path)
    assert old.data_source is None and old.n_users == fitted.n_users


def test_unusable_entries_read_as_no_source():
    assert DataSource.from_dict(None) is None
    assert DataSource.from_dict({"path": "x"}) is None
    assert DataSource.from_dict({"path": "x", "size": 1, "mtime": 2.0, "columns": []}) is None
    assert DataSource.from_dict({"path": "x", "size": 1, "mtime": 2.0}) is None  # no counts
    full = {"path": "x", "size": 1, "mtime": 2.0, "n_users": 3, "n_items": 4, "n_ratings": 5}
    assert DataSource.from_dict({**full, "added_later": 1}) == DataSource(**full)


def test_ratings_made_in_memory_have_no_source(tiny, quick):
    assert fit(tiny, quick).data_source is None
