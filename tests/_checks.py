"""What several test modules share: the strictness of scikit-learn's
estimator checks (``STRICT``), the peak-memory harness (``peak_memory``) and
loss scaling's stand-ins for float16 gradients (``record_loss_scales``,
``overflowing_above``)."""

import os
import subprocess
import sys
from contextlib import contextmanager
from inspect import signature

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

#: An expected failure that passes is an error where scikit-learn can say so
#: (``xfail_strict``; 1.6, on which ``make test-oldest`` runs the suite, has
#: none): pass as ``parametrize_with_checks(..., **STRICT)``.
STRICT = (
    {"xfail_strict": True} if "xfail_strict" in signature(parametrize_with_checks).parameters
    else {}
)


def peak_memory(tmp_path, script, *args):
    """What ``script`` prints, run in a fresh interpreter with ``args``: a
    peak memory from ``rss()``, its peak resident set so far, in bytes.

    Linux's ``VmHWM``, the process's own: ``ru_maxrss`` of a child counts
    the high-water mark of the pytest process it was forked from, so that a
    child peaking below it read 0 and no test could fail (review RV2)."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak memory is read from /proc/self/status (Linux)")
    path = tmp_path / "peak.py"
    path.write_text(
        "import re, sys, numpy as np, torch\n"
        "def rss():\n"
        "    status = open('/proc/self/status').read()\n"
        "    return int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) * 1024\n"
        + script)
    return float(subprocess.run([sys.executable, str(path), *args], check=True,
                                capture_output=True, text=True).stdout)


def record_loss_scales(monkeypatch):
    """The scale of every loss :class:`torch.amp.GradScaler` scales, in a list."""
    import torch

    scales, real_scale = [], torch.amp.GradScaler.scale

    def scale(self, outputs):
        scales.append(self.get_scale())
        return real_scale(self, outputs)

    monkeypatch.setattr(torch.amp.GradScaler, "scale", scale)
    return scales


@contextmanager
def overflowing_above(module, scales, limit=2**10):
    """``module``'s gradients infinite while the last of ``scales`` is above
    ``limit``: float16 gradients that overflow at a large loss scale."""
    import torch

    hooks = [p.register_hook(
        lambda g: torch.full_like(g, float("inf")) if scales[-1] > limit else g)
        for p in module.parameters()]
    try:
        yield
    finally:
        for hook in hooks:
            hook.remove()
