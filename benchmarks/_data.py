"""Benchmark cases and their synthetic data."""

from dataclasses import asdict, dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Case:
    """Sizes of one benchmark case.

    ``epochs`` epochs are trained per timed fit and every contender is fitted
    ``repeats`` times, interleaved with the others. With ``min_length``, the
    windows are a list of sequences of ``min_length`` to ``length`` steps.
    """

    name: str
    n_samples: int
    length: int
    hidden_size: int
    batch_size: int = 128
    n_channels: int = 1
    n_classes: int = 3
    epochs: int = 1
    repeats: int = 3
    n_predict: int = 10_000
    learning_rate: float = 1e-3
    min_length: int | None = None

    def describe(self):
        steps = (f"{self.length}" if self.min_length is None
                 else f"{self.min_length}-{self.length} (uniform)")
        return (
            f"{self.n_samples} windows x {steps} steps x "
            f"{self.n_channels} channel(s), hidden {self.hidden_size}, 1 layer, "
            f"batch {self.batch_size}, Adam lr {self.learning_rate:g}, "
            f"{self.epochs} epoch(s) per fit x {self.repeats} repeats"
        )

    def to_dict(self):
        return asdict(self)

    def with_overrides(self, **overrides):
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


#: default: the lead's reference case; small: per-batch overhead dominates;
#: long: long sequences, few samples (per-step cost dominates); varlen: a
#: list of sequences of different lengths (the estimators run them padded).
CASES = {
    "default": Case("default", n_samples=16384, length=48, hidden_size=64,
                    epochs=1, repeats=5),
    "small": Case("small", n_samples=16384, length=12, hidden_size=16,
                  epochs=2, repeats=5),
    "long": Case("long", n_samples=512, length=512, hidden_size=64,
                 epochs=2, repeats=5, n_predict=512),
    "varlen": Case("varlen", n_samples=16384, length=48, min_length=24, hidden_size=64,
                   epochs=1, repeats=5),
}

#: ``--quick``: the same shapes on less data, for a smoke run of about a minute.
QUICK = {
    "default": dict(n_samples=2048, repeats=2, n_predict=2000),
    "small": dict(n_samples=4096, repeats=2, epochs=1, n_predict=2000),
    "long": dict(n_samples=128, repeats=2, epochs=1, n_predict=128),
    "varlen": dict(n_samples=2048, repeats=2),
}


@dataclass
class Data:
    """Windows of one synthetic series with regression and class targets.

    ``X`` is float32 of shape ``(n_samples, length, n_channels)``, roughly
    standardised already (so the input-scaling buffers of the torch
    contenders can stay at their defaults), ``y`` is float32 of shape
    ``(n_samples,)`` and ``y_class`` int64 with ``n_classes`` balanced labels.
    In a case with ``min_length``, ``X`` is a list of float32 arrays of shape
    ``(length_i, n_channels)``: each window's last ``length_i`` steps.
    """

    X: np.ndarray
    y: np.ndarray
    y_class: np.ndarray

    @property
    def nbytes(self):
        if isinstance(self.X, list):
            return sum(x.nbytes for x in self.X) + self.y.nbytes
        return self.X.nbytes + self.y.nbytes

    def head(self, n):
        return Data(self.X[:n], self.y[:n], self.y_class[:n])


def make_data(case, seed=0):
    """Sliding windows over a noisy two-season series; next-step targets."""
    rng = np.random.default_rng(seed)
    n, length, c = case.n_samples, case.length, case.n_channels
    t = np.arange(n + length, dtype=np.float64)
    channels = []
    for k in range(c):
        noise = np.zeros_like(t)
        eps = rng.normal(scale=0.3, size=t.shape)
        for i in range(1, t.size):  # AR(1) noise
            noise[i] = 0.8 * noise[i - 1] + eps[i]
        channels.append(
            np.sin(2 * np.pi * t / 24 + k) + 0.5 * np.sin(2 * np.pi * t / 168) + noise
        )
    series = np.stack(channels, axis=1)
    series = (series - series.mean(axis=0)) / series.std(axis=0)
    windows = np.lib.stride_tricks.sliding_window_view(series, length, axis=0)
    X = np.ascontiguousarray(windows[:n].transpose(0, 2, 1), dtype=np.float32)
    y = series[length : length + n, 0].astype(np.float32)
    change = y - X[:, -1, 0]
    edges = np.quantile(change, np.linspace(0, 1, case.n_classes + 1)[1:-1])
    y_class = np.searchsorted(edges, change).astype(np.int64)
    if case.min_length is not None:  # own generator: the windows stay as above
        lengths = np.random.default_rng(seed + 1).integers(
            min(case.min_length, length), length + 1, size=n)
        X = [X[i, length - k :].copy() for i, k in enumerate(lengths)]
    return Data(X, y, y_class)
