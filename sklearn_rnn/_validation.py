"""The data boundary: every accepted input becomes padded float32 sequences.

One function, :func:`check_sequences`, turns what a user passes (2D arrays and
DataFrames, 3D arrays, lists of variable-length sequences) into a C-contiguous
float32 array of shape ``(n_samples, n_timesteps, n_channels)`` plus, when
sequences differ in length, an int64 array of valid lengths. Sequences are
left-aligned: padding, when there is any, sits at the end. The sequences
and their missing steps are :mod:`sklearn_rnn._sequences`'. Beside it, fit's
checks against the data and the machine: early stopping's split of the
samples of positive weight, the batch size, the device.
"""

import re
import warnings

import numpy as np
import torch
from scipy import sparse
from sklearn import get_config
from sklearn.utils.validation import check_array, validate_data

from ._columns import refuse_non_numeric_columns
from ._compat import _check_sample_weight
from ._float32 import cast_to_float32, warn_of_float32_rounding
from ._sequences import (
    FLOAT_DTYPES,
    Sequences,
    channels_hint,
    channels_mismatch,
    columns_mismatch,
    layout_changed,
    one_sequence_hint,
    from_list,
    list_channel_names,
    refuse_long_panel,
    refuse_nested,
    refuse_strings,
    reject_nan,
    trim_leading_nan,
    unflatten,
    warn_of_time_axis,
)


def check_y_given(estimator, y):
    """Raise scikit-learn's error for a supervised ``fit`` without ``y``."""
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None."
        )


def check_sample_weight(sample_weight, n_samples):
    """Validated ``sample_weight`` as float64 with a mean of 1, or None.

    Equal weights (``None``, or every weight the same) train exactly as no
    weights do, so they are returned as None and take the unweighted path.
    """
    if sample_weight is None:
        return None
    weights = _check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), dtype=np.float64,
        ensure_non_negative=True,
    )
    if not weights.sum() > 0:  # scikit-learn < 1.7 lets all-zero weights pass
        raise ValueError(
            "sample_weight sums to zero: give at least one sample a positive "
            "weight."
        )
    if np.all(weights == weights[0]):
        return None
    # Only the weights' ratios count (every loss is a weighted mean); scaled
    # to a mean of 1, weights of 1e-46 or 1e37 are not 0 or inf in float32
    # (by the largest first: the mean of weights near 1e308 overflows).
    weights = weights / weights.max()
    return weights / weights.mean()


def split_positive_weights(split, weights, targets, rng):
    """Early stopping's ``(train_index, valid_index)``, over the positive weights.

    ``split(n_samples, targets, rng)`` splits the samples of positive weight
    alone: a sample of weight 0 is as if removed (on neither side), so the
    others are split as they would be without it, and neither side is left
    with only zero weights (a bootstrap's counts as weights, in scikit-learn's
    ``BaggingRegressor``, often left a regressor's validation tail without one).
    ``split`` None (no early stopping): ``(rows of positive weight, None)``,
    ``(None, None)`` where every row or none has weight (review s36 rvA F1:
    without early stopping, rows of weight 0 were trained on, counted by
    ``batch_size="auto"`` and by the penalty).
    """
    if split is None:
        some = weights is not None and weights.any() and not weights.all()
        return (np.flatnonzero(weights) if some else None), None
    if weights is None or weights.all():
        return split(len(targets), targets, rng)
    kept = np.flatnonzero(weights)
    try:
        train, valid = split(len(kept), targets[kept], rng)
    except ValueError as exc:
        raise ValueError(
            f"{exc.args[0]} (n_samples counts the {len(kept)} samples of positive "
            f"sample_weight, out of {len(weights)}: a sample of weight 0 is as if "
            "removed.)"
        ) from exc
    return kept[train], kept[valid]


