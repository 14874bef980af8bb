"""Model files: a round trip keeps predictions; anything else is refused without running code."""

from __future__ import annotations

import json
import os
import pickle
import struct

import numpy as np
import pytest
import safetensors.torch
import torch

from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.errors import ModelFileError
from cfdesk.core.storage.model_file import FORMAT_VERSION, is_model_file, load_model, save_model
from cfdesk.core.training.trainer import fit


@pytest.fixture
def fitted(tiny, quick):
    return fit(tiny, quick)


@pytest.fixture
def saved(fitted, tmp_path):
    return save_model(fitted, tmp_path / "m.cfmodel")


def test_round_trip_keeps_predictions_and_every_field(fitted, saved):
    loaded = load_model(saved)
    users = np.arange(fitted.n_users).repeat(3)
    items = np.tile(np.arange(3), fitted.n_users)
    np.testing.assert_array_equal(loaded.predict(users, items), fitted.predict(users, items))
    assert loaded.config == fitted.config
    assert loaded.users.ids.tolist() == fitted.users.ids.tolist()
    np.testing.assert_array_equal(loaded.seen.indices, fitted.seen.indices)
    np.testing.assert_array_equal(loaded.item_mean, fitted.item_mean)
    assert loaded.history == fitted.history
    assert loaded.metrics["valid_rmse"] == fitted.metrics["valid_rmse"]
    assert loaded.held_out_users == fitted.held_out_users
    assert loaded.rating_range == fitted.rating_range
    assert is_model_file(saved)


def test_string_ids_titles_and_the_nn_model_survive(tmp_path, quick):
    rng = np.random.default_rng(0)
    users = np.array([f"u{i}" for i in rng.integers(0, 20, 400)])
    items = np.array([f"m{i}" for i in rng.integers(0, 15, 400)])
    r = ratings_from_raw(users, items, rng.integers(1, 6, 400).astype(np.float32))
    table = ItemTable(
        np.array([f"Film {i}" for i in range(r.n_items)], dtype=object),
        tuple(("Drama",) for _ in range(r.n_items)),
    )
    r = type(r)(**{**r.__dict__, "item_table": table})
    fitted = fit(r, quick.with_changes(model="nn", nn_layers=(16, 8)))
    loaded = load_model(save_model(fitted, tmp_path / "s.cfmodel"))
    assert loaded.users.ids.tolist() == fitted.users.ids.tolist()
    assert loaded.item_title(0) == "Film 0" and loaded.item_table.genres[0] == ("Drama",)
    np.testing.assert_allclose(loaded.predict([0, 1], [0, 1]), fitted.predict([0, 1], [0, 1]))


def test_save_is_atomic_and_leaves_no_temp_files(fitted, tmp_path, monkeypatch):
    target = tmp_path / "m.cfmodel"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_model(fitted, target)
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["m.cfmodel"]


def _refused(path, match):
    assert not is_model_file(path)
    with pytest.raises(ModelFileError, match=match):
        load_model(path)


def test_truncated_file_is_refused(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    _refused(saved, "damaged|not a cfdesk")


def test_bit_flipped_header_is_refused(saved):
    data = bytearray(saved.read_bytes())
    data[20] ^= 0xFF
    saved.write_bytes(bytes(data))
    _refused(saved, "not a cfdesk|damaged")


def test_huge_header_length_is_refused_before_reading(saved):
    data = saved.read_bytes()
    saved.write_bytes(struct.pack("<Q", 10**12) + data[8:])
    _refused(saved, "header length")


def test_text_file_renamed_is_refused(tmp_path):
    path = tmp_path / "notes.cfmodel"
    path.write_text("user,item,rating\n1,2,3\n")
    _refused(path, "not a cfdesk model")


def test_foreign_safetensors_is_refused(tmp_path):
    path = tmp_path / "other.cfmodel"
    safetensors.torch.save_file({"w": torch.zeros(3)}, str(path), metadata={"format": "pt"})
    _refused(path, "safetensors file but not a cfdesk model")


def test_newer_format_is_refused_with_advice(saved):
    tensors = safetensors.torch.load_file(str(saved))
    with safetensors.safe_open(str(saved), "pt") as f:
        meta = f.metadata()
    meta["format_version"] = json.dumps(FORMAT_VERSION + 1)
    safetensors.torch.save_file(tensors, str(saved), metadata=meta)
    _refused(saved, "newer cfdesk .*update cfdesk")


class _Payload:
    """Unpickling this would create a file: proof that nothing was executed."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_file_is_refused_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    torch_style = tmp_path / "torch.cfmodel"
    torch.save({"w": torch.zeros(2)}, torch_style)
    _refused(path, "not a cfdesk model|impossible")
    _refused(torch_style, "not a cfdesk model|impossible")
    assert not marker.exists()


def test_missing_file_is_a_model_file_error(tmp_path):
    with pytest.raises(ModelFileError, match="cannot be read"):
        load_model(tmp_path / "absent.cfmodel")


def test_an_nn_model_without_hidden_layers_opens_again(tiny, quick, tmp_path):
    fitted = fit(tiny, quick.with_changes(model="nn", nn_layers=()))
    loaded = load_model(save_model(fitted, tmp_path / "flat.cfmodel"))
    users, items = tiny.user_idx[:50], tiny.item_idx[:50]
    np.testing.assert_allclose(loaded.predict(users, items), fitted.predict(users, items))
