"""`cfdesk export`, `export-embeddings` and `predict`: result files, written atomically."""

from __future__ import annotations

import argparse
from pathlib import Path

from cfdesk.cli.commands.recommend import add_ranking_options, ranking_options
from cfdesk.cli.modelfile import (
    model_command,
    open_model,
    parse_user_list,
    recommender_for,
    stderr_progress,
)
from cfdesk.cli.output import reports_errors
from cfdesk.cli.tables import report

EXCEL_SAFE_HELP = (
    "start text cells that begin with = + - @, a tab or a carriage return with an apostrophe, "
    "so a spreadsheet shows titles and ids as text instead of running them as formulas "
    "(numbers are never changed)"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the three export subcommands."""
    recs = model_command(
        subparsers,
        "export",
        _export,
        help="top-N recommendations for every user (or some) as CSV",
        description="Write user_id,rank,item_id,title,predicted_rating (title only when the "
        "model has item metadata). The file appears only when complete.",
    )
    recs.add_argument("out", metavar="OUT.csv", help="file to write")
    recs.add_argument("--users", metavar="FILE|ID,...", help="only these users (default: all)")
    recs.add_argument("--excel-safe", action="store_true", help=EXCEL_SAFE_HELP)
    add_ranking_options(recs)

    emb = model_command(
        subparsers,
        "export-embeddings",
        _export_embeddings,
        help="item vectors for the TensorBoard projector, plus PCA coordinates",
        description="Write vectors.tsv (no header) and metadata.tsv (header: item_id, title, "
        "genres, count, mean) for projector.tensorflow.org, and pca.csv with pc1..pc3 of every "
        "item (PCA fitted on the most-rated items).",
    )
    emb.add_argument("out_dir", metavar="DIR", help="folder to write into (created)")
    emb.add_argument(
        "--fit-on",
        default="1000",
        metavar="N|all",
        help="fit the PCA on the N most-rated items, or all (default 1000)",
    )
    emb.add_argument("--excel-safe", action="store_true", help=f"pca.csv: {EXCEL_SAFE_HELP}")

    pred = model_command(
        subparsers,
        "predict",
        _predict,
        help="predicted ratings for a file of (user, item) pairs",
        description="Read PAIRS.csv (user and item columns, any separator, optional header) and "
        "write user_id,item_id,predicted_rating,known. Pairs with an id the model does not "
        "know get known=False and an empty prediction.",
    )
    pred.add_argument("pairs", metavar="PAIRS.csv", help="file of user,item pairs")
    pred.add_argument("out", metavar="OUT.csv", help="file to write")
    pred.add_argument("--excel-safe", action="store_true", help=EXCEL_SAFE_HELP)


def _summary(summary: object) -> dict:
    return {
        "path": str(summary.path),
        "rows": summary.rows,
        "users": summary.users,
        "seconds": round(summary.seconds, 3),
    }


@reports_errors
def _export(args: argparse.Namespace) -> int:
    from cfdesk.core.storage.export import export_recommendations

    summary = export_recommendations(
        recommender_for(open_model(args.model), args),
        args.out,
        user_ids=None if args.users is None else parse_user_list(args.users),
        progress=stderr_progress("export"),
        excel_safe=args.excel_safe,
        **ranking_options(args),
    )
    return report(args, _summary(summary))


@reports_errors
def _export_embeddings(args: argparse.Namespace) -> int:
    from cfdesk.core.errors import CfdeskError
    from cfdesk.core.results.projection import item_map
    from cfdesk.core.storage.embeddings import explained_variance, export_map, export_projector

    fitted = open_model(args.model)
    if args.fit_on != "all" and not args.fit_on.isdigit():
        raise CfdeskError(f"--fit-on {args.fit_on!r} should be a number of items or 'all'")
    fit_on = None if args.fit_on == "all" else int(args.fit_on)
    files = export_projector(fitted, args.out_dir, progress=stderr_progress("vectors"))
    dims = 3 if fitted.module.item_embeddings().shape[1] >= 3 else 2
    projection = item_map(fitted, n_components=dims, fit_on=fit_on)
    pca_path = export_map(projection, Path(args.out_dir) / "pca.csv", excel_safe=args.excel_safe)
    return report(
        args,
        {
            "vectors": str(files.vectors),
            "metadata": str(files.metadata),
            "pca": str(pca_path),
            "rows": files.rows,
            "explained_variance": explained_variance(projection),
            "axis_ends": projection.axis_ends,
        },
    )


@reports_errors
def _predict(args: argparse.Namespace) -> int:
    from cfdesk.core.storage.export import export_predictions, read_pairs

    fitted = open_model(args.model)
    users, items = read_pairs(args.pairs)
    summary = export_predictions(
        fitted, users, items, args.out, stderr_progress("predict"), excel_safe=args.excel_safe
    )
    return report(args, {**_summary(summary), "unknown": summary.unknown})
