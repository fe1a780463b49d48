"""Data-dependent set-up of the network, before training.

From the training data: the sizes ``"auto"`` resolves to (patch size, skip
steps, differences), the network's standardisation buffers (channel
moments, the scale of the first differences, the moments of the level of
window-normalised sequences), then the starting weights fitted to the
targets (:class:`TargetStart`: the linear skip layer's least-squares fit,
the ridge classifier on random-convolution features, in
:mod:`~sklearn_rnn._ridge_start`). :func:`build_network`
does all of it; :func:`warm_target_start` fits a warm fit's start again.
"""

import math
import warnings

import numpy as np
import torch

from ._moments import scale_or_one, weighted_moments
from ._networks import RecurrentNetwork
from ._prediction import predict_batches
from ._ridge_start import start_from_ridge
from ._window_normalization import last_values

__all__ = ["resolve_sizes", "build_network", "TargetStart", "warm_target_start"]

#: patch_size="auto" groups steps so that recurrent layers see at most this
#: many steps of the longest training sequence.
_AUTO_PATCH_STEPS = 32
#: skip_steps="auto" gives the linear skip connection at most one input per
#: this many training sequences, and at most _AUTO_SKIP_MAX_INPUTS inputs.
_AUTO_SKIP_SAMPLES_PER_INPUT = 2
_AUTO_SKIP_MAX_INPUTS = 1024


