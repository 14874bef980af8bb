"""Tune's trials in the run store: one study, every trial a run under it, the best one named."""

from __future__ import annotations

import numpy as np

from cfdesk.core.config import TrainConfig
from cfdesk.core.runs.dataset import describe_dataset
from cfdesk.core.runs.events import TuneSettings
from cfdesk.core.runs.store import RunStore
from cfdesk.core.runs.study_recorder import StudyRecorder
from cfdesk.core.runs.tune import Tuner, run_to_end
from cfdesk.core.runs.writer import RunWriter
from tests.core.conftest import planted_ratings

BASE = TrainConfig(device="cpu", n_factors=8)


def test_a_search_is_a_study_with_each_trial_a_run(tmp_path):
    ratings = planted_ratings(80, 60, noise=0.3, seed=1)
    store = RunStore(tmp_path / "runs.sqlite")
    writer = RunWriter(store)
    recorder = StudyRecorder(writer, describe_dataset(ratings), source="cli")
    settings = TuneSettings(trials=3, kinds=("dotbias", "dot"))
    result = run_to_end(Tuner(ratings, settings, BASE, recorder=recorder))
    assert writer.close()
    (study,) = store.list_studies()
    assert study.id == recorder.study.id and study.status == "finished" and study.n_runs == 3
    assert study.settings["trials"] == 3 and study.summary["trials"] == 3
    runs = sorted(store.list_runs(study_id=study.id, epochs=True), key=lambda r: r.trial)
    assert [r.trial for r in runs] == [0, 1, 2]
    assert all(r.source == "cli" and r.study_name == study.name for r in runs)
    assert {r.status for r in runs} <= {"finished", "pruned"}
    for run in runs:  # each run holds its trial's own settings and every epoch it trained
        assert run.config["model"] in ("dotbias", "dot") and len(run.epochs) == run.epochs_run
    finished = [r for r in runs if r.status == "finished"]
    best = min(finished, key=lambda r: r.valid_rmse)
    assert study.best_run_id == best.id
    assert np.isclose(best.valid_rmse, result.best_valid_rmse, atol=1e-6)


def test_a_failed_search_marks_its_study_failed(tmp_path):
    ratings = planted_ratings(40, 30, seed=2)
    store = RunStore(tmp_path / "runs.sqlite")
    writer = RunWriter(store)
    recorder = StudyRecorder(writer, describe_dataset(ratings))
    tuner = Tuner(ratings, TuneSettings(trials=1, kinds=("dot",)), BASE, recorder=recorder)
    events = tuner.events()
    next(events)  # the study has started
    recorder.study_failed(RuntimeError("out of disk"))
    events.close()
    assert writer.close()
    (study,) = store.list_studies()
    assert study.status == "failed" and study.summary["error"] == "out of disk"
