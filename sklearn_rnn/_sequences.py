"""The validated sequences, and the missing steps they may hold.

:class:`Sequences` is what :func:`~sklearn_rnn._validation.check_sequences`
returns: padded float sequences with their lengths. NaN is missing data; only
leading all-NaN steps ("no history yet", as
:class:`~sklearn_rnn.windowing.LagWindowTransformer` marks the first rows)
are read, by :func:`trim_leading_nan`, as shorter sequences; where a 2D
table's NaN are not leading, :func:`channels_hint` names the ``n_channels``
and ``flat_layout`` (:func:`unflatten`) under which they would be.
:func:`warn_of_time_axis` warns of 3D input that looks read along the wrong
axis. The estimators and :class:`~sklearn_rnn.windowing.WindowTrimmer` refuse
input of another layout than in fit in the same words
(:func:`channels_mismatch`, :func:`columns_mismatch`,
:func:`layout_changed`) and read the same dtypes (``FLOAT_DTYPES``). A
list of sequences is read by :func:`from_list` (its DataFrames' column
names by :func:`list_channel_names`); arrays of strings are refused by
:func:`refuse_strings`, long-format panels (a MultiIndex of instance and
time) by :func:`refuse_long_panel`. :func:`warn_of_short_sequences` warns
where ``predict`` reads sequences shorter than the skip connection and every
training sequence (:func:`record_shortest`).
"""

import warnings
from dataclasses import dataclass

import numpy as np

#: float32 and float64 are kept; other dtypes (integers) become float64, so
#: that the cast to float32 is checked for what it rounds away.
FLOAT_DTYPES = (np.float64, np.float32)


@dataclass
class Sequences:
    """Validated sequences.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_timesteps, n_channels)
        Left-aligned sequences, zero-padded at the end where ``lengths`` is
        shorter than ``n_timesteps``; float32 once returned by
        ``check_sequences`` (an array's or table's float64 while it reads
        them, their NaN trimmed in full precision; a list's sequences are
        cast one by one, by :func:`from_list`).
    lengths : ndarray of shape (n_samples,) of int64, or None
        Valid steps of each sequence; ``None`` when every sequence is full.
    source_ndim : int
        2 for tabular input (2D arrays, DataFrames, lists of equal-length
        rows), 3 for 3D arrays and lists of sequences.
    """

    values: np.ndarray
    lengths: np.ndarray | None
    source_ndim: int

    def __post_init__(self):
        # Read-only input (joblib's memory maps under n_jobs > 1) is copied:
        # torch wraps arrays without copying and warns on read-only ones.
        if not self.values.flags.writeable:
            self.values = self.values.copy()

    def __len__(self):
        return self.values.shape[0]

    @property
    def shortest(self):
        """The fewest valid steps of a sequence."""
        return self.values.shape[1] if self.lengths is None else int(self.lengths.min())

    def take(self, rows):
        """The sequences at the index array ``rows``."""
        lengths = None if self.lengths is None else self.lengths[rows]
        return Sequences(self.values[rows], lengths, self.source_ndim)


def reject_nan(seqs, hint=lambda: None):
    """Raise for NaN in ``seqs`` under ``leading_nan="raise"``, naming the fix."""
    try:
        trim_leading_nan(seqs, trimming=False)
    except ValueError as exc:
        sentence = hint()
        if sentence is not None:
            raise ValueError(f"Input X contains NaN. {sentence}") from None
        if str(exc).startswith(_PADDED_AT_THE_END):
            raise
        raise ValueError(f"{exc} Impute the missing values or drop those rows.") from None
    raise ValueError(
        "Input X contains NaN, only in the leading time steps of its sequences: "
        "the padding LagWindowTransformer (or a shift) puts before the first "
        "rows looks like this. Pass leading_nan='trim' to read those steps as "
        "'no history yet' (shorter sequences), or drop the rows with NaN."
    )


