"""Batched prediction: a module's outputs for many sequences, in float64.

Plain PyTorch, no scikit-learn. Each batch is cut to its longest sequence,
its rows sized to a memory budget (:func:`inference_rows`); on a GPU,
batches go over from pinned memory without blocking.
"""

from contextlib import nullcontext

import numpy as np
import torch

__all__ = ["predict_batches", "inference_rows"]

#: Bytes an inference batch's recurrent layers may hold (256 MiB), counted
#: as ``_UNIT_BYTES`` per row, step, hidden unit, layer and direction: the
#: outputs of every step, and the GRU's workspace (8 to 20 bytes measured).
INFERENCE_BYTES = 2**28
_UNIT_BYTES = 16
#: ``_kernels.ROW_MULTIPLE``: batches of whole blocks of rows keep a
#: sequence's bits whatever the batch (``_kernels.pad_rows``).
_ROW_MULTIPLE = 4


def inference_rows(module, n_steps, most=8192):
    """Rows per inference batch of sequences of ``n_steps`` steps.

    At most ``most``, and fewer where the recurrent layers of ``module``
    (its ``rnn``) would hold more than :data:`INFERENCE_BYTES` for them: a
    fixed number of rows whatever the steps took 22 GB to predict 8,192
    sequences of 2,048 steps with a GRU. A multiple of four rows, at
    least four (CPU inference pads a batch to a multiple of four anyway).

    Parameters
    ----------
    module : torch.nn.Module
        The network; without an ``rnn`` layer, ``most``.
    n_steps : int
        Steps of the batch's longest sequence.
    most : int, default=8192
        Rows per batch at most.

    Returns
    -------
    int

    Examples
    --------
    >>> from sklearn_rnn._networks import RecurrentNetwork
    >>> from sklearn_rnn._prediction import inference_rows
    >>> net = RecurrentNetwork(input_size=1, output_size=1, hidden_size=64)
    >>> inference_rows(net, 24), inference_rows(net, 2048)
    (8192, 128)
    """
    rnn = getattr(module, "rnn", None)
    if rnn is None:
        return most
    per_row = (max(int(n_steps), 1) * rnn.hidden_size * rnn.num_layers
               * (2 if rnn.bidirectional else 1) * _UNIT_BYTES)
    rows = INFERENCE_BYTES // per_row // _ROW_MULTIPLE * _ROW_MULTIPLE
    return max(_ROW_MULTIPLE, min(most, rows))


def predict_batches(module, values, lengths=None, *, device, autocast=nullcontext,
                    batch_size=None):
    """Outputs of ``module`` for every sequence, batch by batch, in float64.

    Runs in eval mode and inference mode: each batch is cut to its longest
    sequence, moved to ``device`` and run under ``autocast``; the outputs
    come back to the CPU.

    Parameters
    ----------
    module : torch.nn.Module
        Called as ``module(X, lengths)`` and returning ``(batch, n_outputs)``.
    values : ndarray or torch.Tensor of shape (n_samples, time, channels)
        Batch-first float32 sequences, on the CPU.
    lengths : ndarray or torch.Tensor of shape (n_samples,), default=None
        Valid steps per sequence (int64), or None when all use every step.
    device : torch.device
        Device to run on (``"cuda"``: the current CUDA device). The module is
        moved there where it lives elsewhere (a model fitted on CUDA and
        unpickled onto the CPU, or fitted on another GPU than the current
        one), and only there: a move of a module already on ``device`` costs
        66-85 us a call.
    autocast : callable, default=contextlib.nullcontext
        Factory of the context each batch runs in.
    batch_size : int, default=None
        Sequences per batch; None for :func:`inference_rows` (8,192 at
        most, fewer for long sequences).

    Returns
    -------
    ndarray of shape (n_samples, n_outputs), float64
        The module's outputs.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._networks import RecurrentNetwork
    >>> from sklearn_rnn._prediction import predict_batches
    >>> net = RecurrentNetwork(input_size=1, output_size=2, hidden_size=8)
    >>> out = predict_batches(net, torch.zeros(5, 7, 1), device=torch.device("cpu"),
    ...                       batch_size=2)
    >>> out.shape, out.dtype
    ((5, 2), dtype('float64'))
    """
    if device.type == "cuda" and device.index is None:  # compared by index below
        device = torch.device("cuda", torch.cuda.current_device())
    if next(module.parameters()).device != device:
        module.to(device)
    module.eval()
    values = torch.as_tensor(values)
    lengths = None if lengths is None else torch.as_tensor(lengths)
    if batch_size is None:
        batch_size = inference_rows(module, values.shape[1] if values.ndim == 3 else 1)
    # On a GPU, batches go over from pinned memory without blocking and the
    # outputs stay there until one copy back at the end: no host sync per batch.
    on_gpu = device.type == "cuda"
    outputs = []
    # sequences of other lengths run in order of length, each batch cut to
    # its longest: in the given order one sequence of 1,000 steps in a
    # hundred made nearly every batch run 1,000 steps (review s35 rvD F3:
    # 10,000 sequences 6.0 s, sorted 0.41 s, the same outputs)
    order = None if lengths is None else torch.argsort(lengths, stable=True)
    with torch.inference_mode():
        for start in range(0, len(values), batch_size):
            if order is None:
                X, batch_lengths = values[start : start + batch_size], None
            else:
                rows = order[start : start + batch_size]
                batch_lengths = lengths[rows]
                X = values[rows, : int(batch_lengths.max())]
            if on_gpu:  # a cut batch is a strided view: pinned as it is, CUDA
                X = X.contiguous().pin_memory()  # copied it via pageable memory, blocking
            X = X.to(device, non_blocking=True)
            with autocast():
                outputs.append(module(X, batch_lengths).float())
    if not outputs:  # no sequences
        return np.empty((0, 0))
    out = torch.cat(outputs).cpu().double()
    if order is not None:
        out[order] = out.clone()  # back in the given order
    return out.numpy()
