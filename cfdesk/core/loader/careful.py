"""The line-by-line parser: slower, but it names the line and column of every bad row (or skips it)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cfdesk.core.errors import DataError
from cfdesk.core.loader import source
from cfdesk.core.loader.read import Columns
from cfdesk.core.loader.rows import iter_rows
from cfdesk.core.loader.sniff import FileFormat


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
    return value


def _seconds(text: str, col: int, name: str) -> int:
    """Unix seconds from an integer, a decimal or a date such as 2005-03-01 12:00."""
    for parse in (int, lambda t: int(float(t))):
        try:
            return parse(text)
        except (ValueError, OverflowError):
            pass
    try:
        return int(pd.Timestamp(text).timestamp())
    except (ValueError, TypeError, OverflowError):
        raise _BadRow(f"column {col + 1} ({name}): {text!r} is not a time or date") from None


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


def _parse(fmt: FileFormat, roles: dict, encoding: str, skip_bad_rows: bool) -> Columns:
    parsed: list[tuple] = []
    rejected: list[int] = []
    with source.open_text(fmt.path, fmt.compression, encoding) as stream:
        rows = iter_rows(stream, fmt.sep)
        if fmt.has_header:
            next(rows, None)
        for number, fields in rows:
            try:
                parsed.append(_parse_row(fields, roles, fmt.columns))
            except _BadRow as bad:
                if not skip_bad_rows:
                    raise DataError(f"{fmt.path}, line {number}: {bad}.") from None
                rejected.append(number)
    if not parsed and rejected:
        raise DataError(f"{fmt.path} has no usable ratings: all {len(rejected)} rows are bad.")
    users, items, ratings, stamps = zip(*parsed, strict=True) if parsed else ((), (), (), ())
    user_codes, user_uniques = pd.factorize(np.array(users, dtype=object))
    item_codes, item_uniques = pd.factorize(np.array(items, dtype=object))
    return Columns(
        user_codes=user_codes,
        user_uniques=user_uniques,
        item_codes=item_codes,
        item_uniques=item_uniques,
        rating=np.array(ratings, dtype=np.float32),
        timestamp=None if roles["timestamp"] is None else np.array(stamps, dtype=np.int64),
        encoding=encoding,
        rejected_lines=rejected,
        rows_rejected=len(rejected),
    )


def read_careful(fmt: FileFormat, roles: dict, encoding: str, skip_bad_rows: bool) -> Columns:
    """Every row checked in Python; latin-1 when UTF-8 turns out wrong past the sample."""
    try:
        return _parse(fmt, roles, encoding, skip_bad_rows)
    except UnicodeDecodeError:
        return _parse(fmt, roles, "latin-1", skip_bad_rows)
