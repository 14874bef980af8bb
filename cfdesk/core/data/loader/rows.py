"""Splitting text lines into fields for every supported separator, with physical line numbers."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Separator:
    """How fields are split; `text` is what a user would type, `name` what a dialog shows."""

    text: str
    name: str

    @property
    def quoted(self) -> bool:
        """Single-character separators honour "quoted, fields"; `::` and whitespace do not."""
        return len(self.text) == 1 and self.name != "whitespace"

    def split(self, line: str) -> list[str]:
        """Fields of one line (quotes removed for single-character separators)."""
        if self.text == "::":
            return line.split("::")
        if self.name == "whitespace":
            return line.split()
        return next(csv.reader([line], delimiter=self.text, quotechar='"'), [])


SEPARATORS = (
    Separator("::", "::"),
    Separator("\t", "tab"),
    Separator(",", "comma"),
    Separator(";", "semicolon"),
    Separator("|", "pipe"),
    Separator(" ", "whitespace"),
)


def iter_rows(stream: Iterable[str], sep: Separator) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every non-blank row; quoted rows may span several lines."""
    if sep.quoted:
        reader = csv.reader(stream, delimiter=sep.text, quotechar='"')
        start = 1
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                yield start, fields
            start = reader.line_num + 1
        return
    for number, line in enumerate(stream, 1):
        line = line.rstrip("\r\n")
        if line.strip():
            yield number, sep.split(line)


def detect_separator(lines: list[str]) -> Separator:
    """The separator that splits the sample into the most consistent rows of 2+ fields."""
    sample = lines[:200]
    best, best_score = SEPARATORS[2], 0.0
    for sep in SEPARATORS:
        counts = Counter(len(sep.split(line)) for line in sample)
        width, hits = counts.most_common(1)[0]
        score = hits / len(sample) if width >= 2 else 0.0
        if score > best_score + 0.05:
            best, best_score = sep, score
    return best
