"""The format matrix: every supported shape loads to the same ratings."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfdesk.core.data.loader import load, load_ratings, sniff

ROWS = [(1, 10, 4.0, 100), (1, 20, 3.5, 200), (2, 10, 5.0, 300), (3, 30, 1.0, 400)]


def _text(sep: str, header: str | None) -> str:
    lines = [header] if header else []
    lines += [sep.join(f"{v:g}" if isinstance(v, float) else str(v) for v in r) for r in ROWS]
    return "\n".join(lines) + "\n"


def _check(ratings) -> None:
    assert (ratings.n_users, ratings.n_items, ratings.n_ratings) == (3, 3, 4)
    assert ratings.users.ids.tolist() == [1, 2, 3]
    assert ratings.items.ids.tolist() == [10, 20, 30]
    got = sorted(
        zip(
            ratings.users.ids[ratings.user_idx].tolist(),
            ratings.items.ids[ratings.item_idx].tolist(),
            ratings.rating.tolist(),
            strict=True,
        )
    )
    assert got == [(u, i, r) for u, i, r, _ in ROWS]
    assert ratings.user_idx.dtype == np.int32 and ratings.rating.dtype == np.float32


@pytest.mark.parametrize(
    ("name", "sep", "header", "display"),
    [
        ("ratings.csv", ",", "userId,movieId,rating,timestamp", "comma"),
        ("u.data", "\t", None, "tab"),
        ("ratings.dat", "::", None, "::"),
        ("plain.csv", ",", None, "comma"),
        ("semi.txt", ";", "user;item;score;time", "semicolon"),
        ("pipe.txt", "|", "uid|product|stars|date", "pipe"),
        ("spaces.txt", "   ", None, "whitespace"),
        ("ratings.tsv", "\t", "user_id\titem_id\trating\ttimestamp", "tab"),
    ],
)
def test_every_separator_and_header_style_loads_the_same_ratings(
    tmp_path: Path, name: str, sep: str, header: str | None, display: str
) -> None:
    path = tmp_path / name
    path.write_text(_text(sep, header))
    fmt = sniff(path)
    assert fmt.separator_name == display
    assert fmt.has_header == (header is not None)
    assert fmt.roles == {"user": 0, "item": 1, "rating": 2, "timestamp": 3}
    ratings = load_ratings(path)
    _check(ratings)
    assert ratings.timestamp.tolist() == [r[3] for r in ROWS]
    assert ratings.notes["separator"] == display


def test_headerless_preview_names_columns_by_position(tmp_path: Path) -> None:
    path = tmp_path / "u.data"
    path.write_text(_text("\t", None))
    fmt = sniff(path)
    assert fmt.columns == ("column 1", "column 2", "column 3", "column 4")
    assert fmt.preview[0] == ("1", "10", "4", "100")
    assert len(fmt.preview) == 4


@pytest.mark.parametrize(
    ("name", "text", "roles", "item_ids", "user_ids"),
    [
        pytest.param(
            "r.csv",
            "rating,book_id,user_id\n4,b1,u1\n2,b2,u1\n5,b1,u2\n",
            {"user": 2, "item": 1, "rating": 0, "timestamp": None},
            ["b1", "b2"],
            ["u1", "u2"],
            id="any-order",
        ),
        pytest.param(
            "ratings.csv",
            "user_id,book_id,rating\n1,258,5\n2,4081,4\n2,260,5\n",
            {"user": 0, "item": 1, "rating": 2, "timestamp": None},
            [258, 260, 4081],
            [1, 2],
            id="goodbooks-shape",
        ),
    ],
)
def test_header_roles_found_by_name(
    tmp_path: Path, name: str, text: str, roles: dict, item_ids: list, user_ids: list
) -> None:
    path = tmp_path / name
    path.write_text(text)
    fmt = sniff(path)
    assert fmt.roles == roles
    ratings = load_ratings(path)
    assert ratings.n_ratings == 3
    assert ratings.items.ids.tolist() == item_ids
    assert ratings.users.ids.tolist() == user_ids
    assert ratings.timestamp is None


def test_book_crossing_shape_semicolon_quoted_latin1_string_ids(tmp_path: Path) -> None:
    path = tmp_path / "BX-Book-Ratings.csv"
    text = '"User-ID";"ISBN";"Book-Rating"\n"276725";"034545104X";"0"\n"276726";"0155061224";"5"\n'
    text += '"276727";"0446520802";"0"\n"276729";"052165615X";"3"\n"2";"caf\xe9";"7"\n'
    path.write_bytes(text.encode("latin-1"))
    fmt = sniff(path)
    assert (fmt.separator_name, fmt.has_header, fmt.encoding) == ("semicolon", True, "latin-1")
    ratings = load_ratings(path)
    assert ratings.n_ratings == 5
    assert "0155061224" in ratings.items  # leading zero kept: ISBNs are strings
    assert "café" in ratings.items
    assert ratings.users.is_numeric and 276725 in ratings.users
    assert ratings.scale.high == 7.0


def test_latin1_after_the_sniffed_sample_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    body = "".join(f"u{i},item{i % 50},3\n" for i in range(8000))  # > 64 KB of ASCII
    path.write_bytes(("user,item,rating\n" + body + "zo\xeb,item1,4\n").encode("latin-1"))
    assert sniff(path).encoding == "utf-8"
    ratings = load_ratings(path)
    assert "zoë" in ratings.users
    assert ratings.notes["encoding"] == "latin-1"


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffuserId,movieId,rating\n1,10,4\n2,10,3\n".encode())
    fmt = sniff(path)
    assert fmt.columns[0] == "userId" and fmt.encoding == "utf-8-sig"
    assert load_ratings(path).users.ids.tolist() == [1, 2]


def test_bom_on_a_headerless_file(tmp_path: Path) -> None:
    path = tmp_path / "bom.tsv"
    path.write_bytes(("\ufeff" + _text("\t", None)).encode())
    _check(load_ratings(path))


def test_gzip_is_detected_from_content_even_without_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "ratings.bin"
    path.write_bytes(gzip.compress(_text(",", "userId,movieId,rating,timestamp").encode()))
    assert sniff(path).compression == "gzip"
    _check(load_ratings(path))


def test_zip_archive_reads_the_ratings_member(tmp_path: Path) -> None:
    path = tmp_path / "ml.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ml/README.txt", "not ratings\n")
        archive.writestr("ml/ratings.csv", _text(",", "userId,movieId,rating,timestamp"))
    fmt = sniff(path)
    assert (fmt.compression, fmt.member) == ("zip", "ml/ratings.csv")
    _check(load_ratings(path))


def test_quoted_fields_with_separators_inside(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('user,item,rating\n"Smith, J","The ""Best"" One, Part 2",4\nbob,x,2\n')
    ratings = load_ratings(path)
    assert 'The "Best" One, Part 2' in ratings.items
    assert "Smith, J" in ratings.users


def test_overrides_by_name_and_index_beat_the_guess(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a,b,c,d\n1,10,7,4\n2,20,8,5\n")
    ratings = load_ratings(path, user="B", item=0, rating="d", timestamp=2)
    assert ratings.users.ids.tolist() == [10, 20]
    assert ratings.items.ids.tolist() == [1, 2]
    assert ratings.rating.tolist() == [4.0, 5.0]
    assert ratings.timestamp.tolist() == [7, 8]
    assert ratings.notes["columns"] == {"user": "b", "item": "a", "rating": "d", "timestamp": "c"}


def test_timestamp_false_ignores_the_time_column(tmp_path: Path) -> None:
    path = tmp_path / "u.data"
    path.write_text(_text("\t", None))
    assert load_ratings(path, timestamp=False).timestamp is None


def test_date_timestamps_become_unix_seconds(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("user,item,rating,date\n1,1,4,2000-01-01\n1,2,3,2000-01-02 00:00:10\n")
    ratings = load_ratings(path)
    assert ratings.timestamp.tolist() == [946684800, 946771210]


def test_repeated_pairs_keep_the_latest_by_timestamp_and_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("u,i,r,t\n1,1,5,300\n1,1,2,100\n2,1,3,1\n1,1,4,200\n2,2,1,5\n")
    ratings = load_ratings(path, user="u", item="i", rating="r", timestamp="t")
    assert ratings.n_ratings == 3
    assert ratings.notes["duplicates_dropped"] == 2
    first = np.flatnonzero((ratings.user_idx == 0) & (ratings.item_idx == 0))
    assert ratings.rating[first].tolist() == [5.0]


def test_repeated_pairs_without_time_keep_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("user,item,rating\n1,1,5\n1,1,2\n2,1,3\n")
    ratings = load_ratings(path)
    assert ratings.notes["duplicates_dropped"] == 1
    assert sorted(ratings.rating.tolist()) == [2.0, 3.0]


def test_fractional_ratings_and_their_scale(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("userId,movieId,rating\n1,1,0.5\n1,2,4.5\n2,1,3\n")
    scale = load_ratings(path).scale
    assert (scale.low, scale.high, scale.values) == (0.5, 4.5, (0.5, 3.0, 4.5))


def test_progress_is_reported_a_handful_of_times_ending_at_one(tmp_path: Path) -> None:
    path = tmp_path / "u.data"
    path.write_text(_text("\t", None))
    seen: list[float] = []
    load_ratings(path, progress=seen.append)
    assert 3 <= len(seen) <= 10
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_ids_with_padding_spaces_are_one_id(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("user,item,rating\n1, 10,4\n1,10 ,5\n2,10,3\n")
    ratings = load_ratings(path)
    assert ratings.items.ids.tolist() == [10]
    assert ratings.notes["duplicates_dropped"] == 1


def test_repeated_pairs_with_equal_times_keep_the_later_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("user,item,rating,timestamp\n1,1,5,100\n1,1,2,100\n1,1,3,50\n")
    ratings = load_ratings(path)
    assert ratings.rating.tolist() == [2.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 4)), max_size=40))
def test_drop_repeats_matches_a_plain_python_reference(rows: list[tuple[int, int, int]]) -> None:
    users = np.array([r[0] for r in rows], dtype=np.int32)
    items = np.array([r[1] for r in rows], dtype=np.int32)
    times = np.array([r[2] for r in rows], dtype=np.int64)
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for line, (u, i, t) in enumerate(rows):
        best[(u, i)] = max(best.get((u, i), (t, line)), (t, line))
    expected = sorted(line for _, line in best.values())
    keep = load.drop_repeats(users, items, times, 4)
    kept = list(range(len(rows))) if keep is None else np.flatnonzero(keep).tolist()
    assert kept == expected


def test_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(_text(",", "userId,movieId,rating,timestamp").replace("\n", "\r\n").encode())
    _check(load_ratings(path))
    bad = tmp_path / "crlf_bad.csv"
    bad.write_bytes(b"user,item,rating\r\n1,1,4\r\n2,1,x\r\n")
    assert load_ratings(bad, skip_bad_rows=True).notes["skipped_lines"] == [3]
