"""File operations the launcher installers share: undoable folder creation and clean removal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path


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
        with contextlib.suppress(OSError):  # not empty (user files) or already gone
            folder.rmdir()
            removed.append(folder)
    return removed
