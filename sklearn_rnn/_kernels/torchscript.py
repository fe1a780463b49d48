"""Compiling the recurrent kernels' step loops with TorchScript, once."""

import functools
import warnings

import torch

__all__ = ["scripted"]


@functools.cache
def scripted(function):
    """``torch.jit.script(function)``, compiled once, or None without TorchScript.

    Compiled on first use, not at import. ``torch.jit.script`` is deprecated
    in recent PyTorch (still supported); it is an implementation detail of
    the kernels, so its deprecation warning (a ``DeprecationWarning``, from
    torch 2.14 on a ``FutureWarning``) is not passed on, and callers
    fall back to ``nn.GRU`` when this returns None.

    Parameters
    ----------
    function : callable
        A function TorchScript can compile (type-annotated where needed).

    Returns
    -------
    torch.jit.ScriptFunction or None
        The compiled function, or None where TorchScript is unavailable or
        fails to compile it.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._kernels.torchscript import scripted
    >>> def double(x):
    ...     return 2 * x
    >>> scripted(double)(torch.ones(2))
    tensor([2., 2.])
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            # torch 2.14 and later warn with a FutureWarning (under an
            # "error" filter it raised, and the kernels were off for good)
            warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is")
            return torch.jit.script(function)
    except Exception:  # pragma: no cover - TorchScript removed or broken
        return None
