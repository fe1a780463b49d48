"""A GRU recurrence for predicting a handful of sequences on the CPU.

At CPU inference the network pads every batch to a multiple of four rows
(see :func:`sklearn_rnn._kernels.pad_rows`) so that a sequence's recurrent
outputs do not depend on the sequences of its length predicted beside it
(see :class:`~sklearn_rnn._networks.RecurrentNetwork`). For
one sequence this makes ``nn.GRU`` do four rows of work: ATen's GRU cell
runs its gate arithmetic on strided slices of all four rows, which on a
512-step sequence costs about 2 ms more than the unpadded forward.

:func:`gru_scan` computes the same numbers, bit for bit, with less work. It
calls the same kernels as ATen's CPU GRU in the same order (the input
projection of the whole sequence first, then per step the hidden matrix
product over all rows, so that the matrix kernel is the one a padded batch
uses, and the cell's ``r, z = sigmoid(W_h h + W_i x)``,
``n = tanh(W_in x + r * W_hn h)``, ``h' = (h - n) * z + n``), but runs the
gate arithmetic on the real rows only, on contiguous buffers allocated once,
inside TorchScript so that the step loop has no Python overhead (compiled
on first use, about 10 ms). TorchScript fuses no operations on the CPU
unless CPU fusion is explicitly switched on (it is off by default), so
exactly the operations written here execute. Padding rows keep a zero
hidden state: their outputs are meaningless and discarded.

The scan is used only where it is known to be exact: single-direction GRUs
whose hidden size is a multiple of 32 (so that no vectorised loop has a
scalar tail, whose rounding of ``tanh``/``sigmoid`` can differ), float32 on
the CPU, no autocast, no autograd, no packed sequences, and batches of at
most ``MAX_ROWS`` rows. Where TorchScript is unavailable, ``nn.GRU`` runs.
"""

import torch
from torch import nn

from .conditions import float32_cpu_inference
from .torchscript import scripted

__all__ = ["gru_scan", "gru_scan_applies", "MAX_ROWS"]

#: Largest (padded) batch the scan is used for. Above a few rows the gate
#: arithmetic on strided rows stops dominating and ``nn.GRU`` is as fast.
MAX_ROWS = 4

#: The hidden size must be a multiple of this (see the module docstring).
_HIDDEN_MULTIPLE = 32


def gru_scan_applies(rnn, x, real_rows):
    """Whether :func:`gru_scan` reproduces ``rnn(x)`` exactly for this call.

    Returns True when the scan can stand in for ``rnn``.
    """
    return (
        real_rows is not None
        and isinstance(rnn, nn.GRU)
        and not rnn.bidirectional
        and rnn.bias
        and rnn.hidden_size % _HIDDEN_MULTIPLE == 0
        and 0 < real_rows < x.shape[0] <= MAX_ROWS
        and float32_cpu_inference(rnn, x)
        and _scripted_layer() is not None
    )


def gru_scan(rnn, x, real_rows, keep_outputs=True):
    """Run a GRU over the first ``real_rows`` rows of a padded batch.

    Parameters
    ----------
    rnn : torch.nn.GRU
        A batch-first, single-direction GRU with biases, in eval mode.
    x : torch.Tensor of shape (batch, time, input_size)
        Input; rows from ``real_rows`` on are padding.
    real_rows : int
        Number of leading rows to compute.
    keep_outputs : bool, default=True
        Whether to return the last layer's hidden state at every step; when
        False, ``output`` holds only the final step (a copy per step saved).

    Returns
    -------
    output : torch.Tensor of shape (batch, time, hidden_size)
        Last layer's hidden states, as ``rnn(x)[0]`` for the real rows
        (zeros for padding rows); ``time`` is 1 unless ``keep_outputs``.
    h_n : torch.Tensor of shape (num_layers, batch, hidden_size)
        Each layer's final hidden state, likewise.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels.gru_small_batch import gru_scan
    >>> gru = torch.nn.GRU(1, 64, batch_first=True).eval()
    >>> x = torch.randn(4, 20, 1)
    >>> with torch.inference_mode():
    ...     out, h_n = gru_scan(gru, x, real_rows=1)
    ...     torch.equal(out[:1], gru(x)[0][:1])
    True
    """
    layer = _scripted_layer()
    steps = x.transpose(0, 1)  # ATen's GRU works time-major on this view
    finals = []
    last = rnn.num_layers - 1
    for k in range(rnn.num_layers):
            steps = layer(
                steps,
                getattr(rnn, f"weight_ih_l{k}"),
                getattr(rnn, f"bias_ih_l{k}"),
                getattr(rnn, f"weight_hh_l{k}"),
                getattr(rnn, f"bias_hh_l{k}"),
                real_rows,
                keep_outputs or k < last,
            )
            finals.append(steps[-1])
    return steps.transpose(0, 1), torch.stack(finals)


def _layer(x, w_ih, b_ih, w_hh, b_hh, real_rows: int, keep_outputs: bool):
    # x: (time, batch, input) -> hidden states (time, batch, hidden), or
    # only the final state (1, batch, hidden) when not keep_outputs.
    hidden = w_hh.size(1)
    n_steps = x.size(0)
    n = real_rows
    gi = torch.nn.functional.linear(x, w_ih, b_ih)
    gi_rz = gi[:, :n, : 2 * hidden].contiguous()
    gi_n = gi[:, :n, 2 * hidden :].contiguous()
    w_hh_t = w_hh.t()
    state = torch.zeros(x.size(1), hidden, dtype=x.dtype)
    h = state[:n]
    out = torch.zeros(n_steps if keep_outputs else 0, x.size(1), hidden, dtype=x.dtype)
    gh = torch.empty(x.size(1), 3 * hidden, dtype=x.dtype)
    gh_rz = gh[:n, : 2 * hidden]
    gh_n = gh[:n, 2 * hidden :]
    rz = torch.empty(n, 2 * hidden, dtype=x.dtype)
    r = rz[:, :hidden]
    z = rz[:, hidden:]
    new = torch.empty(n, hidden, dtype=x.dtype)
    diff = torch.empty(n, hidden, dtype=x.dtype)
    for t in range(n_steps):
        torch.addmm(b_hh, state, w_hh_t, out=gh)
        torch.add(gh_rz, gi_rz[t], out=rz)
        rz.sigmoid_()
        torch.mul(gh_n, r, out=new)
        new.add_(gi_n[t])
        new.tanh_()
        torch.sub(h, new, out=diff)
        diff.mul_(z)
        torch.add(diff, new, out=h)
        if keep_outputs:
            out[t] = state
    return out if keep_outputs else state[None]


def _scripted_layer():
    return scripted(_layer)
