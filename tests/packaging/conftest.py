"""Fixtures for the packaging tests: a scratch XDG data home."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def xdg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$XDG_DATA_HOME pointed at an empty temporary folder (which does not exist yet)."""
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home
