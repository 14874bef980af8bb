"""The run store's file: schema and migrations, WAL, interrupted runs, locks and damage."""

from __future__ import annotations

import sqlite3
import time

import pytest

from cfdesk.core.runs.connection import RunStoreError, runs_path
from cfdesk.core.runs.dataset import DatasetInfo
from cfdesk.core.runs.records import EpochRow
from cfdesk.core.runs.schema import SCHEMA_VERSION, migrate
from cfdesk.core.runs.store import RunStore, UnknownRunError

DATA = DatasetInfo("u1.base", "/data/u1.base", 1_979_173, "00ff00ff00ff00ff", 80_000, 943, 1650)
OTHER = DatasetInfo("ratings.csv", "/data/ratings.csv", 2_000, "1234123412341234", 900, 50, 40)


def _run(store: RunStore, dataset: DatasetInfo = DATA, **config) -> int:
    run = store.start_run(dataset, {"model": "dotbias", "n_factors": 50, **config}, "cli")
    for epoch, valid in enumerate((0.95, 0.93, 0.92), start=1):
        store.add_epoch(run, EpochRow(epoch, 1.0 - epoch / 10, valid, 0.7, 0.01, 0.5))
    store.finish_run(run, "finished", {"valid_rmse": 0.92, "best_epoch": 3}, duration=1.5)
    return run


def test_a_new_file_gets_the_current_schema_in_wal_mode(tmp_path):
    store = RunStore(tmp_path / "sub" / "runs.sqlite")
    assert store.count_runs() == 0  # the folder and the file are made on first use
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "epochs", "studies"} <= tables


def test_the_default_file_follows_the_data_folder_and_the_override(tmp_path, monkeypatch):
    monkeypatch.delenv("CFDESK_RUNS_DB")
    monkeypatch.setenv("CFDESK_DATA_DIR", str(tmp_path / "data"))
    assert runs_path() == tmp_path / "data" / "runs.sqlite"
    monkeypatch.setenv("CFDESK_RUNS_DB", str(tmp_path / "mine.sqlite"))
    assert RunStore.default().path == tmp_path / "mine.sqlite"


def test_a_finished_run_reads_back_with_its_epochs_and_metrics(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run_id = _run(store, lr=0.02)
    run = store.get_run(run_id)
    assert (run.status, run.model, run.config["lr"], run.dataset_name) == (
        "finished", "dotbias", 0.02, "u1.base"
    )  # fmt: skip
    assert [e.valid_rmse for e in run.epochs] == [0.95, 0.93, 0.92]
    assert (run.epochs_run, run.best_epoch, run.valid_rmse, run.duration) == (3, 3, 0.92, 1.5)
    assert run.test_rmse is None  # NaN and missing figures are stored as NULL


def test_a_version_1_file_is_migrated_and_keeps_its_runs(tmp_path):
    path = tmp_path / "runs.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute(
        "INSERT INTO runs (created, updated, status, source, owner, model, dataset_name, "
        "dataset_path, dataset_size, dataset_fingerprint, n_ratings, n_users, n_items, config, "
        "valid_rmse) VALUES (1, 1, 'finished', 'cli', 'h:1:1', 'nn', 'old.csv', '/old.csv', 5, "
        "'abcd', 10, 2, 3, '{\"model\": \"nn\"}', 0.9)"
    )
    conn.close()
    store = RunStore(path)
    (old,) = store.list_runs()
    assert (old.model, old.valid_rmse, old.study_id, old.trial) == ("nn", 0.9, None, None)
    study = store.create_study("search", {"trials": 2}, DATA)  # the version-2 table exists
    assert store.get_study(study).name == "search"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_file_from_a_newer_cfdesk_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "runs.sqlite"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RunStoreError, match="newer cfdesk"):
        RunStore(path).list_runs()


def test_a_damaged_file_is_a_clear_error(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"this is not a database, " * 200)
    with pytest.raises(RunStoreError, match=r"runs\.sqlite is damaged or not a cfdesk run"):
        RunStore(path).list_runs()


def test_a_locked_file_is_a_clear_error_after_the_busy_timeout(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path).count_runs()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = RunStore(path, busy_ms=200)
        start = time.perf_counter()
        with pytest.raises(RunStoreError, match="locked by another program"):
            store.start_run(DATA, {"model": "dot"}, "cli")
        assert time.perf_counter() - start >= 0.19
        assert store.count_runs() == 0  # reading is not blocked by the writer (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_runs_left_running_by_a_dead_process_become_interrupted(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    live = store.start_run(DATA, {"model": "dot"}, "app")
    dead = store.start_run(DATA, {"model": "dot"}, "app")
    remote = store.start_run(DATA, {"model": "dot"}, "app")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE runs SET owner = ? WHERE id = ?", (_dead_owner(), dead))
    conn.execute("UPDATE runs SET owner = 'another-host:1:1' WHERE id = ?", (remote,))
    conn.commit()
    reopened = RunStore(path)  # what the app or the CLI does when it starts again
    status = {r.id: r.status for r in reopened.list_runs()}
    assert status == {live: "running", dead: "interrupted", remote: "running"}
    assert "ended before" in reopened.get_run(dead).error


def _dead_owner() -> str:
    from cfdesk.core.runs.owner import this_process

    host, _pid, start = this_process().rsplit(":", 2)
    return f"{host}:{2**22 + 7}:{start}"  # above Linux's default pid_max: never a live process


def test_delete_removes_epochs_and_keeps_running_runs(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    done = _run(store)
    running = store.start_run(DATA, {"model": "dot"}, "app")
    assert store.delete_runs([done, running]) == 1
    assert [r.id for r in store.list_runs()] == [running]
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT COUNT(*) FROM epochs").fetchone()[0] == 0


def test_listing_filters_by_data_set_and_study_newest_first(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    first, second = _run(store), _run(store)
    other = _run(store, OTHER)
    study = store.create_study("tune", {"minutes": 1}, DATA)
    trial = store.start_run(DATA, {"model": "nn"}, "tune", study_id=study, trial=0)
    assert [r.id for r in store.list_runs()] == [trial, other, second, first]
    assert [r.id for r in store.list_runs(fingerprint=OTHER.fingerprint)] == [other]
    (in_study,) = store.list_runs(study_id=study)
    assert (in_study.id, in_study.study_name, in_study.trial) == (trial, "tune", 0)
    assert store.list_studies()[0].n_runs == 1
    assert len(store.list_runs(limit=2, epochs=True)[1].epochs) == 3


def test_metrics_added_later_merge_and_fill_their_columns(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    run_id = _run(store)
    store.add_metrics(run_id, {"ndcg_at_10": 0.28, "test_rmse": 0.91})
    run = store.get_run(run_id)
    assert (run.ndcg_at_10, run.test_rmse, run.valid_rmse) == (0.28, 0.91, 0.92)
    assert run.metrics["best_epoch"] == 3


def test_an_unknown_id_names_the_ids_that_exist(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    with pytest.raises(UnknownRunError, match="no runs are recorded"):
        store.get_run(4)
    _run(store)
    _run(store)
    with pytest.raises(UnknownRunError, match=r"run 9 does not exist .*2 runs, ids 1–2"):
        store.get_runs([1, 9])


def test_the_model_path_is_stored_absolute(tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs.sqlite")
    run_id = _run(store)
    monkeypatch.chdir(tmp_path)
    store.set_model_path(run_id, "m.cfmodel")
    assert store.get_run(run_id).model_path == str(tmp_path / "m.cfmodel")
