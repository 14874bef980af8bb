"""The run store: every training run (and tuning study) in one SQLite file; see `cfdesk.core.runs`.

Every method may be called from any thread and runs as one short transaction on that thread's own
connection. Errors arrive as RunStoreError sentences (locked, damaged, read-only, disk full);
UnknownRunError names an id that is not stored.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from cfdesk.core.runs.connection import BUSY_MS, Connections, RunStoreError, runs_path
from cfdesk.core.runs.dataset import DatasetInfo
from cfdesk.core.runs.owner import this_process
from cfdesk.core.runs.records import (
    RUN_COLUMNS,
    RUN_FROM,
    STATUSES,
    EpochRow,
    RunRecord,
    StudyRecord,
    dumps,
    loads_dict,
    run_from_row,
    study_from_row,
)

# Final metrics that also get their own column (sortable without parsing JSON).
METRIC_COLUMNS = ("train_rmse", "valid_rmse", "test_rmse", "ndcg_at_10")
STUDY_COLUMNS = (
    "studies.id, name, created, updated, status, dataset_fingerprint, settings, best_run_id, "
    "summary, (SELECT COUNT(*) FROM runs WHERE runs.study_id = studies.id)"
)


class UnknownRunError(RunStoreError, KeyError):
    """A run or study id that is not in the store."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _check_end(what: str, status: str) -> None:
    if status not in STATUSES or status == "running":
        raise ValueError(f"a {what} cannot end as {status!r}")


