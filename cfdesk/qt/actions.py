"""The window's actions and menus in one place, so shortcuts and menu text stay consistent."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass
class Actions:
    """Every QAction the window offers; the window connects them to its slots."""

    open_data: QAction
    demo: QAction
    open_model: QAction
    save_model: QAction
    export: QAction
    quit: QAction
    train: QAction
    stop: QAction
    find_lr: QAction
    runs: QAction
    tune: QAction
    shortcuts: QAction
    about: QAction
    recent: QMenu

    def all(self) -> list[QAction]:
        """Every action (the shortcut list in Help shows those with keys)."""
        return [a for a in vars(self).values() if isinstance(a, QAction)]


def _action(window: QMainWindow, text: str, tip: str, *keys: QKeySequence | str) -> QAction:
    action = QAction(text, window)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if keys:
        action.setShortcuts([QKeySequence(k) for k in keys])
    window.addAction(action)
    return action


def build_actions(window: QMainWindow) -> Actions:
    """Create the actions and the File / Train / Help menus on `window`."""
    key = QKeySequence.StandardKey
    actions = Actions(
        open_data=_action(
            window, "&Open ratings file…", "Open a ratings file to train on.", key.Open
        ),
        demo=_action(window, "Try the &demo data", "Load generated movie ratings with titles."),
        open_model=_action(
            window, "Open &model…", "Open a model file saved earlier.", "Ctrl+Shift+O"
        ),
        save_model=_action(window, "&Save model…", "Save the trained model to a file.", key.Save),
        export=_action(
            window, "&Export…", "Export recommendations, embeddings or the map.", "Ctrl+E"
        ),
        quit=_action(
            window, "&Quit", "Close cfdesk (a running training is stopped first).", key.Quit
        ),
        train=_action(window, "&Train", "Start training with the settings shown.", "Ctrl+T", "F5"),
        stop=_action(window, "S&top", "Stop training and keep the best model so far.", "Esc"),
        find_lr=_action(window, "&Find learning rate", "Run the learning-rate finder."),
        runs=_action(window, "&Runs", "Every recorded run: compare, reuse or delete.", "Ctrl+R"),
        tune=_action(
            window, "T&une settings", "Search training settings (Tune tab budget).", "Ctrl+Shift+T"
        ),
        shortcuts=_action(window, "&Keyboard shortcuts", "List every keyboard shortcut.", "F1"),
        about=_action(
            window, "&About cfdesk", "Versions, devices and the log folder (for bug reports)."
        ),
        recent=QMenu("Open &recent", window),
    )
    file_menu = window.menuBar().addMenu("&File")
    file_menu.addActions([actions.open_data, actions.demo])
    file_menu.addMenu(actions.recent)
    file_menu.addSeparator()
    file_menu.addActions([actions.open_model, actions.save_model, actions.export])
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    train_menu = window.menuBar().addMenu("&Train")
    train_menu.addActions([actions.train, actions.stop, actions.find_lr, actions.tune])
    train_menu.addSeparator()
    train_menu.addAction(actions.runs)
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addActions([actions.shortcuts, actions.about])
    return actions
