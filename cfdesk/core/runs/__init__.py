"""Runs and studies: hyper-parameter search (Tune) over the trainer, and blends of its best trials."""
