"""Ratings in: loading files, the validated container, ids, item metadata, splits, summaries, demo data."""
