"""Raw id -> index for a fitted model, with errors that say why an id is unknown."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from cfdesk.core.errors import UnknownIdError
from cfdesk.core.fitted import FittedModel


def _why_unknown(raw: object, kind: str, held_out: frozenset) -> str:
    """Held-out ids are a common surprise: the model never trained on them, so say so."""
    if raw in held_out or str(raw).strip() in {str(h) for h in held_out}:
        return (
            f"{kind} id {raw!r} appears only in the held-out (validation/test) ratings, "
            f"so the model has no factors for it; retrain on all ratings to include it"
        )
    return f"{kind} id {raw!r} does not occur in the data this model was trained on"


def user_index(fitted: FittedModel, user_id: object) -> int:
    """Index of one trained user, or UnknownIdError naming why the id cannot be used."""
    return int(user_indices(fitted, [user_id])[0])


def item_index(fitted: FittedModel, item_id: object) -> int:
    """Index of one trained item, or UnknownIdError naming why the id cannot be used."""
    idx = fitted.items.index_of(item_id)
    if idx is None or fitted.item_count[idx] == 0:
        raise UnknownIdError(_why_unknown(item_id, "item", fitted.held_out_items))
    return idx


def user_indices(fitted: FittedModel, user_ids: Iterable[object]) -> np.ndarray:
    """Indices of many raw user ids; the first unknown or untrained one raises UnknownIdError.

    Ids seen only in held-out rows are in the id map but have untrained vectors, so they count
    as unknown here.
    """
    raws = list(user_ids)
    idx = fitted.users.indices_of(raws)
    trained = np.asarray(fitted.user_count) > 0
    bad = np.flatnonzero((idx < 0) | ~trained[np.clip(idx, 0, None)])
    if len(bad):
        raise UnknownIdError(_why_unknown(raws[bad[0]], "user", fitted.held_out_users))
    return idx


def item_ids_of(fitted: FittedModel, item_idx: np.ndarray) -> np.ndarray:
    """Raw item ids for an index array of any shape; -1 (padding) maps to -1 or ''."""
    item_idx = np.asarray(item_idx)
    ids = fitted.items.ids
    out = ids[np.clip(item_idx, 0, None)]
    pad = item_idx < 0
    if pad.any():
        out = out.astype(ids.dtype if ids.dtype.kind in "iu" else object)
        out[pad] = -1 if ids.dtype.kind in "iu" else ""
    return out
