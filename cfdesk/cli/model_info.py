"""`cfdesk info MODEL.cfmodel`: what a model file holds (called by the `info` command)."""

from __future__ import annotations

import argparse

from cfdesk.cli.modelfile import open_model
from cfdesk.cli.output import print_json, reports_errors
from cfdesk.cli.train_shared import distributed_line
from cfdesk.core.fitted import FittedModel


def describe(fitted: FittedModel) -> dict:
    """Kind, sizes, range, settings and final metrics as a JSON-ready dict."""
    module = fitted.module
    return {
        "kind": module.kind,
        "factors": int(module.item_embeddings().shape[1]),
        "users": fitted.n_users,
        "items": fitted.n_items,
        "training_ratings": int(fitted.item_count.sum()),
        "rating_range": list(fitted.rating_range),
        "y_range": None if module.y_range is None else list(module.y_range),
        "has_item_metadata": fitted.item_table is not None,
        "held_out_only_users": len(fitted.held_out_users),
        "held_out_only_items": len(fitted.held_out_items),
        "epochs_trained": len(fitted.history),
        "dataset": fitted.dataset_name,
        "data_source": None if fitted.data_source is None else fitted.data_source.to_dict(),
        "metrics": fitted.metrics,
        "config": fitted.config.to_dict(),
    }


@reports_errors
def run(args: argparse.Namespace) -> int:
    """Print the model's description, as text or one JSON line with --json."""
    facts = describe(open_model(args.file))
    if getattr(args, "json", False):
        print_json(facts)
        return 0
    print(
        f"{facts['kind']} model, {facts['factors']} factors: {facts['users']:,} users × "
        f"{facts['items']:,} items, {facts['training_ratings']:,} training ratings"
    )
    for key in ("dataset", "rating_range", "y_range", "epochs_trained", "has_item_metadata"):
        print(f"{key}: {facts[key]}")
    source = facts["data_source"]
    if source is not None:
        print(
            f"trained on: {source['path']} ({source['n_users']:,} users, {source['n_items']:,} "
            f"items, {source['n_ratings']:,} ratings)"
        )
    for key, value in facts["metrics"].items():
        if key == "distributed":
            value = distributed_line(value)
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    return 0
