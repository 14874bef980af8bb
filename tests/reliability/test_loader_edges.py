"""Regressions the loader fuzz found: each was a crash or a silently wrong value before."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfdesk.core.data.loader import load_ratings
from cfdesk.core.errors import DataError


def _assert_load_fails(path: Path, content: str | bytes, match: str) -> None:
    """Write the file, then expect the loader's one-sentence DataError (never a crash)."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(DataError, match=match):
        load_ratings(path)


@pytest.mark.parametrize("sep", [",", " ", "::"])
def test_a_rating_beyond_float32_names_its_line(tmp_path: Path, sep: str) -> None:
    text = f"1{sep}2{sep}4\n2{sep}3{sep}1e39\n"
    _assert_load_fails(tmp_path / "r.csv", text, r"r\.csv, line 2: .*'1e39' is too large")


@pytest.mark.parametrize("stamp", ["99999999999999999999", "1e30", "-1e300"])
def test_a_time_beyond_int64_names_its_line(tmp_path: Path, stamp: str) -> None:
    text = f"user,item,rating,timestamp\n1,2,4,5\n2,3,1,{stamp}\n"
    _assert_load_fails(tmp_path / "r.csv", text, r"r\.csv, line 3: column 4 .*out of range")


@pytest.mark.parametrize(
    "content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", "\u00a0\n\u3000".encode()]
)
def test_a_file_of_only_a_byte_order_mark_or_spaces_is_empty(
    tmp_path: Path, content: bytes
) -> None:
    _assert_load_fails(tmp_path / "r.csv", content, r"r\.csv is empty")


def test_a_huge_time_in_a_whitespace_file_names_its_line(tmp_path: Path) -> None:
    text = "user item rating timestamp\n1 2 4 5\n2 3 1 99999999999999999999\n"
    _assert_load_fails(tmp_path / "r.txt", text, r"r\.txt, line 3: column 4 .*out of range")
