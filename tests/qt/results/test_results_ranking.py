"""Every results list says what orders it: the Score column, the prior control, the export's
columns and the New-user tab all follow one remembered choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from cfdesk.qt.results import ResultsView
from tests.qt.results.test_results_export import run
from tests.qt.results.test_results_recommend import settled, shown

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's remark


def score_hidden(table) -> bool:
    return table.isColumnHidden(table.frame_model.columns.index("score"))


def test_the_list_is_ordered_by_the_score_it_shows(view, demo):
    fitted = demo[1]
    panel = view.recommend
    floor = view.context.recommender.liked_floor
    for user in (2, int(np.argmax(fitted.user_count))):  # 20+ liked unseen items; only a few
        panel.picker.choose(fitted.users.ids[user])
        panel.n.setValue(20)
        scores, predicted = np.array(shown(panel.top, "score")), shown(panel.top, "predicted")
        liked = np.array(predicted) >= floor
        assert not score_hidden(panel.top)
        assert list(liked) == sorted(liked, reverse=True)  # liked items first, then the rest
        assert list(scores[liked]) == sorted(scores[liked], reverse=True)
        rest = [p for p, keep in zip(predicted, liked, strict=True) if not keep]
        assert rest == sorted(rest, reverse=True)  # the rest by predicted rating, as the note says
    assert f"predicted below {floor:g} follow, by predicted rating" in panel.note.text()
    panel.picker.choose(fitted.users.ids[2])
    scores, predicted = shown(panel.top, "score"), shown(panel.top, "predicted")
    assert predicted != sorted(predicted, reverse=True)  # the prior is what reorders them
    counts = np.array(shown(panel.top, "count"), dtype=float)
    assert np.all(np.array(scores) > 1.5 * np.log1p(counts))  # score includes the prior
    tip = panel.top.frame_model.headerData(3, Qt.Orientation.Horizontal, Qt.ToolTipRole)
    assert tip == "What orders this list: raw model score + 1.5 × ln(1 + ratings)."
    assert "Score = raw model score + 1.5 × ln(1 + ratings)" in panel.note.text()


def test_the_weight_is_adjustable_and_off_means_by_predicted_rating(view, demo):
    panel = view.recommend
    panel.picker.choose(demo[1].users.ids[2])
    panel.n.setValue(15)
    before = shown(panel.top, "item_id")
    panel.prior.weight_box.setValue(6.0)
    heavy_counts = shown(panel.top, "count")
    assert shown(panel.top, "item_id") != before
    assert np.median(heavy_counts) >= np.median(shown(panel.top, "count"))
    assert "6 × ln" in panel.note.text()
    panel.prior.box.setChecked(False)
    assert score_hidden(panel.top)
    assert not panel.prior.weight_box.isEnabled()
    assert "Ordered by predicted rating" in panel.note.text()
    predicted = shown(panel.top, "predicted")
    assert predicted == sorted(predicted, reverse=True)


def test_the_new_user_tab_ranks_the_same_way_and_shares_the_choice(view, qtbot):
    new_user = view.new_user
    items = view.context.items.sort_values("count", ascending=False)["item_idx"]
    for item, stars in zip(items[:6], (5, 5, 4, 1, 2, 5), strict=True):
        new_user.rate(int(item), float(stars))
    settled(qtbot, new_user)
    scores = shown(new_user.recs, "score")
    assert not score_hidden(new_user.recs) and scores == sorted(scores, reverse=True)
    view.recommend.prior.box.setChecked(False)  # the other tab's control
    assert new_user.prior.state() == (False, 1.5)
    qtbot.waitUntil(lambda: not new_user.is_busy() and score_hidden(new_user.recs))
    qtbot.waitUntil(lambda: shown(new_user.recs, "predicted") != [] and not new_user.is_busy())
    predicted = shown(new_user.recs, "predicted")
    assert predicted == sorted(predicted, reverse=True)
    assert "Ordered by predicted rating" in new_user.note.text()


def test_the_choice_is_remembered_by_the_next_window(view, demo, qtbot):
    view.recommend.prior.weight_box.setValue(2.5)
    view.new_user.prior.box.setChecked(False)
    again = ResultsView()
    qtbot.addWidget(again)
    assert again.recommend.prior.state() == again.new_user.prior.state() == (False, 2.5)
    again.shutdown()


def test_the_export_uses_the_choice_shown_and_names_it_in_the_file(view, demo, tmp_path, qtbot):
    view.recommend.prior.weight_box.setValue(3.0)
    dialog = view.open_export_dialog()
    assert dialog.prior.state() == (True, 3.0)
    assert "ranking = “popular-prior w=3”" in dialog.ranking_note.text()
    dialog.path.setText(str(tmp_path / "prior.csv"))
    run(dialog, qtbot)
    dialog.prior.box.setChecked(False)
    assert "score = predicted rating" in dialog.ranking_note.text()
    dialog.path.setText(str(tmp_path / "plain.csv"))
    run(dialog, qtbot)
    prior, plain = pd.read_csv(tmp_path / "prior.csv"), pd.read_csv(tmp_path / "plain.csv")
    assert set(prior["ranking"]) == {"popular-prior w=3"}
    assert set(plain["ranking"]) == {"predicted"}
    np.testing.assert_allclose(plain["score"], plain["predicted_rating"])
    assert prior["item_id"].tolist() != plain["item_id"].tolist()


def test_the_heading_and_the_favourites_count_the_same_ratings(view, demo):
    ratings, fitted = demo
    user = fitted.users.ids[5]
    view.recommend.picker.choose(user)
    rated = int((ratings.user_idx == ratings.users.index_of(user)).sum())
    trained = int(fitted.user_count[fitted.users.index_of(user)])
    assert f"rated {rated:,} items ({trained:,} trained on" in view.recommend.heading.text()
    assert f"of their {rated:,} ratings" in view.recommend.own_heading.text()
