"""The classifier's start: a ridge classifier on the random-convolution features.

As MiniRocket does with ``RidgeClassifierCV``: the labels, coded +1/-1 per
class, are regressed on the standardised features with the penalty whose
leave-one-out error is least (:func:`_ridge_solutions`, in closed form), and
the output layer starts from that solution times the logit scale whose
leave-one-out log-loss is least (:func:`_logit_scale`).
:func:`start_from_ridge` sets it; NumPy and PyTorch.
"""

import math

import numpy as np
import torch

__all__ = ["start_from_ridge"]


#: Candidate scales of the ridge start's logits, as fractions of the largest.
_SCALE_FRACTIONS = torch.logspace(-2, 0, 21, dtype=torch.float64)


def _logit_scale(decisions, labels, weight, max_scale):
    """The scale of ``decisions`` (n, n_classes) with the least log-loss.

    Temperature scaling (Guo et al. 2017) on the ridge start's leave-one-out
    decision values, among fractions of ``max_scale`` (rows weighted by
    ``weight``): on separable classes the largest, on noisy ones a scale
    whose probabilities are as confident as the held-out rows allow (a
    fixed scale saturated them: a test log-loss above a constant's).
    """
    losses = [
        float(weight @ torch.nn.functional.cross_entropy(
            s * max_scale * decisions, labels, reduction="none"))
        for s in _SCALE_FRACTIONS
    ]
    return float(_SCALE_FRACTIONS[int(np.argmin(losses))]) * max_scale


#: Candidate penalties of the ridge start, relative to the mean eigenvalue.
_RIDGE_ALPHAS = torch.logspace(-3, 3, 13, dtype=torch.float64)
#: The ridge start solves an n x n system (rows) or a features x features
#: one, whichever is smaller: it is skipped when both are larger than this,
_RIDGE_MAX_SIZE = 4096
#: or where rows times features exceed this (it holds one float64 copy of
#: the features, centred in place, and the eigendecomposition: a peak of
#: 1.1 GB over the features at 29,000 x 3,360, 2.3 GB when it held three).
_RIDGE_MAX_ELEMENTS = 10**8
#: Elements of the parts of the rows that the ridge start copies and multiplies.
_PART_ELEMENTS = 2**22


