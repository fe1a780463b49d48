"""Prediction latency: ONNX Runtime against ``predict`` and the bare torch forward.

Run ``python -m benchmarks.onnx_latency`` (``--help`` for options).

For each cell (LSTM, GRU) it fits a :class:`sklearn_rnn.SequenceRegressor`
with the defaults (64 hidden units, patch size, skip connection and
differences chosen by ``"auto"``) for a few epochs on windows of a noisy
sine (``--steps`` steps, one channel), exports it with
:func:`sklearn_rnn.to_onnx` and times, in this one process, on batches of
1 and of 10,000 windows of the same length:

* **predict**: ``estimator.predict(X)`` on a float32 3D array (input
  checks, batching, scaling back: what a user calls);
* **torch forward**: ``estimator.module_(x)`` on a ready tensor under
  ``torch.inference_mode()`` (the network alone, no input checks, no
  scaling back);
* **onnxruntime**: ``session.run(None, {"X": X})`` on an
  ``InferenceSession`` of the exported model (the whole prediction path).

torch and ONNX Runtime both run on ``--threads`` threads (default 1; ONNX
Runtime's intra- and inter-op pools). Each timing is the median of
``--repeats`` calls after two warm-up calls; batch-1 timings are over 200
calls each. The outputs are checked against ``predict`` before timing.

``--accuracy`` instead fits small models (3 epochs, 6 hidden units) in
several settings and prints, per setting, the largest difference between
ONNX Runtime and ``predict`` / ``predict_proba`` / ``predict_quantiles``
over variable-length batches of lengths 1-25 (the export saw 10),
relative to the largest value of that output (the documented bound,
``max |onnx - predict| <= 1e-5 * max |predict|``: the differences are
float32 rounding, absolute, so a value near 0 can differ by more than
1e-5 of itself), and whether the classifier's labels are all equal.

``--trained`` instead prints the figures of docs/deploying.md's "How close
to ``predict``": LSTM and GRU regressors trained ``--max-iter`` epochs
(25 unless given) with no skip connection, so that the recurrent layers
carry the prediction, compared with their export on 10,000 new sequences
(the largest difference, relative to the largest prediction and to each
prediction); the same regressors fitted with ``mixed_precision=True``; and
a skl2onnx pipeline of a ``StandardScaler`` and a small
``SequenceClassifier`` (``predict_proba`` on its training rows and on
2,000 new rows).
"""

import argparse
import os
import platform
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning


def _median_seconds(fn, repeats, inner):
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


def windows(n, steps, seed):
    rng = np.random.RandomState(seed)
    t = np.arange(n)[:, None] + np.arange(steps + 1)[None, :]
    series = np.sin(t / 7.0) + 0.1 * rng.normal(size=t.shape)
    return series[:, :steps, None].astype(np.float32), series[:, steps]


