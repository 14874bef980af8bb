"""What the results subcommands share: opening a model file, id lists, progress on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from cfdesk.core.fitted import FittedModel

_HEADER_WORDS = {"user", "user_id", "userid", "users", "id"}


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    """The MODEL positional every results command takes first."""
    parser.add_argument("model", metavar="MODEL", help="a .cfmodel file saved by cfdesk")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def open_model(path: str) -> FittedModel:
    """Load a model file (the persistence module raises ModelFileError with a reason)."""
    from cfdesk.core.persistence import load_model

    return load_model(path)


def title_of(fitted: FittedModel, item_id: object) -> str | None:
    """The item's title, or None when the model has no metadata (so ids are not printed twice)."""
    if fitted.item_table is None:
        return None
    return fitted.item_title(fitted.items.index_of(item_id))


def parse_user_list(text: str) -> list[str]:
    """--users takes a file (one id per line, first column, optional header) or "ID,ID,..."."""
    path = Path(text)
    if path.is_file():
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        ids = [line.replace("\t", ",").split(",")[0].strip() for line in lines]
        ids = [i for i in ids if i]
        if ids and ids[0].lower() in _HEADER_WORDS:
            ids = ids[1:]
        return ids
    return [part.strip() for part in text.split(",") if part.strip()]


def stderr_progress(label: str) -> Callable[[float], None]:
    """A progress(fraction) callback that prints whole-percent steps on stderr."""
    last = [-1]
    tty = sys.stderr.isatty()

    def show(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent == last[0] or (not tty and percent % 10 and percent != 100):
            return
        last[0] = percent
        end = "\r" if tty and percent < 100 else "\n"
        print(f"{label}: {percent}%", end=end, file=sys.stderr, flush=True)

    return show