def start_from_ridge(module, features, labels, n_classes, class_weights=None,
                     sample_weight=None, max_scale=12.0, rows=None, *, record=None,
                     zero_head=True, present=None):
    """Start the output layer from a ridge classifier on the random features.

    As MiniRocket does with ``RidgeClassifierCV``: the standardised features
    are regressed on the labels coded as +1/-1 per class (rows weighted by
    their class's weight and sample weight, if any), with the penalty that
    minimises the leave-one-out error (in closed form, :func:`_ridge_solutions`). The
    output layer's weights on those features start
    from the solution times a scale (logits), its other weights at zero, so
    training starts from the ridge classifier (which, fitting the training
    rows almost exactly on the sets that ship with sktime, leaves the
    recurrent path little gradient: docs/benchmarks.md; hence
    :func:`~sklearn_rnn._stacking.train_on_held_out` on its ``record``). The scale, at most ``max_scale``, is the one whose
    probabilities have the least log-loss on the leave-one-out decision
    values (:func:`_logit_scale`). Returns whether it did: not where a class has
    no rows (a first ``partial_fit`` batch that lacks a class would start
    it at a probability near 0, from which training takes many epochs to
    come back), nor where fewer than two classes have weight, nor without
    two rows whose features differ. A class that has rows but weight 0
    (``class_weight``, or ``sample_weight`` 0 on its rows) starts at the
    lowest decision value, as scikit-learn's linear classifiers ignore it.

    Where rows and features both outnumber ``_RIDGE_MAX_SIZE``, or their
    product exceeds ``_RIDGE_MAX_ELEMENTS``, it is fitted on a subsample of
    the rows, evenly spaced within each class (as many as both limits
    allow, each class in proportion); before, it was dropped, a quality
    cliff at one row more (test accuracy 0.998 after one epoch, 0.988).

    ``rows`` (an index array; None: all) picks the rows of ``features`` that
    ``labels`` and ``sample_weight`` are of (early stopping's training
    rows), so that no copy of them is made but the one of the rows fitted on.
    ``features`` may also compute the rows asked for (a
    :class:`~sklearn_rnn._convolution.FeatureRows`, with ``len``, ``shape``
    and ``take``: a fit above the features' memory budget), so that only
    the subsample's are computed.

    ``record`` (a dict), if given, receives the leave-one-out logits of the
    rows fitted on (``"logits"``, float32, the decision values times the
    scale) and those rows' indices into ``features`` (``"rows"``), for
    :func:`~sklearn_rnn._stacking.train_on_held_out`. With ``zero_head``
    false the output layer's other weights are left as they are. ``present``
    (a boolean array, one per class; None: the classes of ``labels``) are
    the classes the fit's ``y`` holds rows of: early stopping's training
    rows leave out those of weight 0, so a class whose rows all weigh 0 is
    in ``y`` but not in ``labels`` (review s35 rvA F1: the start was dropped).
    """
    pick = np.arange(len(features)) if rows is None else np.asarray(rows)  # the rows fitted on
    if present is None:
        present = np.bincount(labels, minlength=n_classes) > 0
    if not np.all(present):
        return False  # a class without rows (a first partial_fit batch that lacks it)
    row_weight = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight)
    if class_weights is not None:
        row_weight = row_weight * np.asarray(class_weights, dtype=np.float64)[labels]
    if not np.all(row_weight > 0):
        # rows of weight 0 as if removed (the penalties' scale counts the rows),
        # those of a class weighted 0 too: its +1/-1 code is then -1 on every
        # row, the lowest decision value (review rvA F2: the start was dropped)
        positive = np.flatnonzero(row_weight > 0)
        pick, labels = pick[positive], labels[positive]
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)[positive]
    weighted = np.bincount(labels, minlength=n_classes) > 0  # classes of weight > 0
    n, width = len(pick), features.shape[1]
    m = min(n, _RIDGE_MAX_ELEMENTS // width)
    if width > _RIDGE_MAX_SIZE:
        m = min(m, _RIDGE_MAX_SIZE)
    if m < n:
        rows = np.argsort(labels, kind="stable")[np.linspace(0, n - 1, m).round().astype(int)]
        rows = np.sort(rows)
        pick, labels = pick[rows], labels[rows]
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)[rows]
        n = m
        if not np.bincount(labels, minlength=n_classes)[weighted].all():
            return False  # the subsample left a class of weight out (rvD F5)
    with torch.no_grad():
        labels = torch.from_numpy(labels)
        weight = torch.ones(n, dtype=torch.float64)
        if class_weights is not None:
            weight = torch.as_tensor(class_weights, dtype=torch.float64)[labels]
        if sample_weight is not None:
            weight = weight * torch.as_tensor(sample_weight, dtype=torch.float64)
        class_totals = torch.zeros(n_classes, dtype=torch.float64).index_add_(0, labels, weight)
        if int((class_totals > 0).sum()) < 2:
            return False
        weight = weight / weight.mean()
        codes = -torch.ones(n, n_classes, dtype=torch.float64)
        codes[torch.arange(n), labels] = 1.0
        X = _float64_rows(features, pick)  # the one full-size copy, centred in place
        mean = (weight @ X) / weight.sum()
        offset = (weight @ codes) / weight.sum()
        root = weight.sqrt()[:, None]
        X, Y = X.sub_(mean).mul_(root), root * (codes - offset)
        best, best_error = None, math.inf
        for weights, residuals in _ridge_solutions(X, Y, root[:, 0] / root.norm()):
            error = float((residuals**2).sum())
            if error < best_error:  # NaN never is
                best, best_error, best_residuals = weights, error, residuals
        if best is None:
            return False  # no penalty gave a finite leave-one-out error
        # the decision values each row (of weight > 0) gets from a fit without it
        kept = weight > 0
        held_out = codes[kept] - best_residuals[kept] / root[kept]
        scale = _logit_scale(held_out, labels[kept], weight[kept], max_scale)
        weights = best.T  # (n_classes, width)
        if record is not None:
            record["rows"] = pick[kept.numpy()]
            record["logits"] = (scale * held_out).float()
        head = module.head
        if zero_head:
            head.weight.zero_()
        head.weight[:, -width:] = (scale * weights).float()
        head.bias.copy_((scale * (offset - weights @ mean)).float())
    return True


