"""Opening the run database: WAL, a busy timeout, the schema migrated, and errors as sentences."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from cfdesk.core.data.demo import data_dir
from cfdesk.core.errors import CfdeskError
from cfdesk.core.runs.owner import is_alive
from cfdesk.core.runs.schema import SCHEMA_VERSION, migrate, schema_version

log = logging.getLogger(__name__)
RUNS_DB_ENV = "CFDESK_RUNS_DB"
BUSY_MS = 2000  # how long a statement waits for another writer before "locked"


class RunStoreError(CfdeskError):
    """The run database cannot be read or written; training goes on, unrecorded."""


def runs_path() -> Path:
    """$CFDESK_RUNS_DB, else runs.sqlite in cfdesk's data folder (where the demo data lives)."""
    override = os.environ.get(RUNS_DB_ENV)
    return Path(override).expanduser() if override else data_dir() / "runs.sqlite"


def store_error(path: Path, exc: BaseException) -> RunStoreError:
    """One sentence naming the file and what to do, for any SQLite or file-system failure."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        why = "is locked by another program"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        why = "is damaged or not a cfdesk run database; move it away and cfdesk starts a new one"
    elif "readonly" in text or "read-only" in text or "permission" in text:
        why = "is read-only"
    elif "disk is full" in text or "no space" in text:
        why = "cannot grow: the disk is full"
    elif "unable to open" in text:
        why = "cannot be opened (is its folder missing or read-only?)"
    else:
        why = f"failed ({exc})"
    return RunStoreError(f"the run database {path} {why}")


class Connections:
    """Hands each thread its own SQLite connection; the first one migrates the file once."""

    def __init__(self, path: Path, busy_ms: int = BUSY_MS) -> None:
        self.path = Path(path)
        self.busy_ms = busy_ms
        self._local = threading.local()
        self._prepare_lock = threading.Lock()
        self._prepared = False

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's kept connection, or a fresh one closed after the block."""
        kept = getattr(self._local, "kept", None)
        if kept is not None:
            if kept[0] is None:
                kept[0] = self._open()
            with self._errors_named():
                yield kept[0]
            return
        conn = self._open()
        try:
            with self._errors_named():
                yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def kept_open(self) -> Iterator[None]:
        """Keep one connection open on this thread for the block (a writer thread's loop)."""
        self._local.kept = [None]
        try:
            yield
        finally:
            conn = self._local.kept[0]
            del self._local.kept
            if conn is not None:
                conn.close()

    @contextlib.contextmanager
    def _errors_named(self) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise store_error(self.path, exc) from exc

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            raise store_error(self.path, exc) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; no fsync per commit
            conn.execute("PRAGMA foreign_keys = ON")
            self._prepare(conn)
        except (sqlite3.Error, OSError) as exc:
            conn.close()
            raise store_error(self.path, exc) from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Once per process: migrate, then mark runs of ended processes as interrupted."""
        with self._prepare_lock:
            if self._prepared:
                return
            found = schema_version(conn)
            if found > SCHEMA_VERSION:
                raise RunStoreError(
                    f"the run database {self.path} was written by a newer cfdesk (version "
                    f"{found}; this one reads up to {SCHEMA_VERSION}); update cfdesk or set "
                    f"{RUNS_DB_ENV} to another file"
                )
            if found < SCHEMA_VERSION:
                before = migrate(conn)
                log.info("run database %s migrated from version %d", self.path, before)
            settle_orphans(conn)
            self._prepared = True


def settle_orphans(conn: sqlite3.Connection) -> int:
    """Runs and studies still marked running whose process has ended become interrupted."""
    now, settled = time.time(), 0
    note = "cfdesk ended before this run did"
    for table in ("runs", "studies"):
        rows = conn.execute(f"SELECT id, owner FROM {table} WHERE status = 'running'").fetchall()
        dead = [run_id for run_id, owner in rows if not is_alive(owner)]
        if not dead:
            continue
        marks = ",".join("?" * len(dead))
        extra = ", error = ?" if table == "runs" else ""
        params = (now, note) if table == "runs" else (now,)
        conn.execute(
            f"UPDATE {table} SET status = 'interrupted', updated = ?{extra} "
            f"WHERE status = 'running' AND id IN ({marks})",
            (*params, *dead),
        )
        settled += len(dead)
    if settled:
        log.info("marked %d runs or studies of ended processes as interrupted", settled)
    return settled
