"""One part of a ratings file: the rows of the users whose id hashes to this part, for a process
of a distributed run that must not hold the whole file.

A user belongs to part `hash(id text) mod n_parts` (FNV-1a over the id's UTF-8 bytes with
surrounding whitespace stripped, then a Murmur3 finaliser), so every process, on any machine,
puts each user in the same part without talking to the others. With a one-character separator
(or `::`) the file is streamed in blocks and only this part's rows are kept: the peak holds this
part plus one block. Files the fast reader refuses, and whitespace-separated files, are read
whole and then filtered (the same peak as `load_ratings`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cfdesk.core.data.loader import source
from cfdesk.core.data.loader.budget import estimate, out_of_memory
from cfdesk.core.data.loader.load import build_ratings, read_columns
from cfdesk.core.data.loader.read import Columns, Refused, columns_from_table, csv_plan
from cfdesk.core.data.loader.roles import apply_overrides
from cfdesk.core.data.loader.sniff import FileFormat, sniff
from cfdesk.core.data.ratings import Ratings

BLOCK_BYTES = 16 << 20  # text per streamed block: big enough that per-block costs vanish
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def id_parts(ids: pa.Array | np.ndarray, n_parts: int) -> np.ndarray:
    """The part (0 <= part < n_parts) of each raw id, from its text; the same on every machine."""
    texts = pc.utf8_trim_whitespace(pa.array(ids, type=pa.string()) if isinstance(ids, np.ndarray)
                                    else ids.cast(pa.string()))  # fmt: skip
    raw = np.array(texts.cast(pa.binary()).to_numpy(zero_copy_only=False), dtype="S")
    if raw.size == 0:
        return np.zeros(0, dtype=np.int64)
    width = raw.dtype.itemsize
    matrix = raw.view(np.uint8).reshape(len(raw), width)
    h = np.full(len(raw), _FNV_OFFSET, dtype=np.uint64)
    for column in matrix.T.astype(np.uint64):  # zero bytes are padding, never id text
        h = np.where(column != 0, (h ^ column) * _FNV_PRIME, h)
    h ^= h >> np.uint64(33)  # FNV's low bits follow the last byte; mix them before `mod`
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return (h % np.uint64(n_parts)).astype(np.int64)


def _stream_part(fmt: FileFormat, roles: dict, part: int, n_parts: int) -> Columns:
    """Stream the file block by block, keeping only this part's rows."""
    plan = csv_plan(fmt, roles, fmt.encoding)
    plan.read.block_size = BLOCK_BYTES
    users = f"c{roles['user']}"
    kept = []
    try:
        with source.open_binary(fmt.path, fmt.compression) as stream:
            reader = pacsv.open_csv(
                stream, read_options=plan.read, parse_options=plan.parse,
                convert_options=plan.convert,
            )  # fmt: skip
            for batch in reader:
                plan.check_gaps(batch)
                column = batch.column(users)
                mine = id_parts(column.dictionary, n_parts) == part
                kept.append(batch.filter(pa.array(mine[column.indices.to_numpy()])))
            schema = reader.schema
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise Refused(str(exc)) from exc
    table = pa.Table.from_batches(kept, schema=schema)
    return columns_from_table(table, roles, plan.ts_kind, fmt.encoding)


def _compact(codes: np.ndarray, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Only the ids these codes use (other parts' ids leave the id map)."""
    used, new_codes = np.unique(codes, return_inverse=True)
    return new_codes.astype(np.int32).reshape(-1), uniques[used]


def keep_part(cols: Columns, part: int, n_parts: int) -> Columns:
    """The rows of `cols` whose user falls in `part`, with id maps of just those rows."""
    mine = id_parts(np.asarray(cols.user_uniques, dtype=object), n_parts) == part
    rows = mine[cols.user_codes]
    user_codes, user_uniques = _compact(cols.user_codes[rows], cols.user_uniques)
    item_codes, item_uniques = _compact(cols.item_codes[rows], cols.item_uniques)
    return replace(
        cols,
        user_codes=user_codes,
        user_uniques=user_uniques,
        item_codes=item_codes,
        item_uniques=item_uniques,
        rating=cols.rating[rows],
        timestamp=None if cols.timestamp is None else cols.timestamp[rows],
    )


def read_part(fmt: FileFormat, roles: dict, part: int, n_parts: int) -> Columns:
    """This part's rows: streamed when the fast reader takes the file, else read whole first."""
    if fmt.separator_name != "whitespace":
        try:
            return keep_part(_stream_part(fmt, roles, part, n_parts), part, n_parts)
        except Refused:
            pass  # the whole-file path below finds the fallback encoding or names the bad line
    return keep_part(read_columns(fmt, roles, skip_bad_rows=False), part, n_parts)


def load_part(path, part: int, n_parts: int) -> Ratings:
    """Ratings of the users in `part` of `n_parts` (ids indexed within the part); DataError as
    `load_ratings` for bad input, naming the file and line. The part may have no rows."""
    if not 0 <= part < n_parts:
        raise ValueError(f"part {part} is not in 0..{n_parts - 1}")
    fmt = sniff(path)
    roles = apply_overrides(fmt.roles, {}, list(fmt.columns), fmt.path)
    try:
        return build_ratings(fmt, roles, read_part(fmt, roles, part, n_parts), None)
    except MemoryError as exc:
        raise out_of_memory(fmt, estimate(fmt)) from exc
