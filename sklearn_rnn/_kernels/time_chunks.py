"""Training recurrent layers on long sequences in chunks of time steps.

Training keeps buffers of the whole sequence between the forward and the
backward pass. On the CPU, ``nn.LSTM`` trains through oneDNN, whose
workspace takes about 62 bytes per time step, sequence and hidden unit:
31 MiB for 64 steps of a batch of 128 sequences with 64 hidden units,
246 MiB for 512 steps; the estimators' GRU kernel
(:mod:`sklearn_rnn._kernels.gru_training`) keeps 48 bytes. glibc's allocator serves
blocks of more than 32 MiB (the ceiling of its adaptive ``mmap`` threshold)
with fresh pages from the operating system every time, and gives memory
freed at the top of its heap back to the system, so every training step of
a long sequence faults a few hundred MiB of new pages in and zeroes them:
at 512 steps that is about half of an LSTM step's time (Linux, 1 thread,
batch 128, hidden 64: 216-248 MiB of page faults and 278-349 ms per step,
against 134 ms when the allocator is told to keep its memory).

:func:`chunk_steps` splits such a sequence into chunks whose buffers are
about ``WORKSPACE_BUDGET`` each; the recurrent layer then runs chunk after
chunk, each from the previous chunk's final state (:func:`lstm_in_chunks`
for an LSTM, :func:`sklearn_rnn._kernels.gru_training.gru_train` for the GRU
kernel). Autograd connects the chunks, so the gradients are those of the
whole sequence (full backpropagation through time, no truncation), equal to
the unchunked call's to float32 rounding (the per-chunk input projections
add in a different order). Only the buffers are smaller, which the allocator
takes from its heap. How much of that memory it keeps between training
steps rather than returning it to the system depends on the heap's layout,
so the saving varies: over five LSTM shapes (lengths 300-2000, hidden
16-128, 1-2 layers) chunking cut the page faults per step from 141-308 MiB
to 0-153 MiB and the step time by 9-50 %, and it made no step slower.

Chunks are used only where they change nothing but the memory traffic: in
training mode with gradients enabled, on the CPU, on equal-length (not
packed) batches whose buffers would exceed ``CHUNKING_THRESHOLD`` in all,
for single-direction LSTMs without projections (a reverse direction needs
the end of the sequence first) and for GRUs on the estimators' kernel,
which runs each layer and direction on its own. Elsewhere the recurrent
layer runs over the whole sequence at once.
"""

import math

import torch
from torch import nn

from .conditions import cpu_training

__all__ = ["chunk_steps", "lstm_in_chunks", "CHUNKING_THRESHOLD", "WORKSPACE_BUDGET"]

#: Buffers of a whole sequence (bytes) above which training runs in chunks:
#: three quarters of glibc's 32 MiB ceiling. The benchmark's default case
#: (48 steps, batch 128, hidden 64: 23 MiB for an LSTM) stays below it and
#: has no page faults per step.
CHUNKING_THRESHOLD = 24 * 2**20

#: Target buffer size of one chunk, in bytes. Of 2, 4, 8, 12, 16 and 24 MiB,
#: chunks of 2-12 MiB left the fewest page faults in the benchmark's long
#: case (LSTM, 512 steps); 4 MiB also did in a fresh process, 8 MiB did not.
WORKSPACE_BUDGET = 4 * 2**20

#: Bytes kept per time step, sequence and hidden unit (and layer): oneDNN's
#: LSTM workspace (measured with PyTorch 2.13: 60.2-62.3 for hidden sizes
#: 16-128, 1-8 channels, 1-2 layers) and the GRU kernel's buffers (saved
#: states and gates, 8 floats; gate gradients, 4 floats).
_BYTES_PER_UNIT = {nn.LSTM: 62, nn.GRU: 48}


def chunk_steps(rnn, x):
    """Time steps per chunk for training ``rnn`` on ``x``, or None.

    Returns the chunk length (every chunk but the last has it;
    the last is no longer), or None when the whole sequence should run at
    once: ``rnn`` is not training with gradients on the CPU, is a
    bidirectional LSTM or one with projections, or its buffers over the
    whole sequence fit ``CHUNKING_THRESHOLD``.
    """
    per_unit = _BYTES_PER_UNIT.get(type(rnn))
    if not (
        per_unit is not None
        and cpu_training(rnn, x)
        and not (isinstance(rnn, nn.LSTM) and (rnn.bidirectional or rnn.proj_size))
    ):
        return None
    n_steps = x.shape[1]
    per_step = per_unit * max(x.shape[0], 1) * rnn.hidden_size
    if n_steps * per_step <= CHUNKING_THRESHOLD:
        return None
    # Chunks of equal length but the last, which is shorter by less than a
    # chunk, so that no chunk is a short leftover of a few steps.
    n_chunks = math.ceil(n_steps * per_step / WORKSPACE_BUDGET)
    return math.ceil(n_steps / n_chunks)


def lstm_in_chunks(rnn, x, steps, keep_outputs=True):
    """Run ``rnn`` over ``x`` from a zero state, ``steps`` time steps at a time.

    Parameters
    ----------
    rnn : torch.nn.LSTM
        A batch-first, single-direction LSTM.
    x : torch.Tensor of shape (batch, time, input_size)
        Batch-first input.
    steps : int
        Time steps per chunk, e.g. from :func:`chunk_steps`.
    keep_outputs : bool, default=True
        Whether to return the last layer's hidden state at every step (one
        more buffer of the sequence's size); when False, ``output`` holds
        only the final step.

    Returns
    -------
    output : torch.Tensor of shape (batch, time, hidden_size)
        The last layer's hidden state at every step (``time`` is 1 unless
        ``keep_outputs``).
    (h_n, c_n) : tuple of torch.Tensor of shape (num_layers, batch, hidden_size)
        Each layer's final hidden and cell states.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels.time_chunks import lstm_in_chunks
    >>> lstm = torch.nn.LSTM(2, 8, batch_first=True)
    >>> x = torch.randn(4, 10, 2)
    >>> out, (h_n, c_n) = lstm_in_chunks(lstm, x, steps=3)
    >>> ref_out, (ref_h_n, ref_c_n) = lstm(x)
    >>> out.shape, torch.allclose(out, ref_out, atol=1e-6)
    (torch.Size([4, 10, 8]), True)
    >>> torch.allclose(h_n, ref_h_n, atol=1e-6), torch.allclose(c_n, ref_c_n, atol=1e-6)
    (True, True)
    """
    state = None
    outputs = []
    for start in range(0, x.shape[1], steps):
        out, state = rnn(x[:, start : start + steps], state)
        if keep_outputs:
            outputs.append(out)
    if not keep_outputs:
        return out[:, -1:], state
    return (outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=1)), state
