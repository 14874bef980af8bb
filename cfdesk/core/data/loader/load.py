"""load_ratings: sniff, read, index, drop repeated pairs, attach metadata, record what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.loader.budget import check_memory, out_of_memory
from cfdesk.core.data.loader.careful import read_careful
from cfdesk.core.data.loader.metadata import load_item_table
from cfdesk.core.data.loader.read import Columns, Refused, read_fast
from cfdesk.core.data.loader.roles import ROLES, Override, apply_overrides
from cfdesk.core.data.loader.sniff import FileFormat, sniff
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.errors import DataError

MAX_ROWS = int(np.iinfo(np.int32).max)  # indices are int32
SHOWN_LINES = 10
_INT_ID = r"-?(?:0|[1-9]\d{0,17})"

Progress = Callable[[float], None] | None


def _report(progress: Progress, fraction: float) -> None:
    if progress is not None:
        progress(fraction)


def index_ids(codes: np.ndarray, uniques: np.ndarray) -> tuple[IdIndex, np.ndarray]:
    """Sorted raw ids (ints when every id is a plain integer) and int32 indices into them."""
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    merged_codes, merged = pd.factorize(text)  # " 7" and "7" are one id
    merged = np.asarray(merged, dtype=object)
    if len(merged) and pd.Series(merged).str.fullmatch(_INT_ID).all():
        merged = merged.astype(np.int64)
    ids, rank = np.unique(merged, return_inverse=True)
    remap = rank.reshape(-1).astype(np.int32)[merged_codes]
    return IdIndex(ids), remap[codes]


def drop_repeats(
    user_idx: np.ndarray, item_idx: np.ndarray, timestamp: np.ndarray | None, n_items: int
) -> np.ndarray | None:
    """Mask keeping the last rating of each repeated (user, item) pair: latest time, then line."""
    key = user_idx.astype(np.int64) * n_items + item_idx
    ordered = np.sort(key)  # a sort needs far less memory than a 25M-entry hash table
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    del ordered
    if timestamp is None:
        return ~pd.Series(key).duplicated(keep="last").to_numpy()
    rows = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    backwards = rows[::-1]  # idxmax keeps the first maximum: the last line among equal times
    frame = pd.DataFrame({"key": key[backwards], "time": timestamp[backwards]})
    winners = frame.groupby("key", sort=False)["time"].idxmax().to_numpy()
    keep = np.ones(len(key), dtype=bool)
    keep[rows] = False
    keep[backwards[winners]] = True
    return keep


def read_columns(fmt: FileFormat, roles: dict, skip_bad_rows: bool) -> Columns:
    """All rows of the role columns, or a DataError naming the first bad line and column."""
    try:
        return read_fast(fmt, roles, fmt.encoding)
    except Refused as refusal:
        encoding = "latin-1" if refusal.bad_utf8 else fmt.encoding
    return read_careful(fmt, roles, encoding, skip_bad_rows)


def _check_size(fmt: FileFormat, n_rows: int) -> None:
    if n_rows == 0:
        what = "a header but no rating rows" if fmt.has_header else "no rating rows"
        raise DataError(f"{fmt.path} has {what}.")
    if n_rows > MAX_ROWS:
        raise DataError(
            f"{fmt.path} has {n_rows:,} rows, more than the {MAX_ROWS:,} that int32 indices allow; "
            "split the file or sample it."
        )


def _notes(fmt: FileFormat, roles: dict, cols: Columns, dropped: int) -> dict:
    fmt = replace(fmt, encoding=cols.encoding)  # the careful parser may have fallen back
    return {
        "format": fmt.description,
        "separator": fmt.separator_name,
        "encoding": fmt.encoding,
        "compression": fmt.compression,
        "has_header": fmt.has_header,
        "columns": {r: (None if roles[r] is None else fmt.columns[roles[r]]) for r in ROLES},
        "duplicates_dropped": dropped,
        "rows_rejected": cols.rows_rejected,
        "skipped_lines": cols.rejected_lines[:SHOWN_LINES],
        "warnings": [],
        **_fingerprint(fmt.path),
    }


def _fingerprint(path: Path) -> dict:
    """Size and modification time as read, so a saved model can tell if the file changed since."""
    try:
        stat = Path(path).stat()
    except OSError:
        return {}
    return {"file_size": stat.st_size, "file_mtime": stat.st_mtime}


def build_ratings(fmt: FileFormat, roles: dict, cols: Columns, progress: Progress) -> Ratings:
    """Index the ids, keep the last of each repeated pair, and note what happened."""
    users, user_idx = index_ids(cols.user_codes, cols.user_uniques)
    items, item_idx = index_ids(cols.item_codes, cols.item_uniques)
    _report(progress, 0.75)
    keep = drop_repeats(user_idx, item_idx, cols.timestamp, len(items))
    rating, timestamp = cols.rating, cols.timestamp
    if keep is not None:
        user_idx, item_idx, rating = user_idx[keep], item_idx[keep], rating[keep]
        timestamp = None if timestamp is None else timestamp[keep]
    dropped = 0 if keep is None else int(len(keep) - keep.sum())
    notes = _notes(fmt, roles, cols, dropped)
    if len(rating) and rating.min() == rating.max():  # a part of a file may have no rows
        notes["warnings"].append(
            f"all ratings are {float(rating[0]):g}; a model cannot learn preferences from them"
        )
    if cols.rows_rejected:
        notes["warnings"].append(
            f"skipped {cols.rows_rejected:,} bad row(s), first at line(s) "
            + ", ".join(str(n) for n in cols.rejected_lines[:SHOWN_LINES])
        )
    return Ratings(
        user_idx=user_idx, item_idx=item_idx, rating=rating, users=users, items=items,
        timestamp=timestamp, source=str(fmt.path), notes=notes,
    )  # fmt: skip


def _attach_items(ratings: Ratings, item_file: Path | None) -> Ratings:
    if item_file is None:
        return ratings
    table, warnings = load_item_table(item_file, ratings.items)
    notes = {**ratings.notes, "item_file": str(item_file)}
    notes["warnings"] = ratings.notes["warnings"] + warnings
    return replace(ratings, item_table=table, notes=notes)


def load_ratings(
    path: str | Path,
    user: Override = None,
    item: Override = None,
    rating: Override = None,
    timestamp: Override | bool = None,
    items: str | Path | bool | None = None,
    skip_bad_rows: bool = False,
    progress: Progress = None,
) -> Ratings:
    """Read a ratings file of any supported shape into Ratings; bad input raises DataError.

    A file too big for the free memory is refused before parsing (loader.budget).

    Role overrides are a column name or 0-based index (`timestamp=False`: ignore times);
    `items=None` finds metadata beside the file, `False` skips it, a path names it.
    """
    _report(progress, 0.0)
    fmt = sniff(path)
    overrides = {"user": user, "item": item, "rating": rating, "timestamp": timestamp}
    roles = apply_overrides(fmt.roles, overrides, list(fmt.columns), fmt.path)
    need = check_memory(fmt)
    _report(progress, 0.05)
    try:
        cols = read_columns(fmt, roles, skip_bad_rows)
        _check_size(fmt, len(cols.rating))
        _report(progress, 0.6)
        ratings = build_ratings(fmt, roles, cols, progress)
    except MemoryError as exc:  # pyarrow's ArrowMemoryError too; nothing half-built is kept
        raise out_of_memory(fmt, need) from exc
    _report(progress, 0.9)
    item_file = fmt.item_file if items is None else (None if items is False else Path(items))
    ratings = _attach_items(ratings, item_file)
    _report(progress, 1.0)
    return ratings
