"""Run a generator of reports to its result from plain code (the CLI, scripts, notebooks)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def drive(
    steps: Generator[Item, None, Result], on_item: Callable[[Item], None] | None = None
) -> Result:
    """Hand each yielded item to `on_item` and return the generator's value; an exception in
    `on_item` (Ctrl+C) closes the generator first, so its own clean-up says how it ended."""
    try:
        while True:
            try:
                item = next(steps)
            except StopIteration as done:
                return done.value
            if on_item is not None:
                on_item(item)
    finally:
        steps.close()
