"""`cfdesk info` and `cfdesk demo` as a user runs them: JSON line, readable text, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cfdesk.cli import main

KEYS = {
    "n_users", "n_items", "n_ratings", "density", "rating_min", "rating_max",
    "n_items_with_metadata", "duplicates_dropped", "rows_rejected",
}  # fmt: skip


def _ratings(tmp_path: Path) -> Path:
    path = tmp_path / "ratings.csv"
    path.write_text("userId,movieId,rating,timestamp\n1,1,4,1\n1,2,5,2\n2,1,3,3\n2,1,2,1\n")
    (tmp_path / "movies.csv").write_text('movieId,title,genres\n1,"Heat, The (1995)",Crime\n')
    return path


def test_info_json_is_one_line_with_the_promised_keys(tmp_path: Path, capsys) -> None:
    assert main(["info", str(_ratings(tmp_path)), "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    data = json.loads(out[0])
    assert set(data) >= KEYS
    assert (data["n_users"], data["n_items"], data["n_ratings"]) == (2, 2, 3)
    assert data["density"] == 0.75
    assert (data["rating_min"], data["rating_max"]) == (3.0, 5.0)
    assert data["n_items_with_metadata"] == 1
    assert data["duplicates_dropped"] == 1 and data["rows_rejected"] == 0


def test_info_text_and_explicit_overrides(tmp_path: Path, capsys) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("a;b;c\n7;x;2\n8;y;3\n")
    assert main(["info", str(path), "--user", "b", "--item", "0", "--rating", "c"]) == 0
    text = capsys.readouterr().out
    assert "2 users × 2 items × 2 ratings" in text
    assert "semicolon separated" in text


def test_info_bad_file_is_one_sentence_and_exit_code_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("user,item,rating\n1,1,4\n1,2,lots\n")
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "bad.csv, line 3: column 3 (rating): rating 'lots' is not a number" in err
    assert main(["info", str(path), "--skip-bad-rows", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_rejected"] == 1


def test_info_on_movielens_100k_in_a_subprocess(ml100k: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cfdesk", "info", str(ml100k / "u.data"), "--json"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert (data["n_users"], data["n_items"], data["n_ratings"]) == (943, 1682, 100_000)
    assert data["n_items_with_metadata"] == 1682


def test_demo_writes_files_that_info_reads(tmp_path: Path, capsys) -> None:
    assert main(["demo", str(tmp_path / "demo"), "--seed", "2"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert Path(written["items"]).is_file()
    assert main(["info", written["ratings"], "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["n_users"], data["n_items"], data["n_items_with_metadata"]) == (943, 1682, 1682)


@pytest.mark.parametrize(("command", "word"), [("info", "--skip-bad-rows"), ("demo", "OUT_DIR")])
def test_help_mentions_the_arguments(command: str, word: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert word in capsys.readouterr().out


def test_info_on_a_model_names_the_ratings_file_it_was_trained_on(tmp_path: Path, capsys) -> None:
    data = tmp_path / "planted.csv"
    rows = "".join(f"{u},{i},{(u + i) % 5 + 1}\n" for u in range(1, 13) for i in range(1, 9))
    data.write_text("user,item,rating\n" + rows)
    model = tmp_path / "m.cfmodel"
    argv = ["train", str(data), "--out", str(model), "--epochs", "1", "--device", "cpu"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["info", str(model), "--json"]) == 0
    source = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["data_source"]
    assert source["path"] == str(data.resolve())
    assert (source["n_users"], source["n_items"], source["n_ratings"]) == (12, 8, 96)
    assert main(["info", str(model)]) == 0
    assert (
        f"trained on: {data.resolve()} (12 users, 8 items, 96 ratings)" in capsys.readouterr().out
    )
