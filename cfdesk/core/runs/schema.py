"""The run database's tables, one migration per schema version (`PRAGMA user_version`)."""

from __future__ import annotations

import sqlite3

# Migration k (1-based) brings a database from version k - 1 to k. Never edit a released one:
# add the next. Each runs inside the same write transaction as the version bump.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: every training run and its epochs
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created REAL NOT NULL,           -- Unix seconds
            updated REAL NOT NULL,
            status TEXT NOT NULL,            -- running, finished, stopped, failed, interrupted, pruned
            source TEXT NOT NULL,            -- app, cli, tune
            owner TEXT NOT NULL,             -- host:pid:process start, to tell a dead run
            model TEXT NOT NULL,
            dataset_name TEXT NOT NULL,
            dataset_path TEXT NOT NULL,
            dataset_size INTEGER NOT NULL,
            dataset_fingerprint TEXT NOT NULL,
            n_ratings INTEGER NOT NULL,
            n_users INTEGER NOT NULL,
            n_items INTEGER NOT NULL,
            test_path TEXT NOT NULL DEFAULT '',
            config TEXT NOT NULL,            -- TrainConfig.to_dict() as JSON
            device TEXT NOT NULL DEFAULT '',
            epochs_run INTEGER NOT NULL DEFAULT 0,
            best_epoch INTEGER,
            train_rmse REAL,
            valid_rmse REAL,
            test_rmse REAL,
            ndcg_at_10 REAL,
            duration REAL,                   -- wall-clock seconds from start to end
            metrics TEXT NOT NULL DEFAULT '{}',
            error TEXT NOT NULL DEFAULT '',
            model_path TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE epochs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            train_rmse REAL,
            valid_rmse REAL,
            valid_mae REAL,
            lr REAL,
            seconds REAL,
            PRIMARY KEY (run_id, epoch)
        ) WITHOUT ROWID""",
        "CREATE INDEX runs_by_dataset ON runs(dataset_fingerprint, id)",
    ),
    # 2: tuning studies; a run may be one trial of a study
    (
        """CREATE TABLE studies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            status TEXT NOT NULL,            -- running, finished, stopped, failed, interrupted
            owner TEXT NOT NULL,
            dataset_fingerprint TEXT NOT NULL,
            settings TEXT NOT NULL,          -- the search's own settings as JSON
            best_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
            summary TEXT NOT NULL DEFAULT '{}'
        )""",
        "ALTER TABLE runs ADD COLUMN study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL",
        "ALTER TABLE runs ADD COLUMN trial INTEGER",
        "CREATE INDEX runs_by_study ON runs(study_id, trial)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The version the file was last migrated to (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file to `target` in one write transaction; returns the version found before.

    Two processes opening an old file at once cannot both migrate: the version is read again
    after the write lock is taken. A failed step rolls back to the old version untouched.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(conn)
        for version in range(found + 1, target + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
        if found < target:
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
