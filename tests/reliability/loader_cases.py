"""Generated ratings files for the loader fuzz: well-formed tables with a known meaning, and junk.

Shared by tests/reliability/test_fuzz_loader.py (quick profile) and scripts/fuzz_loader.py (long).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.errors import DataError

INT_ID = re.compile(r"-?(?:0|[1-9]\d{0,17})")  # what the loader keeps as an integer id
LETTERS = "xzéßΩ水"  # no letter of a role name, "nan", "inf" or "e"; é and ß exist in latin-1
SEPARATORS = (",", "\t", ";", "|", "::", " ", "   ")
ENDINGS = ("\n", "\r\n", "\r")
HEADERS = {
    "user": ("user", "userId", "user_id", "UID"),
    "item": ("item", "movieId", "book_id", "product"),
    "rating": ("rating", "Rating", "score", "stars"),
    "timestamp": ("timestamp", "time", "date"),
}


@dataclass(frozen=True)
class Case:
    """One file's bytes, its name, and (for well-formed cases) what it must load as."""

    name: str
    data: bytes
    expected: dict | None = None  # (user, item) -> rating; None: any DataError is also fine

    def write(self, folder: Path) -> Path:
        """Save the bytes where the loader will read them."""
        path = folder / self.name
        path.write_bytes(self.data)
        return path


def _id_values(numeric: bool, unicode_ok: bool) -> st.SearchStrategy[str]:
    if numeric:
        small = st.integers(-50, 5000).map(str)
        huge = st.integers(10**17, 10**20).map(str)  # 19+ digits: kept as text
        return st.one_of(small, small, huge, st.sampled_from(["0", "007", "-0"]))
    letters = LETTERS if unicode_ok else LETTERS[:4]
    body = st.text(alphabet=letters + "0123456789_-.", max_size=6)
    return st.builds(lambda c, b: c + b, st.sampled_from(letters), body)


RATINGS = st.one_of(
    st.integers(1, 5).map(str),
    st.sampled_from(["4.5", "0.5", "3.25", "-2", "+3", "1e2", "3.4e38", "0", "10"]),
    st.floats(-1e6, 1e6, allow_nan=False, width=32).map(repr),
)


def reference(rows: list[tuple[str, str, str, str | None]]) -> dict:
    """An independent reading: ids stripped (integers when all are), the last latest rating wins."""

    def typed(values: list[str]) -> dict[str, object]:
        clean = {v: v.strip() for v in values}
        if all(INT_ID.fullmatch(c) for c in clean.values()):
            return {v: int(c) for v, c in clean.items()}
        return clean

    users = typed([r[0] for r in rows])
    items = typed([r[1] for r in rows])
    best: dict[tuple, tuple[int, int, float]] = {}
    for line, (u, i, rating, stamp) in enumerate(rows):
        key = (users[u], items[i])
        rank = (0 if stamp is None else int(stamp), line, float(np.float32(float(rating))))
        if key not in best or rank[:2] >= best[key][:2]:
            best[key] = rank
    return {key: value[2] for key, value in best.items()}


def _render(rows: list[list[str]], sep: str, quoting: int, ending: str) -> str:
    if len(sep) == 1 and sep != " ":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=sep, quotechar='"', quoting=quoting, lineterminator="\n")
        writer.writerows(rows)
        return out.getvalue().replace("\n", ending)
    return "".join(sep.join(r) + ending for r in rows)


def _pack(name: str, raw: bytes, compression: str) -> tuple[str, bytes]:
    if compression == "gzip":
        return name + ".gz", gzip.compress(raw, mtime=0)
    if compression == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, raw)
        return name + ".zip", out.getvalue()
    return name, raw


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[str]], dict]:
    """Rows of strings (header first when there is one) and the layout used to write them."""
    sep = draw(st.sampled_from(SEPARATORS))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    header = draw(st.booleans())
    timed = draw(st.booleans())
    quoting = csv.QUOTE_MINIMAL
    if len(sep) == 1 and sep != " ":
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    unicode_ok = encoding != "latin-1"
    pools = []
    for _ in ("user", "item"):
        numeric = draw(st.booleans())
        pool = draw(st.lists(_id_values(numeric, unicode_ok), min_size=1, max_size=8, unique=True))
        pools.append(pool)
    n = draw(st.integers(1, 25))
    body = []
    for _ in range(n):
        row = [draw(st.sampled_from(pools[0])), draw(st.sampled_from(pools[1])), draw(RATINGS)]
        if timed:
            row.append(str(draw(st.integers(0, 20))))
        body.append(row)
    padded = sep not in (" ", "   ", "\t") and quoting == csv.QUOTE_MINIMAL and draw(st.booleans())
    layout = {"sep": sep, "encoding": encoding, "quoting": quoting, "padded": padded}
    layout["ending"] = draw(st.sampled_from(ENDINGS))
    layout["compression"] = draw(st.sampled_from(["none", "none", "none", "gzip", "zip"]))
    names = [draw(st.sampled_from(HEADERS[r])) for r in ("user", "item", "rating", "timestamp")]
    rows = [names[: 3 + timed]] if header else []
    return rows + body, {**layout, "header": header, "timed": timed}