def check_device(device):
    """The name of ``device`` (not ``"auto"``), checked to be there.

    ``"cpu"``, ``"cuda"`` (the current CUDA device), ``"cuda:N"`` or a
    :class:`torch.device` of those; a CUDA device that is not there raises
    a ``ValueError`` that names the ones that are. ``"cuda"`` comes back
    with the current device's index (``"cuda:0"``): the network stays on
    that device when another becomes current (``torch.cuda.set_device``).
    """
    name = str(device)
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={name!r} was requested but no CUDA device is available; "
                "use device='cpu' or device='auto'."
            )
        index, count = torch.device(name).index, torch.cuda.device_count()
        if index is not None and index >= count:
            raise ValueError(
                f"device={name!r} was requested but there are {count} CUDA "
                f"device(s), cuda:0 to cuda:{count - 1}; use one of them, or "
                "device='cuda' for the current one."
            )
        if index is None:
            name = f"cuda:{torch.cuda.current_device()}"
    return name


def check_fitted_device(name):
    """The device a model fitted on ``name`` (its ``device_``) predicts on here.

    ``name`` itself where it is here. Where CUDA is not, the CPU; where
    CUDA is but not the GPU of ``name``'s index (a model fitted on
    ``"cuda:1"`` loaded on a machine with one GPU), the current one; each
    with a warning.
    """
    if not name.startswith("cuda"):
        return name
    if not torch.cuda.is_available():
        warnings.warn(
            "This model was fitted on CUDA, which is not available here; "
            "predicting on the CPU."
        )
        return "cpu"
    index, count = torch.device(name).index, torch.cuda.device_count()
    if index is not None and index >= count:
        here = f"cuda:{torch.cuda.current_device()}"
        warnings.warn(
            f"This model was fitted on {name}, which is not here ({count} CUDA "
            f"device(s)); predicting on the current one, {here}."
        )
        return here
    return name


