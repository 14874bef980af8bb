"""Results-view timings on a MovieLens-25M-sized model (162,541 users × 59,047 items, CPU).

    QT_QPA_PLATFORM=offscreen python bench/bench_map.py [--users N] [--items N] [--repeat N]

Prints JSON: map draw (all items, first paint), hover answer, recolour, and the recommendation
table update after a user is chosen. Figures go into docs/gui-results.md. Timings are noisy on a
shared machine: quote medians.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from bench_results import synthetic  # the same random-factor model the export benchmark uses
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from cfdesk.core.data.items import ItemTable
from cfdesk.core.results.context import ResultsContext
from cfdesk.qt.results import ResultsView
from cfdesk.qt.results.map.panel import build_map

GENRES = ("Drama", "Comedy", "Action", "Thriller", "Romance", "Horror", "Sci-Fi", "Crime",
          "Documentary", "Animation", "Fantasy", "Musical", "War", "Western")  # fmt: skip


def with_genres(fitted: object, seed: int = 0) -> object:
    """Give every item one to three random genres, so genre colouring has real work to do."""
    rng = np.random.default_rng(seed)
    genres = tuple(
        tuple(rng.choice(GENRES, size=rng.integers(1, 4), replace=False).tolist())
        for _ in range(fitted.n_items)
    )
    fitted.item_table = ItemTable(fitted.item_table.titles, genres)
    return fitted


def ms(seconds: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(1000 * float(np.median(seconds)), 2),
        "p90_ms": round(1000 * float(np.quantile(seconds, 0.9)), 2),
    }


def timed(func: object, *args: object) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def run(n_users: int, n_items: int, repeat: int) -> dict:
    app = QApplication.instance() or QApplication([])
    fitted = with_genres(synthetic(n_users, n_items, min(25_000_000, n_users * 150)))
    view = ResultsView()
    view.resize(1290, 860)
    view.show()
    result: dict[str, object] = {"users": n_users, "items": n_items}
    start = time.perf_counter()
    result["set_model_ui_thread_s"] = round(timed(view.set_model, fitted), 4)
    while view.is_busy():  # tables, then the PCA, each in a worker
        app.processEvents()
        time.sleep(0.02)  # few calls: PySide6 6.12 drops a None reference per void call
    result["results_ready_s"] = round(time.perf_counter() - start, 3)
    result["context_build_worker_s"] = round(timed(ResultsContext.build, fitted), 3)
    app.processEvents()
    result["map_pca_worker_s"] = round(timed(build_map, view.context), 3)
    item_map = build_map(view.context)
    panel, plot = view.map, view.map.plot
    view.tabs.setCurrentWidget(panel)
    app.processEvents()
    draws = []
    for _ in range(repeat):
        start = time.perf_counter()
        panel._on_map(item_map)  # what the worker's result triggers: points, colours, labels
        plot.viewport().repaint()  # the first paint of every point
        draws.append(time.perf_counter() - start)
    result["map_draw_all_items"] = ms(draws)
    result["map_points"] = len(plot.scatter.data)
    recolours = []
    for key in ("bias", "count", "mean", "genre") * max(1, repeat // 4):
        box = panel.color_by
        start = time.perf_counter()
        box.setCurrentIndex(box.findData(key))
        plot.viewport().repaint()
        recolours.append(time.perf_counter() - start)
    result["map_recolour"] = ms(recolours)
    rng = np.random.default_rng(1)
    hovers, repaints = [], []
    for item in rng.choice(n_items, size=60, replace=False):
        scene = plot.view.mapViewToScene(QPointF(plot.x[item], plot.y[item]))
        start = time.perf_counter()
        plot._on_mouse_moved(scene)  # find the point under the pointer, fill and place the card
        app.processEvents()  # Qt repaints what changed (the old and the new card)
        hovers.append(time.perf_counter() - start)
        repaints.append(timed(plot.viewport().repaint))
    result["hover_answer_and_card_paint"] = ms(hovers)
    result["full_map_repaint"] = ms(repaints)
    view.tabs.setCurrentWidget(view.recommend)
    app.processEvents()
    table = view.recommend.top
    updates, searches = [], []
    users = fitted.users.ids[rng.choice(n_users, size=40, replace=False)]
    view.recommend.show_user(users[0])  # first call builds the recommender's cached offsets
    for user in users[1:]:
        start = time.perf_counter()
        view.recommend.show_user(user)
        table.viewport().repaint()
        updates.append(time.perf_counter() - start)
        searches.append(timed(view.recommend.picker.users.set_filter, str(user)[:3]))
    result["recommendation_table_update"] = ms(updates)
    result["user_search_filter"] = ms(searches)
    result["load_average"] = os.getloadavg()[0]
    view.shutdown()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=162_541)
    parser.add_argument("--items", type=int, default=59_047)
    parser.add_argument("--repeat", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.users, args.items, args.repeat), indent=1))


if __name__ == "__main__":
    main()
