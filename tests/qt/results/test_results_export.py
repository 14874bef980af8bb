"""The export dialog: recommendations for all or chosen users, projector files, map; cancel."""

from __future__ import annotations

import pandas as pd
import pytest

from cfdesk.qt.results.export_dialog import ExportDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


def choose(dialog: ExportDialog, kind: str) -> None:
    next(b for b in dialog.kinds.buttons() if b.property("kind") == kind).setChecked(True)


def run(dialog: ExportDialog, qtbot) -> object:
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000) as blocker:
        dialog.start_button.click()
    return blocker.args[0]


def test_recommendations_for_all_users_have_users_times_n_rows(view, demo, tmp_path, qtbot):
    _, fitted = demo
    dialog = view.open_export_dialog()
    assert dialog.isVisible()
    dialog.n.setValue(7)
    dialog.path.setText(str(tmp_path / "recs.csv"))
    with qtbot.waitSignal(view.statusMessage) as status:
        summary = run(dialog, qtbot)
    assert status.args[0].startswith(f"Wrote {fitted.n_users * 7:,} rows")
    written = pd.read_csv(tmp_path / "recs.csv")
    assert len(written) == summary.rows == fitted.n_users * 7
    assert written["user_id"].nunique() == fitted.n_users
    assert "Wrote" in dialog.result.text()
    assert dialog.start_button.isEnabled()


def test_selected_users_come_from_the_recommendations_page(view, demo, tmp_path, qtbot):
    _, fitted = demo
    users = fitted.users.ids[[4, 9]]
    view.recommend.picker.choose(users[0])
    dialog = view.open_export_dialog()
    assert dialog.user_ids.text() == str(users[0])
    dialog.user_ids.setText(f"{users[0]}, {users[1]}")
    dialog.some_users.setChecked(True)
    dialog.path.setText(str(tmp_path / "two.csv"))
    run(dialog, qtbot)
    written = pd.read_csv(tmp_path / "two.csv")
    assert sorted(written["user_id"].unique()) == sorted(users)
    assert len(written) == 2 * dialog.n.value()


def test_cancelling_leaves_no_file(view, tmp_path, qtbot, monkeypatch):
    monkeypatch.setattr(ExportDialog, "batch_size", 1)  # one user per batch: slow enough to stop
    dialog = view.open_export_dialog()
    target = tmp_path / "out"
    target.mkdir()
    dialog.path.setText(str(target / "recs.csv"))
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000) as blocker:
        with qtbot.waitSignal(dialog.task.progressed):
            dialog.start()
        assert dialog.cancel_button.text() == "Cancel"
        dialog.cancel_button.click()
    assert type(blocker.args[0]).__name__ == "Cancelled"
    assert list(target.iterdir()) == []
    assert "No file was written" in dialog.result.text()
    assert dialog.cancel_button.text() == "Close"


def test_projector_and_map_exports(view, demo, tmp_path, qtbot):
    _, fitted = demo
    dialog = view.open_export_dialog()
    choose(dialog, "projector")
    assert not dialog.n.isEnabled()
    dialog.path.setText(str(tmp_path / "projector"))
    run(dialog, qtbot)
    vectors = (tmp_path / "projector" / "vectors.tsv").read_text().splitlines()
    assert len(vectors) == fitted.n_items
    choose(dialog, "map")
    dialog.path.setText(str(tmp_path / "map.csv"))
    run(dialog, qtbot)
    coords = pd.read_csv(tmp_path / "map.csv")
    assert len(coords) == fitted.n_items and {"pc1", "pc2", "pc3"} <= set(coords.columns)


def test_a_missing_folder_is_reported_and_nothing_is_written(view, tmp_path, qtbot, errors):
    dialog = view.open_export_dialog()
    dialog.path.setText(str(tmp_path / "nowhere" / "recs.csv"))
    result = run(dialog, qtbot)
    assert "does not exist" in str(result)
    assert errors and errors[0] is result
    assert not (tmp_path / "nowhere").exists()


def test_excel_safe_is_on_by_default_remembered_and_passed_to_the_export(
    view, tmp_path, qtbot, monkeypatch
):
    from cfdesk.qt.results import export_dialog

    dialog = view.open_export_dialog()
    assert dialog.excel_safe.isChecked() and dialog.excel_safe.isEnabled()
    choose(dialog, "projector")  # TSV for the projector, not for spreadsheets
    assert not dialog.excel_safe.isEnabled()
    choose(dialog, "recommendations")
    asked: list[bool] = []
    real = export_dialog.export_recommendations

    def spy(*args, excel_safe, **kwargs):
        asked.append(excel_safe)
        return real(*args, excel_safe=excel_safe, **kwargs)

    monkeypatch.setattr(export_dialog, "export_recommendations", spy)
    dialog.excel_safe.setChecked(False)
    dialog.path.setText(str(tmp_path / "recs.csv"))
    run(dialog, qtbot)
    dialog.close()
    assert asked == [False]
    fresh = ExportDialog(view.context)  # the next export, even after a restart
    assert not fresh.excel_safe.isChecked()
    fresh.deleteLater()
