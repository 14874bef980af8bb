"""Item embeddings for the TensorBoard projector (vectors.tsv + metadata.tsv) and the PCA map CSV."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cfdesk.core.atomic import Progress, ShouldStop, atomic_write, check_stop, report
from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.item_facts import item_frame
from cfdesk.core.results.projection import ItemMap
from cfdesk.core.storage.spreadsheet import maybe_excel_safe

METADATA_COLUMNS = ["item_id", "title", "genres", "count", "mean"]
ROWS_PER_CHUNK = 10_000


@dataclass(frozen=True)
class ProjectorFiles:
    """The two files projector.tensorflow.org loads ("Load" → vectors, then metadata)."""

    vectors: Path
    metadata: Path
    rows: int


def _tsv_safe(values: pd.Series) -> pd.Series:
    """Tabs and line breaks inside a title would shift every later column."""
    return values.astype(str).str.replace(r"[\t\r\n]+", " ", regex=True)


def export_projector(
    fitted: FittedModel,
    folder: str | Path,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ProjectorFiles:
    """Write vectors.tsv (no header) and metadata.tsv (header row) with one row per item each."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CfdeskError(f"{folder} is a file; give a folder for the projector files")
    folder.mkdir(parents=True, exist_ok=True)
    vectors = fitted.module.item_embeddings().detach().float().numpy()
    meta = item_frame(fitted)[METADATA_COLUMNS]
    for col in ("title", "genres"):
        meta[col] = _tsv_safe(meta[col])
    paths = ProjectorFiles(folder / "vectors.tsv", folder / "metadata.tsv", len(vectors))
    with contextlib.ExitStack() as stack:  # both files appear together or not at all
        vec_handle = stack.enter_context(atomic_write(paths.vectors))
        meta_handle = stack.enter_context(atomic_write(paths.metadata))
        meta.to_csv(meta_handle, sep="\t", index=False, lineterminator="\n")
        for start in range(0, len(vectors), ROWS_PER_CHUNK):
            check_stop(should_stop, f"the projector export to {folder}")
            chunk = pd.DataFrame(vectors[start : start + ROWS_PER_CHUNK])
            chunk.to_csv(vec_handle, sep="\t", header=False, index=False, lineterminator="\n")
            report(progress, (start + len(chunk)) / max(len(vectors), 1))
        vec_handle.flush()  # a full disk shows now, before metadata.tsv is renamed into place
        os.fsync(vec_handle.fileno())
    report(progress, 1.0)
    return paths


def export_map(item_map: ItemMap, path: str | Path, excel_safe: bool = False) -> Path:
    """The map's per-item table (ids, titles, statistics, pc1..pcK) as CSV, written atomically."""
    frame = maybe_excel_safe(item_map.frame.drop(columns=["item_idx"]), excel_safe)
    with atomic_write(path) as handle:
        frame.to_csv(handle, index=False, lineterminator="\n")
    return Path(path)


def explained_variance(item_map: ItemMap) -> dict[str, float]:
    """Share of variance per component, for the axis labels and the CLI's JSON."""
    return {f"pc{c + 1}": float(v) for c, v in enumerate(np.asarray(item_map.explained_ratio))}
