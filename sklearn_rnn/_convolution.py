"""The convolutional branch beside the recurrent layers (LSTM-FCN style).

:class:`ConvolutionBranch` is a fully convolutional network (Wang et al.,
2017: convolution blocks with batch normalisation and ReLU, then global
average pooling), as used next to an LSTM in LSTM-FCN (Karim et al., 2017),
made cheaper for long sequences: the series is first averaged over windows
of ``stride`` steps, so that the convolutions run over at most about
``max_steps`` steps. Padded steps of unequal-length batches are zeroed
before every convolution and left out of the batch statistics and the
average, so a sequence's summary does not depend on how far its batch is
padded.

Plain PyTorch: tensors in, tensors out.
"""

import math
import warnings

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["ConvolutionBranch", "KERNEL_SIZES"]

#: Kernel sizes of the blocks: the FCN's 8-5-3 made odd, so "same" padding is symmetric.
KERNEL_SIZES = (7, 5, 3)


class ConvolutionBranch(nn.Module):
    """Convolution blocks and global average pooling over the valid steps.

    Parameters
    ----------
    input_size : int
        Channels per time step.
    filters : sequence of int
        Output channels of each block (the FCN uses 128, 256, 128).
    max_steps : int, default=256
        Sequences longer than this are averaged over windows of ``stride =
        ceil(n_steps / max_steps)`` steps before the convolutions; the
        stride is fixed by :meth:`set_stride` from the training data.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._convolution import ConvolutionBranch
    >>> branch = ConvolutionBranch(2, (8, 16, 8))
    >>> branch(torch.zeros(3, 40, 2)).shape
    torch.Size([3, 8])
    """

    def __init__(self, input_size, filters, max_steps=256):
        super().__init__()
        self.max_steps = max_steps
        self.stride = 1
        blocks = []
        channels = input_size
        for i, width in enumerate(filters):
            kernel = KERNEL_SIZES[min(i, len(KERNEL_SIZES) - 1)]
            blocks.append(nn.Conv1d(channels, width, kernel, padding="same", bias=False))
            blocks.append(nn.BatchNorm1d(width))
            channels = width
        self.blocks = nn.ModuleList(blocks)
        self.output_size = channels

    def set_stride(self, n_steps):
        """Fix the averaging window for training sequences of ``n_steps``."""
        self.stride = max(1, math.ceil(n_steps / self.max_steps))

    def forward(self, x, lengths=None):
        """Summary of shape ``(batch, filters[-1])`` of standardised ``x``."""
        x = x.transpose(1, 2)  # (batch, channels, time)
        if lengths is not None:
            x = _zero_padding(x, lengths)
        if self.stride > 1:
            x, lengths = _average_windows(x, lengths, self.stride)
        mask = None if lengths is None else _mask(x.shape[2], lengths, x)
        for conv, norm in zip(self.blocks[::2], self.blocks[1::2]):
            if mask is not None:
                x = x * mask
            x = F.relu(_normalise(norm, conv(x), mask, lengths))
        if mask is None:
            return x.mean(dim=2)
        return (x * mask).sum(dim=2) / lengths.to(x.device, x.dtype)[:, None]


