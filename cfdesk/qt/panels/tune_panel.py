"""The Tune tab: budget and ensemble, Start/Stop, the live trial chart, importances, the best."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.runs.events import TrialOutcome, TuneSettings
from cfdesk.core.runs.search_space import BAG, ENSEMBLE, KINDS, describe
from cfdesk.qt.flow_layout import FlowLayout
from cfdesk.qt.panels.tune_charts import ImportanceChart, TrialChart
from cfdesk.qt.widgets import labelled, options_row

KIND_NAMES = {"dotbias": "Dot + biases", "autorec": "AutoRec", "nn": "Neural net",
              "dist": "Distribution", "dot": "Dot"}  # fmt: skip


def _spin(low: int, high: int, value: int, tip: str, none_text: str = "") -> QSpinBox:
    spin = QSpinBox(toolTip=tip)
    spin.setRange(low, high)
    spin.setValue(value)
    if none_text:
        spin.setSpecialValueText(none_text)
    return spin


class TunePanel(QWidget):
    """Shows a search and emits intents; TuneControl runs it."""

    startRequested = Signal()
    stopRequested = Signal()
    useBestRequested = Signal(object)  # the best trial's TrainConfig

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minutes = _spin(0, 24 * 60, 10, "Time budget; 0 = no time limit.", "no limit")
        self.minutes.setSuffix(" min")
        self.trials = _spin(0, 10_000, 0, "Trial budget; 0 = no trial limit.", "no limit")
        self.ensemble = _spin(
            1, 10, ENSEMBLE, "Blend up to K trials, chosen from all finished ones for how much "
            "each improves the blend on the validation rows (1 = the best model alone).",
        )  # fmt: skip
        self.bag = _spin(
            1, 5, BAG, "Train each chosen setting with this many seeds at the end; each seed's "
            "model joins the blend (more seeds: steadier, slower to finish).",
        )  # fmt: skip
        self.kinds = {kind: QCheckBox(KIND_NAMES[kind], checked=True) for kind in KINDS}
        self.start_button = QPushButton(
            "Start tuning", toolTip="Search settings on a validation split of the loaded data."
        )
        self.start_button.setObjectName("primary")
        self.stop_button = QPushButton(
            "Stop", toolTip="End the search now and keep the best trials so far (Esc)."
        )
        self.status = QLabel("Tune tries many settings and keeps the best (validation RMSE).")
        self.status.setWordWrap(True)
        self.progress = QProgressBar(textVisible=True)
        self.trial_chart, self.importance_chart = TrialChart(), ImportanceChart()
        self.best_label = QLabel("Best so far: none yet.", wordWrap=True)
        self.use_best = QPushButton(
            "Use the best settings", enabled=False,
            toolTip="Put the best trial's settings into the training form.",
        )  # fmt: skip
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._best: TrialOutcome | None = None
        self._t0, self._budget_s = 0.0, None
        self._layout()
        self.start_button.clicked.connect(self.startRequested)
        self.stop_button.clicked.connect(self.stopRequested)
        self.use_best.clicked.connect(self._on_use_best)
        self.set_running(False)

    def _layout(self) -> None:
        budget = FlowLayout()  # wraps in a narrow window instead of cutting the buttons' text
        for label, field in (("Budget", self.minutes), ("Trials", self.trials),
                             ("Ensemble", self.ensemble), ("Seeds", self.bag)):  # fmt: skip
            budget.addWidget(labelled(label, field))
        budget.addWidget(self.start_button)
        budget.addWidget(self.stop_button)
        kinds = options_row("Models", *self.kinds.values())
        charts = QSplitter()
        charts.addWidget(self.trial_chart)
        charts.addWidget(self.importance_chart)
        charts.setSizes([520, 380])
        best = QHBoxLayout()
        best.addWidget(self.best_label, 1)
        best.addWidget(self.use_best)
        layout = QVBoxLayout(self)
        for row in (budget, kinds):
            layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(charts, 1)
        layout.addLayout(best)

    def settings(self, seed: int) -> TuneSettings:
        """The budget and choices in the fields (0 minutes or trials: no such limit)."""
        kinds = tuple(k for k, box in self.kinds.items() if box.isChecked())
        return TuneSettings(
            minutes=self.minutes.value() or None,
            trials=self.trials.value() or None,
            ensemble=self.ensemble.value(),
            seed=seed,
            kinds=kinds,
            bag=self.bag.value(),
        )

    def set_settings(self, values: dict) -> None:
        """Show remembered choices (minutes, trials, ensemble, seeds, kinds)."""
        self.minutes.setValue(int(values.get("minutes", self.minutes.value())))
        self.trials.setValue(int(values.get("trials", self.trials.value())))
        self.ensemble.setValue(int(values.get("ensemble", self.ensemble.value())))
        self.bag.setValue(int(values.get("bag", self.bag.value())))
        for kind, box in self.kinds.items():
            box.setChecked(kind in values.get("kinds", KINDS))

    def remembered(self) -> dict:
        """The choices to remember for next time."""
        kinds = [k for k, box in self.kinds.items() if box.isChecked()]
        return {"minutes": self.minutes.value(), "trials": self.trials.value(),
                "ensemble": self.ensemble.value(), "bag": self.bag.value(),
                "kinds": kinds}  # fmt: skip

    def set_running(self, running: bool) -> None:
        """While searching, the choices are locked and only Stop is available."""
        for widget in (self.minutes, self.trials, self.ensemble, self.bag, self.start_button,
                       *self.kinds.values()):  # fmt: skip
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def start(self, settings: TuneSettings) -> None:
        """A new search: empty charts, the clock from zero."""
        self.trial_chart.clear_data()
        self.importance_chart.set_importances({})
        self._best = None
        self.best_label.setText("Best so far: none yet.")
        self.use_best.setEnabled(False)
        self._t0 = time.monotonic()
        self._budget_s = settings.minutes * 60 if settings.minutes else None
        self.progress.setRange(0, 1000 if self._budget_s else 0)
        self.progress.setValue(0)
        self.status.setText("Preparing the validation split…")
        self._clock.start()

    @Slot(object)
    def on_trial_started(self, event) -> None:
        self.status.setText(f"Trial {event.number}: {describe(event.params)}")

    @Slot(object)
    def on_trial_epoch(self, event) -> None:
        report = event.report
        self.status.setText(
            f"Trial {event.number}: epoch {report.epoch}/{report.epochs}, "
            f"validation RMSE {report.valid_rmse:.4f}"
        )

    @Slot(object)
    def on_trial_finished(self, outcome: TrialOutcome) -> None:
        """A point on the chart; a new best updates the best line."""
        self.trial_chart.add_trial(outcome.number, outcome.state, outcome.valid_rmse)
        if outcome.state == "complete" and outcome.valid_rmse == outcome.best_valid_rmse:
            self._best = outcome
            self.best_label.setText(
                f"Best so far: trial {outcome.number}, validation RMSE "
                f"{outcome.valid_rmse:.4f} — {describe(outcome.params)}"
            )
            self.use_best.setEnabled(True)

    @Slot(str)
    def on_stage(self, text: str) -> None:
        self.status.setText(text + "…")

    @Slot(object)
    def set_importances(self, importances: dict) -> None:
        self.importance_chart.set_importances(importances)

    def finish(self, message: str) -> None:
        """The search ended (finished, stopped or failed)."""
        self._clock.stop()
        self.progress.setRange(0, 1000)
        self.progress.setValue(1000)
        self.progress.setFormat(f"done in {self._elapsed_text()}")
        self.status.setText(message)

    def best(self) -> TrialOutcome | None:
        return self._best

    def _elapsed_text(self) -> str:
        seconds = int(time.monotonic() - self._t0)
        return f"{seconds // 60}:{seconds % 60:02d}"

    @Slot()
    def _tick(self) -> None:
        """Once a second: elapsed time, and the share of a time budget used."""
        text = f"{self._elapsed_text()} elapsed"
        if self._budget_s:
            share = min(1.0, (time.monotonic() - self._t0) / self._budget_s)
            self.progress.setValue(int(share * 1000))
            left = max(0, int(self._budget_s * (1 - share)))
            text += f" · about {left // 60}:{left % 60:02d} left"
        self.progress.setFormat(text)

    @Slot()
    def _on_use_best(self) -> None:
        if self._best is not None and not math.isnan(self._best.valid_rmse):
            self.useBestRequested.emit(self._best.config)
