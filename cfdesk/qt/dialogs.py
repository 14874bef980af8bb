"""The one place that shows errors and asks the follow-up questions errors raise."""

from __future__ import annotations

import traceback

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from cfdesk.core.errors import CfdeskError, OutOfMemoryError


def error_text(exc: BaseException) -> str:
    """The sentence shown: cfdesk's own message as is, a short generic one otherwise."""
    if isinstance(exc, CfdeskError):
        return str(exc)
    return f"Something went wrong inside cfdesk ({type(exc).__name__}: {exc})."


def error_details(exc: BaseException) -> str:
    """The full traceback, for the Details box and the clipboard."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException, title: str = "cfdesk") -> None:
    """Tell the user what failed; unexpected errors add Details and Copy details."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, error_text(exc), parent=parent)
    if not isinstance(exc, CfdeskError):
        box.setDetailedText(error_details(exc))
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is copy:
            QApplication.clipboard().setText(error_details(exc))
        return
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()


def ask_oom_retry(parent: QWidget | None, exc: OutOfMemoryError) -> bool:
    """Offer to retry with the batch size and accumulation the trainer says will fit."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Out of memory", str(exc), parent=parent)
    box.setInformativeText(
        f"Retry in pieces of {exc.batch_size:,} ratings with gradient accumulation "
        f"{exc.accum_steps}? Each step still sees {exc.batch_size * exc.accum_steps:,} ratings, "
        "so the result stays the same."
    )
    retry = box.addButton("Retry with these", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is retry


def ask_lower_lr(parent: QWidget | None, exc: CfdeskError, lower: float) -> bool:
    """After a divergence, offer to set a ten times lower learning rate."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Training diverged", str(exc), parent=parent)
    box.setInformativeText(f"Set the learning rate to {lower:.3g} and try again?")
    use = box.addButton("Use the lower rate", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is use
