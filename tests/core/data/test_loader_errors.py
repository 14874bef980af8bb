"""Bad input: one DataError sentence naming the file (and line, column), or skipped rows noted."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cfdesk.core.data.loader import load, load_ratings, sniff, source
from cfdesk.core.errors import DataError


def _write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv does not exist"):
        load_ratings(tmp_path / "nope.csv")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder"):
        load_ratings(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "user,item,rating\n1,1,1\n")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(source, "open", denied, raising=False)  # root could read a chmod 0 file
    with pytest.raises(DataError, match=r"r\.csv cannot be read \(Permission denied\)"):
        load_ratings(path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"r\.csv is empty"):
        load_ratings(_write(tmp_path, "\n\n"))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="has a header but no rating rows"):
        load_ratings(_write(tmp_path, "userId,movieId,rating,timestamp\n"))


def test_single_column(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"1 column\(s\).*needs at least user, item and rating"):
        load_ratings(_write(tmp_path, "1\n2\n3\n"))


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(DataError, match=r"model\.bin does not look like a text table"):
        sniff(path)


def test_rating_that_is_not_a_number_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "user,item,rating\n1,1,4\n2,1,5\n3,2,abc\n")
    with pytest.raises(
        DataError, match=r"r\.csv, line 4: column 3 \(rating\): rating 'abc' is not"
    ):
        load_ratings(path)


@pytest.mark.parametrize("bad", ["nan", "inf", "-Infinity"])
def test_non_finite_ratings(tmp_path: Path, bad: str) -> None:
    path = _write(tmp_path, f"1\t1\t4\n2\t1\t{bad}\n", "u.data")
    with pytest.raises(DataError, match=rf"line 2: column 3 .*'{bad}' is not a finite number"):
        load_ratings(path)


def test_empty_rating(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"line 3: column 3 \(rating\): rating '' is not a number"):
        load_ratings(_write(tmp_path, "user,item,rating\n1,1,4\n2,1,\n"))


def test_short_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "1::10::4::100\n2::10::3::200\n3::10\n", "ratings.dat")
    with pytest.raises(
        DataError, match=r"ratings\.dat, line 3: has 2 field\(s\) but 4 are expected"
    ):
        load_ratings(path)


def test_empty_id(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"line 2: column 1 \(user\): the user id is empty"):
        load_ratings(_write(tmp_path, "user,item,rating\n,1,4\n2,1,3\n"))


def test_bad_timestamp(tmp_path: Path) -> None:
    path = _write(tmp_path, "user,item,rating,timestamp\n1,1,4,100\n2,1,3,soon\n")
    with pytest.raises(DataError, match=r"line 3: column 4 \(timestamp\): 'soon' is not a time"):
        load_ratings(path)


def test_override_naming_a_missing_column_lists_the_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "userId,movieId,rating\n1,1,4\n")
    with pytest.raises(
        DataError, match="no column 'stars' for the rating; columns found: userId, mov"
    ):
        load_ratings(path, rating="stars")
    with pytest.raises(DataError, match="no column 7 for the user"):
        load_ratings(path, user=7)


def test_one_column_for_two_roles(tmp_path: Path) -> None:
    path = _write(tmp_path, "userId,movieId,rating\n1,1,4\n")
    with pytest.raises(DataError, match="one column was chosen for two roles"):
        load_ratings(path, item="userId")


def test_identical_ratings_load_with_a_warning(tmp_path: Path) -> None:
    ratings = load_ratings(_write(tmp_path, "user,item,rating\n1,1,1\n2,1,1\n2,2,1\n"))
    assert ratings.n_ratings == 3
    assert any("all ratings are 1" in w for w in ratings.notes["warnings"])


def test_more_rows_than_int32_indices_allow_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_ROWS", 2)
    with pytest.raises(DataError, match="has 3 rows, more than the 2 that int32 indices allow"):
        load_ratings(_write(tmp_path, "user,item,rating\n1,1,1\n2,1,2\n2,2,1\n"))


def test_skip_bad_rows_keeps_the_good_ones_and_notes_the_lines(tmp_path: Path) -> None:
    text = "user,item,rating\n1,1,4\n2,1,x\n\n3,2,nan\n4\n5,2,3\n,1,2\n"
    ratings = load_ratings(_write(tmp_path, text), skip_bad_rows=True)
    assert ratings.n_ratings == 2
    assert ratings.notes["rows_rejected"] == 4
    assert ratings.notes["skipped_lines"] == [3, 5, 6, 8]
    assert any("skipped 4 bad row(s)" in w for w in ratings.notes["warnings"])


def test_skip_bad_rows_shows_only_the_first_few_lines(tmp_path: Path) -> None:
    text = "user,item,rating\n" + "1,1,4\n" + "2,1,bad\n" * 30
    ratings = load_ratings(_write(tmp_path, text), skip_bad_rows=True)
    assert ratings.notes["rows_rejected"] == 30
    assert len(ratings.notes["skipped_lines"]) == 10


def test_skip_bad_rows_when_every_row_is_bad(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no usable ratings: all 2 rows are bad"):
        load_ratings(_write(tmp_path, "user,item,rating\n1,1,x\n2,2,y\n"), skip_bad_rows=True)


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(DataError, match=r"r\.csv\.gz cannot be decompressed as gzip"):
        load_ratings(path)


def test_missing_explicit_item_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "user,item,rating\n1,1,4\n")
    with pytest.raises(DataError, match=r"item file .*titles\.csv does not exist"):
        load_ratings(path, items=tmp_path / "titles.csv")


@pytest.mark.parametrize("sep", [",", "\t", ";", "|", "::", "  "])
def test_bad_rating_is_found_on_its_line_whatever_the_separator(tmp_path: Path, sep: str) -> None:
    rows = [["1", "10", "4", "100"], ["2", "10", "5", "200"], ["3", "20", "x!", "300"]]
    path = _write(tmp_path, "".join(sep.join(r) + "\n" for r in rows), "r.txt")
    with pytest.raises(DataError, match=r"r\.txt, line 3: column 3 \(column 3\): rating 'x!'"):
        load_ratings(path)
    ratings = load_ratings(path, skip_bad_rows=True)
    assert ratings.n_ratings == 2 and ratings.notes["skipped_lines"] == [3]


def test_utf16_text_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "r16.csv"
    path.write_bytes("user,item,rating\n1,1,4\n".encode("utf-16"))
    with pytest.raises(DataError, match=r"r16\.csv is saved as UTF-16 text; save it as UTF-8"):
        load_ratings(path)


def test_excel_workbook_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "ratings.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DataError, match=r"ratings\.xlsx is an Excel workbook; save the sheet as"):
        sniff(path)
