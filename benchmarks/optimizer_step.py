"""The Adam step alone: PyTorch's default kernel against the fused one.

Run ``python -m benchmarks.optimizer_step`` (``--help`` for options).

The estimators build their optimizer with
``sklearn_rnn._optimizers.fused_optimizer`` (one kernel updating every
parameter per step, ``fused=True``); the hand-written loop and skorch in
:mod:`benchmarks.run` keep ``torch.optim.Adam``'s default. This times
``optimizer.step()`` alone on the benchmark's network
(``RecurrentNetwork(pooling="last")``, one layer, one input channel) at the
sizes of the ``small`` (hidden 16, 12 steps) and ``default`` (hidden 64, 48
steps) cases of :mod:`benchmarks.run`, batch 128, on one torch thread: the
two optimizers step in turn over the same parameters, each step after a
forward and backward of its own (not timed, as in training), and the median
of ``--steps`` steps of each is printed in ms.
"""

import argparse
import statistics
import time

import torch

from sklearn_rnn._networks import RecurrentNetwork
from sklearn_rnn._optimizers import fused_optimizer

from ._contenders import STOCK_KERNELS
from ._data import CASES


def step_times(cell, hidden_size, length, batch_size, steps, seed=0):
    """Median ms of one Adam step: (PyTorch's default, fused)."""
    torch.manual_seed(seed)
    module = RecurrentNetwork(1, 1, cell=cell, hidden_size=hidden_size,
                              pooling="last", **STOCK_KERNELS)
    X, y = torch.randn(batch_size, length, 1), torch.randn(batch_size, 1)
    optimizers = {
        "default": torch.optim.Adam(module.parameters(), lr=1e-3),
        "fused": fused_optimizer(torch.optim.Adam, module.parameters(), lr=1e-3),
    }
    times = {name: [] for name in optimizers}
    for _ in range(steps):
        for name, optimizer in optimizers.items():
            # a forward and backward before each step (not timed), as in training
            optimizer.zero_grad(set_to_none=True)
            torch.nn.functional.mse_loss(module(X), y).backward()
            start = time.perf_counter()
            optimizer.step()
            times[name].append(time.perf_counter() - start)
    return tuple(1e3 * statistics.median(times[name]) for name in optimizers)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.optimizer_step",
        description="The Adam step alone: PyTorch's default kernel against the fused one.")
    parser.add_argument("--steps", type=int, default=200,
                        help="timed steps per optimizer (default 200)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, batch 128, median of {args.steps} steps")
    print("| case | cell | Adam step, default (ms) | fused (ms) |")
    print("|---|---|---|---|")
    for name in ("small", "default"):
        case = CASES[name]
        for cell in ("lstm", "gru"):
            default, fused = step_times(cell, case.hidden_size, case.length,
                                        case.batch_size, args.steps)
            print(f"| {name} (hidden {case.hidden_size}, {case.length} steps) | {cell} "
                  f"| {default:.3f} | {fused:.3f} |")


if __name__ == "__main__":
    main()
