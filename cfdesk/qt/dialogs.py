"""The one place that shows errors and asks the follow-up questions errors raise."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from cfdesk.core.errors import CfdeskError, OutOfMemoryError
from cfdesk.qt.crash_dialog import show_crash

log = logging.getLogger("cfdesk")


def error_text(exc: BaseException) -> str:
    """The sentence shown: cfdesk's own message as is, a short generic one otherwise."""
    if isinstance(exc, CfdeskError):
        return str(exc)
    return f"Something went wrong inside cfdesk ({type(exc).__name__}: {exc})."


def message_box(
    icon: QMessageBox.Icon, title: str, text: str, parent: QWidget | None
) -> QMessageBox:
    """A message box whose text is shown as is: errors quote file names and file contents."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str = "cfdesk") -> None:
    """Tell the user what failed; unexpected errors get the crash dialog (details, log, copy)."""
    if not isinstance(exc, CfdeskError):
        log.error("unexpected error shown", exc_info=(type(exc), exc, exc.__traceback__))
        show_crash(exc, parent)
        return
    log.info("error shown: %s", exc)
    box = message_box(QMessageBox.Icon.Warning, title, error_text(exc), parent)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()


def _confirm(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, info: str, act: str
) -> bool:
    """One question with an action button and Cancel: True when the action was chosen."""
    box = message_box(icon, title, text, parent)
    box.setInformativeText(info)
    accept = box.addButton(act, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is accept


def ask_stop_training(parent: QWidget | None, name: str) -> bool:
    """Opening a file while training runs: stop it first, or keep training."""
    text = f"Training is running. Stop it and open {name}?"
    info = "The best model so far is kept."
    return _confirm(parent, QMessageBox.Icon.Question, "cfdesk", text, info, "Stop and open")


def ask_save_model(parent: QWidget | None, doing: str) -> str:
    """Before a trained, unsaved model is replaced or closed: "save", "discard" or "cancel"."""
    box = message_box(
        QMessageBox.Icon.Question, "cfdesk", f"Save the trained model before {doing}?", parent
    )
    box.setInformativeText("It has not been saved yet; Discard loses it.")
    save = box.addButton("Save…", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "save" if clicked is save else "discard" if clicked is discard else "cancel"


def ask_oom_retry(parent: QWidget | None, exc: OutOfMemoryError) -> bool:
    """Offer to retry with the settings the trainer says will fit: smaller pieces of each step,
    or another device when the data itself does not fit."""
    act = "Retry with these"
    if exc.device == "cpu":
        info = "Retry on the CPU? It uses the computer's memory; training takes longer."
        act = "Retry on the CPU"
    else:
        info = (
            f"Retry in pieces of {exc.batch_size:,} ratings with gradient accumulation "
            f"{exc.accum_steps}? Each step still sees {exc.batch_size * exc.accum_steps:,} "
            "ratings, so the result stays the same."
        )
    icon = QMessageBox.Icon.Warning
    return _confirm(parent, icon, "Out of memory", str(exc), info, act)


def ask_lower_lr(parent: QWidget | None, exc: CfdeskError, lower: float) -> bool:
    """After a divergence, offer to set a ten times lower learning rate."""
    box = message_box(QMessageBox.Icon.Warning, "Training diverged", str(exc), parent)
    box.setInformativeText(f"Set the learning rate to {lower:.3g} and try again?")
    use = box.addButton("Use the lower rate", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is use


def ask_delete_runs(parent: QWidget | None, count: int) -> bool:
    """Before runs leave the run store for good."""
    runs = "this run" if count == 1 else f"these {count} runs"
    info = "Their curves, settings and metrics are removed; saved model files stay."
    icon = QMessageBox.Icon.Question
    return _confirm(parent, icon, "Delete runs", f"Delete {runs}?", info, "Delete")
