"""Weighted column moments, and the scale a constant column gets; NumPy.

The moments the estimators read from the training data before training
(the targets' standardisation, the level's, the ``"auto"`` window
normalisation's spreads) weigh rows as frequencies, as scikit-learn's
``StandardScaler(sample_weight=...)``: a row of weight 0 counts as removed,
one of weight 2 as repeated; the variance is the population one.
"""

import numpy as np

__all__ = ["weighted_mean_var", "weighted_moments", "scale_or_one"]


def weighted_mean_var(values, sample_weight=None):
    """Column means and (population) variances of ``values`` (n, k).

    Rows weigh by ``sample_weight`` (None: equally).
    """
    mean = np.average(values, axis=0, weights=sample_weight)
    return mean, np.average(np.square(values - mean), axis=0, weights=sample_weight)


def weighted_moments(values, sample_weight=None):
    """Column means and (population) standard deviations of ``values`` (n, k).

    Rows weigh by ``sample_weight`` (None: equally), so a row of weight 0
    counts as removed and one of weight 2 as repeated (as scikit-learn's
    ``StandardScaler(sample_weight=...)``).
    """
    mean, var = weighted_mean_var(values, sample_weight)
    return mean, np.sqrt(var)


def scale_or_one(std, mean):
    """``std`` with 1 where its column is constant, set in place and returned.

    A column is constant when its standard deviation is at most ``1e-12``
    times its mean's magnitude (relative: a constant of any magnitude).
    """
    std[std <= 1e-12 * np.abs(mean)] = 1.0
    return std
