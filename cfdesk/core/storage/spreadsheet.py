"""Excel-safe CSV: text that a spreadsheet would run as a formula gets a leading apostrophe.

Titles, genres and ids come from the user's files and are written verbatim, so a title such as
`=HYPERLINK("http://…")`, `+cmd|' /C calc'!A0` or `@SUM(A1)` would run as a formula when the CSV
is opened in Excel, LibreOffice or Google Sheets (OWASP "CSV injection"). The guard prefixes a
single quote to text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return; the
spreadsheet shows the text as typed. Numeric columns are never touched, so -1.5 stays a number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(text: str) -> str:
    """One text cell made inert: a formula-like start gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text columns are guarded; numbers, booleans and missing cells are as they were."""
    guarded = frame.copy()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        values = column.to_numpy(dtype=object, copy=True)
        risky = np.fromiter(
            (isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values), bool, len(values)
        )
        if risky.any():
            values[risky] = ["'" + v for v in values[risky]]
            guarded[name] = pd.Series(values, index=column.index, dtype=object)
    return guarded


def maybe_excel_safe(frame: pd.DataFrame, enabled: bool) -> pd.DataFrame:
    """`excel_safe(frame)` when the user asked for it, else the frame as is."""
    return excel_safe(frame) if enabled else frame
