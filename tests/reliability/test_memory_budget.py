"""Large inputs: a file too big for free memory is refused before parsing, with the figures."""

from __future__ import annotations

import gzip
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cfdesk.core.data.loader import budget, load, load_ratings, sniff
from cfdesk.core.errors import DataError

ROWS = 20_000


def _ml_rows(n: int, seed: int = 0) -> bytes:
    """userId,movieId,rating,timestamp rows shaped like MovieLens-25M's (about 26 bytes each)."""
    rng = np.random.default_rng(seed)
    rows = zip(
        rng.integers(1, 162_541, n),
        rng.integers(1, 209_171, n),
        rng.integers(1, 11, n) / 2,
        rng.integers(789_652_009, 1_574_327_703, n),
        strict=True,
    )
    return (
        "userId,movieId,rating,timestamp\n" + "".join(f"{u},{i},{r},{t}\n" for u, i, r, t in rows)
    ).encode()


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "ratings.csv"
    path.write_bytes(_ml_rows(ROWS))
    return path


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args, **kwargs):
        raise AssertionError("the file was parsed although it cannot fit")

    monkeypatch.setattr(load, "read_columns", parse)


def test_a_file_bigger_than_free_memory_is_refused_before_parsing(csv_file, monkeypatch) -> None:
    monkeypatch.setattr(budget, "free_memory", lambda: 50_000_000)
    _no_parsing(monkeypatch)
    with pytest.raises(DataError) as refused:
        load_ratings(csv_file)
    message = str(refused.value)
    assert str(csv_file) in message
    assert "would need about 0.1 GB of memory but 0.1 GB are free" in message
    assert "about 20,0" in message or "about 19,9" in message  # the row estimate


@pytest.mark.skipif(sys.platform == "win32", reason="needs a sparse file (NTFS would write 2.7 GB)")
def test_a_100m_row_file_is_refused_up_front_saying_how_much_it_needs(
    tmp_path, monkeypatch
) -> None:
    """Real rows in the sampled head, then a sparse tail: 100M rows' worth of bytes on disk."""
    path = tmp_path / "huge.csv"
    head = _ml_rows(5_000)
    bytes_per_row = len(head) / 5_001
    with open(path, "wb") as out:
        out.write(head)
        out.truncate(int(bytes_per_row * 100_000_000))
    monkeypatch.setattr(budget, "free_memory", lambda: 6_200_000_000)
    _no_parsing(monkeypatch)
    with pytest.raises(
        DataError, match=r"huge\.csv has about (99|10\d),\d{3},\d{3} rows"
    ) as refused:
        load_ratings(path)
    needed = float(str(refused.value).split("need about ")[1].split(" GB")[0])
    assert 8.0 <= needed <= 12.0 and "but 6.2 GB are free" in str(refused.value)


def test_the_same_file_loads_when_memory_is_free(csv_file) -> None:
    assert load_ratings(csv_file).n_ratings == ROWS


@pytest.mark.parametrize("compression", ["none", "gzip", "zip"])
def test_row_and_text_estimates_are_close_to_the_truth(tmp_path, compression) -> None:
    raw = _ml_rows(ROWS)
    path = tmp_path / "r.csv"
    if compression == "gzip":
        path.write_bytes(gzip.compress(raw))
    elif compression == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("ratings.csv", raw)
    else:
        path.write_bytes(raw)
    need = budget.estimate(sniff(path))
    assert need.rows == pytest.approx(ROWS, rel=0.05)
    assert need.text_bytes == pytest.approx(len(raw), rel=0.05)


def test_running_out_of_memory_while_parsing_is_a_sentence(csv_file, monkeypatch) -> None:
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(load, "read_columns", exhausted)
    with pytest.raises(DataError, match=r"ratings\.csv could not be loaded: memory ran out"):
        load_ratings(csv_file)