def _float64_rows(features, rows):
    """A float64 copy of the ``rows`` (indices) of ``features``, made in parts.

    Without a float32 copy of the rows, or a float64 one of every row. Rows
    computed on demand (not a tensor: ``take``) are computed for ``rows`` only.
    """
    X = torch.empty(len(rows), features.shape[1], dtype=torch.float64)
    step = max(1, _PART_ELEMENTS // features.shape[1])
    computed = not isinstance(features, torch.Tensor)
    if not computed:
        part = torch.empty(min(step, len(rows)), features.shape[1], dtype=features.dtype)
    for start in range(0, len(rows), step):
        index = torch.from_numpy(rows[start:start + step])
        X[start:start + step] = (features.take(index) if computed else
                                 torch.index_select(features, 0, index, out=part[:len(index)]))
    return X


def _ridge_solutions(X, Y, u):
    """Ridge fits and their leave-one-out residuals, one per penalty.

    ``X`` (n, width) and ``Y`` (n, k) are centred and weighted (rows times
    the square roots of their weights, ``u`` those roots normalised: the
    unpenalised intercept's direction, orthogonal to every column of ``X``
    and ``Y``). Penalties are :data:`_RIDGE_ALPHAS` times the mean of the
    n x n Gram matrix's eigenvalues. Each fit's leave-one-out residuals are
    its residuals over one less its rows' leverage (the intercept's ``u**2``
    included, as in scikit-learn's ``RidgeCV``: without it, every small
    penalty looked right, leave-one-out accuracy 1.0 on noise), from the
    eigendecomposition of the Gram matrix where rows are fewer than
    features, else of ``X.T @ X`` (a plain fit on 100,000 short sequences
    asked for an 80 GB Gram matrix). Yields nothing where every feature
    is constant. It makes no other array of ``X``'s size: the leverages of
    every penalty are summed over parts of the rows (``X @ V`` and its
    squares were two more).

    Yields
    ------
    weights : torch.Tensor of shape (width, k)
    residuals : torch.Tensor of shape (n, k)
        The leave-one-out residuals, weighted as ``Y``.
    """
    n, width = X.shape
    if n <= width:  # the dual problem
        eigenvalues, Q = torch.linalg.eigh(X @ X.T)
        QY = Q.T @ Y
    else:  # the primal problem: XV plays Q's part, scaled by the roots of the eigenvalues
        eigenvalues, V = torch.linalg.eigh(X.T @ X)
        QY = V.T @ (X.T @ Y)
    eigenvalues = eigenvalues.clamp_min(0.0)
    if not eigenvalues.max() > 0:
        return  # one row, or rows with the same features: nothing to fit
    alphas = _RIDGE_ALPHAS * max(float(eigenvalues.sum()) / n, 1e-12)
    inverses = 1.0 / (eigenvalues[:, None] + alphas)  # one column per penalty
    if n <= width:
        # the diagonals of (gram + alpha I)^-1, one column per penalty
        diagonals = (Q**2) @ inverses
    else:
        # the leverages, one column per penalty: (X V)**2 @ inverses, in
        # parts of the rows, each in the same buffer (parts allocated anew
        # piled up in the heap: 0.4 GB more for 20,000 x 3,360 features)
        leverages = torch.empty(n, len(alphas), dtype=torch.float64)
        step = max(1, _PART_ELEMENTS // width)
        buffer = torch.empty(min(step, n), width, dtype=torch.float64)
        for start in range(0, n, step):
            part = X[start:start + step]
            XV = torch.matmul(part, V, out=buffer[:len(part)])
            torch.matmul(XV.square_(), inverses, out=leverages[start:start + step])
    for i, alpha in enumerate(alphas):
        inverse = inverses[:, i]
        if n <= width:
            # (gram + alpha I)^-1 Y and the diagonal of that inverse less the
            # intercept's u u' / alpha (u is in the Gram matrix's null space,
            # and u' Y = 0): the residuals / alpha and (1 - leverage) / alpha
            dual = Q @ (inverse[:, None] * QY)
            diagonal = diagonals[:, i] - u**2 / alpha
            yield X.T @ dual, dual / diagonal[:, None]
        else:
            weights = V @ (inverse[:, None] * QY)
            leverage = leverages[:, i] + u**2
            yield weights, (Y - X @ weights) / (1.0 - leverage)[:, None]
