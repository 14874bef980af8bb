"""Remembered state (geometry, splitters, folders, recent files, training settings, the runs
view) over QSettings."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from cfdesk.core.config import TrainConfig

SETTINGS_DIR_ENV = "CFDESK_SETTINGS_DIR"
MAX_RECENT = 8

DEFAULTS: dict[str, object] = {
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "window/splitters": "{}",
    "files/last_dir": str(Path.home()),
    "files/recent_data": "[]",
    "files/recent_models": "[]",
    "files/excel_safe": "true",
    "train/config": "{}",
    "runs/view": "{}",
    "runs/header": QByteArray(),
    "tune/settings": "{}",
    "results/prior": "null",
}


def _open_qsettings() -> QSettings:
    """An INI file in CFDESK_SETTINGS_DIR when set (tests, portable use), else the platform store."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        return QSettings(str(Path(folder) / "cfdesk.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "cfdesk", "cfdesk")


class AppSettings:
    """Typed accessors with a default for every key, so a fresh or damaged store still works."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store or _open_qsettings()

    def _get(self, key: str) -> object:
        value = self._store.value(key, DEFAULTS[key])
        return DEFAULTS[key] if value is None else value

    def _json(self, key: str) -> object:
        try:
            return json.loads(str(self._get(key)))
        except ValueError:
            return json.loads(str(DEFAULTS[key]))

    def _set(self, key: str, value: object) -> None:
        self._store.setValue(key, value)

    def sync(self) -> None:
        """Write to disk now (QSettings otherwise writes lazily)."""
        self._store.sync()

    @property
    def path(self) -> str:
        return self._store.fileName()

    def geometry(self) -> QByteArray:
        value = self._get("window/geometry")
        return value if isinstance(value, QByteArray) else QByteArray()

    def set_geometry(self, geometry: QByteArray) -> None:
        self._set("window/geometry", geometry)

    def splitter_sizes(self, name: str) -> list[int]:
        """Saved sizes of one named splitter, or [] to keep the layout's own."""
        saved = self._json("window/splitters")
        sizes = saved.get(name, []) if isinstance(saved, dict) else []
        return [int(s) for s in sizes if isinstance(s, (int, float))]

    def set_splitter_sizes(self, name: str, sizes: list[int]) -> None:
        saved = self._json("window/splitters")
        saved = saved if isinstance(saved, dict) else {}
        saved[name] = [int(s) for s in sizes]
        self._set("window/splitters", json.dumps(saved))

    def last_dir(self) -> str:
        folder = str(self._get("files/last_dir"))
        return folder if Path(folder).is_dir() else str(Path.home())

    def set_last_dir(self, folder: str | Path) -> None:
        self._set("files/last_dir", str(folder))

    def excel_safe(self) -> bool:
        """Guard formula-like text in CSV exports (on unless the user turned it off)."""
        return str(self._get("files/excel_safe")).lower() != "false"

    def set_excel_safe(self, on: bool) -> None:
        self._set("files/excel_safe", "true" if on else "false")

    def recent(self, kind: str) -> list[str]:
        """Recent files of one kind ("data" or "models"), newest first, only those still present."""
        paths = self._json(f"files/recent_{kind}")
        paths = paths if isinstance(paths, list) else []
        return [str(p) for p in paths if Path(str(p)).exists()]

    def add_recent(self, kind: str, path: str | Path) -> None:
        path = str(Path(path).resolve())
        paths = [p for p in self.recent(kind) if p != path]
        self._set(f"files/recent_{kind}", json.dumps([path, *paths][:MAX_RECENT]))

    def train_config(self) -> TrainConfig:
        """The last training settings, or the defaults when none (or unreadable) were saved."""
        data = self._json("train/config")
        try:
            return TrainConfig.from_dict(data if isinstance(data, dict) else {})
        except (TypeError, ValueError):
            return TrainConfig()

    def set_train_config(self, config: TrainConfig) -> None:
        self._set("train/config", json.dumps(config.to_dict()))

    def runs_view(self) -> dict:
        """The Runs page's filter text and toggles as the user left them."""
        view = self._json("runs/view")
        return view if isinstance(view, dict) else {}

    def runs_header(self) -> QByteArray:
        """The runs table's column widths, order and sort."""
        value = self._get("runs/header")
        return value if isinstance(value, QByteArray) else QByteArray()

    def set_runs_view(self, view: dict, header: QByteArray) -> None:
        self._set("runs/view", json.dumps(view))
        self._set("runs/header", header)

    def tune_settings(self) -> dict:
        """The Tune tab's last budget and choices ({} when none were saved)."""
        data = self._json("tune/settings")
        return data if isinstance(data, dict) else {}

    def set_tune_settings(self, values: dict) -> None:
        self._set("tune/settings", json.dumps(values))

    def ranking_prior(self) -> tuple[bool, float] | None:
        """(popularity prior on, its weight) for the results lists; None: never set or unreadable."""
        saved = self._json("results/prior")
        if (
            isinstance(saved, list)
            and len(saved) == 2
            and isinstance(saved[0], bool)
            and isinstance(saved[1], (int, float))
            and saved[1] > 0
        ):
            return saved[0], float(saved[1])
        return None

    def set_ranking_prior(self, on: bool, weight: float) -> None:
        self._set("results/prior", json.dumps([bool(on), float(weight)]))
