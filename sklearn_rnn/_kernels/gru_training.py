"""A GRU layer with a hand-written backward pass, for training on the CPU.

``nn.GRU`` trains on the CPU through ATen's generic cell: autograd records
about thirty small operations per time step (matrix products, chunks, gate
arithmetic) and replays their backward one node at a time, including a
weight-gradient matrix product and a ``cat`` of three gate gradients per
step. :func:`gru_train` computes the same function and the same gradients
with a fraction of that work:

* the forward runs ATen's recurrence ``r, z = sigmoid(W_i x + b_i + W_h h +
  b_h)``, ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
  ``h' = n + z * (h - n)`` as seven operations per step, outside autograd,
  keeping what the backward needs;
* the backward walks the steps in reverse with a handful of operations per
  step, writing the gate gradients into one buffer, and then forms every
  weight and bias gradient with one matrix product (or sum) over all steps
  at once;

both loops run inside TorchScript so that they have no Python overhead
(compiled on first use in a process: about 20 ms, and about 60 ms more over
the first two calls while TorchScript profiles them). The gradients agree
with ``nn.GRU``'s to float32 rounding (they are sums in a different order),
not bit for bit.

It stands in for ``nn.GRU`` only where it computes the same thing: a
batch-first GRU with biases, float32 on the CPU, in training mode with
gradients enabled, no autocast, no packed sequences and a zero initial
state. Stacked layers are run one after another, with the module's dropout
between them as ``nn.GRU`` applies it; a bidirectional layer runs its
reverse direction on the time-reversed sequence. Each layer and direction
can also run in chunks of time steps, each chunk from the previous chunk's
final state, so that long sequences need smaller buffers (see
:mod:`sklearn_rnn._kernels.time_chunks`). Elsewhere, and where TorchScript is
unavailable, ``nn.GRU`` runs.
"""

from typing import Optional

import torch
from torch import nn

from .conditions import cpu_training
from .torchscript import scripted

__all__ = ["gru_train", "gru_train_applies"]


def gru_train_applies(rnn, x):
    """Whether :func:`gru_train` can stand in for ``rnn(x)`` in training.

    Returns True for a batch-first ``nn.GRU`` with biases, in training mode
    with gradients enabled, on float32 CPU tensors without autocast.
    """
    return (
        isinstance(rnn, nn.GRU)
        and cpu_training(rnn, x)
        and rnn.bias
        and not getattr(rnn, "proj_size", 0)
        and x.shape[0] > 0
        and x.shape[1] > 0
        and x.dtype == torch.float32
        and rnn.weight_hh_l0.dtype == torch.float32
        and rnn.weight_hh_l0.device.type == "cpu"
        and not torch.is_autocast_enabled("cpu")
        and _scripted() is not None
    )


def gru_train(rnn, x, chunk=None, keep_outputs=True):
    """Run ``rnn`` over ``x`` from a zero state, as ``rnn(x)`` in training.

    Parameters
    ----------
    rnn : torch.nn.GRU
        A module for which :func:`gru_train_applies` holds.
    x : torch.Tensor of shape (batch, time, input_size)
        Batch-first input.
    chunk : int, default=None
        If given, each layer runs over ``chunk`` time steps at a time, each
        chunk from the previous one's final state (the same function and
        gradients, with smaller buffers: see
        :func:`sklearn_rnn._kernels.time_chunks.chunk_steps`).
    keep_outputs : bool, default=True
        Whether to return the last layer's hidden state at every step; when
        False, ``output`` holds only each direction's final state.

    Returns
    -------
    output : torch.Tensor of shape (batch, time, hidden_size * directions)
        The last layer's hidden state at every step (``time`` is 1 unless
        ``keep_outputs``).
    h_n : torch.Tensor of shape (num_layers, batch, hidden_size)
        Each layer's final hidden state.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels.gru_training import gru_train
    >>> gru = torch.nn.GRU(2, 8, batch_first=True)
    >>> x = torch.randn(4, 10, 2)
    >>> out, h_n = gru_train(gru, x)
    >>> ref_out, ref_h_n = gru(x)
    >>> torch.allclose(out, ref_out, atol=1e-6), torch.allclose(h_n, ref_h_n, atol=1e-6)
    (True, True)
    >>> h_n[-1].sum().backward()  # gradients reach rnn's parameters
    >>> rnn_grad = gru.weight_hh_l0.grad
    >>> rnn_grad.shape
    torch.Size([24, 8])
    """
    steps = x.transpose(0, 1)  # time-major
    finals = []
    suffixes = ["", "_reverse"] if rnn.bidirectional else [""]
    for k in range(rnn.num_layers):
        if k > 0 and rnn.dropout > 0:
            steps = nn.functional.dropout(steps, rnn.dropout, training=True)
        last = k == rnn.num_layers - 1
        outputs = []
        for suffix in suffixes:
            # The reverse direction reads the sequence from its last step.
            layer_input = steps.flip(0) if suffix else steps
            weights = tuple(getattr(rnn, f"{name}_l{k}{suffix}")
                            for name in ("weight_ih", "bias_ih", "weight_hh", "bias_hh"))
            layer_out = _layer(layer_input, weights, chunk, keep_outputs or not last)
            finals.append(layer_out[-1])
            if last and not keep_outputs:
                layer_out = layer_out[-1:]
            outputs.append(layer_out.flip(0) if suffix else layer_out)
        steps = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)
    return steps.transpose(0, 1), torch.stack(finals)