def resolve_sizes(seqs, sample_weight=None, *, patch_size, skip_steps, differences,
                  first_batch=False):
    """Resolve ``"auto"`` options for ``seqs``: ``(patch, skip, differences)``.

    The sizes read the sequences of positive ``sample_weight`` only (all
    where None): ``patch_size`` their longest, ``skip_steps`` their count,
    so that one of weight 0 is as if removed. A
    ``first_batch`` (of ``partial_fit``) too small for the size ``fit``
    would give on more data warns, as the size stays for every later batch.
    """
    n_steps, n_channels = seqs.values.shape[1:]
    if sample_weight is not None and seqs.lengths is not None:
        n_steps = int(seqs.lengths[sample_weight > 0].max())
    if patch_size == "auto":
        patch_size = max(1, math.ceil(n_steps / _AUTO_PATCH_STEPS))
    if skip_steps == "auto":
        n_samples = len(seqs) if sample_weight is None else int(np.count_nonzero(sample_weight))
        most = min(n_steps, max(1, _AUTO_SKIP_MAX_INPUTS // n_channels))
        per_input = _AUTO_SKIP_SAMPLES_PER_INPUT * n_channels
        skip_steps = min(most, n_samples // per_input)
        if first_batch and skip_steps < most:
            counted = "" if sample_weight is None else " of positive weight"
            warnings.warn(
                f"partial_fit resolved skip_steps='auto' to {skip_steps} from a first "
                f"batch of {n_samples} sequence{'s' * (n_samples != 1)}{counted} (the "
                f"linear skip connection reads one time step per {per_input} sequences, "
                f"up to {most} here), and keeps it for every later batch. Pass "
                f"skip_steps explicitly, or a first batch of at least {most * per_input} "
                "sequences.", UserWarning)
    else:
        skip_steps = min(skip_steps, n_steps)
    if differences == "auto":
        differences = patch_size == 1
    return int(patch_size), int(skip_steps), bool(differences)


def build_network(seqs, targets, n_outputs, *, standardize, sample_weight=None,
                  class_weights=None, start_rows=None, quantiles=None, **options):
    """A :class:`RecurrentNetwork` for ``seqs``, set up from the data.

    ``options`` are the network's keyword arguments (resolved sizes). With
    ``standardize``, its buffers standardise the inputs (and the level of
    window-normalised sequences) with the moments of ``seqs``, and the
    first differences with their root mean square (these read the inputs
    alone; rows weighed by ``sample_weight``). ``quantiles`` are the levels
    of quantile outputs (None: point outputs). The starting weights fitted
    to the targets (:class:`TargetStart`) use the rows ``start_rows`` only
    (all when None): early stopping passes its training rows, so that the start has
    not seen the validation rows it is judged on.

    Returns the network and its :class:`TargetStart`.
    """
    module = RecurrentNetwork(seqs.values.shape[2], n_outputs, **options)
    if module.conv is not None:
        module.conv.set_stride(seqs.values.shape[1])
    if standardize:
        _standardize_inputs(module, seqs, sample_weight)
    features = None
    if module.random_conv is not None:
        lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
        features = module.fit_random_convolutions(torch.from_numpy(seqs.values), lengths,
                                                  sample_weight)
    start = TargetStart(module, seqs, targets, n_outputs, sample_weight=sample_weight,
                        class_weights=class_weights, features=features, quantiles=quantiles)
    start.fit(start_rows)
    if features is not None and not start.fitted:  # no ridge start (a class without rows)
        # the random features' weights at zero, not random: a first
        # partial_fit batch of 2 rows saturated the probabilities (review s36
        # rvC F4: 2.5e-72, log-loss 7.1 after 5 epochs)
        with torch.no_grad():
            module.head.weight[:, -module.random_conv.output_size:] = 0.0
    return module, start


class TargetStart:
    """The starting weights fitted to the targets, on some or all rows.

    For real-valued ``targets``, the linear skip layer's ridge least-squares
    fit (:func:`_fit_skip_least_squares`, recurrent head at zero); for class
    labels with random-convolution ``features``, the output layer's ridge
    classifier on them (:func:`~sklearn_rnn._ridge_start.start_from_ridge`).
    Early stopping fits it on its training rows, then :meth:`refit` uses
    every row.

    Parameters
    ----------
    module : RecurrentNetwork
        The network whose weights are set.
    seqs : Sequences
        The validated training sequences.
    targets : ndarray
        Standardised real targets (n, n_targets) or encoded labels (n,).
    n_outputs : int
        The network's outputs (classes, for labels).
    sample_weight, class_weights : ndarray or None
        Row and class weights.
    features : torch.Tensor, FeatureRows or None
        The random-convolution features of every row, for the ridge start
        (above their memory budget, computed for the rows it fits on).
    quantiles : ndarray or None
        The levels of the quantile outputs of each target, if any.
    part : {"start", "skip"}, default="start"
        What the starting weights are: the start fitted to the targets, or
        (a warm fit's, :func:`warm_target_start`) a trained network whose
        linear skip layer is fitted.
    """

    def __init__(self, module, seqs, targets, n_outputs, *, sample_weight=None,
                 class_weights=None, features=None, quantiles=None, part="start"):
        self.module, self.seqs, self.targets = module, seqs, targets
        self.n_outputs, self.quantiles = n_outputs, quantiles
        self.sample_weight, self.class_weights = sample_weight, class_weights
        self.features, self.part = features, part
        self.fitted = False
        self.held_out = self.rows = None  # the ridge start's leave-one-out logits; its rows
        self.stacked = False  # whether the recurrent layers learnt on them (kept)

    @property
    def linear(self):
        """Whether the start is a linear skip layer's least-squares fit."""
        return self.module.skip is not None and self.targets.dtype.kind == "f"

    def fit(self, rows=None):
        """Set the starting weights from ``rows`` (an index array; None: all).

        Sets ``fitted``: whether any weight was fitted to the targets; and,
        for a ridge start, ``held_out``: its leave-one-out logits and their
        rows (``start_from_ridge``'s ``record``). Where the recurrent layers
        trained on them were kept (``stacked``), their output weights stay.
        """
        seqs, targets, weight = self._rows(rows)
        self.fitted, self.rows = False, rows
        if self.features is not None and targets.dtype.kind in "iu":
            self.held_out = {}
            self.fitted = start_from_ridge(
                self.module, self.features, targets, self.n_outputs, self.class_weights,
                weight, rows=rows, record=self.held_out, zero_head=not self.stacked,
                present=np.bincount(self.targets, minlength=self.n_outputs) > 0)
        if self.linear:
            _fit_skip_least_squares(self.module, seqs, targets, weight,
                                    quantiles=self.quantiles)
            self.fitted = True

    @property
    def fresh(self):
        """Whether training starts from the fitted start itself (``part`` ``"start"``)."""
        return self.fitted and self.part == "start"

    def refit(self, *, kept, device):
        """Use every row after early stopping; returns what was refitted.

        Where training ``kept`` the start, it is fitted again on every row
        (``"start"``; a warm fit's ``part``, :func:`warm_target_start`).
        Otherwise, a linear skip layer (not under the
        pinball loss, whose levels least squares would turn into a mean) is
        refitted on every row by least squares with the rest of
        the trained network fixed (``"skip"``, :meth:`fit_skip`), so the rows
        held out for validation, the latest ones of a series, count in the
        linear part. Returns None where nothing was refitted.
        """
        if not self.fitted:
            return None
        if kept and self.part == "start":
            self.fit()
            return "start"
        if not self.linear or self.quantiles is not None:
            return None  # quantile outputs (a median alone too): least squares fits a mean
        self.fit_skip(device)
        return "skip"

    def fit_skip(self, device, rows=None):
        """Fit the linear skip layer on ``rows`` (None: all), the rest fixed.

        By least squares on the targets less the outputs of the network
        without its skip layer.
        """
        seqs, targets, weight = self._rows(rows)
        module = self.module
        outputs = predict_batches(module, seqs.values, seqs.lengths, device=device)
        features = _skip_inputs(module, seqs)
        with torch.no_grad():  # the skip layer's share of the outputs
            skip_weight = module.skip.weight.detach().double().cpu()
            bias = module.skip.bias.detach().double().cpu()
            skipped = (features @ skip_weight.T + bias).numpy()
        targets = targets.reshape(len(outputs), -1) - (outputs - skipped)
        _fit_skip_least_squares(module, seqs, targets, weight,
                                zero_head=False, features=features)

    def _rows(self, rows):
        """The sequences, targets and sample weights of ``rows`` (None: all).

        Not the random features: :func:`start_from_ridge` picks its rows of
        them (a copy of the training rows' was 0.5 of a float64 copy more).
        """
        seqs, targets, weight = self.seqs, self.targets, self.sample_weight
        if rows is not None:
            seqs = seqs.take(rows)
            targets = targets[rows]
            weight = None if weight is None else weight[rows]
        return seqs, targets, weight


def warm_target_start(estimator, refitted, seqs, targets, sample_weight, rows, device):
    """The :class:`TargetStart` of a warm fit with early stopping, fitted on ``rows``.

    The last fit of ``estimator`` refitted on every row what
    :meth:`TargetStart.refit` returned (``refitted``): the whole start
    where training kept it (``"start"``: the regressor's skip least squares
    with the recurrent head at zero, the classifier's ridge output layer),
    else the linear skip layer with the rest of the network fixed
    (``"skip"``). The validation rows this fit holds out were among them, so
    its starting weights had an in-sample validation loss that no epoch
    could fairly beat. That part is fitted again on the training ``rows``
    (an index array) only, as in a first fit, and :meth:`TargetStart.refit`
    uses every row after training. None where nothing was refitted (no
    early stopping, ``loss="quantile"``'s trained skip layer, a copy
    pickled during a fit).
    """
    if refitted not in ("start", "skip"):
        return None
    module = estimator.module_
    options = estimator._network_options()
    features = None
    if refitted == "start" and getattr(module, "random_conv", None) is not None:
        features = _random_features(module, seqs)
    start = TargetStart(module, seqs, targets, estimator._n_outputs,
                        sample_weight=sample_weight, class_weights=options.get("class_weights"),
                        features=features, quantiles=options.get("quantiles"), part=refitted)
    if refitted == "start":
        # a classifier's recurrent layers trained on its start's held-out
        # logits stay (review s34 F1: a warm fit zeroed them)
        start.stacked = getattr(estimator, "kept_ridge_start_", None) is False
        start.fit(rows)
    else:
        start.fit_skip(device, rows)
        start.fitted = True
    return start


def _random_features(module, seqs):
    """The standardised random-convolution features of ``seqs``, on the CPU.

    Within the branch's memory budget, they are handed over to the training
    data of the same sequences too (:meth:`RecurrentNetwork.fixed_inputs`).
    Above it, a :class:`~sklearn_rnn._convolution.FeatureRows`: the ridge
    start computes those of the rows it fits on only.
    """
    device = module.input_shift.device
    x = torch.from_numpy(seqs.values).to(device)
    lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
    with torch.no_grad():
        features = module.fixed_inputs(x, lengths, keep=True)
        if features is None:  # over the budget
            return module.feature_rows(x, lengths)
    return features.cpu()


def _standardize_inputs(module, seqs, weight=None):
    reference = last_values(seqs) if module.window is not None else None
    shift, scale = _channel_moments(seqs.values, seqs.lengths, reference, weight)
    module.input_shift.copy_(torch.from_numpy(shift))
    module.input_scale.copy_(torch.from_numpy(scale))
    if module.differences:
        module.diff_scale.copy_(
            torch.from_numpy(_difference_scale(seqs.values, seqs.lengths, weight))
        )
    if reference is not None:
        shift, scale = _moments(reference, weight)
        module.window.level_shift.copy_(torch.from_numpy(shift))
        module.window.level_scale.copy_(torch.from_numpy(scale))


def _skip_inputs(module, seqs):
    """The skip layer's inputs for ``seqs``, float64 on the CPU."""
    with torch.no_grad():
        values = torch.from_numpy(seqs.values).to(module.input_shift.device)
        lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
        return module.skip_features(values, lengths).double().cpu()


def _fit_skip_least_squares(module, seqs, targets, sample_weight=None, ridge=1e-3,
                            zero_head=True, features=None, quantiles=None):
    """Start from the best linear model: solve the skip layer in closed form.

    The linear skip connection is set to the ridge least-squares fit of the
    (standardised) targets on its inputs, and the recurrent head to zero, so
    training starts from a linear autoregressive model and the recurrent path
    learns what it misses. With ``zero_head=False`` the head is left as it
    is (a refit after training, on targets less the head's outputs). The
    outputs of ``quantiles`` (levels, each target's in turn) start from
    the fit moved by the quantiles of its residuals, so that intervals
    are as wide as the linear model's errors from the first epoch.
    ``features`` are :func:`_skip_inputs` of ``seqs`` where already computed.
    """
    if features is None:
        features = _skip_inputs(module, seqs)
    with torch.no_grad():
        design = torch.cat([features, features.new_ones(len(features), 1)], dim=1)
        target = torch.from_numpy(targets).double().reshape(len(features), -1)
        weighted = design
        n_rows = len(features)
        if sample_weight is not None:  # weights normalised to mean 1
            w = torch.from_numpy(sample_weight / sample_weight.mean())
            weighted = design * w[:, None]
        gram = weighted.T @ design
        # rows < coefficients + 2 were interpolated (recursive forecasts exploded)
        strength = ridge * n_rows if n_rows >= len(gram) + 2 else float(len(gram))
        penalty = strength * torch.eye(gram.shape[0], dtype=gram.dtype)
        penalty[-1, -1] = 0.0  # no penalty on the intercept
        coef = torch.linalg.lstsq(gram + penalty, weighted.T @ target).solution
        # Several outputs per target (quantile levels) all start from its fit,
        # each level moved by that quantile of the fit's residuals.
        per_target = module.skip.out_features // coef.shape[1]
        bias = coef[-1].repeat_interleave(per_target)
        if quantiles is not None:
            residuals = (target - design @ coef).numpy()
            bias += torch.from_numpy(np.concatenate([
                _weighted_quantiles(r, quantiles, sample_weight) for r in residuals.T
            ]))
        module.skip.weight.copy_(coef.repeat_interleave(per_target, dim=1)[:-1].T)
        module.skip.bias.copy_(bias)
        if zero_head:
            module.head.weight.zero_()
            module.head.bias.zero_()


def _weighted_quantiles(values, levels, weight=None):
    """Quantiles of ``values`` at ``levels`` with row weights (None: equal).

    Interpolated between the midpoints of the sorted values' weights (for
    equal weights, Hazen's plotting positions).
    """
    if weight is not None:  # rows of weight 0 take no position
        weight = np.asarray(weight, float)
        values, weight = values[weight > 0], weight[weight > 0]
    order = np.argsort(values, kind="stable")
    values = values[order]
    weight = np.ones(len(values)) if weight is None else weight[order]
    positions = (np.cumsum(weight) - 0.5 * weight) / weight.sum()
    return np.interp(levels, positions, values)


def _moments(values, weight=None):
    """Column means and standard deviations (1 where a column is constant)."""
    mean, std = weighted_moments(values, weight)
    return mean.astype(np.float32), _float32_scale(scale_or_one(std, mean, len(values)))


def _float32_scale(scale):
    """``scale`` in float32, where the networks divide by it; 1 where it
    underflows to 0 there (a spread of 1e-45: a division by zero)."""
    scale = scale.astype(np.float32)
    scale[~(scale > 0)] = 1.0
    return scale


def _channel_moments(values, lengths, reference=None, weight=None):
    """Per-channel mean and standard deviation over the valid time steps.

    With ``reference`` (n, n_channels), moments of ``values - reference``;
    each sequence's steps weigh by its ``weight`` (None: 1).
    """

    def relative(block, rows):
        if reference is not None:
            block -= reference[rows, None, :]
        return block

    # Sums about a pivot (the first step of the first sequence that counts),
    # not about zero: the one-pass variance then loses no digits to a large
    # mean (nor to a far-off sequence of weight 0).
    first = 0 if weight is None else int(np.flatnonzero(weight > 0)[0])
    pivot = relative(values[first : first + 1, :1].astype(np.float64), [first])[0, 0]
    total, total_sq, count = _valid_step_sums(
        values, lengths, lambda block, rows: relative(block, rows) - pivot, weight
    )
    mean = total / count
    var = np.maximum(total_sq / count - mean**2, 0.0)
    mean += pivot
    return mean.astype(np.float32), _float32_scale(scale_or_one(np.sqrt(var), mean, count))


def _difference_scale(values, lengths, weight=None):
    """Per-channel root mean square of the steps' changes ``x[t] - x[t-1]``.

    Over the valid steps after each sequence's first (each sequence's
    weighed by its ``weight``); 1 where there is no change at all (or only
    one step).
    """
    _, total_sq, count = _valid_step_sums(
        values, lengths, lambda block, rows: np.diff(block, axis=1), weight
    )
    scale = np.sqrt(total_sq / count) if count > 0 else np.zeros_like(total_sq)
    return _float32_scale(scale)


def _valid_step_sums(values, lengths, transform, weight=None, block_values=2**22):
    """Per-channel sum, sum of squares and count over the valid time steps.

    ``values`` is read in float64 blocks of about ``block_values`` values,
    each passed through ``transform(block, rows)`` first (``rows``: the
    block's sequences); a transform that drops leading steps (such as a
    difference) keeps the valid steps aligned to the end. With ``lengths``,
    the sequences are read in order of length and each block is cut to its
    longest, so one long sequence among short ones costs its own steps only
    (review s35 rvD F2: a list of 10,000 sequences of 10 steps and one of
    20,000 read 20,000 steps of every row, 3.3 GiB). With ``weight`` (n,),
    each sequence's steps count ``weight`` times.
    """
    n, width, n_channels = values.shape
    total = np.zeros(n_channels)
    total_sq = np.zeros(n_channels)
    count = 0
    if lengths is not None:
        order = np.argsort(lengths, kind="stable")
        cost = lengths[order].astype(np.int64) * n_channels
    start = 0
    while start < n:
        if lengths is None:
            stop = start + max(1, block_values // max(1, width * n_channels))
            rows, longest = slice(start, stop), width
        else:  # the most rows whose block (rows x the last one's steps) fits
            fits = np.arange(1, n - start + 1) * cost[start:] <= block_values
            stop = start + max(1, int(np.searchsorted(~fits, True)))
            rows = order[start:stop]
            longest = int(lengths[rows[-1]])
        start = stop
        block = transform(values[rows, :longest].astype(np.float64), rows)
        if lengths is None:
            mask = np.ones(block.shape[:2], dtype=bool)
        else:
            offset = longest - block.shape[1]
            steps = np.arange(offset, longest)
            mask = steps[None, :] < lengths[rows, None]
            block = block * mask[..., None]
        squares = np.square(block)
        if weight is not None:
            w = weight[rows, None]
            mask, block, squares = mask * w, block * w[..., None], squares * w[..., None]
        count += mask.sum()
        total += block.sum(axis=(0, 1))
        total_sq += squares.sum(axis=(0, 1))
    return total, total_sq, count
