"""Sequences of different lengths on the CPU, run padded instead of packed.

On the CPU, PyTorch runs a packed batch (``pack_padded_sequence``) step by
step through ATen's cells, not through oneDNN's fused LSTM, and the backward
of every step's slice of the packed input fills a zero gradient the size of
the whole packed input: quadratic in the length. Training an
``LSTMRegressor`` on a list of sequences of 24-48 steps took 3.3 times as
long per batch as on the same batch run unpacked, 6.2 times at 200 steps.

:func:`run_padded` runs such a batch padded instead. The padding is zeroed
(NaN or inf there reaches neither an output nor a gradient) and the batch is
cut to its longest sequence. A single-direction module then runs it as an
equal-length batch, on whatever kernel
:func:`~sklearn_rnn._kernels.run_recurrent` picks for one: its layers are
causal, so each row's outputs at its valid steps are those of the packed
run, and its final state is its last layer's output at its last valid step.
A bidirectional module runs layer by layer, each direction on its own: the
forward direction on the rows as they are, the reverse direction on each
row reversed within its own length (padding left at the end), so that it
starts from the row's last valid step as the packed run does; its outputs
are then put back in time order. Outputs past each length are zero, as
``pad_packed_sequence`` leaves them. The result equals the packed run's to
float32 rounding, outputs and gradients alike (``tests/test_kernels_padded.py``).

Only what the network reads is computed: the outputs of the last layer and
its final hidden states (``h_n`` of shape ``(directions, batch, hidden)``;
an LSTM's ``c_n`` is None). Inter-layer dropout (``num_layers > 1``)
draws other random numbers than the packed run's, from the same
distribution (its masks cover the padded steps too): a fit with dropout on
sequences of different lengths is reproducible, but not the same as before
this path. :func:`padded_applies` leaves the packed run everywhere else:
off the CPU (cuDNN runs packed batches well), for projections, for empty
batches or lengths outside ``1..time``, and while a graph is traced or
exported (ONNX's recurrent operators take the lengths themselves).
"""

import torch
from torch import nn

__all__ = ["padded_applies", "run_padded", "final_outputs"]


def padded_applies(rnn, x, lengths):
    """Whether :func:`run_padded` can stand in for the packed run of ``rnn``.

    Returns True for a batch-first ``nn.LSTM`` or ``nn.GRU`` without
    projections, on a 3D CPU input of at least one row and step whose
    ``lengths`` are between 1 and its number of steps, outside tracing,
    scripting and ONNX export.
    """
    return (
        isinstance(rnn, (nn.LSTM, nn.GRU))
        and rnn.batch_first
        and not getattr(rnn, "proj_size", 0)
        and x.dim() == 3
        and x.device.type == "cpu"
        and x.shape[0] > 0
        and x.shape[1] > 0
        and not torch.jit.is_tracing()
        and not torch.jit.is_scripting()
        and not torch.onnx.is_in_onnx_export()
        and lengths.dim() == 1
        and len(lengths) == x.shape[0]
        and 1 <= int(lengths.min())
        and int(lengths.max()) <= x.shape[1]
    )


def run_padded(rnn, x, lengths, run, *, keep_outputs=True):
    """Run ``rnn`` over sequences of different lengths, padded, not packed.

    Parameters
    ----------
    rnn : torch.nn.GRU or torch.nn.LSTM
        A batch-first recurrent module (see :func:`padded_applies`).
    x : torch.Tensor of shape (batch, time, input_size)
        Batch-first input, padded at the end (with anything, NaN included).
    lengths : torch.Tensor of shape (batch,)
        Valid steps per sequence (int64, on the CPU).
    run : callable
        ``run(x)`` runs a single-direction ``rnn`` over an equal-length
        batch and returns ``(output, h_n)`` as ``rnn(x)`` does (its
        ``h_n`` is not read).
    keep_outputs : bool, default=True
        Whether the last layer's output at every step is needed.

    Returns
    -------
    output : torch.Tensor of shape (batch, max(lengths), hidden_size * directions)
        The last layer's output at every step, zeros past each sequence's
        length; when not ``keep_outputs``, of shape ``(batch, 1, ...)``:
        the final states, as :func:`final_outputs`.
    h_n : torch.Tensor or tuple
        The last layer's final hidden states, of shape ``(directions,
        batch, hidden_size)``: at each sequence's last valid step (the
        forward direction) and its first (the reverse direction). For an
        LSTM ``(h_n, None)``: its cell states are not computed.
    """
    steps = int(lengths.max())
    lengths = lengths.to(x.device)
    valid = (torch.arange(steps, device=x.device)[None, :] < lengths[:, None]).unsqueeze(2)
    x = torch.where(valid, x[:, :steps], x.new_zeros(()))
    rows = torch.arange(x.shape[0], device=x.device)
    if rnn.bidirectional:
        out, first = _bidirectional(rnn, x, lengths)
        h_n = torch.stack([out[rows, lengths - 1, : rnn.hidden_size], first])
    else:
        out, _ = run(x)
        h_n = out[rows, lengths - 1].unsqueeze(0)
    h_n = (h_n, None) if isinstance(rnn, nn.LSTM) else h_n
    if not keep_outputs:
        return final_outputs(rnn, h_n), h_n
    return out * valid, h_n


def final_outputs(rnn, h_n):
    """The last layer's final hidden states as an output of one step.

    Returns a tensor of shape ``(batch, 1, hidden_size * directions)``:
    the last ``directions`` entries of ``h_n`` (an LSTM's ``h_n[0]``)
    side by side, what :func:`~sklearn_rnn._kernels.run_recurrent` returns
    as its output for sequences of different lengths when the outputs at
    every step are not needed.
    """
    h = h_n[0] if isinstance(h_n, tuple) else h_n
    directions = 2 if rnn.bidirectional else 1
    return torch.cat(list(h[-directions:]), dim=1).unsqueeze(1)


def _bidirectional(rnn, x, lengths):
    """The last layer's outputs of a bidirectional ``rnn`` over ``x``
    (padding zeroed), and the reverse direction's final states."""
    steps = x.shape[1]
    time = torch.arange(steps, device=x.device)[None, :]
    ends = lengths[:, None]
    # Each row reversed within its own length, padding left in place; the
    # index is its own inverse.
    index = torch.where(time < ends, ends - 1 - time, time)
    index = index.unsqueeze(2)
    out = x
    for layer in range(rnn.num_layers):
        if layer and rnn.dropout and rnn.training:
            out = nn.functional.dropout(out, rnn.dropout, training=True)
        forward = _direction(rnn, out, layer, "")
        reverse = _direction(rnn, _reverse(out, index), layer, "_reverse")
        out = torch.cat([forward, _reverse(reverse, index)], dim=2)
    return out, reverse[torch.arange(x.shape[0], device=x.device), lengths - 1]


def _reverse(x, index):
    """``x`` with each row's steps taken at ``index`` (batch, time, 1)."""
    return x.gather(1, index.expand(-1, -1, x.shape[2]))


def _direction(rnn, x, layer, suffix):
    """One direction of one layer of ``rnn`` over ``x``, from a zero state."""
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")[: 4 if rnn.bias else 2]
    params = [getattr(rnn, f"{name}_l{layer}{suffix}") for name in names]
    h0 = x.new_zeros(1, x.shape[0], rnn.hidden_size)
    if isinstance(rnn, nn.LSTM):
        return torch.lstm(x, (h0, h0), params, rnn.bias, 1, 0.0, rnn.training, False, True)[0]
    return torch.gru(x, h0, params, rnn.bias, 1, 0.0, rnn.training, False, True)[0]