def check_batch_size(batch_size, n_samples):
    """The batch size for ``n_samples`` training samples.

    ``"auto"`` is ``n_samples // 8`` within [16, 200]; an integer beyond
    ``n_samples`` is clipped with a warning, as scikit-learn's MLP does. The
    samples are those left to train on: without early stopping's validation
    set, or the batch of ``partial_fit``.
    """
    if batch_size == "auto":
        return min(max(16, n_samples // 8), 200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            f"Got `batch_size`={batch_size}, larger than the {n_samples} samples to "
            "train on (those left after early stopping's validation set, or the "
            f"batch of partial_fit). It is going to be clipped to {n_samples}."
        )
        return n_samples
    return batch_size


def check_sequences(estimator, X, *, reset, y=None):
    """Validate ``X`` for ``estimator`` and return :class:`Sequences`.

    The estimator supplies ``n_channels``, ``flat_layout`` and
    ``leading_nan``. With ``reset=True`` the fitted input attributes
    (``n_features_in_``, ``feature_names_in_``, ``n_channels_in_``,
    ``n_timesteps_in_``) are set; otherwise the input is checked against them.
    ``y``, fit's targets, is read for its length only (a long-format panel's
    rows outnumber it).
    """
    if not reset:
        check_layout_unchanged(estimator)
    refuse_long_panel(X, y, None if reset else (estimator.n_channels_in_,
                                                estimator.n_timesteps_in_))
    allow_leading_nan = estimator.leading_nan == "trim"
    kind = input_kind(X)
    names = None
    if kind == "list":
        for i, x in enumerate(X):  # a list of DataFrames: name a date column
            refuse_non_numeric_columns(x, f"X[{i}]", type(estimator).__name__)
        seqs, largest, exact = from_list(X, allow_leading_nan)  # float32 already
        names = list_channel_names(estimator, X, reset)
        # lengths that differ are steps: only time_axis=2, ignored, is warned of
        if reset and (seqs.lengths is None or getattr(estimator, "time_axis", 1) == 2):
            warn_of_time_axis(*seqs.values.shape[1:], getattr(estimator, "time_axis", 1),
                              listed=True)
    elif kind == "3d":
        arr = _plain_3d(X)
        if arr is None:
            refuse_strings(X)
            arr = check_array(
                X,
                dtype=FLOAT_DTYPES,
                allow_nd=True,
                ensure_all_finite="allow-nan",
                input_name="X",
            )
        if arr.ndim != 3:
            raise ValueError(
                f"Expected a 2D or 3D array for X, got an array of shape {arr.shape}."
            )
        arr = _time_axis_first(estimator, arr, reset)
        seqs = Sequences(arr, None, 3)
        if allow_leading_nan:
            seqs = trim_leading_nan(seqs)
        elif np.isnan(arr).any():
            reject_nan(seqs)
    else:
        seqs = _from_table(estimator, X, reset, allow_leading_nan)

    if seqs.values.shape[1] == 0:
        raise ValueError("X has sequences of 0 time steps; at least 1 is required.")
    if seqs.values.shape[2] == 0:
        raise ValueError("X has 0 channels per time step; at least 1 is required.")
    if reset:
        if seqs.source_ndim == 3:
            estimator.n_features_in_ = seqs.values.shape[2]
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
            if names is not None:  # a list of DataFrames: its channels' names
                estimator.feature_names_in_ = names
        estimator.n_channels_in_ = seqs.values.shape[2]
        estimator.n_timesteps_in_ = seqs.values.shape[1]
        estimator._fitted_on_table = seqs.source_ndim == 2
        estimator._fitted_on_list = kind == "list"
        estimator._fitted_lengths_vary = seqs.lengths is not None
    elif seqs.source_ndim == 3 and not getattr(estimator, "_fitted_on_table", False):
        _warn_of_names(estimator, names)
    if not reset and seqs.values.shape[2] != estimator.n_channels_in_:  # 3D (tables: _from_table)
        raise channels_mismatch(
            type(estimator).__name__, seqs.values.shape[2], estimator.n_channels_in_,
            seqs.values.shape[1], getattr(estimator, "time_axis", 1), "predict",
            listed=kind == "list")
    if kind != "list":
        values, largest, exact = cast_to_float32(seqs)
    else:
        values = seqs.values
    if largest is not None:
        raise ValueError(
            "X holds values beyond the range of float32, in which the networks "
            f"compute (largest magnitude {largest:.3g}, float32 "
            f"reaches {np.finfo(np.float32).max:.3g}). Rescale X, e.g. with a "
            "StandardScaler or by a constant factor."
        )
    if reset and exact is not None:
        warn_of_float32_rounding(values, seqs.lengths, exact)
    return Sequences(values, seqs.lengths, seqs.source_ndim)


#: Parameters that say how X is read, fixed by the first fit.
LAYOUT_PARAMS = ("n_channels", "flat_layout", "time_axis")


def check_layout_unchanged(estimator):
    """Refuse a layout parameter changed since fit: X would be read otherwise."""
    fixed = getattr(estimator, "_fixed_params", {})
    fitted = {name: fixed[name] for name in LAYOUT_PARAMS if name in fixed}
    error = layout_changed(type(estimator).__name__, fitted,
                           {name: getattr(estimator, name) for name in fitted})
    if error is not None:
        raise error


def check_table_layout(estimator, n_columns, *, n_rows=None, fitted=True):
    """Refuse a 2D table of ``n_columns`` columns that ``estimator`` cannot read.

    ``predict`` (through :func:`check_sequences`) and ``to_onnx`` both call
    this, so that they refuse the same tables in the same words. A table
    holds one flattened sequence per row, ``n_channels`` columns per step.
    ``n_rows``, where given, is named in the messages. ``fitted=True``
    (``predict``, export) checks the table against the fit too: the
    ``n_channels_in_`` channels of a fit on 3D input, more than one step for
    a fit on sequences of several steps, the ``n_features_in_`` columns of a
    fit on tables; ``fitted=False`` (``fit``) only that ``n_columns`` is a
    multiple of ``n_channels``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import LSTMRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 12))
    >>> reg = LSTMRegressor(n_channels=2, max_iter=1).fit(X, X[:, -1])
    >>> check_table_layout(reg, 11)
    Traceback (most recent call last):
    ValueError: X has 11 columns, which is not a multiple of n_channels=2: ...
    """
    name = type(estimator).__name__
    n_channels = estimator.n_channels
    fitted_channels = estimator.n_channels_in_ if fitted else n_channels
    if n_channels != fitted_channels:
        # fitted on 3D input: a fit on tables has n_channels_in_ == n_channels
        axis = getattr(estimator, "time_axis", 1)
        one = n_columns == fitted_channels or (axis == 2 and n_rows == fitted_channels)
        hint = " " + one_sequence_hint(axis) if one else ""
        raise ValueError(
            f"X has {n_channels} channels per time step, but {name} is expecting "
            f"{fitted_channels} channels per time step as input: it was fitted on "
            f"3D input of {fitted_channels} channels per time step, and reads 2D "
            f"tables with n_channels={n_channels}, so it refuses every table. Pass "
            f"3D input of {fitted_channels} channels, or fit it with "
            f"n_channels={fitted_channels} to take tables.{hint}"
        )
    if n_columns % n_channels:
        raise columns_mismatch(n_columns, n_channels)
    if not fitted:
        return
    on_table = getattr(estimator, "_fitted_on_table", False)
    # a fit on sequences of several lengths may predict one-step sequences
    # (an estimator pickled before _fitted_lengths_vary: one fitted on a list)
    varying = getattr(estimator, "_fitted_lengths_vary",
                      getattr(estimator, "_fitted_on_list", False))
    if (n_columns == n_channels and estimator.n_timesteps_in_ > 1 and not on_table
            and not varying):
        # MLPRegressor says "X has 1 features, but ... is expecting 24"
        rows = "" if n_rows is None else f"{n_rows} "
        raise ValueError(
            f"X is read as {rows}sequences of 1 time step, but {name} was fitted "
            f"on sequences of {estimator.n_timesteps_in_} steps. "
            + one_sequence_hint(getattr(estimator, "time_axis", 1))
        )
    if on_table and n_columns != estimator.n_features_in_:
        # scikit-learn's words (validate_data says so first in predict)
        raise ValueError(
            f"X has {n_columns} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input. {_other_lengths_hint(estimator)}"
        )


def _other_lengths_hint(estimator, X=None):
    """The way to sequences of another length than a fit on tables read: 3D
    input (``X`` unflattened as ``estimator`` reads it) or a list."""
    c, arr = estimator.n_channels, "X.to_numpy()" if hasattr(X, "to_numpy") else "X"
    steps_first = getattr(estimator, "time_axis", 1) == 1  # 3D read as (n, steps, channels)
    if c == 1:
        as_3d = f"{arr}[:, :, None]" if steps_first else f"{arr}[:, None, :]"
    elif estimator.flat_layout == "channels_last":
        as_3d = f"{arr}.reshape(len(X), -1, {c})" + ("" if steps_first else ".transpose(0, 2, 1)")
    else:
        as_3d = f"{arr}.reshape(len(X), {c}, -1)" + (".transpose(0, 2, 1)" if steps_first else "")
    return ("A 2D X keeps fit's columns (scikit-learn's contract); a sequence "
            f"model takes sequences of another length as 3D input, {as_3d}, or "
            "as a list of (n_timesteps, n_channels) arrays (fit on such lengths "
            "too to predict them well).")


def _time_axis_first(estimator, arr, reset):
    """``arr`` as (n_samples, n_timesteps, n_channels), per ``time_axis``.

    Fitting warns when the result has at least twice as many channels as
    time steps (:func:`~sklearn_rnn._sequences.warn_of_time_axis`).
    """
    time_axis = getattr(estimator, "time_axis", 1)
    if time_axis == 2:
        arr = arr.transpose(0, 2, 1)
    if reset:
        warn_of_time_axis(*arr.shape[1:], time_axis)
    return arr


def _plain_3d(X):
    """``X`` itself where ``check_array`` would accept and return it as is.

    That is a non-empty, finite, native-order float32 or float64 ndarray of
    three dimensions, the common case in ``predict``, where ``check_array``
    (with its DataFrame and array-API dispatch) costs more than predicting
    one short sequence. Anything else returns ``None`` and goes through
    ``check_array``, which gives its usual errors.
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 3
        and X.shape[0] > 0
        and (X.dtype == np.float32 or X.dtype == np.float64)
        and not get_config()["array_api_dispatch"]
    ):
        with np.errstate(over="ignore"):
            if np.isfinite(X.sum()):
                return X
    return None


def input_kind(X):
    """Return "list" (sequences), "3d" or "table"."""
    refuse_nested(X)
    if sparse.issparse(X) or hasattr(X, "columns"):
        return "table"
    if isinstance(X, (list, tuple)):
        if len(X) == 0:
            return "table"  # check_array raises its "0 sample(s)" error
        shapes = {np.shape(x) for x in X}
        if len(shapes) == 1:
            shape = next(iter(shapes))
            if len(shape) == 1:
                return "table"  # equal-length rows: sklearn's 2D meaning
            if len(shape) == 0:
                return "table"  # a flat list: check_array rejects it as 1D
        return "list"
    ndim = getattr(X, "ndim", None)
    if (ndim == 1 and getattr(X, "dtype", None) == object and len(X)
            and np.ndim(X.iloc[0] if hasattr(X, "iloc") else X[0]) > 0):
        raise TypeError(
            f"X is a 1D {type(X).__name__} of sequences (dtype object); pass them "
            "as a list, list(X), as sequences of unequal lengths are taken."
        )
    if ndim is None:
        ndim = np.asarray(X).ndim
    return "3d" if ndim >= 3 else "table"


def _from_table(estimator, X, reset, allow_leading_nan):
    refuse_non_numeric_columns(X, "X", type(estimator).__name__)
    refuse_strings(X)
    # NaN passes check_array so that its message can name the fix below.
    try:
        if reset or getattr(estimator, "_fitted_on_table", False):
            arr = validate_data(
                estimator, X, reset=reset, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
            )
        else:
            arr = check_array(X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
    except ValueError as exc:
        if _sequences_read_as_rows(estimator, X) and "features as input" in str(exc):
            raise ValueError(f"{exc} {_LIST_OF_1D_HINT}") from None
        if "features as input" in str(exc):  # another number of columns than fit
            raise ValueError(f"{exc} {_other_lengths_hint(estimator, X)}") from None
        if not str(exc).startswith(("Expected 2D array, got 1D array",
                                    "Expected a 2-dimensional container")):  # a Series
            raise
        if np.shape(X) == (0,):  # an empty list: "reshape" does not apply
            raise ValueError(
                f"X is empty: {type(estimator).__name__} needs at least one "
                "sequence, got 0.") from None
        # sklearn's advice, reshape(-1, 1) or a single column, makes n
        # sequences of one step
        one = "X.to_numpy()[None]" if hasattr(X, "to_numpy") else "X.reshape(1, -1)"
        raise ValueError(
            f"Expected 2D array, got 1D array instead, of shape {np.shape(X)}. "
            "Reshape your data: a sequence model reads one sequence "
            f"per row, so pass {one} for one sequence, or cut one long series into "
            "windows with sklearn_rnn.windowing.make_windows.") from None
    check_table_layout(estimator, arr.shape[1], n_rows=arr.shape[0], fitted=not reset)
    seqs = Sequences(unflatten(arr, estimator.n_channels, estimator.flat_layout), None, 2)
    if reset:
        _check_lag_names(estimator, getattr(estimator, "feature_names_in_", None))
        _warn_of_columns_unlike_steps(seqs.values)
    if not np.isnan(arr).any():
        return seqs
    if allow_leading_nan:
        try:
            return trim_leading_nan(seqs)
        except ValueError as exc:
            hint = channels_hint(arr, estimator)
            if hint is None:
                raise
            raise ValueError(f"{exc} {hint}") from None
    reject_nan(seqs, lambda: channels_hint(arr, estimator, " with leading_nan='trim'"))


_LIST_OF_1D_HINT = (
    "A list of 1D sequences of one length is read as a 2D table, one row per "
    "sequence; to predict sequences of another length, pass them as arrays "
    "of shape (n_timesteps, 1), e.g. [s[:, None] for s in X], or as a 3D array.")


def _sequences_read_as_rows(estimator, X):
    """Whether ``X`` is a list or tuple of 1D arrays, sequences of one channel
    that a table of one channel reads as its rows."""
    return (isinstance(X, (list, tuple)) and estimator.n_channels == 1
            and all(np.ndim(x) == 1 for x in X))


def _warn_of_names(estimator, names):
    """scikit-learn's warnings where named sequences meet unnamed ones.

    A fit on a list of DataFrames names its channels (``feature_names_in_``);
    ``validate_data`` warns so for tables, and now sequences do too.
    """
    fitted = getattr(estimator, "feature_names_in_", None)
    name = type(estimator).__name__
    if fitted is not None and names is None:
        warnings.warn(f"X does not have valid feature names, but {name} was fitted "
                      "with feature names", UserWarning)
    elif fitted is None and names is not None:
        warnings.warn(f"X has feature names, but {name} was fitted without feature "
                      "names", UserWarning)


#: Columns of one channel whose spreads differ by more than this factor are
#: unlike time steps of one series (windows of real series: at most 2;
#: UCR sets' steps: at most 41) and warned of as features.
_UNLIKE_STEPS = 1000


def _check_lag_names(estimator, names):
    """Refuse a layout other than the one columns named as
    :class:`~sklearn_rnn.windowing.LagWindowTransformer` names them spell.

    ``"<variable>_lag<k>"``: with a ``fill_value`` other than NaN, a wrong
    ``n_channels`` or ``flat_layout`` read the steps out of order without a
    word (review s36 rvD F2: cross-validated R^2 0.997 to 0.94-0.98).
    """
    parsed = [re.fullmatch(r"(.+)_lag(\d+)", str(n)) for n in ([] if names is None else names)]
    if len(parsed) < 2 or not all(parsed):
        return
    variables = list(dict.fromkeys(m[1] for m in parsed))
    lags = [int(m[2]) for m in parsed]
    grid = unflatten(np.arange(len(parsed))[None], estimator.n_channels,
                     estimator.flat_layout)[0]  # (steps, channels): column indices
    steps = [{lags[i] for i in row} for row in grid]
    channels = [{parsed[i][1] for i in column} for column in grid.T]
    if all(len(s) == 1 for s in steps + channels) and len(channels) == len(variables):
        return
    other = (len(variables), "channels_first" if lags[0] != lags[1] else "channels_last")
    raise ValueError(
        f"X's columns are named as LagWindowTransformer names its windows "
        f"({', '.join(map(str, names[:3]))}, ...): {len(variables)} variable(s), "
        f"read with n_channels={other[0]}, flat_layout={other[1]!r}; "
        f"{type(estimator).__name__} has n_channels={estimator.n_channels}, "
        f"flat_layout={estimator.flat_layout!r}, which reads them out of order. Pass "
        f"n_channels={other[0]} and flat_layout={other[1]!r} (as the transformer's).")


def _warn_of_columns_unlike_steps(values):
    """Warn where a table's columns of one channel differ in scale like features.

    A table's columns are time steps, standardised together per channel: a
    table of features (a temperature, a humidity, a load in kW) read so left
    its small columns at nothing (test R^2 -0.007, against 0.999 with
    ``n_channels=3``).
    """
    n_steps = values.shape[1]
    if n_steps < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        spreads = np.nanstd(values, axis=0)  # (n_timesteps, n_channels)
    for channel in spreads.T:
        channel = channel[np.isfinite(channel)]
        channel = channel[channel > 1e-9 * channel.max(initial=0.0)]  # not constant
        if len(channel) > 1 and channel.max() > _UNLIKE_STEPS * channel.min():
            n_columns = n_steps * values.shape[2]
            warnings.warn(
                f"The columns of X differ in scale like features, not like the time "
                f"steps of a sequence (standard deviations {channel.min():.3g} to "
                f"{channel.max():.3g} within one channel). A 2D X is read as one "
                f"sequence per row, its columns the time steps of n_channels="
                f"{values.shape[2]} channel(s), each channel standardised as a whole. "
                f"If the columns are features, pass n_channels={n_columns} (one time "
                "step per row), or put a StandardScaler in front; if each row holds "
                "windows of several series (make_reduction with exogenous X: 1 + "
                "X.shape[1] of them), pass n_channels= their number.", UserWarning)
            return
