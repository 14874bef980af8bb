"""The training status line: new text repaints it alone, never the window's layouts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cfdesk.qt.status_line import MAX_LINES, StatusLine


class _LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _in_panel(qtbot, line: QWidget, width: int = 400) -> QWidget:
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.addWidget(QLabel("above"))
    layout.addWidget(line)
    panel.resize(width, 200)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(20)
    return panel


def _updates(qtbot, line) -> None:
    for step in range(5):
        line.setText(f"Training… smoothed batch loss {0.9 - step / 100:.4f}, rate {step + 1}e-3")
        qtbot.wait(10)


def test_new_text_reaches_no_layout(qtbot):
    label = QLabel("Preparing…", wordWrap=True)
    panel = _in_panel(qtbot, label)
    requests = _LayoutRequests(panel)
    _updates(qtbot, label)
    assert requests.count > 0  # what a QLabel does: the case this widget is for

    line = StatusLine("Preparing…")
    other = _in_panel(qtbot, line)
    requests = _LayoutRequests(other)
    _updates(qtbot, line)
    assert requests.count == 0
    assert line.text().startswith("Training… smoothed batch loss 0.8600")
    assert panel.isVisible() and other.isVisible()


def test_long_text_wraps_then_elides_with_the_whole_in_the_tooltip(qtbot):
    line = StatusLine("short")
    panel = _in_panel(qtbot, line, width=400)
    one_line = line.height()
    assert one_line == line.fontMetrics().lineSpacing()

    line.setText("Stopped: kept epoch 4 of 15, the best validation RMSE so far (0.9123).")
    qtbot.waitUntil(lambda: line.height() == 2 * one_line)
    assert line.toolTip() == ""

    title = "<b>Bold</b> " + "a long title from the user's file " * 10
    line.setText(title)
    assert len(line._lines) == MAX_LINES
    assert line._lines[-1].endswith("…")
    assert "&lt;b&gt;Bold&lt;/b&gt;" in line.toolTip()  # escaped: words, never markup
    assert line.text() == title

    line.setText("short again")
    qtbot.waitUntil(lambda: line.height() == one_line)
    assert panel.isVisible()


def test_it_paints_its_text(qtbot):
    line = StatusLine("Set up the model on the left, then press Train.")
    panel = _in_panel(qtbot, line)
    image = line.grab().toImage()
    background = image.pixelColor(image.width() - 1, image.height() - 1)
    painted = {
        image.pixelColor(x, y).name()
        for x in range(0, min(image.width(), 200), 2)
        for y in range(image.height())
    }
    assert len(painted - {background.name()}) > 0
    assert panel.isVisible()
