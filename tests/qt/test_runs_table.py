"""The runs table model alone: numbers sort as numbers, empty cells stay last, filters combine."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cfdesk.core.runs.dataset import DatasetInfo
from cfdesk.core.runs.store import RunStore
from cfdesk.qt.runs.table_model import COLUMNS, RunsTableModel, make_rows

HERE = DatasetInfo("a.csv", "/a.csv", 1, "aaaaaaaaaaaaaaaa", 1, 1, 1)
THERE = DatasetInfo("b.csv", "/b.csv", 1, "bbbbbbbbbbbbbbbb", 1, 1, 1)
VALID = [c[0] for c in COLUMNS].index("Valid RMSE")
FACTORS = [c[0] for c in COLUMNS].index("Factors")


def _model(tmp_path) -> tuple[RunsTableModel, list[int]]:
    store = RunStore(tmp_path / "runs.sqlite")
    ids = []
    for dataset, factors, valid in ((HERE, 8, 0.95), (HERE, 100, None), (HERE, 16, 0.9),
                                    (THERE, 32, 0.8)):  # fmt: skip
        run = store.start_run(dataset, {"model": "dot", "n_factors": factors}, "cli")
        if valid is None:
            store.finish_run(run, "failed", error="loss became NaN")
        else:
            store.finish_run(run, "finished", {"valid_rmse": valid})
        ids.append(run)
    model = RunsTableModel()
    model.set_filters(None, "", make_rows(store.list_runs()))
    return model, ids


def _ids(model: RunsTableModel) -> list[int]:
    return [model.record(r).id for r in range(model.rowCount())]


def test_a_failed_run_without_metrics_sorts_last_both_ways(qapp, tmp_path):
    model, ids = _model(tmp_path)
    model.sort(VALID, Qt.SortOrder.AscendingOrder)
    assert _ids(model) == [ids[3], ids[2], ids[0], ids[1]]
    model.sort(VALID, Qt.SortOrder.DescendingOrder)
    assert _ids(model) == [ids[0], ids[2], ids[3], ids[1]]
    model.sort(FACTORS, Qt.SortOrder.AscendingOrder)  # 8 < 16 < 32 < 100, not "100" < "16"
    assert _ids(model) == [ids[0], ids[2], ids[3], ids[1]]


def test_data_set_and_text_filters_combine_and_keep_the_sort(qapp, tmp_path):
    model, ids = _model(tmp_path)
    model.sort(FACTORS, Qt.SortOrder.DescendingOrder)
    model.set_filters(HERE.fingerprint, "")
    assert _ids(model) == [ids[1], ids[2], ids[0]]
    model.set_filters(HERE.fingerprint, "FINISHED")
    assert _ids(model) == [ids[2], ids[0]]
    model.set_filters(None, "finished 32")
    assert _ids(model) == [ids[3]]
    model.set_filters(None, "failed")
    assert _ids(model) == [ids[1]]  # the status cell's tooltip carries the error
    assert "loss became NaN" in model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
