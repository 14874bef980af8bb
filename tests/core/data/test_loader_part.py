"""Loading one part of a file: parts are disjoint by user, together they are the whole file, and
every process can tell a user's part from the id alone."""

from __future__ import annotations

import numpy as np
import pytest

from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.loader.part import id_parts, load_part
from cfdesk.core.errors import DataError


def _triples(ratings):
    return sorted(
        zip(
            ratings.users.ids[ratings.user_idx].tolist(),
            ratings.items.ids[ratings.item_idx].tolist(),
            ratings.rating.tolist(),
            strict=True,
        )
    )


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(3)
    rows = [f"u{u},{i},{r}" for u, i, r in zip(rng.integers(0, 300, 4000),
            rng.integers(0, 90, 4000), rng.integers(1, 6, 4000), strict=True)]  # fmt: skip
    return _write(tmp_path / "r.csv", ["user,item,rating", *rows])


@pytest.mark.parametrize("n_parts", [1, 2, 3, 4])
def test_parts_are_disjoint_by_user_and_add_up_to_the_whole_file(csv_file, n_parts):
    whole = load_ratings(csv_file, items=False)
    parts = [load_part(csv_file, k, n_parts) for k in range(n_parts)]
    users = [set(p.users.ids.tolist()) for p in parts]
    assert sum(len(u) for u in users) == whole.n_users == len(set().union(*users))
    assert sorted(t for p in parts for t in _triples(p)) == _triples(whole)
    for k, part in enumerate(parts):  # each part's id maps hold only its own rows' ids
        assert (id_parts(part.users.ids.astype(object), n_parts) == k).all()
        assert part.n_items == len(np.unique(part.item_idx))


def test_a_user_part_depends_on_the_id_text_only():
    parts = id_parts(np.array(["17", " 17 ", "17\t", "x y"], dtype=object), 5)
    assert parts[0] == parts[1] == parts[2]
    many = id_parts(np.array([str(i) for i in range(10_000)], dtype=object), 4)
    assert np.bincount(many, minlength=4).min() > 2300  # spread evenly
    assert (id_parts(np.array(["é", "日本"], dtype=object), 3) < 3).all()


def test_repeated_pairs_keep_the_last_rating_as_the_whole_file_does(tmp_path):
    lines = ["user,item,rating,timestamp"] + [f"{u},{i},{r},{t}" for u, i, r, t in
             [(1, 1, 2, 5), (1, 1, 4, 9), (2, 1, 3, 1), (2, 2, 5, 2), (2, 2, 1, 1)]]  # fmt: skip
    path = _write(tmp_path / "rep.csv", lines)
    whole = load_ratings(path, items=False)
    parts = [load_part(path, k, 2) for k in range(2)]
    assert sorted(t for p in parts for t in _triples(p)) == _triples(whole)


@pytest.mark.parametrize("separator", ["\t", "::", " "])
def test_other_separators_give_the_same_parts(tmp_path, separator):
    rng = np.random.default_rng(4)
    rows = [separator.join(map(str, row)) for row in zip(rng.integers(1, 50, 500),
            rng.integers(1, 30, 500), rng.integers(1, 6, 500), strict=True)]  # fmt: skip
    path = _write(tmp_path / "r.dat", rows)
    whole = load_ratings(path, items=False)
    parts = [load_part(path, k, 3) for k in range(3)]
    assert sorted(t for p in parts for t in _triples(p)) == _triples(whole)


def test_a_bad_rating_fails_only_the_part_that_holds_it(tmp_path):
    rows = [f"{u},{i},3" for u in range(1, 40) for i in range(1, 4)]
    bad_user = 7
    rows[rows.index(f"{bad_user},2,3")] = f"{bad_user},2,1e39"  # too large for float32
    path = _write(tmp_path / "bad.csv", ["user,item,rating", *rows])
    bad_part = int(id_parts(np.array([str(bad_user)], dtype=object), 2)[0])
    with pytest.raises(DataError, match=r"line \d+.*too large"):
        load_part(path, bad_part, 2)
    assert load_part(path, 1 - bad_part, 2).n_ratings > 0


def test_a_part_without_users_is_empty_not_an_error(tmp_path):
    path = _write(tmp_path / "one.csv", ["user,item,rating", "5,1,4", "5,2,3"])
    sizes = [load_part(path, k, 4).n_ratings for k in range(4)]
    assert sorted(sizes) == [0, 0, 0, 2]


def test_movielens_parts_match_the_whole_file(ml100k):
    whole = load_ratings(ml100k / "u.data", items=False)
    parts = [load_part(ml100k / "u.data", k, 4) for k in range(4)]
    assert sum(p.n_ratings for p in parts) == whole.n_ratings
    assert sum(p.n_users for p in parts) == whole.n_users
    assert min(p.n_users for p in parts) > whole.n_users / 4 * 0.8