class _GRULayer(torch.autograd.Function):
    """One GRU layer over a time-major sequence, from state ``h0`` (None: zeros)."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, b_ih, w_hh, b_hh):
        forward, _ = _scripted()
        out, gh_n, rz, n = forward(x, h0, w_ih, b_ih, w_hh, b_hh)
        ctx.save_for_backward(x, h0, w_ih, w_hh, out, gh_n, rz, n)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        _, backward = _scripted()
        x, h0, w_ih, w_hh, out, gh_n, rz, n = ctx.saved_tensors
        d_x, d_h0, *d_weights = backward(x, h0, w_ih, w_hh, out, gh_n, rz, n,
                                         grad_out.contiguous(), ctx.needs_input_grad[0])
        return (d_x, d_h0 if ctx.needs_input_grad[1] else None, *d_weights)


def _layer(x, weights, chunk, keep_outputs):
    """One direction of one layer over time-major ``x``, ``chunk`` steps at a time.

    Returns the hidden state at every step, or at the last chunk's steps
    only unless ``keep_outputs``.
    """
    h = None  # the zero state
    if chunk is None or chunk >= x.shape[0]:
        return _GRULayer.apply(x, h, *weights)
    outputs = []
    for start in range(0, x.shape[0], chunk):
        out = _GRULayer.apply(x[start : start + chunk], h, *weights)
        h = out[-1]
        outputs.append(out)
    return torch.cat(outputs) if keep_outputs else outputs[-1]


def _forward(x, h0: Optional[torch.Tensor], w_ih, b_ih, w_hh, b_hh):
    # x: (time, batch, input), h0: (batch, hidden) or None for zeros.
    # Returns the hidden states (time, batch, hidden) and, per step,
    # W_hn h + b_hn, the gates r|z and the candidate n.
    n_steps = x.size(0)
    batch = x.size(1)
    hidden = w_hh.size(1)
    gi = torch.nn.functional.linear(x, w_ih, b_ih)
    gi_rz = gi[:, :, : 2 * hidden]
    gi_n = gi[:, :, 2 * hidden :]
    # The hidden product in two parts, so that W_hn h + b_hn (saved for the
    # backward) is written straight into its buffer.
    w_hrz_t = w_hh[: 2 * hidden].t()
    w_hn_t = w_hh[2 * hidden :].t()
    b_hrz = b_hh[: 2 * hidden]
    b_hn = b_hh[2 * hidden :]
    out = torch.empty(n_steps, batch, hidden, dtype=x.dtype)
    rz = torch.empty(n_steps, batch, 2 * hidden, dtype=x.dtype)
    n = torch.empty(n_steps, batch, hidden, dtype=x.dtype)
    gh_n = torch.empty(n_steps, batch, hidden, dtype=x.dtype)
    h = torch.zeros(batch, hidden, dtype=x.dtype) if h0 is None else h0
    for t in range(n_steps):
        rz_t = rz[t]
        torch.add(gi_rz[t], torch.addmm(b_hrz, h, w_hrz_t), out=rz_t)
        rz_t.sigmoid_()
        gh_n_t = gh_n[t]
        torch.addmm(b_hn, h, w_hn_t, out=gh_n_t)
        n_t = n[t]
        torch.addcmul(gi_n[t], rz_t[:, :hidden], gh_n_t, out=n_t)
        n_t.tanh_()
        torch.lerp(n_t, h, rz_t[:, hidden:], out=out[t])  # n + z * (h - n)
        h = out[t]
    return out, gh_n, rz, n


def _backward(x, h0: Optional[torch.Tensor], w_ih, w_hh, out, gh_n, rz, n, grad_out,
              need_x: bool):
    n_steps = x.size(0)
    batch = x.size(1)
    hidden = w_hh.size(1)
    # Gradients of the pre-activations: d_gh = d(W_h h + b_h) per step, and
    # d_in = d(W_in x + b_in) (its r|z part equals d_gh's).
    d_gh = torch.empty(n_steps, batch, 3 * hidden, dtype=x.dtype)
    d_in = torch.empty(n_steps, batch, hidden, dtype=x.dtype)
    start = torch.zeros(batch, hidden, dtype=x.dtype) if h0 is None else h0
    dh = grad_out[n_steps - 1].clone()
    for s in range(n_steps):
        t = n_steps - 1 - s
        rz_t = rz[t]
        r = rz_t[:, :hidden]
        z = rz_t[:, hidden:]
        n_t = n[t]
        h_prev = start if t == 0 else out[t - 1]
        d_gh_t = d_gh[t]
        carried = dh * z  # what reaches h directly: h' = (1 - z) * n + z * h
        dn = dh - carried
        da_n = d_in[t]
        torch.addcmul(dn, dn * n_t, n_t, value=-1.0, out=da_n)  # tanh'
        torch.mul(da_n, r, out=d_gh_t[:, 2 * hidden :])
        torch.mul(da_n, gh_n[t], out=d_gh_t[:, :hidden])  # d r
        torch.mul(dh, h_prev - n_t, out=d_gh_t[:, hidden : 2 * hidden])  # d z
        d_rz = d_gh_t[:, : 2 * hidden]
        d_rz.mul_(rz_t - rz_t * rz_t)  # sigmoid'
        dh = torch.addmm(carried, d_gh_t, w_hh)
        if t > 0:
            dh.add_(grad_out[t - 1])
    rows = n_steps * batch
    flat_gh = d_gh.view(rows, 3 * hidden)
    flat_in = d_in.view(rows, hidden)
    ones = torch.ones(rows, dtype=x.dtype)
    inputs = x.reshape(rows, x.size(2))
    # The first step's hidden product reads h0 (nothing from a zero state),
    # the others the outputs.
    d_w_hh = flat_gh[batch:].t().mm(out[:-1].reshape(rows - batch, hidden))
    if h0 is not None:
        d_w_hh.addmm_(d_gh[0].t(), h0)
    d_b_hh = flat_gh.t().mv(ones)
    d_w_ih = torch.cat([flat_gh[:, : 2 * hidden].t().mm(inputs), flat_in.t().mm(inputs)])
    d_b_ih = torch.cat([d_b_hh[: 2 * hidden], flat_in.t().mv(ones)])
    d_x: Optional[torch.Tensor] = None
    if need_x:
        w_rz = w_ih[: 2 * hidden]
        w_n = w_ih[2 * hidden :]
        d_x = torch.addmm(flat_in.mm(w_n), flat_gh[:, : 2 * hidden], w_rz).view(
            n_steps, batch, x.size(2)
        )
    # After the first step, dh is the gradient of the initial state.
    return d_x, dh, d_w_ih, d_b_ih, d_w_hh, d_b_hh


def _scripted():
    forward, backward = scripted(_forward), scripted(_backward)
    return None if forward is None or backward is None else (forward, backward)
