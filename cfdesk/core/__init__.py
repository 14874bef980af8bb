"""Qt-free core of cfdesk: the public names a script, a notebook, the CLI and the GUI start from.

`from cfdesk.core import load_ratings, TrainConfig, fit` reads well; each name is imported on
first use, so `import cfdesk.core.errors` (say) does not pay for torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOMES = {
    "CfdeskError": "cfdesk.core.errors",
    "DataError": "cfdesk.core.errors",
    "TrainingError": "cfdesk.core.errors",
    "TrainConfig": "cfdesk.core.config",
    "Ratings": "cfdesk.core.data.ratings",
    "load_ratings": "cfdesk.core.data.loader",
    "prepare_split": "cfdesk.core.data.split",
    "Trainer": "cfdesk.core.training.trainer",
    "fit": "cfdesk.core.training.trainer",
    "FittedModel": "cfdesk.core.fitted",
    "Recommender": "cfdesk.core.results.recommend",
    "save_model": "cfdesk.core.storage.model_file",
    "load_model": "cfdesk.core.storage.model_file",
}
__all__ = [
    "CfdeskError",
    "DataError",
    "FittedModel",
    "Ratings",
    "Recommender",
    "TrainConfig",
    "Trainer",
    "TrainingError",
    "fit",
    "load_model",
    "load_ratings",
    "prepare_split",
    "save_model",
]

if TYPE_CHECKING:
    from cfdesk.core.config import TrainConfig
    from cfdesk.core.data.loader import load_ratings
    from cfdesk.core.data.ratings import Ratings
    from cfdesk.core.data.split import prepare_split
    from cfdesk.core.errors import CfdeskError, DataError, TrainingError
    from cfdesk.core.fitted import FittedModel
    from cfdesk.core.results.recommend import Recommender
    from cfdesk.core.storage.model_file import load_model, save_model
    from cfdesk.core.training.trainer import Trainer, fit


def __getattr__(name: str) -> object:
    """Import a public name from its module the first time it is asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module 'cfdesk.core' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
