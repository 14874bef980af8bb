"""Qt test fixtures: settings in tmp_path, fake training reports, a leak check on threads."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file; the user's real settings are never touched."""
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("CFDESK_SETTINGS_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def isolated_log_dir(tmp_path, monkeypatch):
    """Log files (and the folder Help → About shows) go to tmp_path, never the user's folder."""
    folder = tmp_path / "logs"
    monkeypatch.setenv("CFDESK_LOG_DIR", str(folder))
    return folder


def pytest_collection_modifyitems(items):
    """Any Qt warning or critical message fails the test that caused it (this folder's own tests)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform's own remark when a window is shown, not a cfdesk problem.
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory, monkeypatch):
    """The demo data is generated once per session into a temporary folder, not the home folder."""
    folder = tmp_path_factory.getbasetemp() / "cfdesk-data"
    monkeypatch.setenv("CFDESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def accept_import(monkeypatch):
    """Replace the modal import dialog: accept what was detected (tests may adjust the roles)."""
    from cfdesk.qt import import_dialog

    changes: dict = {}

    def ask(parent, fmt):
        roles = {**fmt.roles, **changes}
        return import_dialog.ImportChoices(fmt.path, roles, fmt.item_file or False)

    monkeypatch.setattr(import_dialog, "ask_import", ask)
    return changes


@pytest.fixture
def errors(monkeypatch):
    """Record errors instead of showing modal boxes; an unsaved model is discarded unasked."""
    from cfdesk.qt import dialogs

    shown: list = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda parent, exc, title="cfdesk": shown.append(exc)
    )
    monkeypatch.setattr(dialogs, "ask_save_model", lambda parent, doing: "discard")
    return shown


@pytest.fixture
def planted_csv(tmp_path, planted):
    """The planted ratings as a small CSV with a header (fast to load and to train)."""
    path = tmp_path / "planted.csv"
    rows = zip(planted["user_ids"], planted["item_ids"], planted["ratings"], strict=True)
    lines = ["user_id,item_id,rating"] + [f"{u},{i},{r:.3f}" for u, i, r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def make_window(qtbot, errors):
    """MainWindows that are closed (threads stopped) at the end of the test."""
    from cfdesk.qt.main_window import MainWindow

    made = []

    def make():
        window = MainWindow()
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
