"""Recommendations, neighbours, biases and fold-in as a user drives them in the Results view."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from cfdesk.core.results.item_facts import bias_extremes
from cfdesk.core.results.recommend import Recommender

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


def shown(table, column):
    return table.frame_model.frame[column].tolist()


def test_the_empty_view_says_what_to_do(qtbot):
    from cfdesk.qt.results import ResultsView

    widget = ResultsView()
    qtbot.addWidget(widget)
    assert widget.stack.currentWidget() is widget.empty
    assert widget.open_export_dialog() is None


def test_choosing_a_user_fills_n_rows_none_already_rated(view, demo):
    _, fitted = demo
    user = fitted.users.ids[int(np.argmax(fitted.user_count))]
    view.recommend.n.setValue(25)
    assert view.recommend.picker.choose(user)
    top = view.recommend.top.frame_model.frame
    assert len(top) == 25
    assert list(top["rank"]) == list(range(1, 26))
    seen = set(fitted.seen.of(fitted.users.index_of(user)).tolist())
    assert not seen & set(top["item_idx"].tolist())
    ratings = demo[0]
    rated = ratings.item_idx[ratings.user_idx == ratings.users.index_of(user)]
    rated_anywhere = set(fitted.items.indices_of(ratings.items.ids[rated].tolist()))
    assert not rated_anywhere & set(top["item_idx"].tolist())  # held-out ratings count too
    assert f"user {user}" in view.recommend.heading.text()
    view.recommend.exclude.setChecked(False)
    again = view.recommend.top.frame_model.frame
    assert seen & set(again["item_idx"].tolist())  # the most active user rated top items


def test_table_matches_the_core_and_shows_the_users_favourites(view, demo):
    ratings, fitted = demo
    user = fitted.users.ids[3]
    view.recommend.picker.choose(user)
    rated = set(
        ratings.items.ids[ratings.item_idx[ratings.user_idx == ratings.users.index_of(user)]]
    )
    ids, scores = Recommender(fitted).recommend(user, n=10 + len(rated))
    keep = np.array([i not in rated for i in ids])  # the core knows training rows only
    top = view.recommend.top.frame_model.frame
    assert top["item_id"].tolist() == ids[keep][:10].tolist()
    np.testing.assert_allclose(top["predicted"], scores[keep][:10], rtol=1e-6)
    own = view.recommend.own.frame_model.frame
    mine = ratings.rating[ratings.user_idx == ratings.users.index_of(user)]
    assert own["user_rating"].iloc[0] == mine.max()
    assert list(own["user_rating"]) == sorted(own["user_rating"], reverse=True)


def test_genre_filter_shows_only_that_genre(view, demo):
    view.recommend.picker.choose(demo[1].users.ids[0])
    view.recommend.n.setValue(30)
    view.recommend.genre.setCurrentText("Horror")
    genres = shown(view.recommend.top, "genres")
    assert len(genres) == 30
    assert all("Horror" in g.split("|") for g in genres)
    assert "in Horror" in view.recommend.heading.text()


def test_minimum_count_hides_rare_items(view, demo):
    view.recommend.picker.choose(demo[1].users.ids[0])
    view.recommend.min_count.setValue(200)
    assert min(shown(view.recommend.top, "count")) >= 200


def test_sorting_a_column_sorts_numbers_as_numbers(view, demo):
    view.recommend.picker.choose(demo[1].users.ids[0])
    view.recommend.n.setValue(40)
    column = view.recommend.top.frame_model.columns.index("count")
    view.recommend.top.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    counts = shown(view.recommend.top, "count")
    assert counts == sorted(counts, reverse=True)


def test_copy_puts_rows_on_the_clipboard(view, demo, qtbot):
    view.recommend.picker.choose(demo[1].users.ids[0])
    table = view.recommend.top
    table.selectRow(1)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:2] == ["#", "Title"]
    assert lines[1].split("\t")[:2] == ["2", table.frame_model.frame["title"].iloc[1]]
    view.recommend.copy.click()  # the button copies the selection too
    assert len(QGuiApplication.clipboard().text().splitlines()) == 2


def test_selecting_an_item_lists_the_cores_neighbours(view, demo, qtbot):
    _, fitted = demo
    view.recommend.picker.choose(fitted.users.ids[0])
    with qtbot.waitSignal(view.itemSelected) as blocker:
        view.recommend.top.selectRow(2)
    item = view.recommend.top.frame_model.item_idx(2)
    assert blocker.args == [item]
    ids, scores = Recommender(fitted).similar_items(fitted.items.ids[item], n=15)
    listed = view.neighbours.table.frame_model.frame
    assert listed["item_id"].tolist() == ids.tolist()
    np.testing.assert_allclose(listed["similarity"], scores, rtol=1e-5)
    assert fitted.item_title(item) in view.neighbours.title.text()
    assert view.map.plot.selected_mark.item_idx.tolist() == [item]
    assert sorted(view.map.plot.neighbour_marks.item_idx) == sorted(listed["item_idx"])


def test_bias_tables_match_the_core_once_their_tab_is_shown(view, demo):
    assert len(view.biases.highest.frame_model.frame) == 0  # hidden: nothing computed yet
    view.tabs.setCurrentWidget(view.biases)
    ends = bias_extremes(demo[1], 20, 20)
    assert shown(view.biases.highest, "item_id") == ends.highest["item_id"].tolist()
    assert shown(view.biases.lowest, "item_id") == ends.lowest["item_id"].tolist()
    assert min(shown(view.biases.highest, "count")) >= 20
    biases = shown(view.biases.highest, "bias")
    assert biases == sorted(biases, reverse=True)


def settled(qtbot, panel) -> np.ndarray:
    """Recommended item indices once the fold-in worker has caught up with every rating."""
    qtbot.waitUntil(lambda: not panel.is_busy() and len(panel.recommended()) > 0)
    return panel.recommended()


def fan_of(view, qtbot, genre: str, n_each: int = 5) -> list[list[str]]:
    """Five stars for a genre's most-rated items, one star for the most-rated items outside it.

    Returns the genres of the top 10 that follow. (Likes alone mostly teach fold-in "rates
    high"; a few dislikes, as a real newcomer gives, tell it which taste.)
    """
    items = view.context.items
    by_count = items.sort_values("count", ascending=False)
    has_genre = by_count["genres"].str.split("|").map(lambda gs: genre in gs)
    liked = by_count[by_count["genres"] == genre]["item_idx"].head(n_each)
    disliked = by_count[~has_genre]["item_idx"].head(n_each)
    panel = view.new_user
    panel.clear_ratings()
    for item in liked:
        panel.rate(int(item), 5.0)
    for item in disliked:
        panel.rate(int(item), 1.0)
    recommended = settled(qtbot, panel)
    assert len(recommended) == panel.n.value()
    assert not set(recommended) & (set(liked) | set(disliked))
    return [g.split("|") for g in items["genres"].to_numpy()[recommended[:10]]]


def test_new_user_who_loves_one_genre_gets_that_genre_first(view, qtbot):
    horror_fan = fan_of(view, qtbot, "Horror")
    comedy_fan = fan_of(view, qtbot, "Comedy")
    assert "Horror" in horror_fan[0]
    assert "Comedy" in comedy_fan[0]
    horror_share = sum("Horror" in g for g in horror_fan)
    assert horror_share >= 4  # Horror is about 7% of the catalogue
    assert horror_share > sum("Horror" in g for g in comedy_fan)
    view.new_user.clear.click()
    assert len(view.new_user.recommended()) == 0
    assert view.new_user.rated == {}


def test_new_user_search_and_star_buttons(view, qtbot):
    panel = view.new_user
    panel.search.setText("night visitor")
    found = panel.found.frame_model.frame
    assert len(found) > 0
    assert all("night visitor" in t.lower() for t in found["title"])
    panel.found.selectRow(0)
    panel.star_buttons[-1].click()
    assert panel.rated == {int(found["item_idx"].iloc[0]): 5.0}
    assert len(settled(qtbot, panel)) == panel.n.value()


def test_save_and_open_gives_identical_recommendations(view, demo, tmp_path, qtbot):
    from cfdesk.core.storage.model_file import load_model, save_model

    _, fitted = demo
    user = fitted.users.ids[7]
    view.recommend.picker.choose(user)
    before = view.recommend.top.frame_model.frame[["item_id", "predicted"]].copy()
    path = tmp_path / "demo.cfmodel"
    save_model(fitted, path)
    view.set_model(load_model(path))
    qtbot.waitUntil(lambda: not view.is_busy(), timeout=20_000)
    view.recommend.picker.choose(user)
    after = view.recommend.top.frame_model.frame[["item_id", "predicted"]]
    assert after["item_id"].tolist() == before["item_id"].tolist()
    np.testing.assert_allclose(after["predicted"], before["predicted"], rtol=1e-6)


def test_without_the_popularity_prior_the_list_follows_predicted_ratings(view, demo):
    view.recommend.picker.choose(demo[1].users.ids[0])
    view.recommend.n.setValue(20)
    view.recommend.prior.box.setChecked(False)
    predicted = shown(view.recommend.top, "predicted")
    assert predicted == sorted(predicted, reverse=True)
    view.recommend.prior.box.setChecked(True)
    assert shown(view.recommend.top, "predicted") != predicted
