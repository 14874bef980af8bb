"""The learning-rate finder's curve: loss against learning rate on a log axis, suggestion marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.config import TrainConfig
from cfdesk.qt.theme import SERIES, pen, style_plot

# Settings a sweep does not depend on (the rate is what it sweeps; the rest only act later).
NOT_SWEPT = {"lr", "epochs", "schedule", "patience", "report_every", "device", "auto_fit"}
INTRO = (
    "<b>Learning-rate finder</b><br>Find LR trains a copy of the model for a few hundred steps "
    "at rising learning rates and draws its loss here. The suggestion is a tenth of the rate "
    "with the lowest loss, checked against the rate in the form."
)


class LrChart(pg.PlotWidget):
    """One curve and one vertical line; both created once and updated with setData/setValue."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        item = style_plot(self, "Learning-rate finder", "learning rate (log scale)", "loss")
        item.setLogMode(x=True, y=False)
        self._curve = item.plot(name="loss", pen=pen("train"))
        self._mark = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pen("best", 1.5, True),
            label="",
            labelOpts={"position": 0.9, "color": SERIES["best"]},
        )
        item.addItem(self._mark)
        self.clear_data()

    def clear_data(self) -> None:
        self.suggestion: float | None = None
        self.set_stale(False)
        self._curve.setData([], [])
        self.getPlotItem().setXRange(
            -6, 0
        )  # log10 of the usual sweep, so the empty axis reads well

    def set_curve(self, lrs: np.ndarray, losses: np.ndarray, suggestion: float | None) -> None:
        """Show a finished sweep; the suggestion is drawn where the loss falls fastest."""
        lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
        self.suggestion = suggestion
        self.set_stale(False)
        self._curve.setData(lrs, losses, connect="finite")
        self._mark.setVisible(suggestion is not None)
        if suggestion is not None:
            self._mark.setValue(np.log10(suggestion))
            self._mark.label.setFormat(f"suggested {suggestion:.2g}")

    def set_stale(self, stale: bool) -> None:
        """A sweep made with other settings stays visible, greyed, until the next one."""
        self._curve.setPen(pen("batch", 1.5, dashed=True) if stale else pen("train"))
        self._mark.setVisible(self.suggestion is not None and not stale)
        self.stale = stale

    def point_count(self) -> int:
        x, _ = self._curve.getData()
        return 0 if x is None else len(x)


class LrPanel(QWidget):
    """The finder's chart, its state in words, and one button to use the suggestion."""

    useRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = LrChart()
        # Words until the first sweep: an empty chart explains less, and painting it was a
        # third of the Train page's first paint (bench/bench_gui.py's run 1, docs/gui.md).
        self.intro = QLabel(INTRO, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.intro.setBackgroundRole(QPalette.ColorRole.Base)  # where the chart will be
        self.intro.setAutoFillBackground(True)
        self.intro.setMargin(24)
        self.view = QStackedWidget()
        self.view.addWidget(self.intro)
        self.view.addWidget(self.chart)
        self.status = QLabel("No sweep yet.")
        self.status.setWordWrap(True)
        self._form_lr: float | None = None
        self._swept: TrainConfig | None = None  # the settings of the sweep shown
        self.use_button = QPushButton("Use suggested", enabled=False)
        self.use_button.setToolTip("Put the suggested learning rate into the form.")
        self.use_button.clicked.connect(self._on_use)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

    def set_running(self) -> None:
        self.view.setCurrentWidget(self.chart)
        self.chart.clear_data()
        self.use_button.setEnabled(False)
        self.status.setText("Finding a learning rate…")

    @Slot(float)
    def set_progress(self, fraction: float) -> None:
        """The sweep is the first half, the check fits at both rates the second."""
        doing = "Finding a learning rate" if fraction < 0.5 else "Checking it against your rate"
        self.status.setText(f"{doing}… {fraction:.0%}")

    def set_result(
        self,
        lrs,
        losses,
        suggestion: float | None,
        form_lr: float | None = None,
        config: TrainConfig | None = None,
        check=None,
    ) -> None:
        """Show a finished sweep; `form_lr` is the suggestion rescaled to the form's batch,
        `config` the settings it was made with (a later change marks it stale) and `check` (an
        LrCheck) says whether it trained better than the form's rate."""
        self._swept = config
        self.view.setCurrentWidget(self.chart)
        self.chart.set_curve(lrs, losses, suggestion)
        ok = suggestion is not None and np.isfinite(suggestion)
        self._form_lr = (form_lr if form_lr is not None else suggestion) if ok else None
        self.use_button.setText("Use suggested")
        self.use_button.setEnabled(bool(ok))
        if not ok:
            self.status.setText("No clear suggestion: the loss never fell steadily.")
            return
        rescaled = (
            "" if self._form_lr == suggestion else f" (= {self._form_lr:.2g} as set in the form)"
        )
        if check is not None and check.keeps_current:
            self.use_button.setText(f"Use {self._form_lr:.2g} anyway")
            self.status.setText(
                f"The curve suggests {suggestion:.2g}{rescaled}, but your rate "
                f"{check.current_lr:.3g} trained better on held-out rows (RMSE "
                f"{check.current_rmse:.4f} against {check.suggested_rmse:.4f}): keep it."
            )
            return
        self.use_button.setText(f"Use {self._form_lr:.2g}")
        figures = (
            ""
            if check is None
            else f" It trained better than your rate {check.current_lr:.3g} on held-out rows "
            f"(RMSE {check.suggested_rmse:.4f} against {check.current_rmse:.4f})."
        )
        self.status.setText(f"Suggested learning rate {suggestion:.2g}, marked{rescaled}.{figures}")

    def note_settings(self, config: TrainConfig) -> None:
        """The form changed: a sweep made with other settings no longer describes this run."""
        if self._swept is None or self.chart.stale:
            return
        changed = [
            name.replace("_", " ")
            for name in vars(config)
            if name not in NOT_SWEPT and getattr(config, name) != getattr(self._swept, name)
        ]
        if changed:
            self.mark_stale(f"{', '.join(changed)} changed")

    @Slot()
    def data_changed(self) -> None:
        """Other ratings were loaded: the sweep was made on the old ones."""
        if self._swept is not None:
            self.mark_stale("other ratings were loaded")

    def mark_stale(self, why: str) -> None:
        """Grey the old curve, drop its suggestion and say why."""
        self.chart.set_stale(True)
        self.use_button.setEnabled(False)
        self._form_lr = None
        self.status.setText(f"Out of date ({why} since this sweep): press Find LR again.")

    @Slot()
    def _on_use(self) -> None:
        if self._form_lr is not None:
            self.useRequested.emit(self._form_lr)
