"""The fast readers: pyarrow (multithreaded) for one-character separators and `::`, pandas' C
parser for whitespace. Anything unusual is refused, and the careful parser takes over."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cfdesk.core.data.loader import source
from cfdesk.core.data.loader.sniff import FileFormat

_DICT = pa.dictionary(pa.int32(), pa.string())
FLOAT32_MAX = float(np.finfo(np.float32).max)  # ratings are stored as float32


@dataclass
class Columns:
    """Role columns as codes into uniques (ids as found, not yet sorted or typed)."""

    user_codes: np.ndarray
    user_uniques: np.ndarray
    item_codes: np.ndarray
    item_uniques: np.ndarray
    rating: np.ndarray  # float32
    timestamp: np.ndarray | None  # int64 seconds
    encoding: str
    rejected_lines: list[int] = field(default_factory=list)
    rows_rejected: int = 0


class Refused(Exception):
    """The fast reader cannot take this file as is; the careful parser will say why."""

    @property
    def bad_utf8(self) -> bool:
        """The file is not UTF-8 after all (past the sniffed sample)."""
        return "UTF8" in str(self)


def _parses(values: list[str], kind: type) -> bool:
    try:
        for value in values:
            kind(value)
    except ValueError:
        return False
    return True


def _ts_kind(fmt: FileFormat, col: int | None) -> str:
    """int, float or text timestamps, judged from the preview rows."""
    values = [r[col].strip() for r in fmt.preview if col is not None and col < len(r)]
    if _parses(values, int):
        return "int"
    return "float" if _parses(values, float) else "text"


def _read_whitespace(fmt: FileFormat, roles: dict, encoding: str, ts_kind: str) -> pa.Table:
    """pandas' C parser for runs of spaces/tabs, which pyarrow cannot split."""
    kinds = {"user": str, "item": str, "rating": "float64"}  # range checked before float32
    kinds["timestamp"] = {"int": "int64", "float": "float64", "text": str}[ts_kind]
    dtypes = {roles[r]: kind for r, kind in kinds.items() if roles[r] is not None}
    try:
        with source.open_binary(fmt.path, fmt.compression) as stream:
            frame = pd.read_csv(
                stream, sep=r"\s+", header=None, skiprows=int(fmt.has_header), engine="c",
                usecols=list(dtypes), dtype=dtypes, encoding=encoding, keep_default_na=False,
            )  # fmt: skip
    except UnicodeDecodeError as exc:
        raise Refused(f"invalid UTF8 data ({exc})") from exc
    except (ValueError, OverflowError, OSError, EOFError) as exc:  # OverflowError: a huge time
        raise Refused(str(exc)) from exc
    if frame.isna().to_numpy().any():
        raise Refused("a short row")
    ids = {roles["user"], roles["item"]}
    return pa.table({
        f"c{col}": pa.array(frame[col]).dictionary_encode() if col in ids else pa.array(frame[col])
        for col in dtypes
    })  # fmt: skip


@dataclass(frozen=True)
class CsvPlan:
    """How pyarrow reads a file with a one-character separator (or `::`)."""

    read: pacsv.ReadOptions
    parse: pacsv.ParseOptions
    convert: pacsv.ConvertOptions
    gaps: tuple[str, ...]  # the empty columns between the two colons of `::`
    ts_kind: str

    def check_gaps(self, table: pa.Table | pa.RecordBatch) -> None:
        """A `::` file whose fields contain ':' cannot be split by ':'."""
        if any(pc.any(pc.not_equal(table.column(g), "")).as_py() for g in self.gaps):
            raise Refused("a field contains ':'")


