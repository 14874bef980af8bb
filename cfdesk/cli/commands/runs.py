"""`cfdesk runs`: list the recorded training runs, show one, compare several, delete some."""

from __future__ import annotations

import argparse
from pathlib import Path

from cfdesk.cli.output import fail, print_json, reports_errors

LIST_FIELDS = (
    "id", "status", "model", "valid_rmse", "test_rmse", "ndcg_at_10", "dataset", "dataset_path",
    "started", "created", "epochs_run", "epochs", "duration", "device", "source", "study_id",
    "study_name", "trial", "model_path",
)  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `runs` with its actions `show`, `compare` and `delete`."""
    p = subparsers.add_parser(
        "runs",
        help="list, show and compare recorded training runs",
        description="Every training (app, CLI, tuning) is recorded in runs.sqlite in cfdesk's "
        "data folder ($CFDESK_DATA_DIR; $CFDESK_RUNS_DB names the file). Without an action, "
        "lists the runs, newest first.",
    )
    p.add_argument("--dataset", metavar="FILE", help="only runs trained on this ratings file")
    p.add_argument("--study", type=int, metavar="ID", help="only the trials of this study")
    p.add_argument("--limit", type=int, metavar="N", help="only the newest N runs")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    p.set_defaults(func=_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", help="one run: results, settings and every epoch")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    show.set_defaults(func=_show)
    compare = actions.add_parser(
        "compare", help="runs side by side; * marks rows where they differ"
    )
    compare.add_argument("ids", type=int, nargs="+", metavar="ID")
    compare.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    compare.set_defaults(func=_compare)
    delete = actions.add_parser("delete", help="delete runs (runs still training are kept)")
    delete.add_argument("ids", type=int, nargs="+", metavar="ID")
    delete.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    delete.set_defaults(func=_delete)


def _store():
    from cfdesk.core.runs.store import RunStore

    return RunStore.default()


def _summary(run) -> dict:
    """The fields `cfdesk runs --json` promises for each run."""
    row = run.to_dict()
    row["dataset"] = run.dataset_name
    row["epochs"] = run.epochs_planned
    return {key: row.get(key) for key in LIST_FIELDS}


def _num(value: float | None, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


@reports_errors
def _list(args: argparse.Namespace) -> int:
    store = _store()
    runs = store.list_runs(study_id=args.study, limit=args.limit)
    if args.dataset:
        wanted = str(Path(args.dataset).resolve())
        runs = [r for r in runs if r.dataset_path == wanted]
    if args.json:
        print_json({"runs": [_summary(r) for r in runs]})
        return 0
    if not runs:
        print(f"no runs recorded in {store.path}")
        return 0
    print(
        f"{'id':>5}  {'started':16}  {'status':11}  {'model':7}  {'data set':20}  "
        f"{'valid':>6}  {'test':>6}  {'epochs':>7}  {'seconds':>7}"
    )
    for r in runs:
        print(
            f"{r.id:>5}  {r.to_dict()['started']:16}  {r.status:11}  {r.model:7}  "
            f"{r.dataset_name[:20]:20}  {_num(r.valid_rmse):>6}  {_num(r.test_rmse):>6}  "
            f"{f'{r.epochs_run}/{r.epochs_planned}':>7}  {_num(r.duration, 1):>7}"
        )
    return 0


@reports_errors
def _show(args: argparse.Namespace) -> int:
    from cfdesk.core.runs.compare import compare_runs

    run = _store().get_run(args.id)
    if args.json:
        print_json({**run.to_dict(with_epochs=True), "dataset": run.dataset_name})
        return 0
    print(f"run {run.id}: {run.status}, {run.source}, started {run.to_dict()['started']}")
    for row in compare_runs([run]):
        print(f"  {row.label + ':':24} {row.texts[0]}")
    for label, value in (("File", run.dataset_path), ("Model file", run.model_path),
                         ("Error", run.error)):  # fmt: skip
        if value:
            print(f"  {label + ':':24} {value}")
    if run.epochs:
        print(f"  {'epoch':>5}  {'train':>7}  {'valid':>7}  {'seconds':>7}")
        for e in run.epochs:
            print(
                f"  {e.epoch:>5}  {_num(e.train_rmse):>7}  {_num(e.valid_rmse):>7}  "
                f"{_num(e.seconds, 2):>7}"
            )
    return 0


@reports_errors
def _compare(args: argparse.Namespace) -> int:
    from cfdesk.core.runs.compare import compare_runs

    if len(args.ids) < 2:
        return fail("compare needs two or more run ids, e.g. cfdesk runs compare 3 7")
    runs = _store().get_runs(args.ids)
    rows = compare_runs(runs)
    if args.json:
        print_json(
            {
                "runs": [_summary(r) for r in runs],
                "rows": [row.to_dict() for row in rows],
                "differences": [row.name for row in rows if row.differs],
            }
        )
        return 0
    width = max(12, *(len(t) for row in rows for t in row.texts))
    print(f"  {'':24} " + " ".join(f"{f'run {r.id}':>{width}}" for r in runs))
    for row in rows:
        mark = "*" if row.differs else " "
        print(f"{mark} {row.label:24} " + " ".join(f"{t:>{width}}" for t in row.texts))
    return 0


@reports_errors
def _delete(args: argparse.Namespace) -> int:
    store = _store()
    store.get_runs(args.ids)  # an unknown id is an error before anything is deleted
    deleted = store.delete_runs(args.ids)
    kept = len(set(args.ids)) - deleted
    if args.json:
        print_json({"deleted": deleted, "kept_running": kept})
    else:
        still = f"; {kept} still training, kept" if kept else ""
        print(f"deleted {deleted} run{'s' if deleted != 1 else ''}{still}")
    return 0
