"""Export recommendations, projector embeddings or map coordinates in a worker, with cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.atomic import Cancelled, Progress, ShouldStop
from cfdesk.core.results.context import ResultsContext
from cfdesk.core.results.projection import item_map
from cfdesk.core.storage.embeddings import export_map, export_projector
from cfdesk.core.storage.export import export_recommendations
from cfdesk.qt import dialogs
from cfdesk.qt.file_dialogs import folder_name, save_file_name
from cfdesk.qt.results.prior_control import PriorControl
from cfdesk.qt.settings import AppSettings
from cfdesk.qt.tasks import BackgroundTask
from cfdesk.qt.widgets import spin

KINDS = {
    "recommendations": ("Top-N recommendations (CSV)", "recommendations.csv"),
    "projector": ("Item embeddings for the TensorBoard projector (folder)", "projector"),
    "map": ("Map coordinates, PC1–PC3 (CSV)", "item-map.csv"),
}
PROGRESS_STEPS = 1000


def write_map(context: ResultsContext, path: str, progress: Progress, should_stop: ShouldStop):
    """The PCA map table as CSV (the PCA itself is quick; the write is atomic)."""
    factors = int(context.fitted.module.item_embeddings().shape[1])
    result = item_map(context.fitted, n_components=min(3, factors))
    progress(0.5)
    return export_map(result, path)


class ExportDialog(QDialog):
    """One export at a time; Cancel stops at the next batch and leaves no file behind."""

    exportFinished = Signal(object)  # what the core returned, or the error
    batch_size: int | None = None  # users per batch (None: the recommender's own choice)

    def __init__(self, context: ResultsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export results")
        self.context = context
        self.settings = AppSettings()
        self.task = BackgroundTask(self)
        self._outcome: object = None
        self.kinds = QButtonGroup(self)
        kind_box = QVBoxLayout()
        for key, (label, _) in KINDS.items():
            button = QRadioButton(label)
            button.setProperty("kind", key)
            self.kinds.addButton(button)
            kind_box.addWidget(button)
        self.kinds.buttons()[0].setChecked(True)
        n_users = context.fitted.n_users
        self.all_users = QRadioButton(f"All {n_users:,} users", checked=True)
        self.some_users = QRadioButton("These users:")
        self.user_ids = QLineEdit(placeholderText="ids separated by commas, e.g. 1, 42, 305")
        self.n = spin(1, 1000, 10)
        self.n.setMaximumWidth(90)
        self.exclude = QCheckBox("Hide items each user rated", checked=True)
        self.prior = PriorControl(floor=context.recommender.liked_floor or 0.0)
        self.ranking_note = QLabel()
        self.ranking_note.setObjectName("caption")
        self.ranking_note.setWordWrap(True)
        self.path = QLineEdit()
        self.browse = QPushButton("Browse…")
        self.progress = QProgressBar(visible=False)
        self.progress.setRange(0, PROGRESS_STEPS)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.start_button = QPushButton("Export")
        self.start_button.setObjectName("primary")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("Close")
        self._build_layout(kind_box)
        self.kinds.buttonToggled.connect(self._on_kind)
        self.browse.clicked.connect(self._on_browse)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.user_ids.textEdited.connect(self._on_ids_edited)
        self.prior.changed.connect(self._on_prior)
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._on_succeeded)
        self.task.failed.connect(self._on_failed)
        self.task.busyChanged.connect(self._on_busy)
        self._on_kind()
        self._on_prior()

    def _build_layout(self, kind_box: QVBoxLayout) -> None:
        users = QHBoxLayout()
        users.addWidget(self.all_users)
        users.addWidget(self.some_users)
        users.addWidget(self.user_ids, 1)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Export", kind_box)
        form.addRow("Users", users)
        form.addRow("Items per user", self.n)
        form.addRow("", self.exclude)
        form.addRow("Order by", self.prior)
        form.addRow("", self.ranking_note)
        form.addRow("Save to", where)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        heading = QLabel("Export results")
        heading.setObjectName("heading")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)

    def kind(self) -> str:
        return str(self.kinds.checkedButton().property("kind"))

    def set_selected_users(self, user_ids: list[object]) -> None:
        """Prefill 'these users' with the user(s) chosen in the results view."""
        self.user_ids.setText(", ".join(str(u) for u in user_ids))

    def chosen_users(self) -> list[str] | None:
        if self.all_users.isChecked():
            return None
        return [part.strip() for part in self.user_ids.text().split(",") if part.strip()]

    def _update_enabled(self) -> None:
        recs = self.kind() == "recommendations"
        widgets = (self.all_users, self.some_users, self.user_ids, self.n, self.exclude, self.prior)
        for widget in widgets:
            widget.setEnabled(recs and not self.task.is_busy())

    @Slot()
    def _on_kind(self) -> None:
        self._update_enabled()
        name = KINDS[self.kind()][1]
        self.path.setText(str(Path(self.settings.last_dir()) / name))

    @Slot()
    def _on_prior(self) -> None:
        """Say how the file will be ordered and what its score and ranking columns will hold."""
        ranker = self.context.ranker(self.prior.weight())
        self.ranking_note.setText(
            f"Each row gets score = {ranker.score_formula} (what orders the list) and "
            f"ranking = “{ranker.ranking}”."
        )

    @Slot()
    def _on_browse(self) -> None:
        current = self.path.text()
        if self.kind() == "projector":
            path = folder_name(self, "Folder for the projector files", current)
        else:
            path = save_file_name(self, "Export to", current, "CSV files (*.csv)")
        if path:
            self.path.setText(path)

    @Slot()
    def start(self) -> None:
        """Run the chosen export in the background."""
        path = self.path.text().strip()
        if not path or self.task.is_busy():
            return
        kind, run = self.kind(), self.task.run
        hooks = {"progress": self.task.report_progress, "should_stop": self.task.stop_requested}
        users = self.chosen_users()
        if kind == "recommendations":
            run(
                export_recommendations,
                self.context.ranker(self.prior.weight()),
                path,
                n=self.n.value(),
                user_ids=users,
                exclude_seen=self.exclude.isChecked(),
                batch_size=self.batch_size,
                **hooks,
            )
        elif kind == "projector":
            run(export_projector, self.context.fitted, path, **hooks)
        else:
            run(write_map, self.context, path, **hooks)
        self.settings.set_last_dir(Path(path).parent if kind != "projector" else Path(path))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.result.setText("Exporting…")
        self._set_running(True)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")
        for button in self.kinds.buttons():
            button.setEnabled(not running)
        self.path.setEnabled(not running)
        self.browse.setEnabled(not running)
        self._update_enabled()

    @Slot(str)
    def _on_ids_edited(self, _text: str) -> None:
        self.some_users.setChecked(True)

    @Slot()
    def _on_cancel(self) -> None:
        if self.task.is_busy():
            self.task.cancel()
            self.result.setText("Cancelling…")
        else:
            self.close()

    @Slot(float)
    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(int(fraction * PROGRESS_STEPS))

    @Slot(object)
    def _on_succeeded(self, value: object) -> None:
        self._outcome = value
        self.progress.setValue(PROGRESS_STEPS)
        self.result.setText(_summary(value))

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self._outcome = exc
        self.progress.setValue(0)
        if isinstance(exc, Cancelled):
            self.result.setText("Cancelled. No file was written.")
        else:
            self.result.setText("The export failed; nothing was written.")
            dialogs.show_error(self, exc)

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        """The worker has ended: controls come back and listeners hear the outcome."""
        if not busy:
            self._set_running(False)
            self.exportFinished.emit(self._outcome)

    def closeEvent(self, event: object) -> None:
        """Closing mid-export cancels it (the worker ends at its next batch)."""
        self.task.wait()
        super().closeEvent(event)


def _summary(value: object) -> str:
    rows = getattr(value, "rows", None)
    if hasattr(value, "vectors"):
        return (
            f"Wrote {value.vectors.name} and {value.metadata.name} ({rows:,} items) to "
            f"{value.vectors.parent}. Load both at projector.tensorflow.org."
        )
    if rows is not None and hasattr(value, "users"):
        return (
            f"Wrote {rows:,} rows for {value.users:,} users to {value.path} "
            f"in {value.seconds:.1f} s."
        )
    return f"Wrote {value}."
