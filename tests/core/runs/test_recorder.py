"""Recording real (small) trainings: what is stored for finished, stopped, failed and cut-short
runs, and that a broken store never stops training."""

from __future__ import annotations

import math
import threading

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import TrainingError
from cfdesk.core.runs.compare import compare_runs
from cfdesk.core.runs.dataset import describe_dataset
from cfdesk.core.runs.export import write_runs_csv
from cfdesk.core.runs.recorder import RunRecorder, train_recorded
from cfdesk.core.runs.store import RunStore
from cfdesk.core.runs.writer import RunWriter
from cfdesk.core.training.reports import EpochReport
from cfdesk.core.training.trainer import Trainer


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "runs.sqlite")


@pytest.fixture
def writer(store):
    problems: list[str] = []
    writer = RunWriter(store, on_problem=problems.append)
    writer.problems = problems
    yield writer
    writer.close()


def _trainer(ratings, config: TrainConfig) -> Trainer:
    train, valid, test = prepare_split(ratings, config)
    return Trainer(train, valid, config, test)


def _record(writer, ratings, config, **kw) -> RunRecorder:
    return RunRecorder(writer, describe_dataset(ratings), config, source="cli", **kw)


def test_a_finished_run_stores_every_epoch_and_the_kept_model_s_metrics(tiny, quick, writer, store):
    recorder = _record(writer, tiny, quick)
    fitted = train_recorded(_trainer(tiny, quick), recorder)
    assert writer.flush()
    run = store.get_run(recorder.handle.id)
    assert run.status == "finished" and run.device == "cpu" and run.source == "cli"
    assert [e.epoch for e in run.epochs] == [1, 2, 3]
    assert [e.valid_rmse for e in run.epochs] == [h["valid_rmse"] for h in fitted.history]
    assert run.valid_rmse == pytest.approx(fitted.metrics["valid_rmse"])
    assert run.best_epoch == fitted.metrics["best_epoch"] and run.duration > 0
    assert TrainConfig.from_dict(run.config) == quick  # the settings asked for, round-tripped
    assert (run.n_ratings, run.dataset_fingerprint) == (
        tiny.n_ratings, describe_dataset(tiny).fingerprint
    )  # fmt: skip
    assert writer.problems == []


def test_stop_is_recorded_as_stopped_with_the_epochs_done(tiny, quick, writer, store):
    config = quick.with_changes(epochs=50)
    trainer = _trainer(tiny, config)
    recorder = _record(writer, tiny, config)

    def stop_after_two(report) -> None:
        if isinstance(report, EpochReport) and report.epoch == 2:
            trainer.stop()

    train_recorded(trainer, recorder, stop_after_two)
    writer.flush()
    run = store.get_run(recorder.handle.id)
    assert (run.status, run.epochs_run, len(run.epochs)) == ("stopped", 2, 2)


def test_an_error_in_training_is_recorded_as_failed_with_its_sentence(tiny, quick, writer, store):
    recorder = _record(writer, tiny, quick)

    def failing():
        for report in _trainer(tiny, quick).reports():
            yield report
            if isinstance(report, EpochReport):
                raise TrainingError("loss became NaN at epoch 1; lower the learning rate")

    with pytest.raises(TrainingError):
        list(recorder.watch(failing()))
    writer.flush()
    run = store.get_run(recorder.handle.id)
    assert run.status == "failed" and "lower the learning rate" in run.error
    assert run.epochs_run == 1


def test_an_interruption_in_the_caller_is_recorded_as_interrupted(tiny, quick, writer, store):
    recorder = _record(writer, tiny, quick)

    def ctrl_c(report) -> None:
        if isinstance(report, EpochReport):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_recorded(_trainer(tiny, quick), recorder, ctrl_c)
    writer.flush()
    assert store.get_run(recorder.handle.id).status == "interrupted"


def test_a_damaged_store_costs_one_message_and_training_still_works(tiny, quick, tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"garbage" * 500)
    problems: list[str] = []
    writer = RunWriter(RunStore(path), on_problem=problems.append)
    recorder = _record(writer, tiny, quick)
    fitted = train_recorded(_trainer(tiny, quick), recorder)
    recorder.set_model_path(tmp_path / "m.cfmodel")
    assert writer.close()
    assert math.isfinite(fitted.metrics["valid_rmse"]) and len(fitted.history) == 3
    assert len(problems) == 1 and "damaged" in problems[0] and str(path) in problems[0]
    assert recorder.handle.id is None and recorder.handle.problem == problems[0]


def test_a_lock_during_training_delays_only_the_writer(tiny, quick, tmp_path):
    import sqlite3

    path = tmp_path / "runs.sqlite"
    store = RunStore(path, busy_ms=8000)
    store.count_runs()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing for a long time
    problems: list[str] = []
    writer = RunWriter(store, on_problem=problems.append)
    try:
        recorder = _record(writer, tiny, quick)
        train_recorded(_trainer(tiny, quick), recorder)
        assert not writer.flush(timeout=0)  # training is done; the writer still waits
    finally:
        holder.execute("ROLLBACK")
    assert writer.close()
    assert problems == [] and store.get_run(recorder.handle.id).status == "finished"


def test_trials_are_grouped_under_their_study(tiny, quick, writer, store):
    info = describe_dataset(tiny)
    study = store.create_study("tune tiny", {"trials": 2}, info)
    ids = []
    for trial, factors in enumerate((4, 8)):
        config = quick.with_changes(n_factors=factors)
        recorder = RunRecorder(writer, info, config, "tune", study=study, trial=trial)
        train_recorded(_trainer(tiny, config), recorder)
        recorder.add_metrics({"ndcg_at_10": 0.1 * (trial + 1)})
        ids.append(recorder.handle.wait(5))
    writer.flush()
    store.finish_study(study, "finished", best_run_id=ids[1], summary={"best_params": {"f": 8}})
    runs = store.list_runs(study_id=study)
    assert sorted((r.trial, r.config["n_factors"], r.ndcg_at_10) for r in runs) == [
        (0, 4, 0.1), (1, 8, 0.2)
    ]  # fmt: skip
    assert store.get_study(study).best_run_id == ids[1]
    rows = {row.name: row for row in compare_runs(runs)}
    assert rows["n_factors"].differs and not rows["lr"].differs


def test_csv_export_has_a_row_per_run_and_every_setting(tiny, quick, writer, store, tmp_path):
    for seed in (1, 2):
        train_recorded(_trainer(tiny, quick), _record(writer, tiny, quick.with_changes(seed=seed)))
    writer.flush()
    out = write_runs_csv(store.list_runs(), tmp_path / "runs.csv")
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    assert len(lines) == 3 and {"id", "valid_rmse", "seed", "n_factors"} <= set(header)
    assert [line.split(",")[header.index("seed")] for line in lines[1:]] == ["2", "1"]


def test_the_writer_thread_ends_when_closed(store):
    writer = RunWriter(store)
    writer.submit(lambda s: s.count_runs())
    assert writer.close()
    assert not [t for t in threading.enumerate() if t.name == "cfdesk-run-writer"]
    assert not writer.submit(lambda s: None)
