"""Titles, ids and file names come from the user's files: every page shows them as words, never markup."""

from __future__ import annotations

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from cfdesk.core.errors import DataError
from cfdesk.qt import dialogs

TIMEOUT = 60_000
TITLE = '<b>Bold</b><img src="file:///etc/hostname">'
ID = "<i>7</i>"
GENRE = "<u>Evil</u>"
MARKUP = ("<b>Bold</b>", "<img src", ID, GENRE)


@pytest.fixture
def hostile_csv(tmp_path, planted):
    """The planted ratings with one user and one item called <i>7</i>, titled with markup."""
    users = [ID if u == 1 else f"u{u}" for u in planted["user_ids"]]
    items = [ID if i == 101 else f"m{i}" for i in planted["item_ids"]]
    frame = pd.DataFrame({"user_id": users, "item_id": items, "rating": planted["ratings"]})
    path = tmp_path / "ratings.csv"
    frame.to_csv(path, index=False)
    ids = sorted(set(items))
    titles = [TITLE if i == ID else f"Film {i}" for i in ids]
    genres = [f"{GENRE}|Drama" if n % 2 else "Drama" for n in range(len(ids))]
    pd.DataFrame({"item_id": ids, "title": titles, "genres": genres}).to_csv(
        tmp_path / "items.csv", index=False
    )
    return path


def labels_showing_markup() -> list[str]:
    """Every label whose text holds the markup and that Qt would render as rich text."""
    return [
        f"{type(w.parent()).__name__}/{w.objectName() or '?'}: {w.text()!r}"
        for w in QApplication.allWidgets()
        if isinstance(w, QLabel)
        and any(mark in w.text() for mark in MARKUP)
        and w.textFormat() != Qt.TextFormat.PlainText
    ]


def test_every_page_shows_hostile_titles_and_ids_as_words(
    qtbot, make_window, accept_import, hostile_csv
):
    window = make_window()
    window.show()
    window.open_path(str(hostile_csv))
    qtbot.waitUntil(lambda: window.ratings is not None, timeout=TIMEOUT)
    assert window.ratings.item_table is not None  # the titles file was read
    window.form.set_config(
        window.form.config().with_changes(
            n_factors=8, batch_size=256, accum_steps=1, epochs=2, device="cpu", patience=0
        )
    )
    window.training.start()
    view = window.results
    qtbot.waitUntil(lambda: window.fitted is not None and not view.is_busy(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.map.item_map is not None, timeout=TIMEOUT)
    evil = window.fitted.items.index_of(ID)
    window.show_page("Results")
    assert view.recommend.picker.choose(ID)
    view.select_item(evil)
    assert view.neighbours.title.text() == f"Like “{TITLE}”"  # the title, as words
    view.new_user.search.setText("Bold")
    view.map.color_by.setCurrentIndex(view.map.color_by.findData("genre"))
    view.map.plot.show_card(evil)
    dialog = view.open_export_dialog()
    dialog.set_selected_users([ID])
    for page in ("Data", "Train", "Start", "Results"):
        window.show_page(page)
        qtbot.wait(10)
        assert labels_showing_markup() == [], page
    card = view.map.plot.card.textItem.toHtml()
    assert "&lt;img" in card and "<img" not in card
    legend = " ".join(label.text for _, label in view.map.plot.legend.items)
    assert "&lt;u&gt;Evil" in legend and GENRE not in legend
    dialog.close()


def test_messages_quoting_a_file_are_plain_text(monkeypatch):
    seen: list[Qt.TextFormat] = []

    def look(box: QMessageBox) -> int:
        seen.append(box.textFormat())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", look)
    dialogs.show_error(None, DataError(f"ratings.csv line 3: item {TITLE} is not a number"))
    dialogs.ask_stop_training(None, f"{ID}.csv")
    dialogs.ask_save_model(None, f"opening {ID}.cfmodel")
    assert seen == [Qt.TextFormat.PlainText] * 3


def test_the_crash_dialog_escapes_the_error_it_quotes(qtbot):
    from cfdesk.qt.crash_dialog import CrashDialog

    dialog = CrashDialog(KeyError(TITLE))
    qtbot.addWidget(dialog)
    rich = [label.text() for label in dialog.findChildren(QLabel) if "Bold" in label.text()]
    assert rich and all("&lt;img" in text and "<img" not in text for text in rich)


def test_the_import_dialog_escapes_the_file_name(qtbot, tmp_path):
    from cfdesk.core.data.loader import sniff
    from cfdesk.qt.import_dialog import ImportDialog

    path = tmp_path / "<img src=x>ratings.csv"
    path.write_text("user,item,rating\n1,10,4\n2,11,3\n", encoding="utf-8")
    dialog = ImportDialog(sniff(path))
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel) if "ratings.csv" in label.text()]
    assert texts and all("&lt;img src=x&gt;ratings.csv" in text for text in texts)