def _normalise(norm, x, mask=None, lengths=None):
    """``norm(x)``, its training statistics over the valid steps of ``mask``.

    In training, batch normalisation takes the mean and variance of the
    steps ``mask`` (batch, 1, time) keeps, and moves the running statistics
    as :class:`~torch.nn.BatchNorm1d` does: with the padding counted, a
    sequence's features depended on how far its batch was padded, and the
    running statistics used at prediction shrank towards 0. Where ``x``
    holds one valid value per channel (a last batch of one sequence of one
    step), which has no batch statistics, the running statistics normalise.
    The valid steps are counted from ``lengths`` (those of ``mask``), on the
    CPU: counting ``mask`` on a GPU blocked the host per batch and block.
    """
    if not norm.training:
        return norm(x)
    count = (x.shape[0] * x.shape[2] if mask is None
             else float(lengths.clamp(max=x.shape[2]).sum()))
    if count <= 1:
        return F.batch_norm(x, norm.running_mean, norm.running_var, norm.weight,
                            norm.bias, training=False, eps=norm.eps)
    if mask is None:
        return norm(x)
    mean = (x * mask).sum(dim=(0, 2)) / count
    var = (((x - mean[:, None]) * mask) ** 2).sum(dim=(0, 2)) / count
    with torch.no_grad():
        norm.num_batches_tracked.add_(1)
        momentum = norm.momentum
        if momentum is None:  # a cumulative average
            momentum = 1.0 / float(norm.num_batches_tracked)
        norm.running_mean.lerp_(mean.detach().to(norm.running_mean.dtype), momentum)
        unbiased = var.detach() * (count / (count - 1))
        norm.running_var.lerp_(unbiased.to(norm.running_var.dtype), momentum)
    scale = norm.weight * torch.rsqrt(var + norm.eps)
    return (x - mean[:, None]) * scale[:, None] + norm.bias[:, None]


def _average_windows(x, lengths, stride):
    """Means over windows of ``stride`` steps (the last completed with zeros).

    Zero-completed windows make a sequence's means the same whatever it is
    padded to in a batch (``x`` must be zero past each sequence's end).
    """
    if torch.jit.is_tracing():
        x = _pad_windows_traced(x, stride)
    else:
        missing = -x.shape[2] % stride
        if missing:
            x = F.pad(x, (0, missing))
    if torch.jit.is_tracing() and x.dtype == torch.float64:
        # to_onnx's random features: ONNX Runtime has no float64 AveragePool
        x = x.reshape(x.shape[0], x.shape[1], -1, stride).sum(dim=3) / stride
    else:
        x = F.avg_pool1d(x, stride, stride)
    if lengths is not None:
        lengths = torch.div(lengths + stride - 1, stride, rounding_mode="floor")
    return x, lengths


def _pad_windows_traced(x, stride):
    """``x`` completed with zeros to whole windows, in shape operations a trace keeps.

    The padding ``predict`` computes in Python, and the branch on it, would
    be frozen at the traced length (to_onnx): other lengths then lost
    their last window or failed to reshape. Here ``stride - 1`` zeros are
    always added, then the steps cut to ``ceil(n_steps / stride) * stride``,
    computed from the traced shape.
    """
    n_steps = torch._shape_as_tensor(x)[2]
    n_windows = torch.div(n_steps + (stride - 1), stride, rounding_mode="floor")
    return F.pad(x, (0, stride - 1))[:, :, : n_windows * stride]


def _valid(n_steps, lengths, like):
    """Whether each step is within its sequence's length: (batch, 1, n_steps), bool."""
    steps = torch.arange(n_steps, device=like.device)
    return (steps[None, :] < lengths.to(like.device)[:, None]).unsqueeze(1)


