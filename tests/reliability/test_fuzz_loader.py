"""Loader fuzz, quick profile: generated files load as an independent parse says, or are refused
with a DataError sentence naming the file; never another exception, never a hang."""

from __future__ import annotations

import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfdesk.core.data.loader import load
from cfdesk.core.data.loader.read import Refused

from .loader_cases import Case, check, damaged, random_bytes, well_formed

WATCHDOG_SECONDS = 10  # a case that takes longer than this is a hang
QUICK = settings(
    max_examples=150,
    deadline=None,  # the watchdog catches a hang; a busy machine must not fail a slow case
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class Hang(Exception):
    """A single load ran past the watchdog."""


@contextmanager
def watchdog(seconds: int) -> Iterator[None]:
    """SIGALRM turns a hang into a failure instead of a stuck test run."""

    def fire(signum, frame):
        raise Hang(f"one load took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _run(case: Case, skip_bad_rows: bool = False) -> str:
    with tempfile.TemporaryDirectory() as folder, watchdog(WATCHDOG_SECONDS):
        return check(case, Path(folder), skip_bad_rows)


@QUICK
@given(well_formed())
def test_well_formed_files_load_as_an_independent_parse_says(case: Case) -> None:
    assert _run(case) == "accepted"


@settings(QUICK, max_examples=100)
@given(well_formed())
def test_the_line_by_line_parser_reads_well_formed_files_the_same_way(case: Case) -> None:
    """The fallback for odd files must agree too: here every file goes through it."""
    with mock.patch.object(load, "read_fast", side_effect=Refused("forced")):
        assert _run(case) == "accepted"


@QUICK
@given(damaged(), st.booleans())
def test_damaged_files_load_or_are_refused_with_a_sentence(case: Case, skip: bool) -> None:
    _run(case, skip)


@settings(QUICK, max_examples=100)
@given(random_bytes())
def test_random_bytes_are_refused_or_loaded_never_crash(case: Case) -> None:
    _run(case)
