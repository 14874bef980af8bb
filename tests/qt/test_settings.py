"""Settings: defaults for everything, and values survive a restart (a fresh AppSettings)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray

from cfdesk.core.config import TrainConfig
from cfdesk.qt.settings import AppSettings


def test_fresh_store_gives_defaults(isolated_settings, tmp_path):
    settings = AppSettings()
    assert settings.path.startswith(str(isolated_settings))
    assert settings.train_config() == TrainConfig()
    assert settings.recent("data") == []
    assert settings.splitter_sizes("train") == []
    assert settings.geometry().isEmpty()


def test_values_survive_a_restart(tmp_path):
    data = tmp_path / "r.csv"
    data.write_text("u,i,r\n1,2,3\n")
    first = AppSettings()
    first.set_train_config(TrainConfig(epochs=7, lr=0.02, y_range=(0.0, 5.5)))
    first.add_recent("data", data)
    first.set_last_dir(tmp_path)
    first.set_splitter_sizes("train", [300, 700])
    first.set_geometry(QByteArray(b"geometry"))
    first.sync()
    second = AppSettings()
    assert second.train_config() == TrainConfig(epochs=7, lr=0.02, y_range=(0.0, 5.5))
    assert second.recent("data") == [str(data.resolve())]
    assert second.last_dir() == str(tmp_path)
    assert second.splitter_sizes("train") == [300, 700]
    assert bytes(second.geometry()) == b"geometry"


def test_damaged_values_fall_back_to_defaults(isolated_settings):
    (isolated_settings / "cfdesk.ini").write_text(
        "[train]\nconfig={not json\n[files]\nrecent_data=[1, 2\n"
    )
    settings = AppSettings()
    assert settings.train_config() == TrainConfig()
    assert settings.recent("data") == []


def test_recent_files_newest_first_without_duplicates_or_missing(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x")
    b.write_text("x")
    settings = AppSettings()
    settings.add_recent("data", a)
    settings.add_recent("data", b)
    settings.add_recent("data", a)
    assert settings.recent("data") == [str(a.resolve()), str(b.resolve())]
    b.unlink()
    assert settings.recent("data") == [str(a.resolve())]
