"""Memory check before parsing: a file too big for free memory is refused up front, with figures.

Peak memory growth of a load, measured (docs/reliability.md), is about 41 bytes a row plus 1.8
bytes per byte of decompressed text plus 75 MB; the constants below round that up. Rows are
counted from the text size and the sampled head's bytes per line.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import psutil

from cfdesk.core.data.loader import source
from cfdesk.core.data.loader.sniff import FileFormat
from cfdesk.core.errors import DataError

BYTES_PER_ROW = 48  # codes, ratings, times, indices, the repeated-pair sort
TEXT_FACTOR = 2.0  # pyarrow's buffers and dictionaries, per byte of decompressed text
BASE_BYTES = 100_000_000  # thread pools and block buffers, whatever the size
GZIP_SAMPLE = 1 << 20  # compressed bytes decompressed to learn the ratio


@dataclass(frozen=True)
class MemoryNeed:
    """What loading a file is expected to cost, before reading it."""

    rows: int
    text_bytes: int
    bytes: int


def free_memory() -> int:
    """Bytes the system can give this process now; tests replace this to simulate a small box."""
    return int(psutil.virtual_memory().available)


def text_size(fmt: FileFormat) -> int:
    """Decompressed size: exact for plain files and zip members, sampled for gzip."""
    size = fmt.path.stat().st_size
    if fmt.compression == "zip":
        with zipfile.ZipFile(fmt.path) as archive:
            return archive.getinfo(fmt.member).file_size
    if fmt.compression == "gzip":
        return int(size * _gzip_ratio(fmt.path))
    return size


def _gzip_ratio(path: Path) -> float:
    """Decompressed per compressed byte over the first megabyte (exact for small files)."""
    with open(path, "rb") as handle:
        sample = handle.read(GZIP_SAMPLE)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(sample)
    except zlib.error:
        return 1.0  # the reader will name the damage
    used = len(sample) - len(inflater.unused_data)
    return max(len(out) / max(used, 1), 1.0)


def estimate(fmt: FileFormat) -> MemoryNeed:
    """Rows from the text size and the head's bytes per line; memory from the measured costs."""
    head = source.read_head(fmt.path, fmt.compression)
    lines = max(head.count(b"\n") or head.count(b"\r"), 1)
    text = text_size(fmt)
    rows = int(text / (len(head) / lines)) if head else 0
    return MemoryNeed(rows, text, int(rows * BYTES_PER_ROW + text * TEXT_FACTOR + BASE_BYTES))


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def check_memory(fmt: FileFormat) -> MemoryNeed:
    """Refuse, before any parsing, a file whose load would not fit in the memory free now."""
    need = estimate(fmt)
    free = free_memory()
    if need.bytes > free:
        raise DataError(
            f"{fmt.path} has about {need.rows:,} rows ({_gb(need.text_bytes)} of text); loading "
            f"it would need about {_gb(need.bytes)} of memory but {_gb(free)} are free; close "
            "other programs, or split or sample the file."
        )
    return need


def out_of_memory(fmt: FileFormat, need: MemoryNeed) -> DataError:
    """The sentence for a load that ran out of memory anyway (nothing was kept)."""
    return DataError(
        f"{fmt.path} could not be loaded: memory ran out while reading it (about "
        f"{_gb(need.bytes)} was expected to be needed); close other programs, or split or "
        "sample the file."
    )
