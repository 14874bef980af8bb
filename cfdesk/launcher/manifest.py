"""The record of what `install-launcher` wrote, so `uninstall-launcher` removes exactly that."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cfdesk.core.atomic import atomic_write
from cfdesk.core.errors import CfdeskError

VERSION = 1


@dataclass(frozen=True)
class Manifest:
    """Files written, folders created and caches first created by an install, as absolute paths."""

    files: tuple[Path, ...] = ()
    dirs: tuple[Path, ...] = ()
    caches: tuple[Path, ...] = ()

    def merged(self, newer: Manifest) -> Manifest:
        """Union with a later install, so reinstalling never forgets what the first one created."""

        def union(a: tuple[Path, ...], b: tuple[Path, ...]) -> tuple[Path, ...]:
            return tuple(dict.fromkeys([*a, *b]))

        return Manifest(
            union(self.files, newer.files),
            union(self.dirs, newer.dirs),
            union(self.caches, newer.caches),
        )


def load_manifest(path: Path) -> Manifest | None:
    """The recorded install, or None when nothing was installed."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            files=tuple(Path(p) for p in data["files"]),
            dirs=tuple(Path(p) for p in data["dirs"]),
            caches=tuple(Path(p) for p in data.get("caches", [])),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CfdeskError(
            f"The launcher manifest {path} is damaged ({exc}); delete it and the cfdesk "
            "shortcuts by hand."
        ) from exc


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Write the manifest atomically as JSON."""
    data = {
        "version": VERSION,
        "files": [str(p) for p in manifest.files],
        "dirs": [str(p) for p in manifest.dirs],
        "caches": [str(p) for p in manifest.caches],
    }
    with atomic_write(path) as handle:
        handle.write(json.dumps(data, indent=2) + "\n")


def record_install(path: Path, manifest: Manifest) -> None:
    """Add one install to the manifest at `path`, keeping what earlier installs recorded."""
    previous = load_manifest(path)
    save_manifest(path, previous.merged(manifest) if previous else manifest)
