"""CPU kernels behind :class:`~sklearn_rnn._networks.RecurrentNetwork`.

:func:`run_recurrent` is the one place that chooses how a recurrent layer
runs; the network calls it for every forward, and :func:`pad_rows` for the
rows of a batch at CPU inference. Each kernel computes what ``nn.GRU`` or
``nn.LSTM`` computes (bit for bit at inference, to float32 rounding in
training) and stands in for it only where it is known to; anywhere else,
and always off the CPU, the module itself runs. The modules:

* :mod:`~sklearn_rnn._kernels.gru_training`: a GRU layer with a
  hand-written backward, for training (``fast_gru_training``);
* :mod:`~sklearn_rnn._kernels.time_chunks`: training on long equal-length
  sequences in chunks of time steps (``chunk_long_sequences``);
* :mod:`~sklearn_rnn._kernels.gru_small_batch`: a GRU scan over the real
  rows of a padded predict batch;
* :mod:`~sklearn_rnn._kernels.lstm_small_batch`: the fewest rows of a
  padded predict batch an LSTM must run for the same bits;
* :mod:`~sklearn_rnn._kernels.padded`: sequences of different lengths run
  padded, not packed;
* :mod:`~sklearn_rnn._kernels.conditions`: the predicates (CPU training,
  float32 CPU inference) the kernels share;
* :mod:`~sklearn_rnn._kernels.torchscript`: compiling the step loops once.

The kernels' functions share their arguments' names and meanings: ``rnn``
is the ``nn.GRU`` or ``nn.LSTM`` module a kernel stands in for, ``x`` its
batch-first input of shape ``(batch, time, input_size)`` (not packed), and
``real_rows`` the number of leading rows of a padded predict batch whose
outputs are used (None: all of them).
"""

from functools import partial

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .gru_small_batch import gru_scan, gru_scan_applies
from .gru_training import gru_train, gru_train_applies
from .lstm_small_batch import lstm_rows
from .padded import final_outputs, padded_applies, run_padded
from .time_chunks import chunk_steps, lstm_in_chunks

__all__ = ["run_recurrent", "pad_rows", "output_layer", "ROW_MULTIPLE"]

#: Rows a batch is padded to a multiple of at CPU inference.
ROW_MULTIPLE = 4


def pad_rows(module, x, lengths=None):
    """Pad a batch with zero rows to a multiple of four rows at CPU inference.

    CPU matrix kernels treat a ragged tail of rows differently from full
    blocks (of ``ROW_MULTIPLE`` rows), so without this a sequence's float32 output could change in its
    last bits with the number of sequences run alongside it. With it, the
    recurrent layers, and the network's output, keep a sequence's bits in
    equal-length batches (see
    :class:`~sklearn_rnn._networks.RecurrentNetwork`'s Notes), else stay
    the same to float32 rounding. Padding applies
    only to a CPU forward in eval mode without gradients; elsewhere (in
    training, or on a GPU) the batch is returned as it is.

    Parameters
    ----------
    module : torch.nn.Module
        The module that will run the batch (its ``training`` flag is read).
    x : torch.Tensor of shape (batch, time, channels)
        Batch-first sequences.
    lengths : torch.Tensor of shape (batch,), default=None
        Valid steps per sequence; padding rows get length 1.

    Returns
    -------
    x : torch.Tensor of shape (padded_batch, time, channels)
        ``x`` followed by zero rows (``x`` itself when none are needed).
    lengths : torch.Tensor of shape (padded_batch,) or None
        ``lengths`` followed by ones.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels import pad_rows
    >>> lstm = torch.nn.LSTM(1, 8, batch_first=True).eval()
    >>> with torch.inference_mode():
    ...     x, lengths = pad_rows(lstm, torch.ones(5, 3, 1), torch.tensor([3, 2, 3, 1, 3]))
    >>> x.shape, lengths.tolist()
    (torch.Size([8, 3, 1]), [3, 2, 3, 1, 3, 1, 1, 1])
    >>> pad_rows(lstm.train(), torch.ones(5, 3, 1))[0].shape  # training: as it is
    torch.Size([5, 3, 1])
    """
    missing = -x.shape[0] % ROW_MULTIPLE
    if (
        not missing
        or module.training
        or torch.is_grad_enabled()
        or x.device.type != "cpu"
    ):
        return x, lengths
    x = torch.cat([x, x.new_zeros((missing,) + tuple(x.shape[1:]))])
    if lengths is not None:
        lengths = torch.cat([lengths, lengths.new_ones(missing)])
    return x, lengths


def output_layer(layer, x):
    """``layer(x)`` for a linear output layer, the same bits in any batch.

    At float32 CPU inference the product is taken in float64 and rounded to
    float32. The CPU's matrix kernels choose their blocking, and so the
    order of a row's sums, by the number of rows and outputs: padding to
    :data:`ROW_MULTIPLE` rows was enough for a single output on one CPU but
    not for two or more outputs on another (an Intel Xeon), where a
    classifier's probabilities moved in their last float32 bit with the
    batch. Rounded from float64, they no longer do. Elsewhere (training,
    GPUs, autocast) this is ``layer(x)``.

    Parameters
    ----------
    layer : torch.nn.Linear
        The output layer.
    x : torch.Tensor of shape (batch, in_features)
        Its input.

    Returns
    -------
    torch.Tensor of shape (batch, out_features)
        ``layer(x)``, in ``x``'s dtype.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels import output_layer
    >>> head = torch.nn.Linear(64, 3).eval()
    >>> x = torch.randn(32, 64)
    >>> with torch.inference_mode():
    ...     all_rows, one_row = output_layer(head, x), output_layer(head, x[5:6])
    >>> torch.equal(all_rows[5:6], one_row), all_rows.dtype
    (True, torch.float32)
    """
    if (
        layer.training
        or torch.is_grad_enabled()
        or x.device.type != "cpu"
        or x.dtype != torch.float32
        or torch.is_autocast_enabled("cpu")
    ):
        return layer(x)
    weight, bias = layer.weight.double(), layer.bias
    out = torch.nn.functional.linear(x.double(), weight,
                                     None if bias is None else bias.double())
    return out.float()


