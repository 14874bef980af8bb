"""Item metadata: found beside the ratings or given; titles with commas and quotes survive."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from cfdesk.core.data.loader import find_item_file, load_ratings, sniff

RATINGS = "userId,movieId,rating,timestamp\n1,1,4,1\n1,2,5,2\n2,3,3,3\n"


def test_movies_csv_beside_with_quoted_titles_and_pipe_genres(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text(RATINGS)
    (tmp_path / "movies.csv").write_text(
        "movieId,title,genres\n"
        '1,"American President, The (1995)",Comedy|Drama|Romance\n'
        '2,"Dr. Strangelove or: How I Learned to Stop Worrying (1964)",Comedy|War\n'
        '3,"Say ""Hello"" (2001)",(no genres listed)\n'
        "99,Not Rated (2000),Drama\n"
    )
    assert sniff(tmp_path / "ratings.csv").item_file == tmp_path / "movies.csv"
    ratings = load_ratings(tmp_path / "ratings.csv")
    table = ratings.item_table
    assert table.title(ratings.items.index_of(1)) == "American President, The (1995)"
    assert table.genres[ratings.items.index_of(1)] == ("Comedy", "Drama", "Romance")
    assert table.title(ratings.items.index_of(3)) == 'Say "Hello" (2001)'
    assert table.genres[ratings.items.index_of(3)] == ()
    assert table.n_with_metadata == 3
    assert ratings.notes["item_file"].endswith("movies.csv")


def test_movies_dat_latin1_double_colon(tmp_path: Path) -> None:
    (tmp_path / "ratings.dat").write_text("1::1::4::1\n1::2::5::2\n2::3::3::3\n")
    (tmp_path / "movies.dat").write_bytes(
        "1::Star Wars: Episode IV (1977)::Action|Sci-Fi\n2::Misérables, Les (1995)::Drama\n"
        "3::Heat (1995)::Action|Crime|Thriller\n".encode("latin-1")
    )
    table = load_ratings(tmp_path / "ratings.dat").item_table
    assert list(table.titles) == [
        "Star Wars: Episode IV (1977)",
        "Misérables, Les (1995)",
        "Heat (1995)",
    ]
    assert table.genres[0] == ("Action", "Sci-Fi")


def test_u_item_flags_with_genre_names_from_u_genre(tmp_path: Path) -> None:
    (tmp_path / "u.data").write_text("1\t1\t4\t1\n2\t2\t3\t2\n")
    (tmp_path / "u.genre").write_text("unknown|0\nFunny|1\nScary|2\n\n")
    (tmp_path / "u.item").write_bytes(
        b"1|Mis\xe9rables, Les (1995)|01-Jan-1995||http://x|0|1|1\n2|unknown||||1|0|0\n"
    )
    table = load_ratings(tmp_path / "u.data").item_table
    assert table.titles[0] == "Misérables, Les (1995)"
    assert table.genres == (("Funny", "Scary"), ("unknown",))


def test_explicit_item_file_and_none(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text(RATINGS)
    (tmp_path / "movies.csv").write_text("movieId,title,genres\n1,A (1990),Drama\n")
    other = tmp_path / "meta.csv"
    other.write_text("item_id,title\n1,B (1991)\n2,C (1992)\n3,D\n")
    assert load_ratings(tmp_path / "ratings.csv", items=False).item_table is None
    table = load_ratings(tmp_path / "ratings.csv", items=other).item_table
    assert list(table.titles) == ["B (1991)", "C (1992)", "D"]
    partial = load_ratings(tmp_path / "ratings.csv")
    assert partial.item_table.n_with_metadata == 1
    assert any("2 rated items have no title" in w for w in partial.notes["warnings"])


def test_no_item_file_beside(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text(RATINGS)
    assert find_item_file(tmp_path / "ratings.csv") is None
    assert load_ratings(tmp_path / "ratings.csv").item_table is None


def test_movielens_100k_with_titles_and_genres(ml100k: Path) -> None:
    start = time.perf_counter()
    ratings = load_ratings(ml100k / "u.data")
    seconds = time.perf_counter() - start
    assert (ratings.n_users, ratings.n_items, ratings.n_ratings) == (943, 1682, 100_000)
    assert ratings.notes["duplicates_dropped"] == 0 and ratings.notes["rows_rejected"] == 0
    table = ratings.item_table
    assert table.n_with_metadata == 1682
    assert table.title(ratings.items.index_of(1)) == "Toy Story (1995)"
    assert table.title(ratings.items.index_of(543)) == "Misérables, Les (1995)"
    assert table.genres[ratings.items.index_of(1)] == ("Animation", "Children's", "Comedy")
    assert {"Drama", "Comedy", "Sci-Fi", "Film-Noir"} <= set(table.genre_names)
    assert (ratings.scale.low, ratings.scale.high) == (1.0, 5.0)
    assert seconds < 5.0  # the 0.5 s target is measured in bench/bench_load.py


def test_gzipped_ratings_and_titles_beside_each_other(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv.gz").write_bytes(gzip.compress(RATINGS.encode()))
    (tmp_path / "movies.csv.gz").write_bytes(
        gzip.compress(b'movieId,title,genres\n1,"Heat, The (1995)",Crime\n')
    )
    ratings = load_ratings(tmp_path / "ratings.csv.gz")
    assert ratings.item_table.title(ratings.items.index_of(1)) == "Heat, The (1995)"
