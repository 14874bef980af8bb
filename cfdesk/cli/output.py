"""Shared output helpers: JSON lines on stdout, sentences on stderr, one error exit path."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable

from cfdesk.core.errors import CfdeskError


def print_json(obj: object) -> None:
    """One JSON object on one stdout line (the last line a script reads)."""
    print(json.dumps(obj, ensure_ascii=False, default=_jsonable), flush=True)


def _jsonable(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def fail(message: str, code: int = 2) -> int:
    """Print a one-sentence error on stderr and return the exit code."""
    print(f"cfdesk: error: {message}", file=sys.stderr, flush=True)
    return code


def reports_errors(func: Callable[..., int | None]) -> Callable[..., int]:
    """Turn cfdesk's own errors into a sentence and exit code 2 instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> int:
        try:
            return int(func(*args, **kwargs) or 0)
        except CfdeskError as exc:
            return fail(str(exc))
        except KeyboardInterrupt:
            return fail("interrupted", 130)

    return wrapper
