"""Data-dependent set-up of the network, before training.

From the training data: the sizes ``"auto"`` resolves to (patch size, skip
steps, differences), the network's standardisation buffers (channel
moments, the scale of the first differences, the moments of the level of
window-normalised sequences) and the linear skip layer's least-squares
start. :func:`build_network` does all of it.
"""

import math

import numpy as np
import torch

from ._networks import RecurrentNetwork
from ._window_normalization import last_values

__all__ = ["resolve_sizes", "build_network"]

#: patch_size="auto" groups steps so that recurrent layers see at most this
#: many steps of the longest training sequence.
_AUTO_PATCH_STEPS = 32
#: skip_steps="auto" gives the linear skip connection at most one input per
#: this many training sequences, and at most _AUTO_SKIP_MAX_INPUTS inputs.
_AUTO_SKIP_SAMPLES_PER_INPUT = 2
_AUTO_SKIP_MAX_INPUTS = 1024


def resolve_sizes(seqs, *, patch_size, skip_steps, differences):
    """Resolve ``"auto"`` options for ``seqs``: ``(patch, skip, differences)``."""
    n_steps, n_channels = seqs.values.shape[1:]
    if patch_size == "auto":
        patch_size = max(1, math.ceil(n_steps / _AUTO_PATCH_STEPS))
    if skip_steps == "auto":
        skip_steps = min(
            n_steps,
            len(seqs) // (_AUTO_SKIP_SAMPLES_PER_INPUT * n_channels),
            max(1, _AUTO_SKIP_MAX_INPUTS // n_channels),
        )
    else:
        skip_steps = min(skip_steps, n_steps)
    if differences == "auto":
        differences = patch_size == 1
    return patch_size, skip_steps, bool(differences)


def build_network(seqs, targets, n_outputs, *, standardize, sample_weight=None,
                  **options):
    """A :class:`RecurrentNetwork` for ``seqs``, set up from the data.

    ``options`` are the network's keyword arguments (resolved sizes). With
    ``standardize``, its buffers standardise the inputs (and the level of
    window-normalised sequences) with the moments of ``seqs``, and the
    first differences with their root mean square. A skip layer starts from
    the least-squares fit of real-valued ``targets`` (weighted by
    ``sample_weight`` when given).
    """
    module = RecurrentNetwork(seqs.values.shape[2], n_outputs, **options)
    if module.conv is not None:
        module.conv.set_stride(seqs.values.shape[1])
    if standardize:
        _standardize_inputs(module, seqs)
    if module.random_conv is not None:
        lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
        module.fit_random_convolutions(torch.from_numpy(seqs.values), lengths)
    if module.skip is not None and targets.dtype.kind == "f":
        _fit_skip_least_squares(module, seqs, targets, sample_weight)
    return module


def _standardize_inputs(module, seqs):
    reference = last_values(seqs) if module.window is not None else None
    shift, scale = _channel_moments(seqs.values, seqs.lengths, reference)
    module.input_shift.copy_(torch.from_numpy(shift))
    module.input_scale.copy_(torch.from_numpy(scale))
    if module.differences:
        module.diff_scale.copy_(
            torch.from_numpy(_difference_scale(seqs.values, seqs.lengths))
        )
    if reference is not None:
        shift, scale = _moments(reference)
        module.window.level_shift.copy_(torch.from_numpy(shift))
        module.window.level_scale.copy_(torch.from_numpy(scale))


def _fit_skip_least_squares(module, seqs, targets, sample_weight=None, ridge=1e-3):
    """Start from the best linear model: solve the skip layer in closed form.

    The linear skip connection is set to the ridge least-squares fit of the
    (standardised) targets on its inputs, and the recurrent head to zero, so
    training starts from a linear autoregressive model and the recurrent path
    learns what it misses.
    """
    with torch.no_grad():
        values = torch.from_numpy(seqs.values)
        lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
        features = module.skip_features(values, lengths).double()
        design = torch.cat([features, features.new_ones(len(features), 1)], dim=1)
        target = torch.from_numpy(targets).double().reshape(len(features), -1)
        weighted = design
        n_rows = len(features)
        if sample_weight is not None:  # weights normalised to mean 1
            w = torch.from_numpy(sample_weight / sample_weight.mean())
            weighted = design * w[:, None]
        gram = weighted.T @ design
        penalty = ridge * n_rows * torch.eye(gram.shape[0], dtype=gram.dtype)
        penalty[-1, -1] = 0.0  # no penalty on the intercept
        coef = torch.linalg.lstsq(gram + penalty, weighted.T @ target).solution
        # Several outputs per target (quantile levels) all start from its fit.
        coef = coef.repeat_interleave(module.skip.out_features // coef.shape[1], dim=1)
        module.skip.weight.copy_(coef[:-1].T)
        module.skip.bias.copy_(coef[-1])
        module.head.weight.zero_()
        module.head.bias.zero_()


def _moments(values):
    """Column means and standard deviations (1 where a column is constant)."""
    mean = values.mean(axis=0)
    std = values.std(axis=0)
    std[std < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def _channel_moments(values, lengths, reference=None):
    """Per-channel mean and standard deviation over the valid time steps.

    With ``reference`` (n, n_channels), moments of ``values - reference``.
    """

    def relative(block, start):
        if reference is not None:
            block -= reference[start : start + len(block), None, :]
        return block

    total, total_sq, count = _valid_step_sums(values, lengths, relative)
    mean = total / count
    var = np.maximum(total_sq / count - mean**2, 0.0)
    std = np.sqrt(var)
    std[std < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def _difference_scale(values, lengths):
    """Per-channel root mean square of the steps' changes ``x[t] - x[t-1]``.

    Over the valid steps after each sequence's first; 1 where there is no
    change at all (or only one step).
    """
    _, total_sq, count = _valid_step_sums(
        values, lengths, lambda block, start: np.diff(block, axis=1)
    )
    scale = np.sqrt(total_sq / max(count, 1))
    scale[~(scale > 0)] = 1.0
    return scale.astype(np.float32)


def _valid_step_sums(values, lengths, transform, chunk=4096):
    """Per-channel sum, sum of squares and count over the valid time steps.

    ``values`` is read in float64 blocks of ``chunk`` sequences, each passed
    through ``transform(block, start)`` first; a transform that drops leading
    steps (such as a difference) keeps the valid steps aligned to the end.
    """
    n_channels = values.shape[2]
    total = np.zeros(n_channels)
    total_sq = np.zeros(n_channels)
    count = 0
    for start in range(0, values.shape[0], chunk):
        block = transform(values[start : start + chunk].astype(np.float64), start)
        if lengths is None:
            count += block.shape[0] * block.shape[1]
        else:
            offset = values.shape[1] - block.shape[1]
            steps = np.arange(offset, values.shape[1])
            mask = steps[None, :] < lengths[start : start + chunk, None]
            block = block * mask[..., None]
            count += int(mask.sum())
        total += block.sum(axis=(0, 1))
        total_sq += np.square(block).sum(axis=(0, 1))
    return total, total_sq, count