class RunStore:
    """Runs, their epochs and studies; `RunStore.default()` is the user's database."""

    def __init__(self, path: str | Path, busy_ms: int = BUSY_MS) -> None:
        self._db = Connections(Path(path), busy_ms)

    @classmethod
    def default(cls) -> RunStore:
        """The database at $CFDESK_RUNS_DB or <data folder>/runs.sqlite (not opened yet)."""
        return cls(runs_path())

    @property
    def path(self) -> Path:
        return self._db.path

    def kept_open(self) -> contextlib.AbstractContextManager[None]:
        """Reuse one connection for this thread's calls inside the block (a writer's loop)."""
        return self._db.kept_open()

    @contextlib.contextmanager
    def _write(self) -> Iterator:
        """One short write transaction; the write lock is taken at once (no upgrade deadlock)."""
        with self._db.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # ---- runs: writing ------------------------------------------------------------------------
    def start_run(
        self,
        dataset: DatasetInfo,
        config: dict,
        source: str,
        test_path: str = "",
        study_id: int | None = None,
        trial: int | None = None,
        created: float | None = None,
    ) -> int:
        """A new run, status running, owned by this process; returns its id. `created`: when it
        began (Unix seconds), if not now."""
        now = time.time()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (created, updated, status, source, owner, model, dataset_name, "
                "dataset_path, dataset_size, dataset_fingerprint, n_ratings, n_users, n_items, "
                "test_path, config, study_id, trial) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created or now, now, source, this_process(), str(config.get("model", "")),
                    dataset.name, dataset.path, dataset.size, dataset.fingerprint,
                    dataset.n_ratings, dataset.n_users, dataset.n_items, test_path,
                    dumps(config), study_id, trial,
                ),
            )  # fmt: skip
            return int(cursor.lastrowid)

    def set_device(self, run_id: int, device: str) -> None:
        """Where the run trains, known once the trainer has resolved "auto"."""
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET device = ?, updated = ? WHERE id = ?",
                (device, time.time(), run_id),
            )

    def add_epoch(self, run_id: int, epoch: EpochRow) -> None:
        """One finished epoch (written again, it replaces the earlier row)."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO epochs (run_id, epoch, train_rmse, valid_rmse, valid_mae, "
                "lr, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id, epoch.epoch, _finite(epoch.train_rmse), _finite(epoch.valid_rmse),
                    _finite(epoch.valid_mae), _finite(epoch.lr), _finite(epoch.seconds),
                ),
            )  # fmt: skip
            conn.execute(
                "UPDATE runs SET epochs_run = MAX(epochs_run, ?), updated = ? WHERE id = ?",
                (epoch.epoch, time.time(), run_id),
            )

    def finish_run(
        self,
        run_id: int,
        status: str,
        metrics: dict | None = None,
        duration: float | None = None,
        error: str = "",
    ) -> None:
        """The run's end: its status, final metrics (merged into those stored) and duration."""
        _check_end("run", status)
        with self._write() as conn:
            self._merge_metrics(conn, run_id, metrics or {})
            conn.execute(
                "UPDATE runs SET status = ?, duration = COALESCE(?, duration), error = ?, "
                "updated = ? WHERE id = ?",
                (status, _finite(duration), error, time.time(), run_id),
            )

    def add_metrics(self, run_id: int, metrics: dict) -> None:
        """More final figures for a run (e.g. NDCG@10 computed afterwards), merged in."""
        with self._write() as conn:
            self._merge_metrics(conn, run_id, metrics)

    def _merge_metrics(self, conn, run_id: int, metrics: dict) -> None:
        row = conn.execute("SELECT metrics FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise UnknownRunError(f"run {run_id} is not in {self.path}")
        merged = {**loads_dict(row[0]), **metrics}
        columns = {name: _finite(merged.get(name)) for name in METRIC_COLUMNS}
        best = merged.get("best_epoch")
        conn.execute(
            f"UPDATE runs SET metrics = ?, {', '.join(f'{c} = ?' for c in columns)}, "
            "best_epoch = ?, updated = ? WHERE id = ?",
            (dumps(merged), *columns.values(), best if isinstance(best, int) else None,
             time.time(), run_id),
        )  # fmt: skip

    def set_model_path(self, run_id: int, path: str | Path) -> None:
        """The file the run's model was saved to (saving again later replaces it)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET model_path = ?, updated = ? WHERE id = ?",
                (str(Path(path).resolve()), time.time(), run_id),
            )

    def delete_runs(self, run_ids: Iterable[int]) -> int:
        """Delete finished runs with their epochs; runs still training are kept. Returns how many."""
        ids = [int(i) for i in run_ids]
        if not ids:
            return 0
        with self._write() as conn:
            cursor = conn.execute(
                f"DELETE FROM runs WHERE status != 'running' AND id IN ({','.join('?' * len(ids))})",
                ids,
            )
            return cursor.rowcount

    # ---- runs: reading ------------------------------------------------------------------------
    def list_runs(
        self,
        fingerprint: str | None = None,
        study_id: int | None = None,
        limit: int | None = None,
        epochs: bool = False,
    ) -> list[RunRecord]:
        """Runs, newest first, optionally of one data set or study, with their epochs if asked."""
        where, params = [], []
        if fingerprint is not None:
            where.append("runs.dataset_fingerprint = ?")
            params.append(fingerprint)
        if study_id is not None:
            where.append("runs.study_id = ?")
            params.append(study_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        tail = f" LIMIT {int(limit)}" if limit else ""
        with self._one_snapshot() as conn:
            rows = conn.execute(
                f"SELECT {RUN_COLUMNS} FROM {RUN_FROM}{clause} ORDER BY runs.id DESC{tail}",
                params,
            ).fetchall()
            curves = self._epochs_of(conn, [r[0] for r in rows]) if epochs else {}
        return [run_from_row(r, curves.get(r[0], ())) for r in rows]

    def get_run(self, run_id: int) -> RunRecord:
        """One run with its epochs; UnknownRunError when there is no such id."""
        return self.get_runs([run_id])[0]

    def get_runs(self, run_ids: Sequence[int], missing_ok: bool = False) -> list[RunRecord]:
        """Runs in the order asked, with their epochs; a missing id is UnknownRunError (left
        out with `missing_ok`)."""
        ids = [int(i) for i in run_ids]
        with self._one_snapshot() as conn:
            marks = ",".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT {RUN_COLUMNS} FROM {RUN_FROM} WHERE runs.id IN ({marks})", ids
            ).fetchall()
            curves = self._epochs_of(conn, ids)
        found = {r[0]: r for r in rows}
        missing = [i for i in ids if i not in found]
        if missing and not missing_ok:
            raise UnknownRunError(self._missing_sentence(missing[0]))
        return [run_from_row(found[i], curves.get(i, ())) for i in ids if i in found]

    @contextlib.contextmanager
    def _one_snapshot(self) -> Iterator[sqlite3.Connection]:
        """A connection reading one state of the file: runs and their epochs agree even while
        the writer thread commits between the two queries."""
        with self._db.connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def _missing_sentence(self, run_id: int) -> str:
        with self._db.connection() as conn:
            low, high, count = conn.execute(
                "SELECT MIN(id), MAX(id), COUNT(*) FROM runs"
            ).fetchone()
        if not count:
            return f"run {run_id} does not exist: no runs are recorded in {self.path} yet"
        return f"run {run_id} does not exist in {self.path} ({count} runs, ids {low}–{high})"

    @staticmethod
    def _epochs_of(conn, run_ids: list[int]) -> dict[int, tuple[EpochRow, ...]]:
        curves: dict[int, list[EpochRow]] = {}
        for chunk in range(0, len(run_ids), 500):  # SQLite's bound-parameter limit
            part = run_ids[chunk : chunk + 500]
            for run_id, *values in conn.execute(
                "SELECT run_id, epoch, train_rmse, valid_rmse, valid_mae, lr, seconds FROM epochs "
                f"WHERE run_id IN ({','.join('?' * len(part))}) ORDER BY run_id, epoch",
                part,
            ):
                curves.setdefault(run_id, []).append(EpochRow(*values))
        return {run_id: tuple(rows) for run_id, rows in curves.items()}

    def count_runs(self) -> int:
        with self._db.connection() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    # ---- studies ------------------------------------------------------------------------------
    def create_study(self, name: str, settings: dict, dataset: DatasetInfo) -> int:
        """A new tuning study (running); its trials pass `study_id` to `start_run`."""
        now = time.time()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO studies (name, created, updated, status, owner, dataset_fingerprint, "
                "settings) VALUES (?, ?, ?, 'running', ?, ?, ?)",
                (name, now, now, this_process(), dataset.fingerprint, dumps(settings)),
            )
            return int(cursor.lastrowid)

    def finish_study(
        self,
        study_id: int,
        status: str,
        best_run_id: int | None = None,
        summary: dict | None = None,
    ) -> None:
        """The study's end: status, its best run, and a summary (best parameters, test RMSE…)."""
        _check_end("study", status)
        with self._write() as conn:
            conn.execute(
                "UPDATE studies SET status = ?, best_run_id = COALESCE(?, best_run_id), "
                "summary = ?, updated = ? WHERE id = ?",
                (status, best_run_id, dumps(summary or {}), time.time(), study_id),
            )

    def list_studies(self) -> list[StudyRecord]:
        """Every study, newest first, with how many runs it holds."""
        with self._db.connection() as conn:
            rows = conn.execute(f"SELECT {STUDY_COLUMNS} FROM studies ORDER BY id DESC")
            return [study_from_row(r) for r in rows.fetchall()]

    def get_study(self, study_id: int) -> StudyRecord:
        with self._db.connection() as conn:
            row = conn.execute(
                f"SELECT {STUDY_COLUMNS} FROM studies WHERE id = ?", (study_id,)
            ).fetchone()
        if row is None:
            raise UnknownRunError(f"study {study_id} does not exist in {self.path}")
        return study_from_row(row)
