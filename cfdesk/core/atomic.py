"""Atomic, cancellable file writes: a temp file in the same folder, then os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from cfdesk.core.errors import CfdeskError, WriteError

ShouldStop = Callable[[], bool]
Progress = Callable[[float], None]


class Cancelled(CfdeskError):
    """The user stopped a long write; nothing was written and any old file is untouched."""


def _read_umask() -> int:
    """The umask, read once at import: setting it to 0 later would race other threads' files."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # so the final file gets the usual permissions (mkstemp makes 0600)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **open_kw: object) -> Iterator[IO]:
    """Yield a temp file next to `path`; on success it replaces `path`, on any error it vanishes.

    A reader never sees a half-written file, and a failed or cancelled write leaves an existing
    file as it was.
    """
    target = Path(path)
    if target.parent and not target.parent.is_dir():
        raise WriteError(f"cannot write {target}: the folder {target.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(
            f"could not create {target}: cannot write in {target.parent} ({exc.strerror or exc})"
        ) from exc
    try:
        if "b" not in mode:
            open_kw.setdefault("encoding", "utf-8")
            open_kw.setdefault("newline", "")
        with os.fdopen(fd, mode, **open_kw) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except WriteError:  # a nested atomic_write already said which file
        _discard(tmp)
        raise
    except OSError as exc:
        _discard(tmp)
        raise WriteError(f"could not write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    """Remove a temp file that will never be renamed into place."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def check_stop(should_stop: ShouldStop | None, what: str) -> None:
    """Raise Cancelled when the caller asked to stop (checked once per batch)."""
    if should_stop is not None and should_stop():
        raise Cancelled(f"{what} was cancelled; no file was written")


def report(progress: Progress | None, fraction: float) -> None:
    """Tell the caller how far along we are (0..1), if it asked."""
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0))