def _row_sums(features, weight, shift=None, size=2**16):
    """Weighted column sums of ``features`` (or of their squared deviations
    from ``shift``) in float64, by blocks of about ``size`` values: no
    float64 copy of all."""
    total = features.new_zeros(features.shape[1], dtype=torch.float64)
    rows = max(1, size // max(1, features.shape[1]))
    for i in range(0, len(features), rows):
        block = features[i : i + rows].double()
        if shift is not None:
            block = (block - shift).square()
        total += (weight[i : i + rows] * block).sum(dim=0)
    return total


def _mask(n_steps, lengths, like):
    return _valid(n_steps, lengths, like).to(like.dtype)


def _zero_padding(x, lengths):
    """``x`` (batch, channels, time) with zeros past each sequence's length.

    A selection, not a product with the mask: padding can hold anything
    (NaN pads unequal-length panels in sktime, and ONNX users pad with it),
    and NaN times 0 is NaN, which the dilated taps of the last valid steps
    then read.
    """
    return x.masked_fill(~_valid(x.shape[2], lengths, x), 0.0)


class RandomConvolutionBranch(nn.Module):
    """Fixed random dilated convolutions summarised by the proportion of positive values.

    MiniRocket's features (Dempster et al., 2021) as a frozen branch: the 84
    kernels of length 9 with weights -1 and 2 (three taps of 2), at
    exponentially spaced dilations, each compared with ``n_biases`` biases
    drawn from quantiles of its outputs on training sequences; a feature is
    the proportion of a sequence's valid steps where the output exceeds the
    bias. Several channels: each kernel sums a random subset of them. The
    features are standardised with their training moments. Nothing here is
    trained; :meth:`fit` sets it up from (standardised) training sequences.

    Parameters
    ----------
    input_size : int
        Channels per time step.
    n_biases : int, default=4
        Biases (features) per kernel and dilation.
    max_steps : int, default=2048
        Longer sequences are averaged over windows of steps first.
    """

    def __init__(self, input_size, n_biases=4, max_steps=2048):
        super().__init__()
        self.input_size = input_size
        self.n_biases = n_biases
        self.max_steps = max_steps
        self.stride = 1
        self.dilations = ()
        self.output_size = 0

    def fit(self, x, lengths, generator=None, weight=None):
        """Set stride, dilations, weights, biases and feature moments from ``x``.

        With ``weight`` (n,), the biases are drawn from rows of positive
        weight and the feature moments weighted, so that a row of weight 0
        counts as removed. Returns the standardised features of ``x``; above
        :meth:`fits_budget`, a :class:`FeatureRows` that computes those of
        the rows asked for (the moments are summed over parts of the rows).
        The kernels' channels and the biases' rows are drawn from
        ``generator``; None (what the estimators pass) draws from torch's
        global generator, the fit's own random state (``FitRandomness``).
        """
        n, n_steps, channels = x.shape
        counted = None if weight is None else torch.from_numpy(weight > 0).nonzero()[:, 0]
        self.stride = max(1, math.ceil(n_steps / self.max_steps))
        steps = math.ceil(n_steps / self.stride)
        top = math.log2(max(1.0, (steps - 1) / 8))
        exponents = torch.linspace(0.0, top, _DILATIONS, dtype=torch.float64)
        self.dilations = tuple(sorted({int(d) for d in torch.floor(2.0**exponents)}))
        patterns = torch.full((84, 9), -1.0)
        for k, taps in enumerate(_combinations(9, 3)):
            patterns[k, list(taps)] = 2.0
        weights = []
        for _ in self.dilations:
            if channels == 1:
                mask = torch.ones(84, 1)
            else:
                size = torch.randint(1, min(channels, 3) + 1, (84,), generator=generator)
                order = torch.rand(84, channels, generator=generator).argsort(dim=1)
                mask = (order < size[:, None]).float()
            weights.append(patterns[:, None, :] * mask[:, :, None])
        self.register_buffer("weights", torch.stack(weights))  # (D, 84, C, 9)
        quantiles = (torch.arange(1, self.n_biases + 1, dtype=torch.float64) * 0.6180339887) % 1.0
        biases = []
        with torch.no_grad():
            for i, dilation in enumerate(self.dilations):
                rows = torch.randint(0, n if counted is None else len(counted), (8,),
                                     generator=generator)
                rows = rows if counted is None else counted[rows]
                sample = x[rows] if lengths is None else x[rows][:, : int(lengths[rows].max())]
                out = self._convolve(self._downsample(sample.double(), None)[0], i)
                biases.append(torch.quantile(out.transpose(0, 1).flatten(1), quantiles,
                                             dim=1).T)  # (84, n_biases)
        self.register_buffer("biases", torch.stack(biases).float())  # (D, 84, n_biases)
        self.output_size = len(self.dilations) * 84 * self.n_biases
        self.register_buffer("feature_shift", torch.zeros(self.output_size))
        self.register_buffer("feature_scale", torch.ones(self.output_size))
        with torch.no_grad():
            if not self.fits_budget(n):  # no table: the moments from parts of the rows
                self._moments_in_parts(x, lengths, weight)
                return FeatureRows(self, x, lengths)
            features = self._all_features(x, lengths)
        if weight is None:
            self.feature_shift.copy_(features.mean(dim=0))
            if len(features) > 1:  # one row (a first partial_fit batch): scale 1
                self.feature_scale.copy_(features.std(dim=0).clamp_min(1e-3))
        else:  # reliability weights: with weights of 0 and 1, std over the 1s
            w = torch.as_tensor(weight, dtype=torch.float64)[:, None]
            total = w.sum()
            self.feature_shift.copy_(_row_sums(features, w) / total)
            dof = total - w.square().sum() / total
            if dof > 0:
                var = _row_sums(features, w, self.feature_shift.double()) / dof
                self.feature_scale.copy_(var.sqrt().clamp_min(1e-3))
        # a feature of one value on every row counting scales by 1, not by
        # the floor's 1e-3, which made its later changes 1,000 times larger
        # (review s36 rvC F4); on those rows it is 0 either way
        self.feature_scale[_one_value(features, weight)] = 1.0
        # in place: the features of every row are the set-up's largest tensor
        return features.sub_(self.feature_shift).div_(self.feature_scale)

    def _moments_in_parts(self, x, lengths, weight, rows=256):
        """Set the feature moments as :meth:`fit` does, from parts of the rows.

        Each part's float64 (weighted) mean and sum of squared deviations,
        combined with those of the parts before it as Chan et al. (1979)
        do: no table of every row (2 GiB of peak memory at 160,000 short
        sequences), and none of the cancellation of a mean of squares.
        Equal weights: the sample standard deviation (ddof=1), as ``std``.
        """
        w = (torch.ones(len(x), dtype=torch.float64) if weight is None
             else torch.as_tensor(weight, dtype=torch.float64))
        total = torch.zeros((), dtype=torch.float64)
        mean = torch.zeros(self.output_size, dtype=torch.float64)
        squares = torch.zeros_like(mean)
        low, high = torch.full_like(mean, math.inf), torch.full_like(mean, -math.inf)
        for i in range(0, len(x), rows):
            part_weight = w[i : i + rows, None]
            part_total = part_weight.sum()
            if not part_total > 0:
                continue  # rows of weight 0 only: not computed
            part = self._features(x[i : i + rows],
                                  None if lengths is None else lengths[i : i + rows]).double()
            counted = part[part_weight[:, 0] > 0]
            low, high = low.minimum(counted.amin(dim=0)), high.maximum(counted.amax(dim=0))
            part_mean = (part_weight * part).sum(dim=0) / part_total
            part_squares = (part_weight * (part - part_mean).square()).sum(dim=0)
            delta, grown = part_mean - mean, total + part_total
            mean += delta * (part_total / grown)
            squares += part_squares + delta.square() * (total * part_total / grown)
            total = grown
        self.feature_shift.copy_(mean)
        dof = total - w.square().sum() / total if total > 0 else total
        if dof > 0:
            self.feature_scale.copy_((squares / dof).sqrt().clamp_min(1e-3))
        self.feature_scale[low == high] = 1.0  # one value on every row, as in fit

    def fits_budget(self, n_rows):
        """Whether the features of ``n_rows`` sequences fit in ``_TABLE_BYTES``."""
        return n_rows * self.output_size * 4 <= _TABLE_BYTES

    def warn_over_budget(self, n_rows):
        """Warn that the features of ``n_rows`` sequences are computed per batch."""
        warnings.warn(
            f"The {self.output_size} random-convolution features of {n_rows} "
            f"sequences ({n_rows * self.output_size * 4 / 2**30:.2g} GiB) exceed the "
            f"table kept for training ({_TABLE_BYTES / 2**30:.2g} GiB): every batch "
            "of every epoch computes its own, many times slower. Fewer "
            "random_biases (0 for none) keep the table.", UserWarning)

    def table(self, x, lengths=None):
        """Standardised features of every row of ``x``, or None over the budget.

        What :meth:`forward` takes as ``features``: a fit computes them once
        for its rows (the loop slices them by batch) instead of every epoch;
        nothing in the branch is trained, so they do not change. Above
        :meth:`fits_budget`, None: each batch computes its own.
        """
        if not self.fits_budget(len(x)):
            return None
        with torch.no_grad():
            features = self._all_features(x, lengths)
            return features.sub_(self.feature_shift).div_(self.feature_scale)

    def _all_features(self, x, lengths, rows=256):
        # filled in place: a list of parts and their concatenation held two copies
        features = x.new_empty(len(x), self.output_size)
        for i in range(0, len(x), rows):
            features[i : i + rows] = self._features(
                x[i : i + rows], None if lengths is None else lengths[i : i + rows])
        return features

    def _downsample(self, x, lengths):
        # A copy in the standard layout: with one channel, the transposed view
        # passes as contiguous, and conv1d's kernel for its strides sums in
        # another order (outputs 1 ulp off to_onnx's, and off a bias they
        # equal: counts differed at lengths of whole windows)
        x = x.transpose(1, 2).clone(memory_format=torch.contiguous_format)
        if lengths is not None:
            x = _zero_padding(x, lengths)
        if self.stride > 1:
            x, lengths = _average_windows(x, lengths, self.stride)
        return x, lengths

    def _convolve(self, x, i):
        dilation = self.dilations[i]
        weights = self.weights[i].to(x.dtype)
        if x.shape[1] <= 3:
            return F.conv1d(x, weights, padding=4 * dilation, dilation=dilation)
        # Each kernel reads 1 to 3 channels: their sum convolved with its
        # pattern, not every channel with a weight of zero outside them
        # (review s35 rvD F4: 400 channels, predict 2.6 s against
        # MiniRocketMultivariate's 0.5 s)
        chosen = weights[:, :, 0] != 0  # (84, C): the patterns have no zero
        index = chosen.to(torch.uint8).argsort(dim=1, descending=True, stable=True)[:, :3]
        present = chosen.gather(1, index).to(x.dtype)[None, :, :, None]
        summed = x[:, index[:, 0]]
        for k in (1, 2):
            summed = summed + x[:, index[:, k]] * present[:, :, k]
        pattern = weights.gather(1, index[:, :1, None].expand(-1, 1, weights.shape[2]))
        return F.conv1d(summed, pattern, padding=4 * dilation, dilation=dilation,
                        groups=len(pattern))

    def _features(self, x, lengths):
        if torch.jit.is_tracing():  # to_onnx: one batch, float ops only
            return self._exported(x, lengths)
        # In float64: a feature counts comparisons with a bias, and float32
        # rounding that varies with the batch could flip one.
        return self._features64(x.double(), lengths).to(x.dtype)

    def _exported(self, x, lengths):
        """The features in operations ONNX Runtime runs, in float64 as in predict.

        ONNX Runtime has no float64 ``Conv``: each dilated convolution is a
        ``MatMul`` of the weights with the input's 9 shifted copies. (In
        float32, outputs that equal a bias, common on integer-valued
        series, since the biases are quantiles of training outputs, fell on
        either side of it by rounding: labels differed from predict's.)
        """
        x, lengths = self._downsample(x.double(), lengths)
        mask = None if lengths is None else _mask(x.shape[2], lengths, x)
        n_steps, parts = x.shape[2], []
        for i, dilation in enumerate(self.dilations):
            padded = F.pad(x, (4 * dilation, 4 * dilation))
            taps = torch.stack([padded[:, :, k * dilation : k * dilation + n_steps]
                                for k in range(9)], dim=2)  # (batch, channels, 9, time)
            out = torch.matmul(self.weights[i].double().flatten(1), taps.flatten(1, 2))
            positive = (out[:, :, None, :] > self.biases[i].double()[None, :, :, None])
            positive = positive.double()
            if mask is not None:
                positive = positive * mask[:, :, None, :]
            parts.append(positive.sum(dim=3).flatten(1))
        counts = torch.cat(parts, dim=1)
        if lengths is None:
            return (counts / n_steps).to(torch.float32)
        return (counts / lengths.to(counts.dtype)[:, None]).to(torch.float32)

    def _features64(self, x, lengths, rows=32):
        x, lengths = self._downsample(x, lengths)
        parts = []
        for start in range(0, len(x), rows):
            part = None if lengths is None else lengths[start : start + rows]
            # each part's steps up to its longest: one long sequence in a list
            # of short ones made every row's cost its length (review s35 rvD
            # F1: fit 0.25 s to 17 s, predict 0.03 s to 6.9 s)
            width = x.shape[2] if part is None else int(part.max())
            parts.append(self._proportions(x[start : start + rows, :, :width], part))
        return torch.cat(parts) if parts else x.new_zeros(0, self.output_size)

    def _proportions(self, x, lengths):
        """Proportion of valid steps above each bias, for a few rows."""
        mask = None if lengths is None else _valid(x.shape[2], lengths, x)
        parts = []
        for i in range(len(self.dilations)):
            out = self._convolve(x, i)  # (rows, 84, time)
            biases = self.biases[i].to(x.dtype)
            positive = out[:, :, None, :] > biases[None, :, :, None]
            if mask is not None:
                positive &= mask[:, :, None, :]
            # The same counts as a bool sum (int64), about 5 times faster
            parts.append(positive.to(torch.uint8).sum(dim=3, dtype=torch.int32).flatten(1))
        counts = torch.cat(parts, dim=1).to(x.dtype)
        if lengths is None:
            return counts / x.shape[2]
        return counts / lengths.to(x.device, x.dtype)[:, None]  # lengths stay on the CPU

    def forward(self, x, lengths=None, features=None):
        """Standardised features of shape ``(batch, output_size)``.

        ``features``: those of the first rows of ``x``, from :meth:`table`
        (the rest, padding rows, get zeros); computed from ``x`` if None.
        """
        if features is not None:
            return F.pad(features, (0, 0, 0, len(x) - len(features)))
        with torch.no_grad():
            features = self._features(x, lengths)
        return (features - self.feature_shift) / self.feature_scale


class FeatureRows:
    """The standardised features of rows of ``x``, computed when asked for.

    What :meth:`RandomConvolutionBranch.fit` returns above its memory budget
    instead of the features of every row: the classifier's ridge start
    (:func:`~sklearn_rnn._ridge_start.start_from_ridge`) reads a subsample
    of the rows, so only theirs are computed. ``x`` (standardised, as
    :meth:`RandomConvolutionBranch.table` takes) and ``lengths`` are kept.
    """

    def __init__(self, branch, x, lengths=None):
        self.branch, self.x, self.lengths = branch, x, lengths
        self.shape = (len(x), branch.output_size)

    def __len__(self):
        return len(self.x)

    def take(self, index):
        """The standardised features of the rows at ``index`` (a CPU index tensor), on the CPU."""
        lengths = None if self.lengths is None else self.lengths[index]
        # the branch's device: a fit sets up on the CPU, then moves the
        # network (a kept start's refit takes rows on a GPU, review RV2)
        rows = self.x[index.to(self.x.device)].to(self.branch.feature_shift.device)
        with torch.no_grad():
            return self.branch(rows, lengths).cpu()


#: Dilations are at most this many, exponentially spaced from 1 to the
#: largest that fits a kernel's span into the (downsampled) sequence.
_DILATIONS = 8
#: Bytes of the features :meth:`RandomConvolutionBranch.table` computes for a
#: fit's rows at once (1 GiB: 57,000 sequences of 4,704 features, those of 8
#: dilations; a fit computes them all once anyway, for its ridge start); past
#: it, every batch computes its own, and fitting warns.
_TABLE_BYTES = 2**30


def _one_value(features, weight=None, rows=4096):
    """Whether each column of ``features`` holds one value on the rows of
    positive ``weight`` (all where None); by parts, no copy of the table."""
    low = high = None
    for i in range(0, len(features), rows):
        part = features[i : i + rows]
        if weight is not None:
            part = part[torch.from_numpy(weight[i : i + rows] > 0)]
        if len(part):
            part_low, part_high = part.amin(dim=0), part.amax(dim=0)
            low = part_low if low is None else low.minimum(part_low)
            high = part_high if high is None else high.maximum(part_high)
    return torch.zeros(features.shape[1], dtype=torch.bool) if low is None else low == high


def _combinations(n, k):
    from itertools import combinations

    return list(combinations(range(n), k))
