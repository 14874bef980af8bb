"""Where cfdesk writes what went wrong: a rotating log file, the hard-crash log, versions, reports."""

from __future__ import annotations

import faulthandler
import logging
import os
import platform
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QStandardPaths

LOG_DIR_ENV = "CFDESK_LOG_DIR"
LOG_NAME = "cfdesk.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
FATAL_NAME = "fatal.log"  # where a hard crash (segfault, abort) leaves its Python traceback

log = logging.getLogger("cfdesk")


def log_dir() -> Path:
    """CFDESK_LOG_DIR when set (tests, portable use), else the platform's app-data folder/logs."""
    folder = os.environ.get(LOG_DIR_ENV)
    if folder:
        return Path(folder)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base or Path.home() / ".cfdesk") / "logs"


def setup_logging() -> Path | None:
    """Send cfdesk's INFO and above to a 1 MB × 3 rotating file; returns the file's path.

    Idempotent: a second call (tests, a second main()) replaces the handler it installed. A
    folder that cannot be written leaves the app running without a log file (None).
    """
    path = log_dir() / LOG_NAME
    for old in [h for h in log.handlers if getattr(h, "_cfdesk", False)]:
        log.removeHandler(old)
        old.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        print(f"cfdesk: cannot write the log file {path}: {exc}", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    handler._cfdesk = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("cfdesk started (%s)", versions_line())
    return path


def enable_fatal_log() -> Path | None:
    """A crash Python cannot catch (segfault in a library, Qt abort) still leaves a traceback.

    faulthandler holds the open file for the life of the process.
    """
    path = log_dir() / FATAL_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        faulthandler.enable(open(path, "a", encoding="utf-8"), all_threads=True)  # noqa: SIM115
    except OSError:
        return None
    return path


def versions() -> dict[str, str]:
    """What a bug report needs to reproduce a crash: every version that matters."""
    import PySide6
    import torch
    from PySide6.QtCore import qVersion

    from cfdesk import __version__

    cuda = torch.version.cuda if torch.cuda.is_available() else "not available"
    return {
        "cfdesk": __version__,
        "Python": platform.python_version(),
        "torch": torch.__version__,
        "CUDA": str(cuda),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "System": platform.platform(),
    }


def versions_line() -> str:
    return ", ".join(f"{k} {v}" for k, v in versions().items())


def crash_report(exc: BaseException) -> str:
    """Traceback plus versions: the text "Copy details" puts on the clipboard."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    info = "\n".join(f"{k}: {v}" for k, v in versions().items())
    return f"{trace}\n{info}\n"
