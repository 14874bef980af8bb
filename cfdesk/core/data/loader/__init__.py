"""Ratings and item files of many shapes -> Ratings (+ ItemTable), with sentences for bad input."""

from __future__ import annotations

from cfdesk.core.data.loader.load import load_ratings
from cfdesk.core.data.loader.metadata import find_item_file, load_item_table
from cfdesk.core.data.loader.sniff import FileFormat, sniff

__all__ = ["FileFormat", "find_item_file", "load_item_table", "load_ratings", "sniff"]
