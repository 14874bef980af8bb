"""The training settings form: a two-way binding to TrainConfig, with presets and Find LR."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QDoubleValidator, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.training.batching import effective_batch, scaled_lr
from cfdesk.core.training.device import AUTO_GPU_MIN_RATINGS
from cfdesk.qt.panels.presets import CUSTOM, PRESETS, apply_preset, as_set, matching_preset
from cfdesk.qt.widgets import VerticalScrollArea

MODELS = {
    "dotbias": "Dot product + biases",
    "dot": "Dot product",
    "nn": "Neural network",
    "dist": "Rating distribution",
    "autorec": "Item autoencoder (AutoRec)",
}
BATCHES = [2**k for k in range(3, 17)]
ACCUMS = [2**k for k in range(7)]


def _float_edit(tip: str) -> QLineEdit:
    edit = QLineEdit(toolTip=tip)
    edit.setValidator(QDoubleValidator(0.0, 100.0, 8))
    return edit


def _spin(low: int, high: int, tip: str) -> QSpinBox:
    spin = QSpinBox(toolTip=tip)
    spin.setRange(low, high)
    return spin


def _combo(items: dict, tip: str) -> QComboBox:
    """A drop-down that may get narrower than its longest entry (narrow windows)."""
    combo = QComboBox(toolTip=tip)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    for data, text in items.items():
        combo.addItem(text, data)
    return combo


class TrainingForm(QWidget):
    """Edits one TrainConfig; emits intents (train, stop, find LR), never runs anything itself."""

    trainRequested = Signal()
    stopRequested = Signal()
    findLrRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = TrainConfig()
        self._n_train: int | None = None
        self.preset = _combo(
            {name: name for name in [*PRESETS, CUSTOM]},
            "Start from a known recipe: choosing one (again) sets its values. It shows Custom "
            "once the values follow no recipe.",
        )
        custom = self.preset.model()
        assert isinstance(custom, QStandardItemModel)
        custom.item(self.preset.findData(CUSTOM)).setEnabled(False)  # shown, never chosen
        self.model = _combo(
            MODELS,
            "Dot product + biases is the usual choice; the neural network "
            "can mix tastes non-linearly but trains slower.",
        )
        self.factors = _spin(1, 1024, "How many hidden taste dimensions each user and item gets.")
        self.epochs = _spin(1, 1000, "How many full passes over the training ratings.")
        self.lr = _float_edit(
            "Peak step size of the optimizer, for the batch size in the note "
            "below; too high diverges, too low learns slowly."
        )
        self.find_lr = QPushButton(
            "Find LR",
            toolTip="Try rising learning rates on a copy of the "
            "model and suggest one where the loss falls fastest.",
        )
        self.wd = _float_edit(
            "Weight decay: pulls the factors towards zero so the model does not "
            "memorise the training ratings."
        )
        self.batch = _combo(
            {0: "Automatic", **{b: f"{b:,}" for b in BATCHES}},
            "Ratings per optimizer step; Automatic picks one from the data size. "
            "The learning rate follows it (see the note).",
        )
        self.accum = _combo(
            {a: str(a) for a in ACCUMS},
            "Gradient accumulation: each step is computed in this many smaller "
            "pieces to save memory; the result stays the same.",
        )
        self.batch_note = QLabel(wordWrap=True)
        self.valid = QDoubleSpinBox(
            toolTip="Share of ratings held back to measure validation "
            "RMSE (the error on ratings the model never saw)."
        )
        self.valid.setRange(0.01, 0.5)
        self.valid.setSingleStep(0.05)
        self.split = _combo(
            {"random": "Random", "temporal": "Latest per user"},
            "Random ratings, or each user's latest ratings (needs timestamps).",
        )
        self.device = _combo(
            {"auto": "Auto"},
            "Where training runs; Auto picks a GPU when there is one and the data has at least "
            f"{AUTO_GPU_MIN_RATINGS:,} training ratings (below that the CPU is faster), else "
            "the CPU.",
        )
        self.seed = _spin(0, 2**31 - 1, "Same seed, same split and same result on the CPU.")
        self.patience = _spin(
            0,
            100,
            "Early stopping: stop when validation RMSE has not improved for this many epochs.",
        )
        self.patience.setSpecialValueText("off")
        self.keep_best = QCheckBox(
            "Keep the best epoch",
            toolTip="On: the model kept is the epoch with the best validation RMSE. Off: the "
            "last epoch run. Without validation ratings the last epoch is kept.",
        )
        self.train_button = QPushButton("Train", toolTip="Start training (Ctrl+T or F5).")
        self.train_button.setObjectName("primary")
        self.stop_button = QPushButton(
            "Stop", toolTip="Stop now and keep the best model so far (Esc)."
        )
        self._layout()
        for combo in (self.model, self.batch, self.accum):
            combo.currentIndexChanged.connect(self._on_edited)
        for spin in (self.factors, self.epochs, self.valid):
            spin.valueChanged.connect(self._on_edited)
        for edit in (self.lr, self.wd):
            edit.textEdited.connect(self._on_edited)
        self.preset.activated.connect(self._on_preset)
        self.find_lr.clicked.connect(self.findLrRequested)
        self.train_button.clicked.connect(self.trainRequested)
        self.stop_button.clicked.connect(self.stopRequested)
        self.set_config(TrainConfig())
        self.set_running(False)

    def _layout(self) -> None:
        fields = QWidget()
        form = QFormLayout(fields)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr, 1)
        lr_row.addWidget(self.find_lr)
        rows = [
            ("Preset", self.preset),
            ("Model", self.model),
            ("Factors", self.factors),
            ("Epochs", self.epochs),
            ("Learning rate", lr_row),
            ("Weight decay", self.wd),
            ("Batch size", self.batch),
            ("Accumulation", self.accum),
            ("", self.batch_note),
            ("Validation share", self.valid),
            ("Validation rows", self.split),
            ("Device", self.device),
            ("Seed", self.seed),
            ("Early stopping", self.patience),
            ("", self.keep_best),
        ]
        for label, field in rows:
            tip = (self.lr if field is lr_row else field).toolTip()
            form.addRow(QLabel(label, toolTip=tip), field)
        self.scroll = VerticalScrollArea(fields)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 1)
        buttons.addWidget(self.stop_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)

    def _fields(self) -> tuple[QWidget, ...]:
        return (
            self.preset,
            self.model,
            self.factors,
            self.epochs,
            self.lr,
            self.find_lr,
            self.wd,
            self.batch,
            self.accum,
            self.valid,
            self.split,
            self.device,
            self.seed,
            self.patience,
            self.keep_best,
            self.train_button,
        )

    def set_devices(self, devices: list) -> None:
        """Offer each device the core found (DeviceInfo: id and display name) after Auto; the
        loaded settings' device is chosen once it is listed (GPUs are found after the CPU)."""
        current = self.device.currentData()
        if self.device.findData(self._base.device) < 0:
            current = self._base.device
        self.device.clear()
        self.device.addItem("Auto", "auto")
        for info in devices:
            self.device.addItem(info.name, info.id)
        self._select(self.device, current)

    def set_n_train(self, n_ratings: int | None) -> None:
        """The loaded data's size, so the note can say what Automatic batch size means."""
        self._n_train = n_ratings
        self._update_note()

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        combo.setCurrentIndex(max(combo.findData(value), 0))

    def set_config(self, config: TrainConfig) -> None:
        """Show a config in the fields (no change signals fire while doing it)."""
        self._base = config
        for widget in self._fields():
            widget.blockSignals(True)
        self._select(self.model, config.model)
        self.factors.setValue(config.n_factors)
        self.epochs.setValue(config.epochs)
        self.lr.setText(f"{config.lr:.3g}")
        self.wd.setText(f"{config.weight_decay:.3g}")
        self._select(self.batch, config.batch_size)
        self._select(self.accum, config.accum_steps)
        self.valid.setValue(config.valid_frac)
        self._select(self.split, config.split)
        self._select(self.device, config.device)
        self.seed.setValue(config.seed)
        self.patience.setValue(config.patience)
        self.keep_best.setChecked(config.keep_best)
        for widget in self._fields():
            widget.blockSignals(False)
        self._update_note()

    def show_trained(self, config: TrainConfig, n_train: int | None) -> None:
        """Show the settings a model was trained with (an opened model), under its preset's
        name when it follows one; `n_train` is the number of ratings it trained on."""
        self.set_config(as_set(config, n_train))
        self._show_preset(matching_preset(config, n_train))

    def config(self) -> TrainConfig:
        """The TrainConfig the fields describe (fields the form lacks keep the loaded values)."""
        return self._base.with_changes(
            model=self.model.currentData(),
            n_factors=self.factors.value(),
            epochs=self.epochs.value(),
            lr=self._number(self.lr, self._base.lr),
            weight_decay=self._number(self.wd, self._base.weight_decay),
            batch_size=self.batch.currentData(),
            accum_steps=self.accum.currentData(),
            valid_frac=round(self.valid.value(), 4),
            split=self.split.currentData(),
            device=self.device.currentData(),
            seed=self.seed.value(),
            patience=self.patience.value(),
            keep_best=self.keep_best.isChecked(),
        )

    @staticmethod
    def _number(edit: QLineEdit, fallback: float) -> float:
        try:
            return float(edit.text())
        except ValueError:
            return fallback

    @Slot(float)
    def set_lr(self, lr: float) -> None:
        """Use a learning rate (e.g. the finder's suggestion), meant for the reference batch."""
        self.lr.setText(f"{lr:.3g}")
        self._update_note()

    def set_running(self, running: bool) -> None:
        """While training, settings are locked and only Stop is available."""
        for widget in self._fields():
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _train_size(self, config: TrainConfig) -> int | None:
        return None if self._n_train is None else int(self._n_train * (1 - config.valid_frac))

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        """A chosen preset (even the one shown) sets its values; situational ones stay."""
        name = self.preset.itemData(index)
        if name in PRESETS:
            self.set_config(apply_preset(name, self.config()))

    @Slot()
    def _on_edited(self) -> None:
        self._update_note()

    def _show_preset(self, name: str) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(name))
        self.preset.blockSignals(False)

    def _update_note(self) -> None:
        """The preset's name (or Custom), and the effective batch, micro-batch and learning
        rate the trainer will really use."""
        config = self.config()
        self._show_preset(matching_preset(config, self._train_size(config)))
        try:
            batch = effective_batch(config, self._train_size(config))
        except TrainingError as exc:
            self.batch_note.setText(str(exc))
            return
        micro = max(batch // config.accum_steps, 1)
        lr = scaled_lr(config.lr, config.lr_batch, batch)
        auto = " (automatic)" if not config.batch_size else ""
        text = f"Effective batch {batch:,}{auto}"
        if config.accum_steps > 1:
            text += f" = {config.accum_steps} pieces of {micro:,}"
        if batch == config.lr_batch:
            text += f"; learning rate {config.lr:.3g} as set."
        else:
            text += (
                f"; learning rate {config.lr:.3g} is set for batch {config.lr_batch:,}, "
                f"so training uses {lr:.3g} (halve the batch, halve the rate)."
            )
        self.batch_note.setText(text)
