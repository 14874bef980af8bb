"""Typed errors whose message is a sentence a user can act on."""

from __future__ import annotations


class CfdeskError(Exception):
    """Base of every error cfdesk raises on purpose; its text is shown to the user as is."""


class DataError(CfdeskError):
    """A ratings or item file cannot be read as asked; the message names the file, line and column."""


class TrainingError(CfdeskError):
    """Training cannot go on (diverged, bad setting); the message suggests what to change."""


class OutOfMemoryError(TrainingError):
    """The device ran out of memory; carries settings that should fit: a batch size and
    accumulation, and a device when the data itself does not fit (e.g. "cpu")."""

    def __init__(
        self, message: str, batch_size: int, accum_steps: int, device: str | None = None
    ) -> None:
        super().__init__(message)
        self.batch_size = batch_size
        self.accum_steps = accum_steps
        self.device = device  # None: the same device


class ModelFileError(CfdeskError):
    """A model file is corrupt, foreign, too new or unsafe; nothing from it was executed."""


class WriteError(CfdeskError, OSError):
    """A file could not be written (disk full, read-only folder); any old file is untouched."""


class UnknownIdError(CfdeskError, KeyError):
    """A user or item id the model does not know; the message says whether it was held out."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
