"""The random state of one fit, apart from the process's global torch generators.

PyTorch's layers draw from its global generators: their initial weights,
dropout and the input noise. Seeding those for a fit and restoring them
after it, as ``torch.random.fork_rng`` does, breaks down when fits run on
threads of one process (joblib's or sktime's threading backend, dask's
``LocalCluster(processes=False)``): each fit reseeds the stream the others
draw from, and the last restore decides the caller's state. A
:class:`FitRandomness` keeps the fit's own state and swaps it into the
global generators only while the fit draws, under a process-wide lock, so
a seeded fit gives the same result on a thread as alone, and the global
generators (of every device) are left as they were.
"""

import os
import threading
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["FitRandomness", "draws_in_training"]

#: Held while a fit's state is in the global generators.
_LOCK = threading.RLock()


def _new_lock():
    """A fresh lock in a forked child: a thread that held the parent's is not there."""
    global _LOCK
    _LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock)


class FitRandomness:
    """The torch random state of one fit, seeded with ``seed``.

    Parameters
    ----------
    seed : int
        Seed of the fit's CPU generator and, for a CUDA ``device``, of that
        device's generator (as ``torch.manual_seed`` seeds them).
    device : torch.device
        The device the fit trains on.
    stream : int, default=0
        Which of the seed's streams: 0 is ``seed`` itself; a continued fit
        (``partial_fit``, ``warm_start``) passes the epochs already trained,
        so that each call draws new dropout masks and noise instead of
        replaying the previous call's.

    Attributes
    ----------
    seed : int
        The seed of the stream (``seed`` itself for stream 0).

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._random import FitRandomness
    >>> randomness = FitRandomness(0, torch.device("cpu"))
    >>> with randomness.drawing():
    ...     first = torch.rand(2)
    >>> torch.equal(first, torch.rand(2, generator=torch.Generator().manual_seed(0)))
    True
    >>> with randomness.drawing():  # the fit's stream goes on where it was
    ...     torch.equal(torch.rand(2), first)
    False
    """

    def __init__(self, seed, device, stream=0):
        if stream:
            seed = int(np.random.SeedSequence([seed, stream]).generate_state(1)[0])
        self.seed = seed  # of the stream, for the fit's other generators
        self._generators = [torch.default_generator]
        if device.type == "cuda":
            torch.cuda.init()  # fills torch.cuda.default_generators
            index = device.index if device.index is not None else torch.cuda.current_device()
            self._generators.append(torch.cuda.default_generators[index])
        self._states = [
            torch.Generator(device=g.device).manual_seed(seed).get_state()
            for g in self._generators
        ]

    @contextmanager
    def drawing(self):
        """Within: the global generators hold this fit's state (others wait)."""
        with _LOCK:
            saved = [g.get_state() for g in self._generators]
            for g, state in zip(self._generators, self._states):
                g.set_state(state)
            try:
                yield
            finally:
                self._states = [g.get_state() for g in self._generators]
                for g, state in zip(self._generators, saved):
                    g.set_state(state)

    def state(self):
        """Where the fit's stream stands, for :meth:`rewind`."""
        return list(self._states)

    def rewind(self, state):
        """Put the fit's stream back where :meth:`state` found it (draws
        whose results were thrown away leave the rest of the fit as it was)."""
        self._states = list(state)


def draws_in_training(module):
    """Whether ``module`` draws random numbers in training mode (dropout, noise)."""
    if getattr(module, "input_noise", 0) > 0:
        return True
    return any(
        (isinstance(m, torch.nn.Dropout) and m.p > 0)
        or (isinstance(m, torch.nn.RNNBase) and m.dropout > 0)
        for m in module.modules()
    )
