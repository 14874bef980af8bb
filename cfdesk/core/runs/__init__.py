"""Runs and studies: the run store (every training, from the app, the CLI or Tune, in one SQLite
file), hyper-parameter search (Tune, tune.py) over the trainer, and blends of its best trials.

Where: `runs.sqlite` in cfdesk's data folder (`CFDESK_DATA_DIR` moves it with the demo data;
`CFDESK_RUNS_DB` names the file itself). WAL mode, `PRAGMA busy_timeout` of 2 s, a schema version
in `PRAGMA user_version` with one migration per version (schema.py), and a connection per thread.

Recording a training (what the CLI and the app do)::

    from cfdesk.core.runs.recorder import RunRecorder, train_recorded
    from cfdesk.core.runs.store import RunStore
    from cfdesk.core.runs.writer import RunWriter
    from cfdesk.core.runs.dataset import describe_dataset

    writer = RunWriter(RunStore.default(), on_problem=warn)     # warn(sentence), writer thread
    recorder = RunRecorder(writer, describe_dataset(ratings), config, source="cli")
    fitted = train_recorded(trainer, recorder, on_report)       # or: yield from recorder.run(trainer)
    recorder.set_model_path(path)                               # whenever the model is saved
    writer.close()                                              # applies what is queued

A Tune search records its study and every trial as a run under it (events.TrialRecorder)::

    recorder = StudyRecorder(writer, describe_dataset(ratings), source="cli")
    result = run_to_end(Tuner(ratings, settings, base, test, recorder=recorder))

or by hand, with the store's own calls::

    study = store.create_study("tune u1.base", settings={"minutes": 10, ...}, dataset=info)
    recorder = RunRecorder(writer, info, trial_config, source="tune", study=study, trial=n)
    fitted = yield from recorder.run(trainer)        # or recorder.note(report) per report, then
    recorder.finish(fitted, status="pruned")         # finish / fail / interrupt yourself
    recorder.add_metrics({"ndcg_at_10": 0.28})       # figures computed later (queued too)
    store.finish_study(study, "finished", best_run_id=..., summary={"best_params": ...})
    store.list_runs(study_id=study, epochs=True)     # its trials with their curves

Reading: `list_runs(fingerprint=, study_id=, limit=, epochs=)`, `get_run(id)`, `get_runs(ids)`,
`list_studies()`, `get_study(id)`; `compare_runs(runs)` puts runs side by side and
`write_runs_csv(runs, path)` exports them. Statuses: running, finished, stopped (the user's
Stop), failed, interrupted (the process ended mid-run: marked when a later process opens the
store and finds the recording process gone), pruned (a study's early-stopped trial).

Errors are RunStoreError sentences naming the file (locked, damaged, read-only, disk full);
UnknownRunError names a missing id. Recording never raises them into training: the writer
reports them once per run through `on_problem`.
"""
