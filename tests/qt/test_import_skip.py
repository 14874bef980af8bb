"""The import dialog's "skip rows that cannot be read" reaches the loader."""

from __future__ import annotations

from cfdesk.qt import import_dialog


def test_skipping_bad_rows_from_the_dialog_loads_the_rest(
    qtbot, make_window, tmp_path, monkeypatch
):
    path = tmp_path / "some_bad.csv"
    path.write_text("user,item,rating\n1,10,4\n2,10,five\n2,11,3\n", encoding="utf-8")

    def ask(parent, fmt):
        return import_dialog.ImportChoices(fmt.path, dict(fmt.roles), False, skip_bad_rows=True)

    monkeypatch.setattr(import_dialog, "ask_import", ask)
    window = make_window()
    window.open_path(str(path))
    qtbot.waitUntil(lambda: window.ratings is not None and not window.files.is_busy())
    assert window.ratings.n_ratings == 2 and window.ratings.notes["rows_rejected"] == 1
    assert "line(s) 3" in window.data_panel.notes.text()
