"""Data-set fingerprints: the same ratings match, changed ones do not, big files stay cheap."""

from __future__ import annotations

from cfdesk.core.data.loader import load_ratings
from cfdesk.core.runs.dataset import EDGE_BYTES, describe_dataset


def _csv(path, rows: int, last_rating: int = 3) -> None:
    lines = ["user_id,item_id,rating"] + [f"{i % 97},{i % 89},4" for i in range(rows)]
    lines[-1] = f"1000,1000,{last_rating}"
    path.write_text("\n".join(lines) + "\n")


def test_the_same_file_matches_and_an_edited_one_does_not(tmp_path):
    path = tmp_path / "ratings.csv"
    _csv(path, 300_000)  # about 2.3 MB: more than the two edges read
    assert path.stat().st_size > 2 * EDGE_BYTES
    first = describe_dataset(load_ratings(path))
    again = describe_dataset(load_ratings(path))
    assert first == again and first.name == "ratings.csv" and first.path == str(path)
    _csv(path, 300_000, last_rating=5)  # the last line changed: same size, same counts
    edited = describe_dataset(load_ratings(path))
    assert edited.fingerprint != first.fingerprint and edited.size == first.size


def test_ratings_built_in_memory_are_fingerprinted_from_their_values(tiny):
    info = describe_dataset(tiny)
    assert (info.path, info.size, info.n_ratings) == ("", 0, tiny.n_ratings)
    assert info.name == "planted" and describe_dataset(tiny).fingerprint == info.fingerprint
    fewer = describe_dataset(tiny.subset(slice(0, 100)))
    assert fewer.fingerprint != info.fingerprint
