"""File operations the launcher installers share: atomic writes and undoable folder creation."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write through a temp file in the same folder so a crash never leaves half a launcher."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def make_dirs(path: Path) -> list[Path]:
    """Create `path` and missing parents; return the folders created, outermost first, to undo later."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    path.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def remove_files_and_empty_dirs(files: Iterable[Path], dirs: Iterable[Path]) -> list[Path]:
    """Delete the files, then those folders that are now empty (deepest first); return what went."""
    removed = []
    for path in files:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    for folder in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(FileNotFoundError, OSError):
            folder.rmdir()
            removed.append(folder)
    return removed
