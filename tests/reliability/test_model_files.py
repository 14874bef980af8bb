"""Hostile model files: each is refused with ModelFileError and a sentence, runs no code and
allocates little. (tests/core/training/test_persistence.py has the first truncation, header flip,
huge header length, text, foreign, newer and plain-pickle cases; these are the rest.)"""

from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.errors import ModelFileError
from cfdesk.core.fitted import build_fitted
from cfdesk.core.model import build_model
from cfdesk.core.storage import model_file
from cfdesk.core.storage.model_file import is_model_file, load_model, save_model

MEMORY_LIMIT = 200_000_000  # peak RSS growth allowed over every hostile file together
BOMB_BYTES = 256 * 1024 * 1024  # what the zip and gzip bombs expand to


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory) -> bytes:
    rng = np.random.default_rng(0)
    ratings = ratings_from_raw(
        rng.integers(1, 40, 600), rng.integers(1, 25, 600), rng.integers(1, 6, 600).astype("f4")
    )
    module = build_model("dotbias", ratings.n_users, ratings.n_items, 4, (0.5, 5.5))
    fitted = build_fitted(module, TrainConfig(n_factors=4), ratings, [], {"valid_rmse": 1.0})
    path = tmp_path_factory.mktemp("model") / "m.cfmodel"
    save_model(fitted, path)
    return path.read_bytes()


def _refused(path: Path, match: str = "") -> str:
    with pytest.raises(ModelFileError, match=match) as refused:
        load_model(path)
    message = str(refused.value)
    assert str(path) in message and len(message.split()) >= 5
    return message


def _header(data: bytes) -> tuple[dict, bytes]:
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n]), data[8 + n :]


def _with_header(header: dict, body: bytes, checksum: bool = True) -> bytes:
    """Re-sign like an attacker would: the checksum then matches the forged metadata."""
    meta = header["__metadata__"]
    if checksum:
        meta[model_file.CHECKSUM] = json.dumps(model_file._digest(meta, memoryview(body)))
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body


def _bombs(folder: Path) -> list[Path]:
    """A zip and a gzip of 256 MB of zeros (about 250 KB each), renamed .cfmodel."""
    zipped, gzipped = folder / "zip-bomb.cfmodel", folder / "gzip-bomb.cfmodel"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("m", "w") as m:
        for _ in range(BOMB_BYTES >> 20):
            m.write(zeros)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(gzipped, "wb") as out:
        for _ in range(BOMB_BYTES >> 20):
            out.write(packer.compress(zeros))
        out.write(packer.flush())
    return [zipped, gzipped]


def test_zip_and_gzip_bombs_are_refused_without_expanding(tmp_path) -> None:
    for bomb in _bombs(tmp_path):
        assert bomb.stat().st_size < BOMB_BYTES / 100
        _refused(bomb, "not a cfdesk model")
        assert not is_model_file(bomb)
    assert len(gzip.decompress((tmp_path / "gzip-bomb.cfmodel").read_bytes())) == BOMB_BYTES


def test_an_empty_file_is_refused(tmp_path) -> None:
    path = tmp_path / "empty.cfmodel"
    path.write_bytes(b"")
    _refused(path, "too short")


@pytest.mark.parametrize("where", ["first tensor byte", "middle", "last byte"])
def test_a_flipped_bit_in_the_weights_is_refused(tmp_path, model_bytes, where) -> None:
    _, body = _header(model_bytes)
    at = {"first tensor byte": len(model_bytes) - len(body), "middle": len(model_bytes) // 2}
    data = bytearray(model_bytes)
    data[at.get(where, len(data) - 1)] ^= 0x10
    path = tmp_path / "flipped.cfmodel"
    path.write_bytes(bytes(data))
    _refused(path, "checksum")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_flipped_bit_or_cut_is_refused(model_bytes, tmp_path_factory, data) -> None:
    raw = bytearray(model_bytes)
    if data.draw(st.booleans(), "cut"):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), "length")]
    else:
        raw[data.draw(st.integers(0, len(raw) - 1), "byte")] ^= 1 << data.draw(st.integers(0, 7))
    path = tmp_path_factory.mktemp("fuzz") / "m.cfmodel"
    path.write_bytes(bytes(raw))
    with pytest.raises(ModelFileError) as refused:
        load_model(path)
    assert str(path) in str(refused.value)


def test_metadata_claiming_1e8_users_allocates_nothing(tmp_path, model_bytes) -> None:
    header, body = _header(model_bytes)
    shape = json.loads(header["__metadata__"]["model"])
    header["__metadata__"]["model"] = json.dumps({**shape, "n_users": 10**8})
    path = tmp_path / "forged.cfmodel"
    path.write_bytes(_with_header(header, body))
    _refused(path, "model sizes do not match its weights")


def test_a_tensor_claiming_a_petabyte_is_refused(tmp_path, model_bytes) -> None:
    header, body = _header(model_bytes)
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [10**12, 1000]
    header[name]["data_offsets"] = [0, 4 * 10**15]
    path = tmp_path / "petabyte.cfmodel"
    path.write_bytes(_with_header(header, body))
    _refused(path, "shorter than its header says")


@pytest.mark.parametrize(
    "text", [b"[" * 100_000 + b"]" * 100_000, b'{"a": {"data_offsets": [0, "x"]}}']
)
def test_odd_header_json_is_refused(tmp_path, text) -> None:
    path = tmp_path / "odd.cfmodel"
    path.write_bytes(struct.pack("<Q", len(text)) + text)
    _refused(path, "not a cfdesk model")


class _Payload:
    """Unpickling this would create a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_torch_file_with_a_code_payload_never_runs_it(tmp_path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "trojan.cfmodel"
    torch.save({"weights": torch.zeros(2), "hook": _Payload(str(marker))}, path)
    _refused(path, "not a cfdesk model|impossible")
    assert not marker.exists()


_MEASURE = """
import re, sys
from pathlib import Path
import psutil
from cfdesk.core.errors import ModelFileError
from cfdesk.core.storage.model_file import load_model

def high_water():  # this process's own peak RSS (ru_maxrss would include the parent's)
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) * 1024

start = psutil.Process().memory_info().rss
for path in sorted(Path(sys.argv[1]).iterdir()):
    try:
        load_model(path)
        raise SystemExit(f"{path} was loaded")
    except ModelFileError:
        print(f"{path.name}: {(high_water() - start) / 1e6:.0f} MB", end="; ")
print(high_water() - start)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak RSS from /proc/self/status")
def test_peak_memory_over_every_hostile_file_stays_small(tmp_path, model_bytes) -> None:
    """A fresh process loads them all; its peak RSS may grow by at most MEMORY_LIMIT."""
    _bombs(tmp_path)
    header, body = _header(model_bytes)
    shape = json.loads(header["__metadata__"]["model"])
    header["__metadata__"]["model"] = json.dumps({**shape, "n_users": 10**8, "n_items": 10**7})
    (tmp_path / "forged.cfmodel").write_bytes(_with_header(header, body))
    (tmp_path / "flipped.cfmodel").write_bytes(model_bytes[:-1] + bytes([model_bytes[-1] ^ 1]))
    (tmp_path / "huge-length.cfmodel").write_bytes(struct.pack("<Q", 2**63) + model_bytes[8:])
    (tmp_path / "cut.cfmodel").write_bytes(model_bytes[: len(model_bytes) // 3])
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    growth = int(out.stdout.split()[-1])
    assert growth < MEMORY_LIMIT, f"peak RSS grew by {growth / 1e6:.0f} MB ({out.stdout})"
