"""A reopened model offers to load the ratings file it was trained on, and checks it is the same."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot

from cfdesk.core.data.provenance import DataSource
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.qt.file_dialogs import open_file_name
from cfdesk.qt.import_dialog import ImportChoices


class ReloadControl(QObject):
    """Drives the Results page's message bar for the model that was opened from a file."""

    def __init__(self, window, files) -> None:
        super().__init__(files)
        self._window, self._files = window, files
        self.bar = window.results.source_bar
        self._fitted: FittedModel | None = None  # the opened model the bar speaks about
        self.bar.actionClicked.connect(self.load)
        self.bar.chooseClicked.connect(self.choose)
        files.loader.failed.connect(self._on_load_failed)

    @property
    def source(self) -> DataSource | None:
        return None if self._fitted is None else self._fitted.data_source

    def offer(self, fitted: FittedModel) -> None:
        """After a model file opened: offer its ratings unless they are loaded already."""
        self._fitted = fitted
        source, ratings = fitted.data_source, self._window.ratings
        if source is None or (ratings is not None and self._is_source(ratings)):
            self.bar.hide()
            return
        problem = source.file_problem()
        if not problem:
            self.bar.show_message(
                f"This model was trained on {source.name} ({Path(source.path).parent}). Load it "
                "to see each user's own ratings beside the recommendations.",
                "Load ratings",
            )
        elif not Path(source.path).exists():
            self.bar.show_message(
                f"This model was trained on {problem}. If the file moved, choose it to see "
                "each user's own ratings beside the recommendations."
            )
        else:
            self.bar.show_message(
                f"This model was trained on {problem}. Load it anyway, or choose the file the "
                "model was trained on.",
                "Load anyway",
            )

    def _is_source(self, ratings: Ratings) -> bool:
        source = self.source
        same_file = Path(ratings.source or ".").resolve() == Path(source.path)
        return same_file and not source.data_problem(ratings)

    @Slot()
    def load(self) -> None:
        """Read the file the way it was read for training, in the background."""
        source = self.source
        if source is None or self._files.loader.is_busy():
            return
        options = source.load_options()
        roles = {role: options[role] for role in ("user", "item", "rating")}
        roles["timestamp"] = options["timestamp"] or None
        choices = ImportChoices(Path(source.path), roles, options["items"], source.skip_bad_rows)
        self.bar.show_message(f"Loading {source.name}…", choose=False)
        self._files.load_data(choices)

    @Slot()
    def choose(self) -> None:
        """Pick the file by hand (it moved); it opens through the import dialog as usual."""
        source = self.source
        folder = Path(source.path).parent if source else Path(self._window.settings.last_dir())
        start = str(folder if folder.is_dir() else self._window.settings.last_dir())
        path = open_file_name(self._window, "Open the model's ratings file", start)
        if path:
            self._files.open_path(path)

    @Slot(object)
    def _on_load_failed(self, _exc: object) -> None:
        """The error has its own dialog; the bar goes back to its offer."""
        if self._fitted is not None and self._fitted is self._window.fitted:
            self.offer(self._fitted)

    @Slot(object)
    def on_ratings_loaded(self, ratings: Ratings) -> None:
        """Any ratings that arrive while the offer stands are checked against the model."""
        if self._fitted is None or self._fitted is not self._window.fitted or self.source is None:
            return
        if self.bar.isHidden():  # dismissed, or no offer stands
            return
        problem = self.source.data_problem(ratings)
        if problem:
            self.bar.show_message(
                f"Loaded, but {problem}: its users' own ratings may not match. Choose the file "
                "the model was trained on if you have it."
            )
            return
        self.bar.hide()
        self._window.show_page("Results")
        self._window.statusBar().showMessage(
            f"Loaded {Path(ratings.source).name}: the ratings this model was trained on.", 8000
        )
