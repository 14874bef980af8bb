"""The import dialog shows what the loader detected and hands back what the user chose."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cfdesk.core.data.loader import load_ratings, sniff
from cfdesk.qt.import_dialog import ImportDialog


def _write(tmp_path, text, name="ratings.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dialog_shows_detected_roles_and_preview(qtbot, tmp_path):
    path = _write(tmp_path, "userId,movieId,rating,timestamp\n1,10,4,100\n2,10,3,200\n")
    dialog = ImportDialog(sniff(path))
    qtbot.addWidget(dialog)
    assert dialog.preview.rowCount() == 2
    assert dialog.preview.columnCount() == 4
    assert dialog.choices().roles == {"user": 0, "item": 1, "rating": 2, "timestamp": 3}
    assert "→ user" in dialog.preview.horizontalHeaderItem(0).text()


def test_changing_a_role_changes_what_loads(qtbot, tmp_path):
    path = _write(tmp_path, "a,b,score,other\n1,10,4,5\n2,10,3,1\n2,11,5,2\n")
    dialog = ImportDialog(sniff(path))
    qtbot.addWidget(dialog)
    dialog.set_role("rating", 3)
    roles = dialog.choices().roles
    assert roles["rating"] == 3
    ratings = load_ratings(
        path,
        user=roles["user"],
        item=roles["item"],
        rating=roles["rating"],
        timestamp=False,
        items=False,
    )
    assert sorted(ratings.rating.tolist()) == [1.0, 2.0, 5.0]


def test_two_roles_on_one_column_disable_load(qtbot, tmp_path):
    path = _write(tmp_path, "user,item,rating\n1,10,4\n2,10,3\n")
    dialog = ImportDialog(sniff(path))
    qtbot.addWidget(dialog)
    dialog.set_role("item", 0)
    assert not dialog.load_button.isEnabled()
    assert "own column" in dialog.problem.text()
    dialog.set_role("item", 1)
    assert dialog.load_button.isEnabled()


def test_item_file_found_beside_can_be_removed(qtbot, tmp_path):
    path = _write(tmp_path, "user_id,item_id,rating\n1,10,4\n2,10,3\n")
    _write(tmp_path, "item_id,title,genres\n10,Alpha (1990),Drama\n", "items.csv")
    dialog = ImportDialog(sniff(path))
    qtbot.addWidget(dialog)
    assert dialog.choices().items == tmp_path / "items.csv"
    dialog.set_items(False)
    assert dialog.choices().items is False
    assert dialog.items_edit.text() == ""


def test_a_bad_value_in_the_preview_is_flagged_and_skipping_can_be_chosen(qtbot, tmp_path):
    path = _write(tmp_path, "user,item,rating\n1,10,4\n2,10,five\n3,11,2\n")
    dialog = ImportDialog(sniff(path))
    qtbot.addWidget(dialog)
    warning = dialog.problem.text()
    assert warning.startswith("Row 2 of the preview cannot be read")
    assert "rating 'five' is not a number" in warning and "Skip rows" in warning
    assert dialog.load_button.isEnabled()  # the user may still load (and skip)
    assert dialog.preview.item(1, 2).background().color().alpha() > 0
    assert dialog.preview.item(0, 2).background().style() == Qt.BrushStyle.NoBrush
    assert "is not a number" in dialog.preview.item(1, 0).toolTip()
    assert dialog.choices().skip_bad_rows is False
    dialog.skip_bad.setChecked(True)
    assert "will be skipped" in dialog.problem.text()
    choices = dialog.choices()
    assert choices.skip_bad_rows is True
    ratings = load_ratings(path, skip_bad_rows=choices.skip_bad_rows, items=False)
    assert ratings.n_ratings == 2 and ratings.notes["rows_rejected"] == 1
    dialog.set_role("item", 2)  # "five" as an item id and 10 as a rating read fine
    dialog.set_role("rating", 1)
    assert dialog.problem.text() == ""
    assert dialog.preview.item(1, 2).background().style() == Qt.BrushStyle.NoBrush
