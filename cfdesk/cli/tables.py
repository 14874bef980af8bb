"""How the results subcommands print: one JSON line with --json, else short lines for a person."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

import numpy as np

from cfdesk.cli.modelfile import title_of
from cfdesk.cli.output import print_json
from cfdesk.core.fitted import FittedModel


def report(args: argparse.Namespace, facts: dict, lines: Iterable[str] | None = None) -> int:
    """Print `facts` as JSON with --json, else `lines` (default: "key: value" per fact)."""
    if args.json:
        print_json(facts)
        return 0
    for line in (f"{key}: {value}" for key, value in facts.items()) if lines is None else lines:
        print(line)
    return 0


def item_rows(
    fitted: FittedModel, ids: np.ndarray, scores: np.ndarray, score_name: str
) -> list[dict]:
    """One dict per listed item: item_id, title (None without metadata) and its score."""
    return [
        {"item_id": item_id, "title": title_of(fitted, item_id), score_name: score}
        for item_id, score in zip(ids, scores.tolist(), strict=True)
    ]


def score_lines(rows: list[dict], score_name: str, id_name: str = "item_id") -> list[str]:
    """`  score  id  title` per row, the title only where there is one."""
    return [
        f"{row[score_name]:>8.4f}  {row[id_name]}  {row.get('title') or ''}".rstrip()
        for row in rows
    ]
