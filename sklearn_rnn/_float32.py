"""The cast of X to the float32 the networks compute in, and what it loses.

:func:`cast_to_float32` casts a 2D or 3D input; :func:`warn_of_float32_rounding`
warns, at fit, where the cast erases much of a channel's variation: of its
values about their mean (a level of 1e6 that moves by 0.01), or of its
changes from one step to the next, which the networks read as differences
and relative to the last step (a level of 1e8 that moves by 1: review s36
rvC F2, a forecast four times worse than the last value's, without a word).
NumPy only.
"""

import warnings

import numpy as np

__all__ = ["FLOAT32_LOSS", "FLOAT32_STEP_LOSS", "cast_to_float32", "valid_steps",
           "warn_of_float32_rounding"]

#: Rounding to float32 that moves a channel's values by more than this
#: fraction of their standard deviation (in standard deviation) is warned of.
FLOAT32_LOSS = 0.02

#: Rounding to float32 that moves a channel's changes between steps by more
#: than this fraction of their root mean square is warned of (a level of
#: 1e4 that moves by 0.01 per step: 4 %).
FLOAT32_STEP_LOSS = 0.1


def cast_to_float32(seqs):
    """The values of 3D or 2D input as C-contiguous float32, as
    :func:`~sklearn_rnn._sequences.from_list` returns a list's.

    Also the largest magnitude where the cast makes a value infinite (else
    None), and ``exact(rows)``, the values of the valid steps of the rows of
    the slice ``rows`` (``None`` where the input was float32 already).
    """
    with np.errstate(over="ignore"):
        values = np.ascontiguousarray(seqs.values, dtype=np.float32)
    if values.dtype == seqs.values.dtype:
        return values, None, None
    largest = np.nanmax(np.abs(seqs.values)) if np.isinf(values).any() else None
    return values, largest, lambda rows: valid_steps(seqs.values, seqs.lengths, rows)


def valid_steps(values, lengths, rows):
    """The values of the valid steps of ``values[rows]``, as (-1, n_channels)."""
    valid = (slice(None) if lengths is None
             else np.arange(values.shape[1]) < lengths[rows, None])
    return values[rows][valid].reshape(-1, values.shape[2])


def _first_steps(lengths, rows, n_rows, n_steps):
    """Where each sequence of ``rows`` begins among their valid steps, stacked."""
    counts = (np.full(len(range(n_rows)[rows]), n_steps) if lengths is None
              else lengths[rows])
    first = np.zeros(int(counts.sum()), dtype=bool)
    first[np.cumsum(counts) - counts] = True
    return first


def warn_of_float32_rounding(values32, lengths, exact_steps, chunk=2**20):
    """Warn where rounding to float32 erases a channel's variation (a level of 1e6
    that moves by 0.01: one float32 value), or its changes between steps; by
    blocks of about ``chunk`` values.

    ``exact_steps(rows)``: the values before the cast of the valid steps of
    the rows of the slice ``rows``, as ``(-1, n_channels)``."""
    n, n_steps, channels = values32.shape
    rows = max(1, chunk // max(1, n_steps * channels))
    count = n * n_steps if lengths is None else int(lengths.sum())
    mean, squares = np.zeros((2, channels)), np.zeros((2, channels))  # values, errors
    changes, n_changes = np.zeros((2, channels)), 0  # squares of the steps' changes
    for moment in (mean, squares):  # two passes: full float64 copies took 4.6 times X
        for block in (slice(start, start + rows) for start in range(0, n, rows)):
            exact = exact_steps(block).astype(np.float64, copy=False)
            errors = valid_steps(values32, lengths, block) - exact
            if moment is squares:
                exact, errors = np.square(exact - mean[0]), np.square(errors - mean[1])
            else:  # within each sequence: not from one sequence's end to the next's start
                within = ~_first_steps(lengths, block, n, n_steps)[1:]
                changes += [np.square(np.diff(v, axis=0)[within]).sum(axis=0)
                            for v in (exact, errors)]
                n_changes += int(within.sum())
            moment += exact.sum(axis=0), errors.sum(axis=0)
        moment /= count
    spread, error = np.sqrt(squares)
    step, step_error = np.sqrt(changes / max(1, n_changes))
    for what, measure, size, lost, bound in (
            ("varies little", "standard deviation", spread, error, FLOAT32_LOSS),
            ("changes little from step to step", "root mean square change between steps",
             step, step_error, FLOAT32_STEP_LOSS)):
        over = np.flatnonzero(lost > bound * size)
        if over.size:
            c = over[0]
            warnings.warn(
                f"X's channel {c} {what} for its level in float32, in which the networks "
                f"compute: mean {mean[0, c]:.6g}, {measure} {size[c]:.3g}, of which "
                f"rounding to float32 changes {lost[c] / size[c]:.0%}. Subtract an offset "
                "from X first (e.g. the channel's mean, or a StandardScaler in front of "
                "the estimator).", UserWarning)
            return