def measure(cell, *, steps, threads, repeats, max_iter):
    import onnxruntime as ort

    from sklearn_rnn import SequenceRegressor, to_onnx

    X, y = windows(2000, steps, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = SequenceRegressor(cell, max_iter=max_iter, random_state=0,
                                n_threads=threads).fit(X, y)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = threads
    session = ort.InferenceSession(to_onnx(reg, X).SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    network = reg.module_.eval()
    rows = []
    for batch in (1, 10_000):
        Xb, _ = windows(batch, steps, 1)
        tensor = torch.from_numpy(Xb)
        (onnx_pred,) = session.run(None, {"X": Xb})
        error = np.max(np.abs(onnx_pred - reg.predict(Xb)) / np.abs(reg.predict(Xb)).max())

        def forward():
            with torch.inference_mode():
                network(tensor)

        inner = 200 if batch == 1 else 1
        times = {
            "predict": _median_seconds(lambda: reg.predict(Xb), repeats, inner),
            "torch forward": _median_seconds(forward, repeats, inner),
            "onnxruntime": _median_seconds(lambda: session.run(None, {"X": Xb}),
                                           repeats, inner),
        }
        rows.append((cell, batch, times, error))
    return rows


ACCURACY_SETTINGS = [
    ("regressor", dict(cell="lstm")),
    ("regressor", dict(cell="gru")),
    ("regressor", dict(cell="lstm", bidirectional=True, num_layers=2, pooling="concat")),
    ("regressor", dict(cell="gru", bidirectional=True, pooling="mean", patch_size=3)),
    ("regressor", dict(cell="lstm", pooling="max", patch_size=2, differences=True,
                       skip_steps=4)),
    ("regressor", dict(cell="gru", num_layers=3, patch_size=4, skip_steps=2,
                       window_normalization="last", differences=True)),
    ("quantiles", dict(cell="lstm", bidirectional=True)),
    ("classifier", dict()),
    ("classifier", dict(cell="gru", bidirectional=False, pooling="last", patch_size=2,
                        num_layers=2)),
]


def accuracy():
    import onnxruntime as ort

    from sklearn_rnn import SequenceClassifier, SequenceRegressor, to_onnx

    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 10, 2)).astype(np.float32)
    X[:, :, 0] += np.linspace(0, 3, 10)
    y = X[:, -3:, 0].sum(axis=1) + 0.1 * rng.normal(size=48)
    seqs = [rng.normal(size=(rng.randint(1, 26), 2)).astype(np.float32)
            for _ in range(500)]
    lengths = np.array([len(s) for s in seqs])
    padded = np.zeros((500, lengths.max(), 2), np.float32)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    print("| estimator | settings | max difference / max value | labels equal |")
    print("| --------- | -------- | -------------------------: | ------------ |")
    for kind, params in ACCURACY_SETTINGS:
        common = dict(hidden_size=6, max_iter=3, random_state=0, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if kind == "classifier":
                est = SequenceClassifier(**common).fit(
                    X, np.digitize(y, np.quantile(y, [1 / 3, 2 / 3])))
            elif kind == "quantiles":
                est = SequenceRegressor(loss="quantile", quantiles=[0.1, 0.9],
                                        **common).fit(X, y)
            else:
                est = SequenceRegressor(**common).fit(X, y)
        session = ort.InferenceSession(to_onnx(est, X, lengths=True).SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        outputs = session.run(None, {"X": padded, "lengths": lengths})
        if kind == "classifier":
            expected = [est.predict_proba(seqs)]
            labels = str(bool((outputs[0] == est.predict(seqs)).all()))
            outputs = outputs[1:]
        else:
            expected = [est.predict(seqs)]
            if kind == "quantiles":
                expected.append(est.predict_quantiles(seqs))
            labels = ""
        error = max(float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
                    for a, b in zip(outputs, expected))
        name = {"classifier": "SequenceClassifier"}.get(kind, "SequenceRegressor")
        if kind == "quantiles":
            name += " (quantile)"
        settings = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "defaults"
        print(f"| {name} | {settings} | {error:.1e} | {labels} |")


def _session(model):
    import onnxruntime as ort

    return ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])


def _trained_regressor(cell, epochs, mixed_precision=False):
    """A regressor whose recurrent layers carry the prediction (no skip
    connection, no window normalisation), as
    ``tests/test_onnx.py::test_a_trained_model_within_the_documented_bound``
    trains it, and its training and new sequences."""
    from sklearn_rnn import SequenceRegressor

    rng = np.random.RandomState(7)
    X = rng.normal(size=(200, 20, 2)).astype(np.float32)
    y = np.sin(X[:, :, 0].cumsum(axis=1)[:, -1]) + X[:, -5:, 1].sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = SequenceRegressor(cell=cell, hidden_size=16, max_iter=epochs,
                                learning_rate_init=0.01, early_stopping=False,
                                skip_steps=0, window_normalization=None, patch_size=1,
                                mixed_precision=mixed_precision, random_state=0).fit(X, y)
    return reg, X, y, rng.normal(size=(10_000, 20, 2)).astype(np.float32)


