"""Item titles and genres: movies.csv, ML-100k u.item (+ u.genre), movies.dat or a generic items.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.loader import source
from cfdesk.core.data.loader.rows import Separator, detect_separator, iter_rows
from cfdesk.core.errors import DataError

ITEM_FILE_NAMES = ("movies.csv", "u.item", "movies.dat", "items.csv")
_ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
    "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
)  # fmt: skip
_NO_GENRES = {"", "(no genres listed)"}

Entry = tuple[str, str, tuple[str, ...]]  # raw id, title, genres


def find_item_file(path: Path) -> Path | None:
    """Metadata beside a ratings file: movies.csv, u.item, movies.dat or items.csv (or .gz)."""
    for name in ITEM_FILE_NAMES:
        for candidate in (path.parent / name, path.parent / f"{name}.gz"):
            if candidate.is_file() and candidate != path:
                return candidate
    return None


def _read_text(path: Path) -> str:
    """Whole small file as text: UTF-8 (BOM or not), latin-1 when that fails."""
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        raw = source.read_head(path, "gzip", size=-1)
    source.check_text(path, raw[: source.HEAD_BYTES])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _genre_names(path: Path, n_flags: int) -> tuple[str, ...]:
    """u.genre beside u.item (`name|index` lines), else MovieLens 100k's own list."""
    genre_file = path.parent / "u.genre"
    if genre_file.is_file():
        pairs = [ln.split("|") for ln in _read_text(genre_file).splitlines() if "|" in ln]
        names = [name for name, _ in sorted(pairs, key=lambda p: int(p[1]))]
        if len(names) == n_flags:
            return tuple(names)
    if n_flags == len(_ML100K_GENRES):
        return _ML100K_GENRES
    return tuple(f"genre {i + 1}" for i in range(n_flags))


def _flag_count(fields: list[str]) -> int:
    """Trailing 0/1 columns (u.item's genre flags), not counting id, title and dates."""
    n = 0
    for value in reversed(fields[2:]):
        if value.strip() not in ("0", "1"):
            break
        n += 1
    return n


def _parse_flags(path: Path, rows: list[list[str]]) -> list[Entry]:
    """u.item: id|title|release|video|url|flag x 19."""
    n_flags = max((_flag_count(r) for r in rows), default=0)
    names = _genre_names(path, n_flags)
    out = []
    for fields in rows:
        flags = fields[-n_flags:] if n_flags and len(fields) >= n_flags + 2 else []
        genres = tuple(g for g, f in zip(names, flags, strict=False) if f.strip() == "1")
        out.append((fields[0].strip(), fields[1].strip(), genres))
    return out


def _column(header: list[str], words: tuple[str, ...], default: int | None) -> int | None:
    for index, name in enumerate(header):
        if any(word in name.lower() for word in words):
            return index
    return default


def _parse_table(rows: list[list[str]], has_header: bool) -> list[Entry]:
    """movies.csv, movies.dat and generic id,title[,genres] tables."""
    header = rows[0] if has_header else []
    id_col = _column(header, ("id", "isbn", "item", "movie", "book"), 0)
    title_col = _column(header, ("title", "name"), 1)
    genre_col = _column(header, ("genre", "categor"), 2 if len(rows[-1]) >= 3 else None)
    out = []
    for fields in rows[1:] if has_header else rows:
        if len(fields) <= max(id_col, title_col):
            continue
        raw = fields[genre_col].strip() if genre_col is not None and genre_col < len(fields) else ""
        genres = () if raw in _NO_GENRES else tuple(g.strip() for g in raw.split("|"))
        out.append((fields[id_col].strip(), fields[title_col].strip(), genres))
    return out


def read_item_entries(path: Path) -> list[Entry]:
    """Every (id, title, genres) the file names, whatever its shape."""
    text = _read_text(path)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise DataError(f"The item file {path} is empty.")
    sep = detect_separator(lines)
    if sep.name == "whitespace":
        sep = Separator(",", "comma")
    rows = [fields for _, fields in iter_rows(lines, sep) if len(fields) >= 2]
    if not rows:
        raise DataError(f"The item file {path} has no rows of id and title.")
    if sep.name == "pipe" and _flag_count(rows[0]) >= 2:
        return _parse_flags(path, rows)
    first_id = rows[0][0].strip()
    has_header = not first_id.isdigit() and any(
        w in first_id.lower() for w in ("id", "item", "movie", "isbn", "book")
    )
    return _parse_table(rows, has_header)


def load_item_table(path: str | Path, items: IdIndex) -> tuple[ItemTable, list[str]]:
    """Titles and genres aligned with `items`, plus warnings (ids that match nothing)."""
    p = source.check_path(path, "item file")
    entries = read_item_entries(p)
    titles = np.full(len(items), "", dtype=object)
    genres: list[tuple[str, ...]] = [()] * len(items)
    matched = 0
    for raw, title, item_genres in entries:
        idx = items.index_of(raw)
        if idx is not None:
            titles[idx], genres[idx] = title, item_genres
            matched += 1
    warnings = []
    if not matched:
        warnings.append(
            f"none of the {len(entries):,} items in {p.name} match the ratings' item ids"
        )
    elif matched < len(items):
        warnings.append(f"{len(items) - matched:,} rated items have no title in {p.name}")
    return ItemTable(titles=titles, genres=tuple(genres), source=str(p)), warnings