def csv_plan(fmt: FileFormat, roles: dict, encoding: str) -> CsvPlan:
    """pyarrow's options for the role columns of a file whose separator is not whitespace."""
    ts_kind = _ts_kind(fmt, roles["timestamp"])
    width = len(fmt.columns)
    names = [f"c{i}" for i in range(width)]
    double = fmt.separator == "::"
    if double:  # "1::2::5" read with ":" is "1,,2,,5": role columns sit at even positions
        names = [f"c{i // 2}" if i % 2 == 0 else f"gap{i}" for i in range(2 * width - 1)]
    kinds = {"user": _DICT, "item": _DICT, "rating": pa.float32()}
    kinds["timestamp"] = {"int": pa.int64(), "float": pa.float64(), "text": pa.string()}[ts_kind]
    types = {f"c{roles[r]}": t for r, t in kinds.items() if roles[r] is not None}
    gaps = {n: pa.string() for n in names if n.startswith("gap")}
    return CsvPlan(
        read=pacsv.ReadOptions(
            column_names=names,
            skip_rows=int(fmt.has_header),
            encoding="utf8" if encoding.startswith("utf-8") else encoding,
        ),
        parse=pacsv.ParseOptions(
            delimiter=":" if double else fmt.separator, quote_char=False if double else '"'
        ),
        convert=pacsv.ConvertOptions(
            column_types={**types, **gaps},
            include_columns=list(types) + list(gaps),
            null_values=[""],
            strings_can_be_null=False,
        ),
        gaps=tuple(gaps),
        ts_kind=ts_kind,
    )


def read_fast(fmt: FileFormat, roles: dict, encoding: str) -> Columns:
    """pyarrow (multithreaded) for single-character separators, pandas' C parser otherwise."""
    if fmt.separator_name == "whitespace":
        ts_kind = _ts_kind(fmt, roles["timestamp"])
        table = _read_whitespace(fmt, roles, encoding, ts_kind)
        return columns_from_table(table, roles, ts_kind, encoding)
    plan = csv_plan(fmt, roles, encoding)
    try:
        with source.open_binary(fmt.path, fmt.compression) as stream:
            table = pacsv.read_csv(
                stream,
                read_options=plan.read,
                parse_options=plan.parse,
                convert_options=plan.convert,
            )
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise Refused(str(exc)) from exc
    plan.check_gaps(table)
    return columns_from_table(table, roles, plan.ts_kind, encoding)


def _codes(chunked: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary-encoded column -> (codes, uniques) without materialising the strings."""
    chunked = chunked.unify_dictionaries() if chunked.num_chunks > 1 else chunked
    if chunked.num_chunks == 0 or len(chunked) == 0:
        return np.zeros(0, np.int32), np.array([], dtype=object)
    uniques = chunked.chunk(0).dictionary.to_numpy(zero_copy_only=False)
    codes = np.concatenate([c.indices.to_numpy() for c in chunked.chunks])
    return codes, uniques


def columns_from_table(table: pa.Table, roles: dict, ts_kind: str, encoding: str) -> Columns:
    """Checked role columns of a parsed table; Refused when the careful parser must say why."""
    rating = table[f"c{roles['rating']}"].to_numpy()
    if table[f"c{roles['rating']}"].null_count or not (np.abs(rating) <= FLOAT32_MAX).all():
        raise Refused("missing, non-finite or too large rating")
    timestamp = None
    if roles["timestamp"] is not None:
        ts = table[f"c{roles['timestamp']}"]
        if ts.null_count:
            raise Refused("missing timestamp")
        timestamp = to_seconds(ts.to_numpy(zero_copy_only=False), ts_kind)
        if timestamp is None:
            raise Refused("unreadable timestamp")
    user_codes, user_uniques = _codes(table[f"c{roles['user']}"])
    item_codes, item_uniques = _codes(table[f"c{roles['item']}"])
    for uniques in (user_uniques, item_uniques):
        if (pd.Series(uniques, dtype=object).str.strip() == "").any():
            raise Refused("an empty id")
    return Columns(
        user_codes,
        user_uniques,
        item_codes,
        item_uniques,
        rating.astype(np.float32),
        timestamp,
        encoding,
    )


def to_seconds(values: np.ndarray, kind: str) -> np.ndarray | None:
    """Timestamps as int64 seconds; None when some text is not a date."""
    if kind == "int":
        return values.astype(np.int64)
    if kind == "float":
        seconds = values.astype(np.float64)
        if not (np.abs(seconds) < 2.0**63).all():  # NaN, inf or beyond int64 seconds
            return None
        return seconds.astype(np.int64)
    parsed = pd.to_datetime(pd.Series(values), errors="coerce", format="mixed", utc=True)
    if parsed.isna().any():
        return None
    return ((parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy(np.int64)
