"""Render the Results page of the real app to docs/screenshots/results-*.png (Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_results.py [--dark] [--model FILE NAME]

Names follow scripts/screenshots.py (-WxH for other screen sizes, -dark).

Trains the demo data for a few epochs in a throw-away settings folder, then shows
recommendations with neighbours, item biases, a new user, the map (genre colours, labels and
a hover card), the export dialog, and the same model saved and opened again (the offer to load
its ratings, its training curves). The hover card is drawn inside the map, so no pointer or
window manager is needed. `--model FILE NAME` instead opens a saved model (e.g. one trained by
`cfdesk train --distributed`) and shoots its recommendations as NAME.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QCursor, QImage
from screenshots import center, load_demo, make_app, open_window, pump, shot_path, wait_until
from screenshots import shoot as shoot_screen

from cfdesk.qt.main_window import MainWindow

EPOCHS = 8
MAX_BYTES = 300 * 1024  # the README's budget per image


def shoot(name: str) -> None:
    """The whole screen; a busy map goes to a 256-colour palette to stay under MAX_BYTES."""
    shoot_screen(name)
    path = shot_path(name)
    for dither in (Qt.ImageConversionFlag.AutoColor, Qt.ImageConversionFlag.ThresholdDither):
        if path.stat().st_size <= MAX_BYTES:
            break
        image = QImage(str(path)).convertToFormat(QImage.Format.Format_Indexed8, dither)
        image.save(str(path), "PNG")
        print(f"  {path.name}: {path.stat().st_size // 1024} KB with a 256-colour palette")


def train_demo(window: MainWindow) -> None:
    load_demo(window)
    window.form.set_config(window.form.config().with_changes(epochs=EPOCHS))
    window.training.start()
    wait_until(lambda: not window.training.is_running() and window.fitted is not None)
    window.show_page("Results")
    wait_until(lambda: not window.results.is_busy())


def hover(plot: object, item: int) -> None:
    """Put the real pointer on an item, so the map shows its hover card as for a user."""
    scene = plot.view.mapViewToScene(QPointF(plot.x[item], plot.y[item]))
    QCursor.setPos(plot.viewport().mapToGlobal(plot.mapFromScene(scene)))
    pump(0.3)
    plot._on_mouse_moved(scene)


def show_recommendations(view) -> None:
    """Recommendations for an active user, with the neighbours of their top pick alongside."""
    fitted = view.context.fitted
    view.recommend.picker.choose(fitted.users.ids[int(np.argsort(-fitted.user_count)[40])])
    view.recommend.top.selectRow(0)


def shoot_results(window: MainWindow) -> None:
    view = window.results
    items = view.context.items
    show_recommendations(view)
    view.recommend.top.setFocus()
    shoot("results-recommendations")
    view.tabs.setCurrentWidget(view.biases)
    view.biases.highest.selectRow(0)
    shoot("results-biases")
    # A newcomer who loves animation and dislikes horror.
    view.tabs.setCurrentWidget(view.new_user)
    by_count = items.sort_values("count", ascending=False)
    for item in by_count[by_count["genres"] == "Animation"]["item_idx"].head(4):
        view.new_user.rate(int(item), 5.0)
    for item in by_count[by_count["genres"] == "Horror"]["item_idx"].head(3):
        view.new_user.rate(int(item), 1.0)
    wait_until(lambda: not view.new_user.is_busy())
    view.new_user.search.setText("paper moon")
    view.new_user.found.selectRow(0)
    view.new_user.recs.selectRow(0)
    shoot("results-new-user")
    # The map: genre colours, labels, the neighbours of one item, a hover card on another.
    view.tabs.setCurrentWidget(view.map)
    pump(0.5)
    plot = view.map.plot
    chosen = int(by_count["item_idx"].iloc[3])
    view.select_item(chosen)
    hover(plot, int(view.neighbour_items()[0]))
    shoot("results-map")
    view.map.color_by.setCurrentIndex(view.map.color_by.findData("bias"))
    plot.show_card(-1)
    view.map.search.setText("night")
    shoot("results-map-bias-search")
    view.map.search.clear()
    view.map.color_by.setCurrentIndex(view.map.color_by.findData("genre"))
    dialog = view.open_export_dialog()
    center(dialog)
    shoot("results-export")
    dialog.close()


def shoot_reopened(window: MainWindow) -> None:
    """Save the model, start afresh and open it: the bar offers its ratings; curves come back."""
    path = Path(tempfile.mkdtemp(prefix="cfdesk-shots-")) / "demo.cfmodel"
    window.files.save_model(str(path))
    wait_until(lambda: path.exists() and not window.files.is_busy())
    window.unsaved = False
    window.ratings = None
    window.results.set_ratings(None)
    window.files.open_model(str(path))
    wait_until(lambda: not window.files.is_busy() and not window.results.is_busy())
    view = window.results
    view.tabs.setCurrentWidget(view.recommend)
    view.recommend.picker.choose(view.context.fitted.users.ids[3])
    shoot("results-reopened")
    window.show_page("Train")
    shoot("results-reopened-curves")


def shoot_saved_model(window: MainWindow, path: str, name: str) -> None:
    """Open a model file as File → Open model does, and show an active user's recommendations."""
    window.files.open_model(path)
    wait_until(lambda: window.fitted is not None)
    wait_until(lambda: not window.results.is_busy())
    show_recommendations(window.results)
    shoot(name)


def main() -> int:
    _app = make_app(sys.argv)
    window = open_window()
    if "--model" in sys.argv:
        at = sys.argv.index("--model")
        shoot_saved_model(window, sys.argv[at + 1], sys.argv[at + 2])
        window.close()
        return 0
    train_demo(window)
    shoot_results(window)
    shoot_reopened(window)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