def _unambiguous(rows: list[list[str]], layout: dict) -> bool:
    """Without a header, a text id above numeric ids would rightly read as a column name."""
    if layout["header"]:
        return True
    for col in (0, 1):
        numeric = [bool(INT_ID.fullmatch(r[col])) for r in rows]
        if any(numeric) and not all(numeric):
            return False
    return True


@st.composite
def well_formed(draw: st.DrawFn) -> Case:
    """A file whose meaning is unambiguous, with the mapping it must load as."""
    rows, layout = draw(tables().filter(lambda t: _unambiguous(*t)))
    body = rows[1:] if layout["header"] else rows
    expected = reference([(r[0], r[1], r[2], r[3] if layout["timed"] else None) for r in body])
    if layout["padded"]:
        rows = [[f" {v} " for v in r] for r in rows]
    text = _render(rows, layout["sep"], layout["quoting"], layout["ending"])
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no newline at the end
    raw = text.encode(layout["encoding"])
    name, data = _pack("ratings.csv", raw, layout["compression"])
    return Case(name, data, expected)


MUTATIONS = ("drop_field", "extra_field", "bad_rating", "bad_time", "empty_id")
JUNK_FIELDS = ["abc", "", "nan", "inf", "-inf", "1e39", "-", '"', "99999999999999999999", "1e30"]


@st.composite
def damaged(draw: st.DrawFn) -> Case:
    """A well-formed file after one to three random edits: it may load or be refused."""
    rows, layout = draw(tables())
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(MUTATIONS))
        row = rows[draw(st.integers(0, len(rows) - 1))]
        col = draw(st.integers(0, len(row) - 1))
        if what == "drop_field" and len(row) > 1:
            del row[col]
        elif what == "extra_field":
            row.insert(col, draw(st.sampled_from(JUNK_FIELDS + ["7"])))
        elif what in ("bad_rating", "bad_time", "empty_id"):
            row[col] = "" if what == "empty_id" else draw(st.sampled_from(JUNK_FIELDS))
    text = _render(rows, layout["sep"], layout["quoting"], layout["ending"])
    raw = text.encode("utf-8")
    if draw(st.booleans()):  # stray bytes somewhere
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    if draw(st.booleans()):  # cut short
        raw = raw[: draw(st.integers(0, len(raw)))]
    name, data = _pack("ratings.csv", raw, layout["compression"])
    return Case(name, data)


def random_bytes() -> st.SearchStrategy[Case]:
    """Any bytes at all, sometimes behind a gzip or zip header."""
    raw = st.binary(max_size=2000)
    packed = st.tuples(raw, st.sampled_from(["none", "gzip", "zip"])).map(
        lambda t: Case(*_pack("ratings.csv", t[0], t[1]))
    )
    prefixed = st.tuples(st.sampled_from([b"\x1f\x8b", b"PK\x03\x04", b"\xef\xbb\xbf"]), raw).map(
        lambda t: Case("ratings.csv", t[0] + t[1])
    )
    return st.one_of(raw.map(lambda b: Case("ratings.csv", b)), packed, prefixed)


def any_case() -> st.SearchStrategy[Case]:
    """The mix the long profile draws from."""
    return st.one_of(well_formed(), well_formed(), damaged(), random_bytes())


def _loaded_mapping(ratings: Ratings) -> dict:
    users = ratings.users.ids[ratings.user_idx].tolist()
    items = ratings.items.ids[ratings.item_idx].tolist()
    return dict(zip(zip(users, items, strict=True), ratings.rating.tolist(), strict=True))


def _same(expected: dict, got: dict) -> bool:
    if expected.keys() != got.keys():
        return False
    want = np.array([expected[k] for k in expected], dtype=np.float64)
    have = np.array([got[k] for k in expected], dtype=np.float64)
    return bool(np.allclose(have, want, rtol=1e-6, atol=1e-37))


def check(case: Case, folder: Path, skip_bad_rows: bool = False) -> str:
    """Load the case: "accepted" or "refused"; anything the loader must never do fails an assert."""
    path = case.write(folder)
    try:
        ratings = load_ratings(path, items=False, skip_bad_rows=skip_bad_rows)
    except DataError as exc:
        message = str(exc)
        assert message.strip() and path.name in message, f"refusal without the file: {message!r}"
        assert case.expected is None, f"well-formed file refused: {message}"
        return "refused"
    assert ratings.n_ratings > 0 and np.isfinite(ratings.rating).all()
    if case.expected is not None:
        got = _loaded_mapping(ratings)
        assert _same(case.expected, got), f"expected {case.expected}, loaded {got}"
    return "accepted"
