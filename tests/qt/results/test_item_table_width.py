"""Titles keep their room: a narrow table drops the genres column, never the title."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt

from cfdesk.qt.results.item_table import TITLE_MIN_PX, ItemTable

COLUMNS = ["rank", "title", "genres", "score", "predicted", "count", "mean"]


def _table(qtbot, width: int) -> ItemTable:
    table = ItemTable(COLUMNS)
    qtbot.addWidget(table)
    frame = pd.DataFrame(
        {
            "item_idx": [0, 1],
            "rank": [1, 2],
            "title": ["The Long Winter Homecoming (1994)", "Verdict of Paris (1982)"],
            "genres": ["Comedy|Animation|Romance", "Drama"],
            "score": [9.36, 8.85],
            "predicted": [4.46, 4.58],
            "count": [209, 134],
            "mean": [3.79, 3.93],
        }
    )
    table.resize(width, 300)
    table.show()
    table.set_frame(frame)
    qtbot.waitExposed(table)
    return table


def test_a_narrow_table_hides_genres_and_keeps_the_title_readable(qtbot):
    table = _table(qtbot, 420)
    genres, title = COLUMNS.index("genres"), COLUMNS.index("title")
    assert table.isColumnHidden(genres)
    assert table.columnWidth(title) >= TITLE_MIN_PX
    tip = table.model().data(table.model().index(0, title), Qt.ItemDataRole.ToolTipRole)
    assert "The Long Winter Homecoming (1994)" in tip and "Comedy" in tip  # genres in the tooltip


def test_a_wide_table_shows_genres_beside_a_wider_title(qtbot):
    table = _table(qtbot, 900)
    genres, title = COLUMNS.index("genres"), COLUMNS.index("title")
    assert not table.isColumnHidden(genres)
    assert table.columnWidth(title) > table.columnWidth(genres)
    table.resize(420, 300)
    qtbot.waitUntil(lambda: table.isColumnHidden(genres))  # and gives way when narrowed
