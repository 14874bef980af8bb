"""Which column is the user, the item, the rating and the timestamp: by name, position or override."""

from __future__ import annotations

import re
from pathlib import Path

from cfdesk.core.errors import DataError

ROLES = ("user", "item", "rating", "timestamp")

# Exact (normalised) header names first, then substrings; rating and time are tried before
# user and item so that "Book-Rating" is a rating and "reviewTime" a timestamp.
_EXACT = {
    "rating": {"rating", "ratings", "score", "stars", "star", "rate", "grade", "value", "vote"},
    "timestamp": {"timestamp", "time", "date", "datetime", "ts", "unixtime", "when"},
    "user": {"user", "userid", "uid", "users", "customer", "customerid", "member", "reviewer"},
    "item": {"item", "itemid", "iid", "movie", "movieid", "book", "bookid", "isbn", "product"},
}
_CONTAINS = {
    "rating": ("rating", "score", "stars"),
    "timestamp": ("timestamp", "time", "date"),
    "user": ("user", "customer", "reviewer", "member", "client", "person"),
    "item": ("item", "movie", "book", "isbn", "product", "asin", "song", "track", "game", "film"),
}
_MATCH_ORDER = ("rating", "timestamp", "user", "item")

Override = str | int | None


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def role_of(name: str) -> str | None:
    """The role a header name suggests, or None."""
    key = _normalise(name)
    for role in _MATCH_ORDER:
        if key in _EXACT[role]:
            return role
    for role in _MATCH_ORDER:
        if any(part in key for part in _CONTAINS[role]):
            return role
    return None


def guess_roles(columns: list[str], has_header: bool) -> dict[str, int | None]:
    """Roles by header name, the rest by position (user, item, rating, timestamp)."""
    roles: dict[str, int | None] = dict.fromkeys(ROLES)
    if has_header:
        for index, name in enumerate(columns):
            role = role_of(name)
            if role and roles[role] is None:
                roles[role] = index
    free = [i for i in range(len(columns)) if i not in roles.values()]
    for role in ROLES:
        if roles[role] is None and free and (role != "timestamp" or not has_header):
            roles[role] = free.pop(0)
    return roles


def resolve_override(value: Override, role: str, columns: list[str], path: Path) -> int | None:
    """A column name or 0-based index given by the user, checked against the columns found."""
    if isinstance(value, bool) or value is None:
        return None
    found = ", ".join(columns)
    if isinstance(value, int):
        if 0 <= value < len(columns):
            return value
        raise DataError(
            f"{path} has no column {value} for the {role} (columns are numbered from 0): "
            f"found {len(columns)} columns: {found}."
        )
    wanted = str(value).strip()
    for index, name in enumerate(columns):
        if name == wanted:
            return index
    lowered = [name.lower() for name in columns]
    if wanted.lower() in lowered:
        return lowered.index(wanted.lower())
    raise DataError(f"{path} has no column {wanted!r} for the {role}; columns found: {found}.")


def apply_overrides(
    guessed: dict[str, int | None],
    overrides: dict[str, Override | bool],
    columns: list[str],
    path: Path,
) -> dict[str, int | None]:
    """Guessed roles with the user's choices on top; `timestamp=False` means none."""
    roles = dict(guessed)
    for role, value in overrides.items():
        if value is False:
            roles[role] = None
        elif value is not None:
            roles[role] = resolve_override(value, role, columns, path)
    for role in ("user", "item", "rating"):
        if roles[role] is None:
            raise DataError(
                f"{path} has {len(columns)} column(s) ({', '.join(columns)}) but needs at least "
                f"user, item and rating columns; no {role} column was found."
            )
    chosen = [roles[r] for r in ROLES if roles[r] is not None]
    if len(set(chosen)) != len(chosen):
        raise DataError(
            f"{path}: one column was chosen for two roles ({_describe(roles, columns)}); "
            "choose a different column for each."
        )
    return roles


def _describe(roles: dict[str, int | None], columns: list[str]) -> str:
    return ", ".join(f"{r}={columns[i]}" for r, i in roles.items() if i is not None)
