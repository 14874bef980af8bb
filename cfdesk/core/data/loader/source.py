"""Opening a ratings or item file: path checks, compression, encoding and a cheap head sample."""

from __future__ import annotations

import contextlib
import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cfdesk.core.errors import DataError

HEAD_BYTES = 64 * 1024
_TEXT_SUFFIXES = (".csv", ".tsv", ".dat", ".data", ".txt", ".base", ".test")


def check_path(path: str | Path, what: str = "ratings file") -> Path:
    """Turn a missing path, a folder or an unreadable file into a sentence before any parsing."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"The {what} {p} does not exist.")
    if p.is_dir():
        raise DataError(f"{p} is a folder, not a {what}; choose the file inside it.")
    try:
        with open(p, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise DataError(f"The {what} {p} cannot be read ({exc.strerror or exc}).") from exc
    return p


def detect_compression(path: Path) -> str:
    """Compression from the magic bytes, so a renamed .gz or .zip is still read."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic == b"PK\x03\x04":
        return "zip"
    return "none"


def zip_member(path: Path) -> str:
    """The table inside a zip: its only file, else the first that looks like ratings."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if not n.endswith("/") and not n.startswith("__MACOSX") and "/." not in f"/{n}"
            ]
    except zipfile.BadZipFile as exc:
        raise DataError(f"{path} looks like a zip archive but cannot be opened ({exc}).") from exc
    if not names:
        raise DataError(f"The zip archive {path} contains no files.")
    if "xl/workbook.xml" in names:
        raise DataError(f"{path} is an Excel workbook; save the sheet as CSV and open that.")
    if len(names) == 1:
        return names[0]
    tables = [n for n in names if n.lower().endswith(_TEXT_SUFFIXES)]
    rated = [n for n in tables if "rating" in Path(n).name.lower()]
    return (rated or tables or names)[0]


@contextlib.contextmanager
def open_binary(path: Path, compression: str) -> Iterator[BinaryIO]:
    """A binary stream of the decompressed bytes (the archive too is closed afterwards)."""
    with contextlib.ExitStack() as stack:
        if compression == "gzip":
            yield stack.enter_context(gzip.open(path, "rb"))
        elif compression == "zip":
            archive = stack.enter_context(zipfile.ZipFile(path))
            yield stack.enter_context(archive.open(zip_member(path)))
        else:
            yield stack.enter_context(open(path, "rb"))


def read_head(path: Path, compression: str, size: int = HEAD_BYTES) -> bytes:
    """The first `size` decompressed bytes; bad compressed data becomes a DataError."""
    try:
        with open_binary(path, compression) as stream:
            return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path} cannot be decompressed as {compression} ({exc}).") from exc


def check_text(path: Path, head: bytes) -> None:
    """Refuse empty files and binary data with a sentence instead of parser noise."""
    if not head.strip():
        raise DataError(f"{path} is empty; expected rows of user, item and rating.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path} is saved as UTF-16 text; save it as UTF-8 and open it again.")
    nul = head.find(b"\x00")
    controls = sum(1 for b in head[:4096] if b < 32 and b not in (9, 10, 13))
    if nul >= 0 or controls > len(head[:4096]) // 20:
        where = nul if nul >= 0 else 0
        raise DataError(
            f"{path} does not look like a text table (binary data near byte {where}); "
            "expected a CSV, TSV or .dat ratings file."
        )


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes, latin-1 otherwise."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return "latin-1"
    return "utf-8"


def decode_head(head: bytes, encoding: str) -> list[str]:
    """Complete lines of the sample (the last, possibly cut line is dropped when more follows)."""
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines()
    if len(head) >= HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]
    return lines


@contextlib.contextmanager
def open_text(path: Path, compression: str, encoding: str) -> Iterator[io.TextIOWrapper]:
    """A text stream for the slow, line-numbered parser."""
    with open_binary(path, compression) as raw:
        yield io.TextIOWrapper(raw, encoding=encoding, newline="")
