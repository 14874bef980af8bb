"""Qt test fixtures: settings in tmp_path, fake training reports, a leak check on threads."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file; the user's real settings are never touched."""
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("CFDESK_SETTINGS_DIR", str(folder))
    return folder


def pytest_collection_modifyitems(items):
    """Any Qt warning or critical message fails the test that caused it."""
    for item in items:
        if "tests/qt/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
