"""The run store as the CLI uses it: a writer whose trouble is one warning line on stderr."""

from __future__ import annotations

import sys

from cfdesk.core.runs.store import RunStore
from cfdesk.core.runs.writer import RunWriter


def warn_unrecorded(sentence: str) -> None:
    """The run store failed: say so once per run; training goes on."""
    print(f"cfdesk: warning: this run is not recorded: {sentence}", file=sys.stderr, flush=True)


def run_writer() -> RunWriter:
    """A writer on the user's run store; close() it before the command ends."""
    return RunWriter(RunStore.default(), on_problem=warn_unrecorded)


def close_writer(writer: RunWriter) -> None:
    """Apply what is queued before the command exits; a store too slow to take it is said."""
    if not writer.close():
        warn_unrecorded(
            f"{writer.store.path} did not take the last writes within 5 s (another program may "
            "be holding it); the run may show as interrupted"
        )
