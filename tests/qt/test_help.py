"""Help → About and the shortcut list; opening a file while training asks to stop it first."""

from __future__ import annotations

import pytest

from cfdesk import __version__
from cfdesk.qt import about, dialogs

TIMEOUT = 60_000


def test_about_shows_versions_devices_and_the_log_folder(qtbot, make_window, isolated_log_dir):
    window = make_window()
    dialog = window.show_about()
    page = dialog.tabs.widget(0)
    texts = " ".join(label.text() for label in page.findChildren(about.QLabel))
    assert f"cfdesk {__version__}" in texts
    assert "CPU" in texts  # the device list always ends with the CPU
    assert dialog.log_label.text() == str(isolated_log_dir)
    dialog.close()


def test_open_log_folder_opens_the_folder_the_about_box_names(
    qtbot, make_window, isolated_log_dir, monkeypatch
):
    opened: list[str] = []
    monkeypatch.setattr(about, "open_folder", opened.append)
    window = make_window()
    dialog = window.show_about()
    dialog.open_logs.click()
    assert opened == [str(isolated_log_dir)] and isolated_log_dir.is_dir()
    dialog.close()


def test_shortcut_list_names_every_action_with_keys(qtbot, make_window):
    window = make_window()
    dialog = window.show_shortcuts()
    assert dialog.tabs.currentIndex() == 1
    table = dialog.shortcuts
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Train"] == "Ctrl+T, F5"
    assert rows["Stop"] == "Esc"
    assert rows["Keyboard shortcuts"] == "F1"
    assert rows["Export"] == "Ctrl+E"
    assert "Open ratings file" in rows
    dialog.close()


def test_help_menu_lists_shortcuts_and_about(make_window):
    window = make_window()
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    help_texts = [a.text() for a in menus["&Help"].actions()]
    assert help_texts == ["&Keyboard shortcuts", "&About cfdesk"]


@pytest.mark.parametrize("answer", [True, False])
def test_opening_a_file_while_training_asks_to_stop_first(
    qtbot, make_window, accept_import, planted_csv, tmp_path, monkeypatch, answer
):
    asked: list[str] = []
    monkeypatch.setattr(
        dialogs, "ask_stop_training", lambda parent, name: asked.append(name) or answer
    )
    window = make_window()
    window.open_path(str(planted_csv))
    qtbot.waitUntil(lambda: window.ratings is not None, timeout=TIMEOUT)
    config = window.form.config().with_changes(
        n_factors=8, batch_size=8, accum_steps=1, epochs=500, device="cpu", patience=0
    )
    window.form.set_config(config)
    window.training.start()
    other = tmp_path / "other.csv"
    other.write_text("user,item,rating\n1,10,4\n2,11,3\n2,10,5\n", encoding="utf-8")
    window.open_path(str(other))
    assert asked == ["other.csv"]
    if answer:
        qtbot.waitUntil(lambda: window.dataset_name == "other.csv", timeout=TIMEOUT)
        assert not window.training.is_running()
        assert window.fitted is not None  # the stopped run's best model was kept
    else:
        qtbot.wait(300)
        assert window.training.is_running() and window.dataset_name == "planted.csv"
        window.training.stop()
        qtbot.waitUntil(lambda: not window.training.is_running(), timeout=TIMEOUT)
        assert window.dataset_name == "planted.csv"
