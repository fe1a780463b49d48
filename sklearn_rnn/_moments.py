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


def scale_or_one(std, mean, n_samples):
    """``std`` with 1 where its column is constant, set in place and returned.

    A column is constant where its variance is within the rounding of a
    float64 mean of ``n_samples`` values, scikit-learn's rule in
    ``StandardScaler`` (``var <= n eps var + (n mean eps)^2``): a constant of
    any magnitude, but not a spread of 1e-7 about 1e6, which a relative
    bound of 1e-12 took for one (review s36 rvC F1: R^2 0.864 to 0.034).
    """
    bound = n_samples * np.finfo(np.float64).eps
    # the rule's square root, which squares of large values cannot overflow
    std[std * np.sqrt(max(0.0, 1.0 - bound)) <= bound * np.abs(mean)] = 1.0
    return std
