"""A table's columns that are not numbers: refused by their names.

A table read from a file usually keeps its date column, and a label column
is easily left in. scikit-learn's ``check_array`` names neither the column
nor the fix (NumPy's ``DTypePromotionError`` for pandas dates, "could not
convert string to float" for text), and turns a polars date column into
numbers (microseconds since 1970) without a word. The estimators and the
windowing tools refuse such columns here first, for pandas and polars
DataFrames alike (neither library is imported).
"""

import numpy as np

__all__ = ["refuse_non_numeric_columns"]


def refuse_non_numeric_columns(X, name, what, index=True):
    """Refuse a DataFrame's date, time, duration or text column by its name.

    ``X`` is anything; only pandas and polars DataFrames are checked. ``name``
    is how the message writes ``X`` as code (``"X"``, ``"X[3]"``), ``what``
    the reader (an estimator's or function's name). Raises ``TypeError``
    naming the first such column, its dtype and the way to drop or convert
    it; numbers held as objects (a categorical of numbers) pass. With
    ``index=False`` (an instance of a panel, indexed already) the way out
    is to drop the column, not to make it the index.
    """
    if type(X).__module__.split(".")[0] == "polars" and hasattr(X, "schema"):
        _refuse_polars(X, name, what)
        return
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    for column, dtype in dtypes.items():
        kind = getattr(dtype, "kind", "O")
        if kind not in "mMO":
            continue
        if kind == "O":
            values = X[column]
            try:  # numbers held as objects (a categorical of numbers, with gaps) convert
                np.asarray(values[~values.isna()], dtype=np.float64)
                continue
            except (TypeError, ValueError):
                pass
        if kind == "m":
            fix = (f"Convert it to numbers, e.g. {name}[{column!r}].dt.total_seconds(), "
                   f"or drop it ({name}.drop(columns={column!r})).")
        elif index:
            fix = (f"Set it as the index ({name}.set_index({column!r})) or drop it "
                   f"({name}.drop(columns={column!r})).")
        else:
            fix = f"Drop it ({name}.drop(columns={column!r})) or encode it as numbers."
        _raise(what, column, name, {"M": "dates or times", "m": "durations"}.get(
            kind, "values that are not numbers"), dtype, fix)


def _refuse_polars(X, name, what):
    """The same for a polars DataFrame, which has no index to set."""
    for column, dtype in X.schema.items():
        if dtype.is_numeric() or str(dtype) in ("Boolean", "Null"):
            continue
        if str(dtype).startswith("Duration"):
            holds = "durations"
            fix = (f"Convert it to numbers, e.g. with {name}[{column!r}]"
                   f".dt.total_seconds(), or drop it ({name}.drop({column!r})).")
        else:
            holds = ("dates or times" if dtype.is_temporal()
                     else "values that are not numbers")
            fix = f"Drop it ({name}.drop({column!r}))."
        _raise(what, column, name, holds, dtype, fix)


def _raise(what, column, name, holds, dtype, fix):
    raise TypeError(
        f"{what} reads numbers only, but column {column!r} of {name} holds "
        f"{holds} (dtype {dtype}). {fix}"
    )
