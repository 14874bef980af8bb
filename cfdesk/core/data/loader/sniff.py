"""Format detection from the first ~64 KB: compression, encoding, separator, header and roles."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cfdesk.core.data.loader import source
from cfdesk.core.data.loader.metadata import find_item_file
from cfdesk.core.data.loader.roles import guess_roles, role_of
from cfdesk.core.data.loader.rows import Separator, detect_separator
from cfdesk.core.errors import DataError

PREVIEW_ROWS = 20
_SAMPLE_LINES = 200


@dataclass(frozen=True)
class FileFormat:
    """What the import dialog shows and load_ratings uses; cheap to compute."""

    path: Path
    compression: str  # "none", "gzip" or "zip"
    encoding: str  # "utf-8", "utf-8-sig" (BOM) or "latin-1"
    separator: str  # the text between fields: ",", "\t", "::", " " (any whitespace)...
    separator_name: str  # "comma", "tab", "::", "whitespace"...
    has_header: bool
    columns: tuple[str, ...]  # header names, or "column 1".. when there is none
    roles: dict  # role -> column index or None
    preview: tuple[tuple[str, ...], ...]  # first data rows, as strings
    item_file: Path | None = None  # metadata found beside the ratings file
    member: str | None = None  # the file read inside a zip archive

    @property
    def sep(self) -> Separator:
        """The Separator object behind the names."""
        return Separator(self.separator, self.separator_name)

    @property
    def description(self) -> str:
        """One phrase for notes and the CLI: "comma separated, header, utf-8"."""
        parts = [f"{self.separator_name} separated", "header" if self.has_header else "no header"]
        parts.append(self.encoding)
        if self.compression != "none":
            parts.append(self.compression)
        return ", ".join(parts)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def detect_header(rows: list[list[str]]) -> bool:
    """A first row with a known role name, or text where later rows hold numbers, is a header."""
    first, rest = rows[0], rows[1:]
    if any(role_of(name) for name in first if not _is_number(name)):
        return True
    if not rest:
        return not any(_is_number(f) for f in first)
    for col, name in enumerate(first):
        below = [r[col] for r in rest if col < len(r)]
        if not _is_number(name) and below and all(_is_number(v) for v in below):
            return True
    return False


def sniff(path: str | Path) -> FileFormat:
    """Read only the head of `path` and guess everything load_ratings needs."""
    p = source.check_path(path)
    compression = source.detect_compression(p)
    head = source.read_head(p, compression)
    source.check_text(p, head)
    encoding = source.detect_encoding(head)
    lines = [line for line in source.decode_head(head, encoding) if line.strip()]
    if not lines:  # only a byte-order mark or Unicode spaces
        raise DataError(f"{p} is empty; expected rows of user, item and rating.")
    sep = detect_separator(lines)
    rows = [sep.split(line) for line in lines[: _SAMPLE_LINES + 1]]
    has_header = detect_header(rows)
    width = Counter(len(r) for r in rows[1:] or rows).most_common(1)[0][0]
    if has_header:
        columns = [name.strip() or f"column {i + 1}" for i, name in enumerate(rows[0])]
        columns += [f"column {i + 1}" for i in range(len(columns), width)]
    else:
        columns = [f"column {i + 1}" for i in range(width)]
    data = rows[1:] if has_header else rows
    return FileFormat(
        path=p,
        compression=compression,
        encoding=encoding,
        separator=sep.text,
        separator_name=sep.name,
        has_header=has_header,
        columns=tuple(columns),
        roles=guess_roles(columns, has_header),
        preview=tuple(tuple(r) for r in data[:PREVIEW_ROWS]),
        item_file=find_item_file(p),
        member=source.zip_member(p) if compression == "zip" else None,
    )
