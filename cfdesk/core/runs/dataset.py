"""Which data set a run trained on: path, size and a content fingerprint that is cheap for big files."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cfdesk.core.data.ratings import Ratings

EDGE_BYTES = 1 << 20  # the file's first and last MiB go into the fingerprint
SAMPLE_ROWS = 1 << 18  # without a file: this many evenly spaced ratings


@dataclass(frozen=True)
class DatasetInfo:
    """What the run table shows and filters by; equal fingerprints mean the same ratings."""

    name: str  # file name, or the Ratings' own label
    path: str  # absolute path, "" when the ratings did not come from a file
    size: int  # bytes on disk, 0 without a file
    fingerprint: str  # 16 hex digits
    n_ratings: int
    n_users: int
    n_items: int

    def to_dict(self) -> dict:
        """Plain dict for JSON output."""
        return asdict(self)


def _file_digest(path: Path, size: int) -> bytes:
    """Size, first and last MiB: reads at most 2 MiB however big the file is."""
    digest = hashlib.blake2b(str(size).encode(), digest_size=16)
    with path.open("rb") as handle:
        digest.update(handle.read(EDGE_BYTES))
        if size > EDGE_BYTES:
            handle.seek(max(EDGE_BYTES, size - EDGE_BYTES))
            digest.update(handle.read(EDGE_BYTES))
    return digest.digest()


def _array_digest(ratings: Ratings) -> bytes:
    """Evenly spaced (user, item, rating) rows: for ratings built in memory."""
    step = max(1, ratings.n_ratings // SAMPLE_ROWS)
    digest = hashlib.blake2b(digest_size=16)
    for column in (ratings.user_idx, ratings.item_idx, ratings.rating):
        digest.update(np.ascontiguousarray(column[::step]).tobytes())
    return digest.digest()


def describe_dataset(ratings: Ratings, path: str | Path | None = None) -> DatasetInfo:
    """Fingerprint `ratings` (read from `path`, by default their source file).

    The counts go in too, so the same file read with other column choices is another data set.
    Reads at most 2 MiB: call it off the UI thread anyway, the file may be on a slow disk.
    """
    source = Path(path) if path is not None else Path(ratings.source) if ratings.source else None
    counts = f"{ratings.n_ratings}:{ratings.n_users}:{ratings.n_items}".encode()
    try:
        if source is None or not source.is_file():
            raise FileNotFoundError
        source = source.resolve()
        size = source.stat().st_size
        content = _file_digest(source, size)
        name, where = source.name, str(source)
    except OSError:  # no file (built in memory), or it went away: fingerprint the arrays
        size, content = 0, _array_digest(ratings)
        name, where = (source.name if source else "") or "ratings in memory", ""
    fingerprint = hashlib.blake2b(content + counts, digest_size=8).hexdigest()
    return DatasetInfo(
        name, where, size, fingerprint, ratings.n_ratings, ratings.n_users, ratings.n_items
    )
