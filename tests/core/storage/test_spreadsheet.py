"""Excel-safe CSV: formula-like text is guarded, numbers and ordinary text are left alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cfdesk.core.data.items import ItemTable
from cfdesk.core.results.projection import item_map
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.storage.embeddings import export_map
from cfdesk.core.storage.export import export_predictions, export_recommendations
from cfdesk.core.storage.spreadsheet import excel_safe, guard_cell

HOSTILE = ['=HYPERLINK("http://x.test","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("text", [*HOSTILE, "\t=1", "\r=1"])
def test_formula_starts_get_a_leading_apostrophe(text):
    assert guard_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Toy Story (1995)", "", "'quoted", "1=1", "a-b", "é=mc²"])
def test_ordinary_text_is_left_alone(text):
    assert guard_cell(text) == text


def test_only_text_cells_change_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "item_id": [-7, 3],
            "title": ["=1+1", "Fine"],
            "score": [-1.5, 2.0],
            "known": [True, False],
            "note": ["-x", None],
        }
    )
    guarded = excel_safe(frame)
    assert guarded["title"].tolist() == ["'=1+1", "Fine"]
    assert guarded["note"].iloc[0] == "'-x" and pd.isna(guarded["note"].iloc[1])  # gaps stay
    pd.testing.assert_frame_equal(
        guarded[["item_id", "score", "known"]], frame[["item_id", "score", "known"]]
    )
    assert frame["title"].tolist() == ["=1+1", "Fine"]  # the caller's frame is not changed


@pytest.fixture
def hostile_fitted(fitted):
    """The planted model with every item titled like a formula."""
    n = fitted.n_items
    titles = np.array([HOSTILE[i % len(HOSTILE)] for i in range(n)], dtype=object)
    fitted.item_table = ItemTable(titles, tuple(("Drama",) for _ in range(n)))
    return fitted


@pytest.mark.parametrize("safe", [True, False])
def test_recommendations_guard_titles_only_when_asked(hostile_fitted, tmp_path, safe):
    out = tmp_path / "recs.csv"
    export_recommendations(Recommender(hostile_fitted), out, n=3, excel_safe=safe)
    frame = pd.read_csv(out, keep_default_na=False)
    assert frame["title"].str.startswith("'").all() == safe
    assert set(frame["title"].str.lstrip("'")) <= set(HOSTILE)
    assert frame["predicted_rating"].dtype == np.float64  # numbers stay numbers


def test_map_and_predictions_guard_text_cells(hostile_fitted, tmp_path):
    path = export_map(item_map(hostile_fitted, n_components=2), tmp_path / "map.csv", True)
    frame = pd.read_csv(path)
    assert frame["title"].str.startswith("'").all()
    assert frame["pc1"].dtype == np.float64 and (frame["pc1"] < 0).any()  # negatives unguarded
    users = np.array(["=2*3", str(hostile_fitted.users.ids[0])], dtype=object)
    items = np.array([str(hostile_fitted.items.ids[0])] * 2, dtype=object)
    export_predictions(hostile_fitted, users, items, tmp_path / "p.csv", excel_safe=True)
    written = pd.read_csv(tmp_path / "p.csv", dtype={"user_id": str})
    assert written["user_id"].tolist() == ["'=2*3", str(hostile_fitted.users.ids[0])]