def trim_leading_nan(seqs, trimming=True):
    """Drop leading all-NaN steps of each sequence, left-aligning the rest.

    The result is as wide as the longest sequence left (the resolved sizes,
    ``patch_size="auto"`` and the others, read its width). ``trimming=False``
    (``reject_nan``, under ``leading_nan="raise"``): the message for other
    NaN says that leading ones are accepted only with ``leading_nan='trim'``.
    """
    values = seqs.values
    missing = np.isnan(values).all(axis=2)
    n_lead = np.where(missing.all(axis=1), values.shape[1], np.argmin(missing, axis=1))
    empty = np.flatnonzero(n_lead == values.shape[1])
    if empty.size:
        raise ValueError(
            f"Sequence {empty[0]} of X has no observed time step (all NaN); drop it."
        )
    if not n_lead.any():
        if not np.isfinite(values).all():  # no sequence has leading missing steps
            _refuse_end_padding(values, seqs.source_ndim)
            raise ValueError(nan_message(first_bad_row(values), False, trimming))
        return seqs
    steps = np.arange(values.shape[1])
    gather = np.minimum(steps[None, :] + n_lead[:, None], values.shape[1] - 1)
    shifted = np.take_along_axis(values, gather[:, :, None], axis=1)
    lengths = (values.shape[1] - n_lead).astype(np.int64)
    valid = steps[None, :] < lengths[:, None]
    if not np.isfinite(shifted[valid]).all():
        _refuse_end_padding(values, seqs.source_ndim)
        row = first_bad_row(np.where(valid[..., None], shifted, 0))
        raise ValueError(nan_message(row, n_lead[row] > 0, trimming))
    # as wide as the longest trimmed sequence, as a list of them would be
    width = int(lengths.max())
    shifted = np.where(valid[..., None], shifted, 0.0)[:, :width]
    return Sequences(shifted, None if (lengths == width).all() else lengths,
                     seqs.source_ndim)


def first_bad_row(values):
    return int(np.flatnonzero(~np.isfinite(values).all(axis=(1, 2)))[0])


def nan_message(row, after_leading, trimming):
    where = " after its leading missing steps" if after_leading else ""
    only = "" if trimming else ", and only with leading_nan='trim'"
    return (
        f"Input X contains NaN or inf: sequence {row} has a non-finite value"
        f"{where}. Only leading all-NaN steps (no history yet) are accepted{only}."
    )


_PADDED_AT_THE_END = "Input X contains NaN in the last time steps of some sequences"

#: The end of the padding message, by the input's dimensions (and, for 2D
#: input, its channels); each ends with the ordinary advice for missing
#: values, which a NaN in a table's last column more often is.
_END_PADDING_ADVICE = {
    3: ("sequences of unequal lengths padded with NaN at the end, as in "
        "tslearn's and aeon's 3D arrays, look like this. Pass them as a list of "
        "arrays of their own lengths (of a 3D X with time on axis 1, "
        "[x[~np.isnan(x).all(axis=-1)] for x in X]), which the estimators take; "
        "leading_nan='trim' reads only leading missing steps. If they are missing "
        "values, impute them or drop those rows."),
    2: ("rows of unequal lengths padded with NaN at the end look like this. Pass "
        "them as a list of arrays of their own lengths ({list}), which the "
        "estimators take; leading_nan='trim' reads only leading missing steps. If "
        "they are missing values, impute them (e.g. with SimpleImputer) or drop "
        "those rows."),
}

#: The list of a 2D X's sequences, of one channel and of several.
_ROWS_AS_LIST = (
    "[row[~np.isnan(row)] for row in X]",
    "each row reshaped to (n_timesteps, n_channels) as flat_layout orders it, "
    "without its all-NaN steps",
)


def _refuse_end_padding(values, source_ndim=3):
    """Raise where every NaN of ``values`` is in all-NaN steps at a sequence's end.

    Leading all-NaN steps may come too; any other NaN (inside a sequence, or
    in some channels of a step) leaves the general message to the caller.
    ``source_ndim`` (2 for tables) picks the advice.
    """
    nan_steps = np.isnan(values).all(axis=2)
    finite_steps = np.isfinite(values).all(axis=2)
    if not (nan_steps | finite_steps).all():
        return
    after_data = np.maximum.accumulate(finite_steps, axis=1) & nan_steps
    data_later = np.flip(np.maximum.accumulate(np.flip(finite_steps, 1), axis=1), 1)
    if after_data.any() and not (after_data & data_later).any():
        advice, where = _END_PADDING_ADVICE[source_ndim], ": "
        if source_ndim == 2:
            several = values.shape[2] > 1
            advice = advice.format(list=_ROWS_AS_LIST[several])
            where = ": " if several else " (the last columns of some rows): "
        raise ValueError(f"{_PADDED_AT_THE_END}{where}{advice}")


def unflatten(arr, n_channels, flat_layout):
    """2D rows of ``n_timesteps * n_channels`` columns as 3D, per the layout."""
    n_samples, n_columns = arr.shape
    n_steps = n_columns // n_channels
    if flat_layout == "channels_first":
        return arr.reshape(n_samples, n_channels, n_steps).transpose(0, 2, 1)
    return arr.reshape(n_samples, n_steps, n_channels)


