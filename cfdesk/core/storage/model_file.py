"""Model files (.cfmodel): one safetensors file, tensors plus JSON metadata; never a pickle."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

import numpy as np
import safetensors.torch
import torch

from cfdesk import __version__
from cfdesk.core.atomic import atomic_write
from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.provenance import DataSource
from cfdesk.core.ensemble import Ensemble
from cfdesk.core.errors import ModelFileError
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.model import CollabModel, build_model

SUFFIX = ".cfmodel"
FORMAT_NAME = "cfdesk-model"
FORMAT_VERSION = 3  # 2: rating-distribution models and ensembles; 3: autorec (older files open)
NEW_KINDS = {"dist": 2, "ensemble": 2, "autorec": 3}  # the rest are version 1, for older cfdesk
MAX_HEADER_BYTES = 100 * 1024 * 1024  # refuse bigger headers before reading them
CHECKSUM = "checksum"  # sha256 of the other metadata and the tensor bytes: any flipped bit shows


def _ids_meta(index: IdIndex, name: str, tensors: dict) -> dict:
    """Integer ids travel as a tensor; text ids as a JSON list."""
    if index.is_numeric:
        tensors[f"{name}.ids"] = torch.from_numpy(index.ids.astype(np.int64))
        return {"kind": "int"}
    return {"kind": "str", "values": [str(v) for v in index.ids.tolist()]}


def _model_meta(module: CollabModel) -> dict:
    """Sizes to rebuild the module before its weights are read; an ensemble lists its members."""
    if isinstance(module, Ensemble):
        members = [_model_meta(m) for m in module.members]
        return {"kind": module.kind, "n_users": module.n_users, "n_items": module.n_items,
                "members": members}  # fmt: skip
    return {
        "kind": module.kind,
        "n_users": module.n_users,
        "n_items": module.n_items,
        "n_factors": int(module.user_factors.embedding_dim),
        "y_range": list(module.y_range) if module.y_range else None,
        "layers": list(getattr(module, "hidden", ())),
        "dot_branch": bool(getattr(module, "dot_branch", False)),
        "levels": module.levels.tolist() if hasattr(module, "levels") else [],
        "n_inputs": int(getattr(module, "n_inputs", 0)),
    }


def _format_version(module: CollabModel) -> int:
    """The oldest format that holds this model (and every member of an ensemble), so older
    cfdesk opens what it can and refuses the rest as newer instead of as damaged."""
    kinds = [module.kind, *(m.kind for m in getattr(module, "members", ()))]
    return max(NEW_KINDS.get(kind, 1) for kind in kinds)


def _items_meta(table: ItemTable | None) -> dict | None:
    if table is None:
        return None
    titles = [str(t) for t in table.titles.tolist()]
    return {"titles": titles, "genres": [list(g) for g in table.genres], "source": table.source}


def model_to_bytes(fitted: FittedModel) -> bytes:
    """The whole file's content: weights, CSR seen items and counts as tensors, the rest JSON."""
    tensors = {
        f"model.{k}": v.detach().cpu().contiguous() for k, v in fitted.module.state_dict().items()
    }
    tensors["seen.indptr"] = torch.from_numpy(fitted.seen.indptr.astype(np.int64))
    tensors["seen.indices"] = torch.from_numpy(fitted.seen.indices.astype(np.int32))
    tensors["item_count"] = torch.from_numpy(np.asarray(fitted.item_count, dtype=np.int64))
    tensors["user_count"] = torch.from_numpy(np.asarray(fitted.user_count, dtype=np.int64))
    tensors["item_mean"] = torch.from_numpy(np.asarray(fitted.item_mean, dtype=np.float32))
    meta = {
        "format": FORMAT_NAME,
        "format_version": _format_version(fitted.module),
        "cfdesk_version": __version__,
        "torch_version": torch.__version__,
        "config": fitted.config.to_dict(),
        "model": _model_meta(fitted.module),
        "users": _ids_meta(fitted.users, "users", tensors),
        "items": _ids_meta(fitted.items, "items", tensors),
        "item_table": _items_meta(fitted.item_table),
        "rating_range": list(fitted.rating_range),
        "held_out_users": sorted(fitted.held_out_users, key=str),
        "held_out_items": sorted(fitted.held_out_items, key=str),
        "history": fitted.history,
        "metrics": fitted.metrics,
        "dataset_name": fitted.dataset_name,
        "data_source": None if fitted.data_source is None else fitted.data_source.to_dict(),
    }
    text = {key: json.dumps(value, default=_jsonable) for key, value in meta.items()}
    data = safetensors.torch.save(tensors, metadata=text)
    text[CHECKSUM] = json.dumps(_digest(text, _body(data)))
    return safetensors.torch.save(tensors, metadata=text)  # the same tensor bytes, longer header