def trained(epochs):
    """The figures of docs/deploying.md's "How close to ``predict``"."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import SequenceClassifier, register_skl2onnx_converters, to_onnx

    print(f"Regressors trained {epochs} epochs (no skip connection), "
          "on 10,000 new sequences:")
    print("| cell | R^2 (training) | max difference | / max prediction "
          "| largest difference / own value (that prediction) "
          "| predictions off by > 1e-5 of themselves |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for cell in ("lstm", "gru"):
        reg, X, y, X_new = _trained_regressor(cell, epochs)
        (pred,) = _session(to_onnx(reg, X)).run(None, {"X": X_new})
        expected = reg.predict(X_new)
        diff = np.abs(pred - expected)
        own = diff / np.abs(expected)
        worst = int(np.argmax(own))
        print(f"| {cell} | {reg.score(X, y):.3f} "
              f"| {diff.max():.1e} | {diff.max() / np.abs(expected).max():.1e} "
              f"| {own[worst]:.1e} ({expected[worst]:.1e}) "
              f"| {int((own > 1e-5).sum()):,} of {len(X_new):,} |")

    print()
    print("mixed_precision=True (bfloat16 autocast in predict, float32 in the export), "
          "same regressors, 10,000 new sequences:")
    for cell in ("lstm", "gru"):
        reg, X, _, X_new = _trained_regressor(cell, epochs, mixed_precision=True)
        (pred,) = _session(to_onnx(reg, X)).run(None, {"X": X_new})
        expected = reg.predict(X_new)
        print(f"  {cell}: max |onnx - predict| / max |predict| = "
              f"{np.abs(pred - expected).max() / np.abs(expected).max():.1e}")

    import skl2onnx

    register_skl2onnx_converters()
    rng = np.random.RandomState(0)  # tests/test_skl2onnx.py's data
    X = rng.normal(size=(60, 16)).astype(np.float32)
    y = X[:, -4:].sum(axis=1) > 0
    X_new = rng.normal(size=(2000, 16)).astype(np.float32)
    pipe = make_pipeline(StandardScaler(), SequenceClassifier(
        hidden_size=6, max_iter=3, random_state=0)).fit(X, y)
    session = _session(skl2onnx.to_onnx(pipe, X[:1],
                                        options={id(pipe[-1]): {"zipmap": False}}))
    print()
    print("skl2onnx pipeline StandardScaler() + SequenceClassifier(hidden_size=6, "
          "max_iter=3), predict_proba:")
    for name, rows in (("60 training rows", X), ("2,000 new rows", X_new)):
        _, proba = session.run(None, {"X": rows})
        diff = np.abs(proba - pipe.predict_proba(rows)).max(axis=1)
        print(f"  {name}: max difference {diff.max():.1e}, rows off by > 1e-3: "
              f"{int((diff > 1e-3).sum())}, median row {np.median(diff):.1e}")
    nudged = np.nextafter(X, np.float32(np.inf))  # every input one float32 unit up
    moved = np.abs(pipe.predict_proba(nudged) - pipe.predict_proba(X)).max()
    print(f"  predict_proba itself, every training input one float32 unit up: "
          f"max change {moved:.1e}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=48, help="steps per window")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--max-iter", type=int,
                        help="training epochs (3 for the timings, 25 with --trained)")
    parser.add_argument("--accuracy", action="store_true",
                        help="compare outputs in several settings instead of timing")
    parser.add_argument("--trained", action="store_true",
                        help="compare outputs of trained models (docs/deploying.md's "
                             "figures) instead of timing")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.accuracy:
        accuracy()
        return
    if args.trained:
        trained(args.max_iter or 25)
        return
    import onnxruntime

    print(f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"{args.threads} thread(s), {args.steps} steps, 1 channel, hidden_size=64")
    print()
    print("| cell | batch | predict | torch forward | onnxruntime | ONNX / predict "
          "| max difference / max value |")
    print("| ---- | ----: | ------: | ------------: | ----------: | -------------: "
          "| ------------------: |")
    for cell in ("lstm", "gru"):
        for cell_name, batch, times, error in measure(
            cell, steps=args.steps, threads=args.threads, repeats=args.repeats,
            max_iter=args.max_iter or 3,
        ):
            unit, scale = ("µs", 1e6) if batch == 1 else ("ms", 1e3)
            cells = " | ".join(f"{times[k] * scale:.1f} {unit}"
                               for k in ("predict", "torch forward", "onnxruntime"))
            ratio = times["onnxruntime"] / times["predict"]
            print(f"| {cell_name} | {batch:,} | {cells} | {ratio:.2f} | {error:.1e} |")


if __name__ == "__main__":
    main()
