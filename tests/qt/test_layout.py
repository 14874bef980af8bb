"""Every page fits the smallest supported window (1024×700) and the usual one (1280×800): no
sideways scrolling, nothing past the window's edge, no button's text cut, Train / Stop / Find LR
fully in view."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QScrollArea, QWidget

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.training.trainer import fit
from cfdesk.qt.main_window import PAGES
from cfdesk.qt.window_geometry import MINIMUM, clamped

SIZES = [(1024, 700), (1280, 800)]


@pytest.fixture
def window(qtbot, make_window, planted):
    """A window with a trained model on the Results page's panels and its message bar shown."""
    window = make_window()
    ratings = ratings_from_raw(
        planted["user_ids"], planted["item_ids"], planted["ratings"], None, "planted"
    )
    window.set_model(fit(ratings, TrainConfig(device="cpu", epochs=2)), "m", unsaved=True)
    qtbot.waitUntil(lambda: not window.results.is_busy(), timeout=30_000)
    window.results.source_bar.show_message(  # as for a reopened model whose ratings are elsewhere
        "This model was trained on ratings.csv (/home/someone/data/movielens/latest-small). "
        "Load it to see each user's own ratings beside the recommendations.",
        "Load ratings",
    )
    window.show()
    return window


def _scroller(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area whose viewport holds `widget` (None when there is none)."""
    parent = widget.parentWidget()
    while parent is not None:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent:
            return grand
        parent = grand
    return None


def _problems(window) -> list[str]:
    """What does not fit on the page shown now. Table cells, text and chart scenes are clipped
    by their own views; a page inside a scroll area may run below the window, never past its
    sides."""
    found = []
    frame = window.rect()
    for area in window.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().isVisible():
            found.append(f"{type(area.widget()).__name__} scrolls sideways")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow():
            continue
        scroller = _scroller(widget)
        if scroller is not None and not isinstance(scroller, QScrollArea):
            continue
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        inside = (
            frame.left() <= rect.left() and rect.right() <= frame.right()
            if scroller is not None
            else frame.contains(rect)
        )
        if not inside:
            found.append(f"{type(widget).__name__} {widget.objectName()} ends at {rect.right()}")
        if isinstance(widget, QAbstractButton) and widget.width() < widget.sizeHint().width():
            found.append(f"{type(widget).__name__} {widget.text()!r} cut to {widget.width()} px")
    for chart in window.findChildren(pg.PlotWidget):
        plot = chart.getPlotItem()
        if chart.isVisible() and plot.geometry().width() > chart.width() + 1:
            found.append(f"{type(chart).__name__} drawn {plot.geometry().width():.0f} px wide")
    return found


def _fully_shown(button: QWidget) -> bool:
    return button.isVisible() and button.visibleRegion().boundingRect() == button.rect()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_without_sideways_scrolling(qtbot, window, size):
    window.resize(*size)
    assert (window.width(), window.height()) == size
    views = [(page, None) for page in PAGES if page != "Results"]
    views += [("Results", tab) for tab in range(window.results.tabs.count())]
    for page, tab in views:
        window.show_page(page)
        if tab is not None:
            window.results.tabs.setCurrentIndex(tab)
        qtbot.wait(50)
        assert _problems(window) == [], (page, tab)
    window.show_page("Train")
    window.train_modes.setCurrentWidget(window.tune_panel)
    window.tune_panel.set_running(True)  # as mid-search: a trial's settings in the status line
    window.tune_panel.status.setText(
        "Trial 8: nn, 185 factors, lr 0.00265, decay 0.331, 20 epochs, batch 2048, layers 256x128"
    )
    qtbot.wait(50)
    assert _problems(window) == [], "Tune"
    window.train_modes.setCurrentWidget(window.monitor)
    qtbot.wait(50)
    for button in (window.form.train_button, window.form.stop_button, window.form.find_lr):
        assert _fully_shown(button), button.text()


def test_tab_through_the_form_never_scrolls_it_sideways(qtbot, window):
    window.resize(1024, 700)
    window.show_page("Train")
    window.activateWindow()
    window.form.preset.setFocus()
    for _ in range(20):
        qtbot.keyClick(window.focusWidget(), "\t")
        assert window.form.scroll.horizontalScrollBar().value() == 0
    qtbot.wait(50)
    assert _problems(window) == []


def test_dialogs_fit_the_smallest_window(window):
    for dialog in (window.show_about(), window.results.open_export_dialog()):
        hint = dialog.sizeHint()
        assert hint.width() <= MINIMUM.width() and hint.height() <= MINIMUM.height()
        dialog.close()


def test_a_remembered_window_bigger_than_the_screen_is_shrunk_onto_it():
    screen = QRect(0, 0, 1280, 800)
    rect = clamped(QRect(900, -50, 1920, 1200), screen, MINIMUM)
    assert screen.contains(rect.adjusted(0, 0, 16, 48))  # room left for the frame
    assert rect.width() >= MINIMUM.width() and rect.height() >= MINIMUM.height()


def test_the_window_opens_no_smaller_than_1024x700_when_the_screen_allows(make_window):
    window = make_window()
    screen = window.screen().availableGeometry().size()
    assert window.minimumSize() == MINIMUM.boundedTo(screen)
    assert window.width() <= screen.width() and window.height() <= screen.height()
