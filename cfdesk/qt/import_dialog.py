"""Confirm how a ratings file will be read: preview, column roles, and the item-metadata file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.data.loader.careful import row_problem
from cfdesk.qt.file_dialogs import open_file_name

ROLES = ("user", "item", "rating", "timestamp")
BAD_CELL = QColor(220, 38, 38, 70)  # the stylesheet's "problem" red, see-through on any theme
ROLE_TIPS = {
    "user": "The column that says who rated.",
    "item": "The column that says what was rated.",
    "rating": "The column with the rating value (stars, score).",
    "timestamp": "When the rating was given; optional, needed for a 'latest per user' split.",
}


@dataclass(frozen=True)
class ImportChoices:
    """What the user confirmed: column (index or name) per role, the metadata file (False: none)
    and whether rows that cannot be read are skipped (and reported) instead of stopping."""

    path: Path
    roles: dict[str, int | str | None]
    items: Path | bool
    skip_bad_rows: bool = False


class ImportDialog(QDialog):
    """Shows what the loader detected (FileFormat) and lets the user change it before loading."""

    def __init__(self, fmt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Open {Path(fmt.path).name}")
        self.resize(860, 560)
        self._fmt = fmt
        self._items: Path | bool = fmt.item_file if fmt.item_file else False
        header = "a header row" if fmt.has_header else "no header row"
        compression = (
            f", {fmt.compression} compressed" if fmt.compression not in ("", None, "none") else ""
        )
        found = QLabel(
            f"<b>{Path(fmt.path).name}</b>: {fmt.separator_name} separated, {fmt.encoding}, "
            f"{header}{compression}. Check the columns below, then press Load."
        )
        found.setWordWrap(True)
        self.preview = QTableWidget(len(fmt.preview), len(fmt.columns))
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for r, row in enumerate(fmt.preview):
            for c, value in enumerate(row[: len(fmt.columns)]):
                self.preview.setItem(r, c, QTableWidgetItem(str(value)))
        self.role_boxes: dict[str, QComboBox] = {}
        form = QFormLayout()
        for role in ROLES:
            box = QComboBox(toolTip=ROLE_TIPS[role])
            if role == "timestamp":
                box.addItem("(none)", None)
            for index, name in enumerate(fmt.columns):
                box.addItem(str(name), index)
            box.setCurrentIndex(max(box.findData(fmt.roles.get(role)), 0))
            box.currentIndexChanged.connect(self._on_roles_changed)
            self.role_boxes[role] = box
            form.addRow(role.capitalize(), box)
        self.items_edit = QLineEdit(readOnly=True, placeholderText="no titles or genres")
        self.items_edit.setToolTip(
            "Titles and genres shown with recommendations, found beside the ratings file."
        )
        change = QPushButton("Change…", toolTip="Choose another item-metadata file.")
        remove = QPushButton("Remove", toolTip="Load the ratings without titles or genres.")
        change.clicked.connect(self._on_change_items)
        remove.clicked.connect(self._on_remove_items)
        items_row = QHBoxLayout()
        items_row.addWidget(self.items_edit, 1)
        items_row.addWidget(change)
        items_row.addWidget(remove)
        form.addRow("Item titles", items_row)
        self.skip_bad = QCheckBox("Skip rows that cannot be read (they are counted and listed)")
        self.skip_bad.setToolTip(
            "Off: loading stops at the first bad row and names its line and column.\n"
            "On: bad rows are left out; the Data page says how many and which lines."
        )
        self.problem = QLabel(wordWrap=True)
        self.problem.setObjectName("problem")
        self.skip_bad.toggled.connect(self._on_roles_changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.load_button = buttons.addButton("Load", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(found)
        layout.addWidget(self.preview, 1)
        layout.addLayout(form)
        layout.addWidget(self.skip_bad)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._show_items()
        self._on_roles_changed()

    def set_role(self, role: str, column: int | None) -> None:
        """Choose the column of one role (as the drop-down does)."""
        box = self.role_boxes[role]
        box.setCurrentIndex(max(box.findData(column), 0))

    def set_items(self, items: Path | bool) -> None:
        """Use another metadata file, or False for none."""
        self._items = items
        self._show_items()

    def choices(self) -> ImportChoices:
        roles = {role: box.currentData() for role, box in self.role_boxes.items()}
        return ImportChoices(Path(self._fmt.path), roles, self._items, self.skip_bad.isChecked())

    def _show_items(self) -> None:
        self.items_edit.setText(str(self._items) if self._items else "")

    @Slot()
    def _on_roles_changed(self) -> None:
        """Label preview columns with their role; refuse two roles on one column."""
        roles = self.choices().roles
        for c, name in enumerate(self._fmt.columns):
            tags = [r for r, index in roles.items() if index == c]
            label = f"{name}\n→ {', '.join(tags)}" if tags else f"{name}\n"
            self.preview.setHorizontalHeaderItem(c, QTableWidgetItem(label))
        used = [i for i in roles.values() if i is not None]
        clash = len(used) != len(set(used))
        self.problem.setText(
            "Each role needs its own column." if clash else self._check_rows(roles)
        )
        self.load_button.setEnabled(not clash)

    def _check_rows(self, roles: dict) -> str:
        """Tint preview rows the loader would refuse and say what the first one is."""
        bad = []
        for r, row in enumerate(self._fmt.preview):
            why = row_problem(list(row), roles, tuple(self._fmt.columns))
            for c in range(self.preview.columnCount()):
                cell = self.preview.item(r, c)
                if cell is not None:
                    cell.setBackground(QBrush(BAD_CELL) if why else QBrush())
                    cell.setToolTip(why)
            if why:
                bad.append((r + 1, why))
        if not bad:
            return ""
        first, why = bad[0]
        more = f" ({len(bad)} of the {len(self._fmt.preview)} rows shown)" if len(bad) > 1 else ""
        then = (
            "Such rows will be skipped; the Data page lists their lines."
            if self.skip_bad.isChecked()
            else "Loading stops at such a row unless “Skip rows that cannot be read” is ticked."
        )
        return f"Row {first} of the preview cannot be read{more}: {why}. {then}"

    @Slot()
    def _on_change_items(self) -> None:
        folder = str(Path(self._fmt.path).parent)
        path = open_file_name(self, "Item metadata file", folder)
        if path:
            self.set_items(Path(path))

    @Slot()
    def _on_remove_items(self) -> None:
        self.set_items(False)


def ask_import(parent: QWidget | None, fmt) -> ImportChoices | None:
    """Show the import dialog for a sniffed file; None when the user cancels."""
    dialog = ImportDialog(fmt, parent)
    return dialog.choices() if dialog.exec() == QDialog.DialogCode.Accepted else None
