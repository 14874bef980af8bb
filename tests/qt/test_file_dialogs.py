"""The open and save choosers open large enough that names, sizes and types are not cut."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTreeView, QWidget

from cfdesk.qt.file_dialogs import open_file_name, save_file_name


def _look_then_cancel(seen: dict) -> None:
    dialog = QApplication.activeModalWidget()
    view = dialog.findChild(QTreeView, "treeView")
    header, metrics = view.header(), view.fontMetrics()
    seen["size"] = dialog.size()
    seen["cut"] = [
        col
        for col, text in ((1, "383.43 KiB"), (2, "plain text document"))
        if header.sectionSize(col) < metrics.horizontalAdvance(text) + 8
    ]
    seen["name"] = header.sectionSize(0)
    dialog.reject()


def test_the_choosers_show_whole_columns(qtbot, tmp_path):
    (tmp_path / "ratings.csv").write_text("user,item,rating\n1,2,3\n")
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(1280, 800)
    parent.show()
    for choose in (open_file_name, save_file_name):
        seen: dict = {}
        QTimer.singleShot(300, lambda seen=seen: _look_then_cancel(seen))
        assert choose(parent, "Pick", str(tmp_path)) == ""  # cancelled
        width = min(960, int(parent.screen().availableGeometry().width() * 0.85))
        assert seen["size"].width() >= width and seen["cut"] == [] and seen["name"] >= 200