def _body(data: bytes) -> memoryview:
    """The tensor bytes after the header (their layout depends on the tensors only)."""
    (n,) = struct.unpack("<Q", data[:8])
    return memoryview(data)[8 + n :]


def _digest(text: dict, body: memoryview) -> str:
    """sha256 over the metadata strings (sorted, the checksum left out) and the tensor bytes."""
    digest = hashlib.sha256(
        json.dumps(sorted(i for i in text.items() if i[0] != CHECKSUM)).encode()
    )
    digest.update(body)
    return digest.hexdigest()


def _jsonable(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def save_model(fitted: FittedModel, path: str | os.PathLike) -> Path:
    """Write atomically: a temp file beside the target, then os.replace (no half-written file).

    A full disk or a read-only folder raises WriteError naming the file; an old file stays intact.
    """
    path = Path(path)
    data = model_to_bytes(fitted)
    with atomic_write(path, "wb") as out:
        out.write(data)
    return path


def _read_header(path: Path) -> tuple[dict, int]:
    """Parse the safetensors header only, refusing anything that is not a cfdesk model."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise ModelFileError(f"{path} is too short to be a cfdesk model file")
            (n,) = struct.unpack("<Q", head)
            if n > MAX_HEADER_BYTES or n > size - 8:
                raise ModelFileError(
                    f"{path} is not a cfdesk model file (its header length {n} is impossible)"
                )
            header = json.loads(f.read(n).decode("utf-8"))
    except OSError as exc:
        raise ModelFileError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{path} is not a cfdesk model file (unreadable header)") from exc
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != json.dumps(FORMAT_NAME):
        raise ModelFileError(f"{path} is a safetensors file but not a cfdesk model")
    try:
        version = json.loads(meta.get("format_version", "0"))
    except (TypeError, json.JSONDecodeError):
        version = None
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer cfdesk (format {version}; this one reads up to "
            f"{FORMAT_VERSION}); update cfdesk to open it"
        )
    ends = [_end(entry) for key, entry in header.items() if key != "__metadata__"]
    if max(ends, default=0) > size - 8 - n:
        raise ModelFileError(f"{path} is damaged: it is shorter than its header says (truncated)")
    try:
        return {k: json.loads(v) for k, v in meta.items()}, size
    except (TypeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} is damaged: its metadata is not valid JSON") from exc


def _end(entry: object) -> int:
    """Where a tensor's bytes end, per the header (0 for an entry that is not a tensor)."""
    offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
    end = offsets[1] if isinstance(offsets, list) and len(offsets) == 2 else 0
    return end if isinstance(end, int) else 0  # safetensors refuses other kinds itself


def is_model_file(path: str | os.PathLike) -> bool:
    """Whether the content (not just the suffix) is a cfdesk model this version can read."""
    try:
        _read_header(Path(path))
    except ModelFileError:
        return False
    return True


def load_model(path: str | os.PathLike) -> FittedModel:
    """Open a .cfmodel file; anything corrupt, foreign or too new raises ModelFileError."""
    path = Path(path)
    meta, _ = _read_header(path)
    try:
        data = path.read_bytes()
        _check_digest(path, data)
        tensors = safetensors.torch.load(data)
        return _rebuild(meta, tensors)
    except ModelFileError:
        raise
    except Exception as exc:  # safetensors' own errors, shape mismatches, missing keys
        raise ModelFileError(f"{path} is damaged and cannot be opened ({exc})") from exc


def _check_digest(path: Path, data: bytes) -> None:
    """Refuse a file whose bytes changed since it was saved (a lost checksum key counts too)."""
    (n,) = struct.unpack("<Q", data[:8])
    text = json.loads(data[8 : 8 + n])["__metadata__"]
    if CHECKSUM not in text or json.loads(text[CHECKSUM]) != _digest(text, _body(data)):
        raise ModelFileError(f"{path} is damaged: its content does not match its checksum")


def _shapes_match(module: torch.nn.Module, state: dict) -> None:
    """Sizes in the metadata must match the stored weights before anything is allocated."""
    expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    if expected != {k: tuple(v.shape) for k, v in state.items()}:
        raise ValueError("its model sizes do not match its weights")


def _ids(meta: dict, name: str, tensors: dict) -> IdIndex:
    if meta[name]["kind"] == "int":
        return IdIndex(tensors[f"{name}.ids"].numpy())
    return IdIndex(np.array(meta[name]["values"], dtype=object))


def _build(shape: dict) -> CollabModel:
    """A fresh module of the shape the metadata describes (weights still to be loaded)."""
    if shape["kind"] == "ensemble":
        members = [_build(m) for m in shape["members"]]
        return Ensemble(members, [0.0] * len(members))
    y_range = tuple(shape["y_range"]) if shape["y_range"] else None
    args = (shape["kind"], shape["n_users"], shape["n_items"], shape["n_factors"], y_range)
    args += (tuple(shape["layers"]) if shape["kind"] == "nn" else (),)  # () is a valid nn too
    args += (bool(shape.get("dot_branch", False)),)  # older nn files lack it: rebuild that shape
    if shape["kind"] == "dist":
        return build_model(*args, levels=tuple(shape["levels"]))
    return build_model(*args, n_inputs=int(shape.get("n_inputs", 0)))


def _rebuild(meta: dict, tensors: dict) -> FittedModel:
    state = {k[len("model.") :]: v for k, v in tensors.items() if k.startswith("model.")}
    with torch.device("meta"):  # no memory: a header claiming 10**9 users allocates nothing
        _shapes_match(_build(meta["model"]), state)
    module = _build(meta["model"])
    module.load_state_dict(state, strict=True)
    for part in (module, *getattr(module, "members", ())):
        if hasattr(part, "check_inputs"):
            part.check_inputs()  # an autorec's ratings index its tables: refuse bad ones here
    module.eval().requires_grad_(False)
    table = meta["item_table"]
    return FittedModel(
        module=module,
        config=TrainConfig.from_dict(meta["config"]),
        users=_ids(meta, "users", tensors),
        items=_ids(meta, "items", tensors),
        seen=SeenItems(tensors["seen.indptr"].numpy(), tensors["seen.indices"].numpy()),
        item_count=tensors["item_count"].numpy(),
        item_mean=tensors["item_mean"].numpy(),
        user_count=tensors["user_count"].numpy(),
        rating_range=tuple(meta["rating_range"]),
        item_table=None
        if table is None
        else ItemTable(
            np.array(table["titles"], dtype=object),
            tuple(tuple(g) for g in table["genres"]),
            table["source"],
        ),
        held_out_users=frozenset(meta["held_out_users"]),
        held_out_items=frozenset(meta["held_out_items"]),
        history=meta["history"],
        metrics=meta["metrics"],
        dataset_name=meta["dataset_name"],
        data_source=DataSource.from_dict(meta.get("data_source")),  # older files have none
    )
