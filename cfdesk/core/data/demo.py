"""A MovieLens-100k-sized demo data set from a planted taste model, so the app works offline.

Genres sit around a circle in factor space (related genres side by side), items lie near their
genres, users like one to three genres, and popularity has a long tail: the trained map shows
genre clusters and a few high ratings for one genre recommend more of it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cfdesk.core.atomic import atomic_write

N_USERS, N_ITEMS, N_RATINGS, N_FACTORS = 943, 1682, 100_000, 16
DEMO_VERSION = 1
# Neighbours on this circle are related, so mixed-genre items fall between their genres.
GENRES = (
    "Action", "Sci-Fi", "Fantasy", "Animation", "Comedy", "Musical",
    "Romance", "Drama", "Documentary", "Crime", "Thriller", "Horror",
)  # fmt: skip
_GENRE_SHARE = np.array([9, 7, 6, 5, 11, 4, 8, 12, 4, 6, 7, 6], dtype=np.float64)
_WORDS = {
    "Action": ("Iron Fist", "Standoff", "Firefight", "Breakpoint", "Getaway", "Showdown"),
    "Sci-Fi": ("Orbit", "Nebula", "Signal", "Android", "Starship", "Colony", "Eclipse"),
    "Fantasy": ("Dragon", "Crown", "Sorcerer", "Kingdom", "Enchanted Sword", "Oracle"),
    "Animation": ("Little Fox", "Paper Moon", "Toy Parade", "Balloon", "Penguin", "Robot Pal"),
    "Comedy": ("Wedding Crash", "Big Mix-Up", "Office Party", "Road Trip", "Neighbours"),
    "Musical": ("Song", "Ballroom", "Encore", "Melody", "Jukebox", "Broadway"),
    "Romance": ("Kiss", "Love Letters", "Summer Heart", "Promise", "Sweetheart", "Waltz"),
    "Drama": ("Harvest", "Long Winter", "Father", "Silence", "Verdict", "Homecoming"),
    "Documentary": ("Wild Ocean", "Voices", "Factory Floor", "Glaciers", "Ants"),
    "Crime": ("Heist", "Syndicate", "Informant", "Detective", "Smuggler", "Alibi"),
    "Thriller": ("Conspiracy", "Stranger", "Witness", "Deadline", "Hostage", "Cipher"),
    "Horror": ("Cellar", "Shadows", "Hollow", "Curse", "Asylum", "Night Visitor"),
}
_ADJECTIVES = ("Last", "Silent", "Lost", "Red", "Final", "Hidden", "Broken", "Golden", "Dark")
_PLACES = ("Mars", "Brooklyn", "Avalon", "the North", "Paris", "Eden", "Cold Creek", "Tokyo")
_PATTERNS = ("The {adj} {noun}", "{noun} of {place}", "The {noun}", "{noun} in {place}",
             "{noun}", "{adj} {noun}", "The {noun} {sequel}")  # fmt: skip
_SEQUELS = ("II", "III", "Returns", "Reloaded")


def _genre_axes(rng: np.random.Generator) -> np.ndarray:
    """Genre centroids: a circle in the first two factors, orthogonal directions in the rest."""
    angles = 2 * np.pi * np.arange(len(GENRES)) / len(GENRES)
    own, _ = np.linalg.qr(rng.normal(size=(N_FACTORS - 2, len(GENRES))))
    axes = np.zeros((len(GENRES), N_FACTORS))
    axes[:, 0], axes[:, 1] = 1.2 * np.cos(angles), 1.2 * np.sin(angles)
    axes[:, 2:] = 2.5 * own.T
    return axes


def _item_genres(rng: np.random.Generator) -> list[tuple[int, ...]]:
    """1-3 genres per item; a second genre is usually a neighbour on the circle."""
    share = _GENRE_SHARE / _GENRE_SHARE.sum()
    primary = rng.choice(len(GENRES), size=N_ITEMS, p=share)
    n_extra = rng.choice(3, size=N_ITEMS, p=(0.5, 0.35, 0.15))
    out = []
    for first, extra in zip(primary.tolist(), n_extra.tolist(), strict=True):
        genres = [first]
        while len(genres) < extra + 1:
            step = int(rng.choice((-1, 1, -2, 2), p=(0.4, 0.4, 0.1, 0.1)))
            candidate = (first + step) % len(GENRES)
            if candidate not in genres:
                genres.append(candidate)
        out.append(tuple(genres))
    return out


def _pick(rng: np.random.Generator, words: tuple[str, ...]) -> str:
    return words[int(rng.integers(len(words)))]


def _titles(rng: np.random.Generator, genres: list[tuple[int, ...]]) -> list[str]:
    """Believable invented titles, worded after each item's first genre, all distinct."""
    years = np.clip(np.round(1998 - rng.exponential(12, size=len(genres))), 1930, 1998)
    titles: list[str] = []
    seen: set[str] = set()
    for item, first in enumerate(g[0] for g in genres):
        title = ""
        while not title or title in seen:
            title = (
                _pick(rng, _PATTERNS).format(
                    adj=_pick(rng, _ADJECTIVES),
                    noun=_pick(rng, _WORDS[GENRES[first]]),
                    place=_pick(rng, _PLACES),
                    sequel=_pick(rng, _SEQUELS),
                )
                + f" ({int(years[item])})"
            )
        seen.add(title)
        titles.append(title)
    return titles


