"""The line-by-line parser: slower, but it names the line and column of every bad row (or skips it)."""

from __future__ import annotations

import math
from array import array

import numpy as np
import pandas as pd

from cfdesk.core.data.loader import source
from cfdesk.core.data.loader.read import FLOAT32_MAX, Columns
from cfdesk.core.data.loader.rows import iter_rows
from cfdesk.core.data.loader.sniff import FileFormat
from cfdesk.core.errors import DataError

INT64_LIMIT = 2**63  # timestamps are stored as int64 seconds


class _BadRow(Exception):
    """One row cannot be used; the message says which field and why."""


def _field(fields: list[str], col: int, name: str, width: int) -> str:
    if col >= len(fields):
        raise _BadRow(
            f"has {len(fields)} field(s) but {width} are expected, so there is no column "
            f"{col + 1} ({name})"
        )
    return fields[col].strip()


def _rating(text: str, col: int, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _BadRow(f"column {col + 1} ({name}): rating {text!r} is not a number") from None
    if not math.isfinite(value):
        raise _BadRow(f"column {col + 1} ({name}): rating {text!r} is not a finite number")
    if abs(value) > FLOAT32_MAX:
        raise _BadRow(f"column {col + 1} ({name}): rating {text!r} is too large to store")
    return value


def _seconds(text: str, col: int, name: str) -> int:
    """Unix seconds from an integer, a decimal or a date such as 2005-03-01 12:00."""
    seconds = None
    for parse in (int, lambda t: int(float(t)), lambda t: int(pd.Timestamp(t).timestamp())):
        try:
            seconds = parse(text)
            break
        except (ValueError, TypeError, OverflowError):
            pass
    if seconds is None:
        raise _BadRow(f"column {col + 1} ({name}): {text!r} is not a time or date")
    if not -INT64_LIMIT <= seconds < INT64_LIMIT:
        raise _BadRow(f"column {col + 1} ({name}): time {text!r} is out of range")
    return seconds


def _parse_row(fields: list[str], roles: dict, columns: tuple[str, ...]) -> tuple:
    width = len(columns)
    out = []
    for role in ("user", "item"):
        col = roles[role]
        value = _field(fields, col, columns[col], width)
        if not value:
            raise _BadRow(f"column {col + 1} ({columns[col]}): the {role} id is empty")
        out.append(value)
    col = roles["rating"]
    out.append(_rating(_field(fields, col, columns[col], width), col, columns[col]))
    col = roles["timestamp"]
    out.append(
        None
        if col is None
        else _seconds(_field(fields, col, columns[col], width), col, columns[col])
    )
    return tuple(out)


def row_problem(fields: list[str], roles: dict, columns: tuple[str, ...]) -> str:
    """Why one row cannot be read with these roles, "" when it can (the import preview's check)."""
    try:
        _parse_row([f.strip() for f in fields], roles, columns)
    except _BadRow as bad:
        return str(bad)
    return ""


class _Collector:
    """Rows as compact typed arrays; ids coded on the fly so 25M rows fit in memory."""

    def __init__(self) -> None:
        self.codes = {"user": array("i"), "item": array("i")}
        self.lookup: dict[str, dict[str, int]] = {"user": {}, "item": {}}
        self.rating = array("f")
        self.stamps = array("q")
        self.rejected: list[int] = []

    def add(self, user: str, item: str, rating: float, stamp: int | None) -> None:
        for role, raw in (("user", user), ("item", item)):
            lookup = self.lookup[role]
            self.codes[role].append(lookup.setdefault(raw, len(lookup)))
        self.rating.append(rating)
        if stamp is not None:
            self.stamps.append(stamp)

    def columns(self, encoding: str, with_time: bool) -> Columns:
        def uniques(role: str) -> np.ndarray:
            return np.array(list(self.lookup[role]), dtype=object)

        return Columns(
            user_codes=np.frombuffer(self.codes["user"], dtype=np.int32),
            user_uniques=uniques("user"),
            item_codes=np.frombuffer(self.codes["item"], dtype=np.int32),
            item_uniques=uniques("item"),
            rating=np.frombuffer(self.rating, dtype=np.float32),
            timestamp=np.frombuffer(self.stamps, dtype=np.int64) if with_time else None,
            encoding=encoding,
            rejected_lines=self.rejected,
            rows_rejected=len(self.rejected),
        )


def _parse(fmt: FileFormat, roles: dict, encoding: str, skip_bad_rows: bool) -> Columns:
    kept = _Collector()
    with source.open_text(fmt.path, fmt.compression, encoding) as stream:
        rows = iter_rows(stream, fmt.sep)
        if fmt.has_header:
            next(rows, None)
        for number, fields in rows:
            try:
                kept.add(*_parse_row(fields, roles, fmt.columns))
            except _BadRow as bad:
                if not skip_bad_rows:
                    raise DataError(f"{fmt.path}, line {number}: {bad}.") from None
                kept.rejected.append(number)
    if not len(kept.rating) and kept.rejected:
        raise DataError(f"{fmt.path} has no usable ratings: all {len(kept.rejected)} rows are bad.")
    return kept.columns(encoding, roles["timestamp"] is not None)


def read_careful(fmt: FileFormat, roles: dict, encoding: str, skip_bad_rows: bool) -> Columns:
    """Every row checked in Python; latin-1 when UTF-8 turns out wrong past the sample."""
    try:
        return _parse(fmt, roles, encoding, skip_bad_rows)
    except UnicodeDecodeError:
        return _parse(fmt, roles, "latin-1", skip_bad_rows)
