"""The Runs page in the real window: table, sort, filter, overlay, differences, reuse, delete,
and the runs the window's own trainings record (offscreen, small data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from cfdesk.core.runs.dataset import DatasetInfo, describe_dataset
from cfdesk.core.runs.records import EpochRow
from cfdesk.core.runs.store import RunStore
from cfdesk.qt import dialogs
from cfdesk.qt.runs.table_model import COLUMNS

TIMEOUT = 60_000
ELSEWHERE = DatasetInfo("other.csv", "/x/other.csv", 10, "feedfeedfeedfeed", 9, 3, 3)
VALID = COLUMNS.index(("Valid RMSE", COLUMNS[10][1]))


def _open(qtbot, window, path) -> None:
    window.open_path(str(path))
    qtbot.waitUntil(lambda: window.ratings is not None, timeout=TIMEOUT)


def _add(store: RunStore, dataset: DatasetInfo, model: str, factors: int, best: float) -> int:
    config = {"model": model, "n_factors": factors, "lr": 0.01, "epochs": 3, "seed": 42}
    run = store.start_run(dataset, config, "app")
    for epoch in (1, 2, 3):
        valid = best + (3 - epoch) * 0.02
        store.add_epoch(run, EpochRow(epoch, valid - 0.1, valid, 0.7, 0.01, 0.2))
    store.finish_run(run, "finished", {"valid_rmse": best, "best_epoch": 3}, duration=0.6)
    return run


@pytest.fixture
def stocked(qtbot, make_window, accept_import, planted_csv):
    """A window on the planted data with four runs stored: three on it, one elsewhere."""
    window = make_window()
    _open(qtbot, window, planted_csv)
    here = describe_dataset(window.ratings)
    store = window.runs.store
    ids = [
        _add(store, here, "dotbias", 8, 0.91),
        _add(store, here, "nn", 16, 0.89),
        _add(store, here, "dotbias", 32, 0.93),
        _add(store, ELSEWHERE, "dot", 8, 0.99),
    ]
    _show(qtbot, window)
    return window, ids


def _show(qtbot, window) -> None:
    window.actions.runs.trigger()
    qtbot.waitUntil(lambda: not window.runs.loader.is_busy(), timeout=TIMEOUT)
    assert window.pages.currentWidget() is window.runs_page


def _shown_ids(page) -> list[int]:
    return [page.model.record(r).id for r in range(page.model.rowCount())]


def test_the_table_shows_this_data_set_s_runs_and_all_on_request(stocked):
    window, ids = stocked
    page = window.runs_page
    assert _shown_ids(page) == ids[2::-1]  # newest first, the other data set's run hidden
    assert "3 of 4 runs on planted.csv" in page.count.text()
    page.all_datasets.setChecked(True)
    assert _shown_ids(page) == ids[::-1]


def test_sorting_by_validation_rmse_orders_numbers_as_numbers(stocked):
    window, ids = stocked
    page = window.runs_page
    page.table.sortByColumn(VALID, Qt.SortOrder.AscendingOrder)
    assert _shown_ids(page) == [ids[1], ids[0], ids[2]]
    page.table.sortByColumn(VALID, Qt.SortOrder.DescendingOrder)
    assert _shown_ids(page) == [ids[2], ids[0], ids[1]]


def test_the_filter_matches_words_in_any_column(stocked):
    window, ids = stocked
    page = window.runs_page
    page.filter.setText("NN")
    assert _shown_ids(page) == [ids[1]]
    page.filter.setText("dotbias 0.9300")  # every word, in any column (not the start time's)
    assert _shown_ids(page) == [ids[2]]
    page.filter.clear()
    assert len(_shown_ids(page)) == 3


def test_selected_runs_are_overlaid_and_their_differences_highlighted(qtbot, stocked):
    window, ids = stocked
    page = window.runs_page
    page.select_runs(ids[:3])
    qtbot.waitUntil(lambda: page.chart.curve_count() == 3, timeout=TIMEOUT)
    drawn = page.chart.curve_values()  # table order: newest first
    assert drawn[0] == pytest.approx([0.97, 0.95, 0.93]) and drawn[2][-1] == pytest.approx(0.91)
    table = page.settings_table
    assert table.columnCount() == 3
    assert {"n_factors", "model", "valid_rmse"} <= set(table.differing())
    assert "lr" not in table.differing() and "seed" not in table.differing()
    factors = next(i for i, row in enumerate(table.rows) if row.name == "n_factors")
    lr = next(i for i, row in enumerate(table.rows) if row.name == "lr")
    assert table.item(factors, 0).background().color().alpha() > 0
    assert table.item(factors, 0).font().bold() and not table.item(lr, 0).font().bold()
    page.only_differences.setChecked(True)
    assert table.isRowHidden(lr) and not table.isRowHidden(factors)
    page.select_runs(ids[:1])
    qtbot.waitUntil(lambda: page.chart.curve_count() == 1, timeout=TIMEOUT)
    assert table.differing() == []


def test_train_with_these_settings_fills_the_form(stocked):
    window, ids = stocked
    page = window.runs_page
    page.select_runs([ids[1]])
    assert page.use_button.isEnabled()
    page.use_button.click()
    config = window.form.config()
    assert (config.model, config.n_factors) == ("nn", 16)
    assert window.pages.currentWidget() is window.train_split


def test_delete_key_deletes_the_selection_after_asking(qtbot, stocked, monkeypatch):
    window, ids = stocked
    page = window.runs_page
    asked: list[int] = []
    monkeypatch.setattr(dialogs, "ask_delete_runs", lambda parent, n: asked.append(n) or True)
    page.select_runs(ids[:2])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not window.runs.editor.is_busy(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.runs.loader.is_busy(), timeout=TIMEOUT)
    assert asked == [2]
    assert _shown_ids(page) == [ids[2]]
    assert window.runs.store.count_runs() == 2


def test_declining_the_question_deletes_nothing(stocked, monkeypatch):
    window, ids = stocked
    monkeypatch.setattr(dialogs, "ask_delete_runs", lambda parent, n: False)
    window.runs_page.select_runs(ids[:1])
    window.runs_page.delete_button.click()
    assert not window.runs.editor.is_busy() and window.runs.store.count_runs() == 4


def test_export_writes_the_rows_shown_as_csv(qtbot, stocked, tmp_path):
    window, ids = stocked
    out = tmp_path / "runs.csv"
    window.runs.export_csv(str(out))
    qtbot.waitUntil(lambda: not window.runs.editor.is_busy(), timeout=TIMEOUT)
    lines = out.read_text().splitlines()
    assert [int(line.split(",")[0]) for line in lines[1:]] == ids[2::-1]
    assert "Exported" in window.statusBar().currentMessage()


def _train(qtbot, window, epochs: int = 2) -> None:
    config = window.form.config().with_changes(
        n_factors=8, batch_size=256, epochs=epochs, device="cpu", patience=0
    )
    window.form.set_config(config)
    window.training.start()
    qtbot.waitUntil(lambda: window.fitted is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)


def test_a_training_in_the_window_is_recorded_and_its_saved_file_kept(
    qtbot, make_window, accept_import, planted_csv, tmp_path
):
    window = make_window()
    _open(qtbot, window, planted_csv)
    _train(qtbot, window)
    _show(qtbot, window)
    (run,) = window.runs_page.model.records()
    assert (run.status, run.source, run.epochs_run, run.device) == ("finished", "app", 2, "cpu")
    assert run.valid_rmse == pytest.approx(window.fitted.metrics["valid_rmse"])
    path = tmp_path / "saved.cfmodel"
    assert window.files.save_model(str(path))
    qtbot.waitUntil(lambda: not window.files.is_busy(), timeout=TIMEOUT)
    window.runs.writer.flush()
    assert window.runs.store.get_run(run.id).model_path == str(path.resolve())


def test_a_damaged_store_leaves_a_status_message_and_training_works(
    qtbot, make_window, accept_import, planted_csv, isolated_runs_db, errors
):
    isolated_runs_db.parent.mkdir(parents=True, exist_ok=True)
    isolated_runs_db.write_bytes(b"garbage " * 500)
    window = make_window()
    message = window.statusBar().currentMessage
    qtbot.waitUntil(lambda: "not recorded" in message(), timeout=TIMEOUT)  # said at start
    assert "damaged" in message() and str(isolated_runs_db) in message()
    _open(qtbot, window, planted_csv)
    _train(qtbot, window)
    assert len(window.fitted.history) == 2
    assert errors == []  # no dialog: a sentence in the status bar


def test_the_view_is_remembered(qtbot, make_window, stocked):
    window, _ids = stocked
    page = window.runs_page
    page.filter.setText("nn")
    page.all_datasets.setChecked(True)
    page.table.horizontalHeader().resizeSection(4, 222)
    page.table.sortByColumn(VALID, Qt.SortOrder.AscendingOrder)
    window.close()
    again = make_window().runs_page
    assert again.filter.text() == "nn" and again.all_datasets.isChecked()
    header = again.table.horizontalHeader()
    assert header.sectionSize(4) == 222 and header.sortIndicatorSection() == VALID


def test_a_run_cut_short_by_closing_the_window_is_interrupted(
    qtbot, make_window, accept_import, planted_csv
):
    window = make_window()
    _open(qtbot, window, planted_csv)
    window.form.set_config(window.form.config().with_changes(epochs=500, batch_size=8))
    window.training.start()
    qtbot.waitUntil(lambda: window.monitor.rmse_chart.point_counts()["valid"] > 0, timeout=TIMEOUT)
    store = window.runs.store
    window.close()
    (run,) = store.list_runs()
    assert run.status in ("interrupted", "stopped") and run.epochs_run >= 1
    assert Path(run.dataset_path).name == "planted.csv"


def test_a_search_in_the_tune_tab_lists_each_trial_under_its_study(
    qtbot, make_window, accept_import, planted_csv
):
    window = make_window()
    _open(qtbot, window, planted_csv)
    window.form.set_config(window.form.config().with_changes(n_factors=8, device="cpu"))
    panel = window.tune_panel
    for kind, box in panel.kinds.items():
        box.setChecked(kind in ("dotbias", "dot"))
    panel.minutes.setValue(0)
    panel.trials.setValue(2)
    panel.start_button.click()
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
    _show(qtbot, window)
    runs = window.runs_page.model.records()
    assert sorted(r.trial for r in runs) == [0, 1] and {r.source for r in runs} == {"app"}
    study = COLUMNS.index(("Study", COLUMNS[14][1]))
    row_text = window.runs_page.model.data(window.runs_page.model.index(0, study))
    assert row_text.startswith("tune planted.csv") and row_text.endswith(("#0", "#1"))
    (recorded,) = window.runs.store.list_studies()
    assert recorded.status == "finished" and recorded.best_run_id in {r.id for r in runs}