def _user_tastes(rng: np.random.Generator, axes: np.ndarray) -> np.ndarray:
    """Each user leans towards 1-3 favourite genres, plus some individual taste."""
    n_fav = rng.choice((1, 2, 3), size=N_USERS, p=(0.4, 0.4, 0.2))
    rank = np.argsort(np.argsort(rng.random((N_USERS, len(GENRES))), axis=1), axis=1)
    favourite = (rank < n_fav[:, None]).astype(np.float64)
    return favourite @ axes / n_fav[:, None] + rng.normal(scale=0.2, size=(N_USERS, N_FACTORS))


def _activity(rng: np.random.Generator) -> np.ndarray:
    """Ratings per user: at least 20, long-tailed, summing to about N_RATINGS."""
    raw = rng.lognormal(mean=0.0, sigma=1.0, size=N_USERS)
    extra = raw / raw.sum() * (N_RATINGS - 20 * N_USERS)
    return np.minimum(20 + np.round(extra).astype(np.int64), N_ITEMS // 2)


def generate_demo(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings, items) frames: user_id,item_id,rating,timestamp and item_id,title,genres."""
    rng = np.random.default_rng(seed)
    axes = _genre_axes(rng)
    genres = _item_genres(rng)
    member = np.zeros((N_ITEMS, len(GENRES)))
    for item, item_genres in enumerate(genres):
        member[item, list(item_genres)] = 1.0
    item_vecs = member @ axes / member.sum(axis=1, keepdims=True)
    item_vecs += rng.normal(scale=0.3, size=item_vecs.shape)
    tastes = _user_tastes(rng, axes)
    affinity = tastes @ item_vecs.T
    affinity = (affinity - affinity.mean()) / affinity.std()
    quality = rng.normal(scale=0.3, size=N_ITEMS)
    popularity = -1.3 * np.log(rng.permutation(N_ITEMS) + 8.0) + 0.8 * quality
    # Who rates what: popular items and items that suit the user (Gumbel top-k sampling).
    keys = popularity + 0.7 * affinity + rng.gumbel(size=affinity.shape)
    counts = _activity(rng)
    cut = -np.sort(-keys, axis=1)[np.arange(N_USERS), counts - 1]
    users, items = np.nonzero(keys >= cut[:, None])
    user_bias = rng.normal(scale=0.3, size=N_USERS)
    score = 3.0 + user_bias[users] + quality[items] + 1.4 * affinity[users, items]
    stars = np.clip(np.round(score + rng.normal(scale=0.45, size=len(users))), 1, 5)
    start = 874_724_710  # ML-100k's first day (1997-09-20)
    ratings = pd.DataFrame({
        "user_id": users + 1,
        "item_id": items + 1,
        "rating": stars.astype(np.int64),
        "timestamp": start + rng.integers(0, 215 * 86_400, size=len(users)),
    })  # fmt: skip
    names = ["|".join(GENRES[g] for g in gs) for gs in genres]
    catalogue = pd.DataFrame(
        {"item_id": np.arange(1, N_ITEMS + 1), "title": _titles(rng, genres), "genres": names}
    )
    return ratings, catalogue


def write_demo(out_dir: str | Path, seed: int = 0) -> Path:
    """Write ratings.csv and items.csv into `out_dir` (atomically); return the ratings path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ratings, catalogue = generate_demo(seed)
    with atomic_write(out / "items.csv") as handle:
        catalogue.to_csv(handle, index=False, lineterminator="\n")
    with atomic_write(out / "ratings.csv") as handle:
        ratings.to_csv(handle, index=False, lineterminator="\n")
    with atomic_write(out / "demo.json") as handle:
        json.dump({"version": DEMO_VERSION, "seed": seed}, handle)
    return out / "ratings.csv"


def data_dir() -> Path:
    """cfdesk's per-user data folder: $CFDESK_DATA_DIR, else the platform's usual place."""
    if os.environ.get("CFDESK_DATA_DIR"):
        return Path(os.environ["CFDESK_DATA_DIR"]).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "cfdesk"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "cfdesk"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else home / ".local" / "share") / "cfdesk"


def demo_ratings_path() -> Path:
    """The cached demo ratings file, generated on first use (and after a generator change)."""
    folder = data_dir() / "demo"
    ratings = folder / "ratings.csv"
    try:
        stamp = json.loads((folder / "demo.json").read_text())
    except (OSError, ValueError):
        stamp = {}
    if stamp.get("version") != DEMO_VERSION or not ratings.is_file():
        write_demo(folder)
    return ratings