def channels_hint(arr, estimator, then=""):
    """A sentence naming ``n_channels`` (and layout) whose NaN are all leading.

    None when no other channel count or layout of ``arr`` puts the NaN of
    every row in leading all-NaN steps only. The estimator's own
    ``n_channels`` in the other layout comes first, then the largest count:
    channels-last lag windows read as one channel always pass (a reading
    that interleaves the channels into one), so the smallest is the worst.
    """
    n_columns = arr.shape[1]
    other = ({"channels_first", "channels_last"} - {estimator.flat_layout}).pop()
    readings = [(estimator.n_channels, other)] + [
        (n_channels, layout)
        for n_channels in range(n_columns // 2, 0, -1)
        if not n_columns % n_channels
        for layout in (estimator.flat_layout, other)
    ]
    for n_channels, layout in readings:
        if (n_channels, layout) == (estimator.n_channels, estimator.flat_layout):
            continue
        if n_columns % n_channels or n_columns // n_channels < 2:
            continue
        try:
            trim_leading_nan(Sequences(unflatten(arr, n_channels, layout), None, 2))
        except ValueError:
            continue
        changes = []
        if n_channels != estimator.n_channels:
            changes.append(f"n_channels={n_channels}")
        if layout != estimator.flat_layout:
            changes.append(f"flat_layout={layout!r}")
        return (
            f"Read as flattened windows of {n_channels} channels "
            f"(flat_layout={layout!r}), every NaN of X is a leading missing "
            f"step: if X holds such windows (as LagWindowTransformer("
            f"flat_layout={layout!r}) makes from a table of {n_channels} "
            f"columns), pass {' and '.join(changes)}{then}."
        )
    return None


#: How a list's sequences are read, and the fix for the other layout.
LIST_LAYOUT = (
    "A list's sequences are read as (n_timesteps, n_channels), whatever "
    "time_axis (which reads 3D arrays); if they are laid out as (n_channels, "
    "n_timesteps), as the samples of sktime's numpy3D panels are, pass "
    "[x.T for x in X].")


def refuse_nested(X):
    """Refuse a DataFrame whose cells hold sequences, naming the fix.

    sktime's ``nested_univ`` panels (one ``pd.Series`` per instance and
    channel, ``load_gunpoint(return_type="nested_univ")``) got NumPy's
    "setting an array element with a sequence.", which names neither X nor
    the format.
    """
    if (hasattr(X, "columns") and hasattr(X, "iloc") and min(X.shape) > 0
            and np.ndim(X.iloc[0, 0]) > 0):
        raise TypeError(
            "X is a DataFrame of sequences (each cell a sequence: sktime's "
            "nested_univ format); a sequence model reads arrays. Pass a list "
            "of (n_timesteps, n_channels) arrays, [np.column_stack(list(row)) for "
            "row in X.itertuples(index=False)], or, where the series are of equal "
            "lengths, sktime's convert_to(X, \"numpy3D\") with time_axis=2.")


def refuse_long_panel(X, y=None, fitted=None):
    """Refuse a long-format panel, one row per instance and time point, naming
    the fix.

    A DataFrame or Series indexed by (instance, time), sktime's
    ``pd-multiindex`` panels or ``df.set_index(["id", "t"])``, got
    scikit-learn's "Found input variables with inconsistent numbers of
    samples: [7500, 50]". It is refused where its rows are not as many as
    the targets of ``y`` and its instances (the first index level) are
    (fit; other lengths of ``y`` are a slip, with scikit-learn's message), or, with ``fitted``, the ``(n_channels,
    n_timesteps)`` of a fit (predict), where each row holds one step of the
    fit's channels for a model fitted on longer sequences. A table
    of windows so indexed, one row per sample (sktime's reduction
    forecasters with ``pooling="global"``), passes.
    """
    index = getattr(X, "index", None)
    if getattr(index, "nlevels", 1) < 2 or not hasattr(X, "iloc"):
        return
    n_rows = len(X)
    n_targets = np.shape(y)[0] if y is not None and np.ndim(y) else n_rows
    n_instances = len(index.unique(level=0))
    if n_targets != n_rows:
        if n_instances != n_targets:  # not a target per instance: a slip in y's length
            return
        what = f"{n_rows} rows for {n_targets} targets in y"
    elif (fitted is not None and fitted[1] > 1
            and (1 if np.ndim(X) == 1 else X.shape[1]) == fitted[0]):
        what = (f"{n_rows} rows of one time step each, for a model fitted on "
                f"sequences of {fitted[1]} steps")
    else:
        return
    raise ValueError(
        f"X looks like a long-format panel, one row per instance and time point "
        f"(a {type(X).__name__} with a MultiIndex, sktime's pd-multiindex "
        f"format): {what}, and {n_instances} instances in its first index level. "
        "A sequence model reads one sequence per sample. Pass a list of "
        "(n_timesteps, n_channels) arrays, one per instance, [g.to_numpy() for _, "
        "g in X.groupby(level=0, sort=False)], or, where the instances are of "
        "equal lengths, sktime's convert_to(X, \"numpy3D\") with time_axis=2; "
        "sklearn_rnn.sktime.RNNClassifier takes sktime's panels as they are.")


def record_shortest(estimator, seqs, first_call):
    """Keep the fewest steps of a training sequence, ``_shortest_fitted``,
    over every fit of a continued one (``partial_fit``, ``warm_start``)."""
    before = getattr(estimator, "_shortest_fitted", None)
    if first_call or before is not None:  # unknown for a model pickled before it
        estimator._shortest_fitted = (
            seqs.shortest if first_call else min(before, seqs.shortest))


def warn_of_short_sequences(estimator, seqs):
    """Warn where ``predict`` reads sequences shorter than the fitted linear
    skip connection (``skip_steps_``) of a fit on none as short.

    The connection reads the last ``skip_steps_`` steps and zeros for those
    a sequence lacks; where every training sequence had them all, these are
    zeros it never met in training, and the predictions degrade without a
    word (a regressor fitted on 24-step windows lost much of its R^2 on
    their last 18 steps). A fit that met such zeros (a list of several
    lengths, some shorter than the connection) is not warned of: in a
    cross-validation of such a list, the fold holding the shortest sequence
    was. A check of the lengths only.
    """
    skip = getattr(estimator, "skip_steps_", 0)
    if seqs.shortest >= skip or getattr(estimator, "_shortest_fitted", 0) < skip:
        return  # fitted before _shortest_fitted existed: 0, no warning
    n_short = (len(seqs) if seqs.lengths is None
               else int(np.count_nonzero(seqs.lengths < skip)))
    warnings.warn(
        f"X holds {n_short} sequence(s) of fewer than {skip} time steps (the "
        f"shortest has {seqs.shortest}), the steps the linear skip connection "
        f"reads (skip_steps_={skip}), and every training sequence had as many "
        f"(the shortest {estimator._shortest_fitted}): it reads the missing "
        "steps as zeros, which it never met in training, and the predictions "
        "degrade. Fit on sequences of the lengths you predict (shorter "
        "windows, e.g. cut with WindowTrimmer, or a list of sequences of "
        f"several lengths), or with skip_steps={seqs.shortest} or fewer. To "
        "predict them so anyway, silence this warning with warnings."
        "filterwarnings(\"ignore\", message=\"X holds .* of fewer than\").",
        UserWarning)


def warn_of_time_axis(n_steps, n_channels, time_axis, listed=False):
    """Warn where 3D input read with ``time_axis`` has at least twice as
    many channels as time steps.

    sktime's numpy3D panels, ``(n_instances, n_channels, n_timepoints)``,
    read with ``time_axis=1`` look like that (one step when univariate;
    BasicMotions' 6 channels of 100 steps read as 6 steps of 100 channels
    lost 7.5 points of accuracy without a word). The estimators and
    :class:`~sklearn_rnn.windowing.WindowTrimmer` warn in the same words.
    ``listed``: X is a list of sequences, which ``time_axis`` does not
    apply to; it warns with ``time_axis=2`` too (``list(X3)`` of a numpy3D
    panel ``X3`` was read transposed without a word).
    """
    if n_channels >= 2 * n_steps or (listed and time_axis == 2):
        layouts = {
            1: "(n_samples, n_channels, n_timesteps), as sktime's numpy3D panels are",
            2: "(n_samples, n_timesteps, n_channels)",
        }
        other = 2 if time_axis == 1 else 1
        steps = "1 time step" if n_steps == 1 else f"{n_steps} time steps"
        fix = (f"If X is laid out as {layouts[time_axis]}, pass time_axis={other}."
               if not listed else LIST_LAYOUT)
        read = "a list of sequences" if listed else f"read with time_axis={time_axis}"
        warnings.warn(
            f"X has {steps} of {n_channels} channels per sample ({read}). {fix} "
            "If it is laid out as read, silence this "
            "warning with warnings.filterwarnings(\"ignore\", message=\"X has .* "
            "channels per sample\").",
            UserWarning,
        )


def channels_mismatch(name, n_channels, n_expected, n_on_time_axis, time_axis, verb,
                      listed=False):
    """The error for 3D X of ``n_channels`` channels per time step where
    ``name`` (the estimator's class name) expects ``n_expected``.

    Where X's ``time_axis`` has ``n_on_time_axis == n_expected`` entries, it
    hints at the other ``time_axis``, to fit and ``verb`` ("predict",
    "transform") with; for a list of sequences (``listed``), at transposing
    them.
    """
    hint = ""
    if n_on_time_axis == n_expected and listed:
        hint = f" Its sequences have {n_expected} time steps. {LIST_LAYOUT}"
    elif n_on_time_axis == n_expected:
        other = 2 if time_axis == 1 else 1
        hint = (
            f" Its axis {time_axis} has {n_expected} entries: "
            f"if those are the channels, fit and {verb} with time_axis={other}."
        )
    return ValueError(
        f"X has {n_channels} channels per time step, but {name} is expecting "
        f"{n_expected} channels per time step as input.{hint}"
    )


def columns_mismatch(n_columns, n_channels, subject="X has"):
    """The error for 2D input of ``n_columns`` columns, not a multiple of
    ``n_channels``; ``subject`` names the input ("X has")."""
    return ValueError(
        f"{subject} {n_columns} columns, which is not a multiple of "
        f"n_channels={n_channels}: 2D input must hold n_timesteps * "
        "n_channels columns. (A meta-estimator that adds or picks columns, "
        "such as RegressorChain, ClassifierChain, SequentialFeatureSelector or "
        "BaggingRegressor with max_features < 1, changes them: see the user "
        "guide's 'Meta-estimators'.)"
    )


def one_sequence_hint(time_axis):
    """How to predict one sequence given as a 2D array, in ``time_axis``'s layout."""
    if time_axis == 2:  # review rvA F6: the hint gave time_axis=1's layout
        return ("A 2D X holds one flattened sequence per row; to predict one "
                "sequence of shape (n_channels, n_timesteps), the layout of "
                "time_axis=2, pass X[None], of shape (1, n_channels, n_timesteps) "
                "(one of shape (n_timesteps, n_channels): X.T[None]).")
    return ("A 2D X holds one flattened sequence per row; to predict one sequence "
            "of shape (n_timesteps, n_channels), pass X[None], of shape (1, "
            "n_timesteps, n_channels).")


def layout_changed(name, fitted, current):
    """The error for layout parameters changed since fit, or None.

    ``fitted`` and ``current`` map the parameters that say how X is read
    (``time_axis``, ...) to their values in fit and now; ``name`` is the
    estimator's class name.
    """
    changed = [key for key in fitted if current[key] != fitted[key]]
    if not changed:
        return None
    one = len(changed) == 1
    return ValueError(
        f"{name} was fitted with "
        + ", ".join(f"{key}={fitted[key]!r}" for key in changed)
        + (", which says" if one else ", which say") + " how X is read; it is now "
        + ", ".join(f"{key}={current[key]!r}" for key in changed)
        + (". Set it back" if one else ". Set them back")
        + ", or fit again with the new layout."
    )


def refuse_strings(X, what="X"):
    """Refuse an array of strings, as scikit-learn's ``dtype="numeric"`` does.

    Asked for float dtypes, ``check_array`` parses strings as numbers.
    """
    if isinstance(X, (list, tuple)) and len(X) and isinstance(X[0], (list, tuple, str)):
        try:
            X = np.asarray(X)
        except ValueError:  # ragged: each sequence is checked on its own
            return
    if getattr(getattr(X, "dtype", None), "kind", None) in ("U", "S", "V"):
        raise ValueError(
            f"{what} holds strings (dtype {X.dtype}): the estimators read numbers. "
            "Convert the data to numeric values explicitly, e.g. X.astype(float).")


def _float64(x):
    """A sequence as float64 (pandas' <NA> as NaN, as check_array reads a
    table's), 1D ones as one channel; ``x`` itself where it is a float64 array."""
    pandas = type(x).__module__.split(".")[0] == "pandas"
    a = (x.to_numpy(dtype=np.float64, na_value=np.nan) if pandas
         else np.asarray(x, dtype=np.float64))
    return a[:, None] if a.ndim == 1 else a


def _read_sequence(x, i):
    """Sequence ``i`` of a list as a 2D float64 array, or the error naming it."""
    if np.iscomplexobj(x):  # np.asarray would keep the real parts
        raise ValueError(f"Complex data not supported: sequence {i} of X is complex.")
    refuse_strings(x, f"sequence {i} of X")
    try:
        a = _float64(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Sequence {i} of X could not be converted to floats: {exc}"
        ) from exc
    if a.ndim != 2:
        raise ValueError(
            f"Each sequence in a list must have shape (n_timesteps,) or "
            f"(n_timesteps, n_channels); sequence {i} has shape {a.shape}."
        )
    if a.shape[0] == 0:
        raise ValueError(f"Sequence {i} of X is empty (0 time steps).")
    return a


def from_list(X, allow_leading_nan):
    """A list of sequences (arrays or DataFrames) as padded float32 Sequences.

    Read twice, one float64 copy of a sequence at a time (a float64 copy of
    every sequence, then a padded float64 array, then its float32 cast
    peaked at 3.3 times the result): first checked, in the order of the
    errors (each sequence's shape, the channels, sequences all NaN), then
    trimmed, checked for NaN and cast into the padded array. Returns the
    Sequences, the largest magnitude of X where a value is beyond float32's
    range (else None), and ``exact(rows)``, the float64 values of the valid
    steps of the sequences of the slice ``rows`` (read again), for the
    check of what the cast rounds away; None where every sequence is
    float32 already.
    """
    shapes, n_lead, all_nan = [], [], None
    for i, x in enumerate(X):
        a = _read_sequence(x, i)
        shapes.append(a.shape)
        if allow_leading_nan and all_nan is None:
            missing = np.isnan(a).all(axis=1)
            if missing.all():
                all_nan = i
            n_lead.append(int(np.argmin(missing)))
        else:
            n_lead.append(0)
    widths = {shape[1] for shape in shapes}
    if len(widths) > 1:
        same_steps = len({shape[0] for shape in shapes}) == 1  # (n_channels, T_i)?
        raise ValueError(
            "All sequences must have the same number of channels per time "
            f"step; got {sorted(widths)}. Give every sequence the same columns."
            + (f" {LIST_LAYOUT}" if same_steps else ""))
    if all_nan is not None:
        raise ValueError(
            f"Sequence {all_nan} of X has no observed time step (all NaN); drop it.")
    lengths = np.array([shape[0] for shape in shapes], dtype=np.int64) - n_lead
    values = np.zeros((len(shapes), lengths.max(), widths.pop()), dtype=np.float32)
    largest = None
    for i, x in enumerate(X):
        a = _float64(x)[n_lead[i]:]
        with np.errstate(over="ignore"):
            values[i, : len(a)] = a
        if not np.isfinite(values[i, : len(a)]).all():
            if not np.isfinite(a).all():
                raise ValueError(nan_message(i, n_lead[i] > 0, allow_leading_nan))
            largest = max(largest or 0.0, float(np.abs(a).max()))  # beyond float32

    def exact(rows):
        return np.concatenate([_float64(X[i])[n_lead[i]:]
                               for i in range(len(shapes))[rows]])

    rounded = not all(getattr(x, "dtype", None) == np.float32 for x in X)
    if (lengths == lengths[0]).all():
        lengths = None
    return Sequences(values, lengths, 3), largest, exact if rounded else None


def list_channel_names(estimator, X, reset):
    """The string column names a list of DataFrames shares, checked against fit's.

    None where any sequence has no columns or a column name is no string (as
    scikit-learn takes a table's names). Sequences that name their channels
    differently are refused, and so are names other than fit's: reading
    ``[volume, price]`` tables as ``[price, volume]`` went without a word.
    """
    columns = [getattr(x, "columns", None) for x in X]
    if any(c is None or not all(isinstance(n, str) for n in c) for c in columns):
        return None
    names = np.asarray(columns[0], dtype=object)
    for i, c in enumerate(columns):
        if list(c) != list(names):
            raise ValueError(
                f"The sequences of X name their columns differently: sequence 0 has "
                f"{list(names)}, sequence {i} {list(c)}. Give every sequence the same "
                "columns in the same order.")
    fitted = getattr(estimator, "feature_names_in_", None)
    if (not reset and fitted is not None and getattr(estimator, "_fitted_on_list", False)
            and list(fitted) != list(names)):
        raise ValueError(
            f"The sequences' column names should match those that were passed during "
            f"fit: {list(fitted)}, in that order; X's are {list(names)}.")
    return names