def run_recurrent(rnn, x, lengths=None, *, real_rows=None, keep_outputs=True,
                  fast_gru_training=True, chunk_long_sequences=True):
    """Run ``rnn`` over ``x`` from a zero state, on the fastest exact kernel.

    In order: sequences of different lengths (``lengths`` given) run on
    the CPU padded, not packed (:mod:`~sklearn_rnn._kernels.padded`: the
    padding zeroed; a single-direction module on the kernels below),
    elsewhere packed through ``rnn`` itself; any other call off the CPU
    runs ``rnn``; in training, a GRU runs the kernel of
    :mod:`~sklearn_rnn._kernels.gru_training` (in chunks of time steps on
    long sequences) and an LSTM on long sequences runs in chunks
    (:mod:`~sklearn_rnn._kernels.time_chunks`); at float32 inference on a
    batch padded by :func:`pad_rows`, a GRU scans the real rows only
    (:mod:`~sklearn_rnn._kernels.gru_small_batch`) and an LSTM runs the
    fewest rows that give the real rows the same bits
    (:mod:`~sklearn_rnn._kernels.lstm_small_batch`). Otherwise ``rnn(x)``.

    Parameters
    ----------
    rnn : torch.nn.GRU or torch.nn.LSTM
        A batch-first recurrent module.
    x : torch.Tensor of shape (batch, time, input_size)
        Batch-first input, padded at the end when ``lengths`` is given.
    lengths : torch.Tensor of shape (batch,), default=None
        Valid steps per sequence (int64, on the CPU); ``None`` when all
        sequences use every step.
    real_rows : int, default=None
        Number of leading rows of ``x`` that are real sequences (the rest
        pad the batch, see :func:`pad_rows`; their outputs are
        meaningless); ``None`` when every row is.
    keep_outputs : bool, default=True
        Whether the last layer's output at every step is needed; when False,
        a kernel may return only the final step.
    fast_gru_training : bool, default=True
        Whether a GRU may train through the GRU training kernel.
    chunk_long_sequences : bool, default=True
        Whether long equal-length batches may train in chunks of time steps.

    Returns
    -------
    output : torch.Tensor of shape (batch, time, hidden_size * directions)
        The last layer's output at every step (padded with zeros past each
        sequence's length; with ``lengths``, ``time`` is their maximum).
        Unless ``keep_outputs``, ``time`` may be 1; with ``lengths`` it is
        (outside an ONNX export), and the step holds the last layer's final
        hidden states.
    h_n : torch.Tensor or tuple of torch.Tensor
        Each layer's final hidden state, as ``rnn`` returns it (for an LSTM,
        ``(h_n, c_n)``). Padded (with ``lengths`` on the CPU): the last
        layer's only, of shape ``(directions, batch, hidden_size)``, and an
        LSTM's ``c_n`` is None.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels import run_recurrent
    >>> gru = torch.nn.GRU(1, 32, batch_first=True).eval()
    >>> x = torch.randn(4, 10, 1)
    >>> with torch.inference_mode():
    ...     out, h_n = run_recurrent(gru, x, real_rows=1)  # the GRU scan
    ...     torch.equal(out[:1], gru(x)[0][:1])
    True
    >>> out, h_n = run_recurrent(gru.train(), x)  # the GRU training kernel
    >>> out.shape, h_n.shape
    (torch.Size([4, 10, 32]), torch.Size([1, 4, 32]))
    """
    if lengths is not None:
        if padded_applies(rnn, x, lengths):
            return run_padded(rnn, x, lengths, keep_outputs=keep_outputs, run=partial(
                run_recurrent, rnn, real_rows=real_rows,
                fast_gru_training=fast_gru_training,
                chunk_long_sequences=chunk_long_sequences))
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h_n = rnn(packed)
        # an export keeps them unpacked (see export._graph._read_all_outputs)
        if keep_outputs or torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
            out, _ = pad_packed_sequence(out, batch_first=True)
            return out, h_n
        return final_outputs(rnn, h_n), h_n
    if x.device.type != "cpu":
        return rnn(x)
    chunk = chunk_steps(rnn, x) if chunk_long_sequences else None
    if fast_gru_training and gru_train_applies(rnn, x):
        return gru_train(rnn, x, chunk, keep_outputs=keep_outputs)
    if chunk is not None and isinstance(rnn, nn.LSTM):
        return lstm_in_chunks(rnn, x, chunk, keep_outputs=keep_outputs)
    if gru_scan_applies(rnn, x, real_rows):
        return gru_scan(rnn, x, real_rows, keep_outputs=keep_outputs)
    rows = lstm_rows(rnn, x, real_rows)
    if rows < x.shape[0]:
        out, (h_n, c_n) = rnn(x[:rows])
        batch = x.shape[0]
        if keep_outputs:
            out = _grow_rows(out, batch, 0)
        return out, (_grow_rows(h_n, batch, 1), _grow_rows(c_n, batch, 1))
    return rnn(x)


def _grow_rows(t, rows, dim):
    """``t`` with zero rows appended along ``dim`` up to ``rows``."""
    shape = list(t.shape)
    shape[dim] = rows - shape[dim]
    return torch.cat([t, t.new_zeros(shape)], dim=dim)
