"""The whole prediction path of a fitted estimator as one torch module.

:class:`PredictionGraph` wraps a fitted estimator's network with what
``predict`` does around it in NumPy (reading 2D tables as sequences,
trimming leading missing steps, undoing the target scaling, adding back
the per-window reference, sorting quantiles, the classifier's softmax and
argmax, NaN for the sequences ``predict`` rejects), so that one trace
exports all of it. Everything runs on the packed path of the network
(explicit lengths), which ONNX's recurrent operators reproduce through
their ``sequence_lens`` input.
"""

import numpy as np
import torch
from torch import nn

__all__ = ["PredictionGraph", "dummy_inputs"]


class PredictionGraph(nn.Module):
    """A fitted estimator's prediction path, from raw inputs to predictions.

    Parameters
    ----------
    estimator : SequenceRegressor or SequenceClassifier
        A fitted estimator (its ``module_`` and fitted attributes are read).
    kind : {"regressor", "quantiles", "classifier"}
        What the outputs are.
    table : bool
        Whether the input is a 2D table of ``n_features_in_`` columns (read
        as ``predict`` reads it) instead of 3D sequences.
    time_last : bool, default=False
        Whether 3D sequences come as (batch, n_channels, time), as
        ``predict`` reads them with ``time_axis=2``.

    Notes
    -----
    ``forward(x, lengths=None)`` returns a tuple: ``(predictions,)`` for a
    regressor, ``(predictions, quantiles)`` for quantiles and
    ``(label_index, probabilities)`` for a classifier, all float64 but the
    int64 label index. A sequence ``predict`` rejects (a NaN or inf among
    its valid steps, after trimming leading all-NaN steps where
    ``leading_nan="trim"``, or no step left) gets NaN in every float
    output and label index 0, the first class.
    """

    def __init__(self, estimator, kind, *, table, time_last=False):
        super().__init__()
        self.time_last = time_last
        self.network = estimator.module_
        if self.network.pooling == "last":
            _read_all_outputs(self.network)
        self.kind = kind
        self.table = table
        # tables as predict reads them: n_channels channels per step (the
        # export refuses tables where that is not n_channels_in_)
        self.n_channels = estimator.n_channels if table else estimator.n_channels_in_
        self.channels_first = estimator.flat_layout == "channels_first"
        self.trim = estimator.leading_nan == "trim"
        if kind == "classifier":
            return
        self.relative = estimator.window_normalization_ == "last"
        self.y_1d = bool(estimator._y_1d)
        self.n_outputs = int(estimator.n_outputs_)
        scale = np.asarray(estimator._target_scale, dtype=np.float64)
        shift = np.asarray(estimator._target_shift, dtype=np.float64)
        self.register_buffer("target_scale", torch.from_numpy(scale.copy()))
        self.register_buffer("target_shift", torch.from_numpy(shift.copy()))
        if kind == "quantiles":
            self.n_levels = len(estimator.quantiles_)
            self.median = int(np.searchsorted(estimator.quantiles_, 0.5))

    def forward(self, x, lengths=None):
        """Predictions for the batch ``x`` (see the class notes)."""
        if self.time_last:
            x = x.transpose(1, 2)
        if self.table:
            if self.channels_first:
                x = x.reshape(x.shape[0], self.n_channels, -1).transpose(1, 2)
            else:
                x = x.reshape(x.shape[0], -1, self.n_channels)
        if lengths is None:
            lengths = torch.ones_like(x[:, 0, 0], dtype=torch.int64) * x.shape[1]
        if self.trim:
            x, lengths = _trim_leading_missing(x, lengths)
        rejected = _rejected_rows(x, lengths)
        output = self.network(x, lengths).double()
        if self.kind == "classifier":
            log_proba = output - torch.logsumexp(output, dim=1, keepdim=True)
            # a rejected row's label: the first class, whatever its (NaN) scores
            label_index = torch.where(rejected, torch.zeros_like(lengths),
                                      torch.argmax(output, dim=1))
            return label_index, _nan_rows(torch.exp(log_proba), rejected)
        reference = None
        if self.relative:
            last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, x.shape[2])
            reference = x.gather(1, last)[:, 0, :1].double()
        if self.kind == "regressor":
            out = output * self.target_scale + self.target_shift
            if reference is not None:
                out = out + reference
            out = _nan_rows(out, rejected)
            return (out.reshape(-1) if self.y_1d else out,)
        out = output.reshape(-1, self.n_outputs, self.n_levels)
        out = out * self.target_scale[:, None] + self.target_shift[:, None]
        if reference is not None:
            out = out + reference[:, :, None]
        out = _nan_rows(torch.sort(out, dim=-1).values, rejected)
        median = out[..., self.median]
        if self.y_1d:
            return median.reshape(-1), out[:, 0]
        return median, out


