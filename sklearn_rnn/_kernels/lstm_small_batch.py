"""How few rows an LSTM can run on without changing a sequence's bits.

At CPU inference the network pads every batch to a multiple of four rows
(see :func:`sklearn_rnn._kernels.pad_rows`) because CPU matrix kernels give
a row different last bits when fewer rows are multiplied beside it. On the
CPU, ``nn.LSTM`` runs oneDNN's fused LSTM, whose cost grows with the rows
(512 steps, hidden 64: about 0.7 ms for one row, 1.5 ms for four), and which
on the machines measured gives each row the same bits at any number of rows
for one layer, and from two rows on for more layers.

Rather than assume that of every CPU and PyTorch build, :func:`lstm_rows`
checks it: once per LSTM shape, sequence length, thread count and oneDNN
setting, it runs the LSTM on 1, 2 and 3 rows of random data and on 4 and 8,
and finds the fewest rows whose outputs match the padded batch bit for bit.
Where nothing matches, the whole padded batch runs, as before.
"""

import torch
from torch import nn

from .conditions import float32_cpu_inference

__all__ = ["lstm_rows"]

#: Row count of the padded batch the probe compares against (and a larger one).
_FULL_ROWS = (4, 8)


def lstm_rows(rnn, x, real_rows):
    """Fewest leading rows of ``x`` the LSTM must run for exact real rows.

    Returns a row count ``r`` with ``real_rows <= r <= batch`` such
    that ``rnn(x[:r])`` gives the first ``real_rows`` rows the same bits as
    ``rnn(x)``; ``batch`` when no saving is known to be exact. Only batches
    of fewer than four real rows (the ones the probe checks) are ever cut.
    """
    batch = x.shape[0]
    if not (
        real_rows is not None
        and 0 < real_rows < min(batch, min(_FULL_ROWS))
        and isinstance(rnn, nn.LSTM)
        and rnn.proj_size == 0
        and float32_cpu_inference(rnn, x)
    ):
        return batch
    key = (
        rnn.input_size,
        rnn.hidden_size,
        rnn.num_layers,
        rnn.bidirectional,
        rnn.bias,
        x.shape[1],
        torch.get_num_threads(),
        torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
    )
    fewest = _FEWEST.get(key)
    if fewest is None:
        fewest = _FEWEST[key] = _fewest_exact_rows(rnn, x.shape[1])
    return min(batch, max(real_rows, fewest))


#: Probe results: (LSTM shape, steps, threads, oneDNN on) -> fewest rows.
_FEWEST = {}


def _fewest_exact_rows(lstm, steps):
    # Kernels are chosen by shapes, so the module's own weights serve; the
    # data come from a private generator (the global RNG is not touched).
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(max(_FULL_ROWS), steps, lstm.input_size, generator=generator)
    with torch.inference_mode():
        full = [_run(lstm, x[:n]) for n in _FULL_ROWS]
        fewest = min(_FULL_ROWS)
        for rows in range(fewest - 1, 0, -1):
            part = _run(lstm, x[:rows])
            if not all(_same_rows(part, f, rows) for f in full):
                break
            fewest = rows
    return fewest


def _run(lstm, x):
    out, (h_n, c_n) = lstm(x)
    return out, h_n.transpose(0, 1), c_n.transpose(0, 1)


def _same_rows(part, full, rows):
    return all(torch.equal(p, f[:rows]) for p, f in zip(part, full))
