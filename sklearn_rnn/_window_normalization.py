"""Per-window normalisation: sequences read relative to their last step.

The regressors' ``window_normalization="last"`` learns targets relative to
the last value of the first channel and reads every sequence relative to
its last valid step, whose values (the sequence's level) are still an
input. Everything that idea needs lives here: the ``"auto"`` rule, the last
values of NumPy sequences, the network component that shifts the
sequences (:class:`WindowNormalization`) and the validation score in the
targets' own units. The shared training code knows nothing of it.
"""

import warnings

import numpy as np
import torch
from torch import nn

from ._moments import weighted_mean_var

__all__ = [
    "WindowNormalization", "choose", "last_values", "target_reference", "offset_score",
]


class WindowNormalization(nn.Module):
    """Shift each sequence by its last valid step and return that step.

    Parameters
    ----------
    n_channels : int
        Number of channels per time step.

    Notes
    -----
    ``forward(x, lengths)`` returns ``(x - x[last], level)``, where
    ``level = (x[last] - level_shift) / level_scale`` per channel; the
    buffers ``level_shift`` and ``level_scale`` (zeros and ones unless set)
    standardise the level.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._window_normalization import WindowNormalization
    >>> shifted, level = WindowNormalization(1)(torch.tensor([[[1.0], [3.0]]]))
    >>> shifted.flatten().tolist(), level.tolist()
    ([-2.0, 0.0], [[3.0]])
    """

    def __init__(self, n_channels):
        super().__init__()
        self.register_buffer("level_shift", torch.zeros(n_channels))
        self.register_buffer("level_scale", torch.ones(n_channels))

    def forward(self, x, lengths=None):
        """Return ``x`` relative to its last valid step, and that step."""
        reference = last_step(x, lengths)
        level = (reference - self.level_shift) / self.level_scale
        return x - reference[:, None, :], level


def last_step(x, lengths):
    """Values of each sequence's last valid step, shape (batch, channels)."""
    if lengths is None:
        return x[:, -1]
    index = (lengths.to(x.device) - 1).view(-1, 1, 1).expand(-1, 1, x.shape[2])
    return x.gather(1, index).squeeze(1)


def last_values(seqs):
    """Each sequence's values at its last valid step, shape (n, n_channels).

    ``seqs`` is a :class:`~sklearn_rnn._sequences.Sequences`; float64.
    """
    last = (
        np.full(len(seqs), seqs.values.shape[1] - 1)
        if seqs.lengths is None
        else seqs.lengths - 1
    )
    return seqs.values[np.arange(len(seqs)), last].astype(np.float64)


def target_reference(seqs):
    """The last value of each sequence's first channel, shape (n, 1).

    With ``window_normalization="last"`` targets are learned relative to it.
    """
    return last_values(seqs)[:, :1]


def choose(option, y_2d, reference, sample_weight=None, first_batch=False):
    """Resolve ``window_normalization`` from the training targets.

    ``"auto"`` gives ``"last"`` when the targets ``y_2d`` vary less than
    half as much around ``reference`` (the last value of the first channel)
    as around their mean, and lie within one standard deviation of it on
    average (the two in the same units), else None; the moments weigh the
    rows by ``sample_weight`` (None: equally). A ``first_batch`` (of ``partial_fit``)
    of one sample, whose targets have no spread, warns that it resolves to
    None for every later batch.
    """
    if option != "auto":
        return option
    n_samples = len(y_2d) if sample_weight is None else int(np.count_nonzero(sample_weight))
    if first_batch and n_samples < 2:
        warnings.warn(
            "partial_fit cannot resolve window_normalization='auto' from a first "
            "batch of one sequence (it compares the targets' spread around the "
            "sequences' last values with their spread around their mean), so it "
            "resolves to None and stays so for every later batch. Pass "
            "window_normalization explicitly, or a first batch of several sequences.",
            UserWarning)
    # Forecasting-style targets continue the first channel, so they vary
    # less around its last value than around their own mean, in its units:
    # behind a scaler on X alone (MinMaxScaler in a pipeline) or on y alone
    # (TransformedTargetRegressor), y - last varied little about an offset
    # of 5 to 14 standard deviations of y, and "last" made forecasts 2.5 to
    # 3.7 times worse than None's (forecasting targets: at most 0.3)
    offset, relative_var = weighted_mean_var(y_2d - reference, sample_weight)
    spread = weighted_mean_var(y_2d, sample_weight)[1].sum()
    apart = np.abs(offset).mean() > np.sqrt(spread / y_2d.shape[1])
    return "last" if relative_var.sum() < 0.5 * spread and not apart else None


def offset_score(score, offsets):
    """``score`` with ``offsets`` (n, 1), float64, added back to outputs and targets.

    Scores targets that were learned relative to the last values in their
    own units (up to scaling).
    """

    def offset(output, y, weight=None):
        # in float64: at a level of 1e6 the float32 sums moved R^2 by 0.01
        weight = None if weight is None else weight.double()
        return score(output.double() + offsets, y.double() + offsets, weight)

    return offset