def _read_all_outputs(network):
    """Make ``network`` (a copy being exported) read its unpacked outputs.

    Pooling ``"last"`` reads the final states only, and the exporter fails
    on the unpacked outputs of packed sequences that nothing reads; adding
    zero times one of them keeps them in the graph.
    """
    summarise = network._summarise

    def _summarise(out, h_n, lengths):
        summary = summarise(out, h_n, lengths)
        return summary + 0.0 * out[:, :1, 0]

    network._summarise = _summarise


def _rejected_rows(x, lengths):
    """Which sequences ``predict`` rejects: NaN or inf in a valid step, or no step.

    The graph marks their outputs NaN explicitly: NaN does not reliably
    pass through the network, as ONNX Runtime's ``LSTM`` and ``GRU``
    kernels clamp their activations (NaN comes out finite), the random
    convolution features compare (a comparison with NaN is False), and a
    sequence of no step (all NaN, trimmed) gets zero states. Steps past a
    sequence's length are padding, whatever they hold.
    """
    position = torch.arange(x.shape[1], dtype=torch.int64)
    valid = position[None, :] < lengths[:, None]
    bad_steps = (~torch.isfinite(x)).any(dim=2) & valid
    return bad_steps.any(dim=1) | (lengths <= 0)


def _nan_rows(values, rows):
    """``values`` with NaN in every entry of the rows where ``rows`` is True."""
    rows = rows.reshape(-1, *([1] * (values.dim() - 1)))
    return torch.where(rows, torch.full_like(values, float("nan")), values)


def _trim_leading_missing(x, lengths):
    """Drop each sequence's leading all-NaN steps, as ``predict`` does.

    Returns the sequences left-aligned (zeros past their new lengths) and
    the new lengths.
    """
    steps = x.shape[1]
    missing = torch.isnan(x).all(dim=2)
    seen = torch.cumsum((~missing).to(torch.int64), dim=1)
    n_lead = (seen == 0).to(torch.int64).sum(dim=1)
    position = torch.arange(steps, dtype=torch.int64)
    # both bounds given: an omitted min is an empty input in the middle of
    # ONNX's Clip, which skl2onnx's topological sort cannot place
    index = torch.clamp(position[None, :] + n_lead[:, None], min=0, max=steps - 1)
    shifted = x.gather(1, index[:, :, None].expand(-1, -1, x.shape[2]))
    lengths = lengths - n_lead
    valid = (position[None, :] < lengths[:, None])[:, :, None]
    return torch.where(valid, shifted, torch.zeros_like(shifted)), lengths


def dummy_inputs(n_columns_or_steps, n_channels, *, table, patch_size, lengths,
                 time_last=False):
    """Example inputs to trace with: four rows, so no row padding is traced.

    Sequences get a number of steps that is not a multiple of ``patch_size``,
    so the trace keeps the padding of the last patch (empty where the
    lengths fit); lengths differ between rows.
    """
    generator = torch.Generator().manual_seed(0)
    if table:
        x = torch.randn(4, n_columns_or_steps, generator=generator)
        steps = n_columns_or_steps // n_channels
    else:
        steps = max(int(n_columns_or_steps), 3)
        if patch_size > 1 and steps % patch_size == 0:
            steps += 1
        x = torch.randn(4, steps, n_channels, generator=generator)
        if time_last:
            x = x.transpose(1, 2).contiguous()
    if not lengths:
        return (x,)
    row_lengths = torch.tensor([steps, max(steps - 1, 1), max(steps // 2, 1), 1])
    return x, row_lengths
