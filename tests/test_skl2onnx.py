"""register_skl2onnx_converters: pipelines ending in our estimators convert."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

from sklearn.ensemble import StackingRegressor, VotingRegressor  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from sklearn_rnn import (  # noqa: E402
    GRURegressor,
    LSTMRegressor,
    SequenceClassifier,
    SequenceRegressor,
    register_skl2onnx_converters,
)
from sklearn_rnn.windowing import LagWindowTransformer, WindowTrimmer  # noqa: E402

SMALL = dict(hidden_size=6, max_iter=3, random_state=0)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module", autouse=True)
def converters():
    return register_skl2onnx_converters()


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 16)).astype(np.float32)
    y = X[:, -4:].sum(axis=1)
    return X, y


def _run(model, X):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def test_registered(converters):
    assert set(converters) == {SequenceRegressor, LSTMRegressor, GRURegressor,
                               SequenceClassifier, WindowTrimmer, LagWindowTransformer}


def test_lag_windows_refused_with_the_workaround():
    # skl2onnx's own message told the user to implement and register a converter
    series = np.sin(np.arange(80.0)).astype(np.float32)[:, None]
    pipe = make_pipeline(LagWindowTransformer(window_length=6),
                         LSTMRegressor(**SMALL, leading_nan="trim")).fit(series, series[:, 0])
    with pytest.raises(NotImplementedError, match="make_windows.*sklearn_rnn.to_onnx"):
        skl2onnx.to_onnx(pipe, series[:1])


@pytest.mark.parametrize("estimator", [
    LSTMRegressor(**SMALL),
    GRURegressor(**SMALL, n_channels=2, bidirectional=True, pooling="mean", patch_size=3),
    SequenceRegressor(**SMALL, window_normalization="last", skip_steps=3),
], ids=["lstm", "gru-2-channels", "window-normalization"])
def test_regressor_pipeline(data, estimator):
    X, y = data
    pipe = make_pipeline(StandardScaler(), WindowTrimmer(12), estimator).fit(X, y)
    model = skl2onnx.to_onnx(pipe, X[:1])
    rows = np.random.RandomState(1).normal(size=(9, 16)).astype(np.float32)
    (pred,) = _run(model, rows)
    expected = pipe.predict(rows)
    # float32 scaling in the graph, float64 in scikit-learn: that rounding only
    np.testing.assert_allclose(pred, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("labels", [np.array(["a", "b", "c"]), np.array([2, 4, 8]),
                                    np.array([-2.0, 1.0, 3.0]), np.array([False, True, True]),
                                    np.array([2, 4, 8], dtype=np.uint8),
                                    np.array([2, 4, 2**63 - 1], dtype=np.uint64)],
                         ids=["str", "int", "whole-float", "bool", "uint8", "uint64"])
def test_classifier_pipeline(data, labels):
    # numeric labels come out int64, as skl2onnx declares them (and gives
    # them for its own classifiers); a float or bool graph did not load, nor
    # did one of to_onnx's uint8 labels (to_onnx keeps classes_' dtype)
    X, y = data
    codes = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    pipe = make_pipeline(MinMaxScaler(), SequenceClassifier(**SMALL)).fit(X, labels[codes])
    rows = X[:11]
    model = skl2onnx.to_onnx(pipe, rows[:1], options={id(pipe[-1]): {"zipmap": False}})
    label, proba = _run(model, rows)
    expected = pipe.predict(rows)
    if labels.dtype.kind in "biuf":
        assert label.dtype == np.int64
        expected = expected.astype(np.int64)
    np.testing.assert_array_equal(label, expected)
    np.testing.assert_allclose(proba, pipe.predict_proba(rows), rtol=1e-5, atol=1e-6)
    # with skl2onnx's default ZipMap: one {class: probability} dict per row
    label, dicts = _run(skl2onnx.to_onnx(pipe, rows[:1]), rows)
    np.testing.assert_array_equal(label, expected)
    assert list(dicts[0]) == np.unique(labels).astype(expected.dtype).tolist()


def test_uint64_labels_beyond_int64_are_refused(data):
    # skl2onnx gives numeric labels as int64: they wrapped to negative numbers
    X, y = data
    labels = np.array([7, 2**63 + 5], dtype=np.uint64)[(y > 0).astype(int)]
    pipe = make_pipeline(MinMaxScaler(), SequenceClassifier(**SMALL)).fit(X, labels)
    with pytest.raises(ValueError, match=r"9223372036854775813 \(uint64\) is beyond int64"):
        skl2onnx.to_onnx(pipe, X[:1], options={id(pipe[-1]): {"zipmap": False}})


@pytest.mark.parametrize("Estimator", [LSTMRegressor, SequenceClassifier])
def test_leading_nan_trimmed_in_a_pipeline(data, Estimator):
    # the trimming's Clip had an omitted min input, which skl2onnx could not sort
    X, y = data
    X = X.copy()
    X[:8, :3] = np.nan
    target = y if Estimator is LSTMRegressor else (y > 0).astype(np.int64)
    pipe = make_pipeline(WindowTrimmer(12), Estimator(leading_nan="trim", **SMALL)).fit(X, target)
    rows = X[:9]
    outputs = _run(skl2onnx.to_onnx(pipe, rows[:1], options={id(pipe[-1]): {"zipmap": False}}
                                    if Estimator is SequenceClassifier else None), rows)
    np.testing.assert_allclose(outputs[0], pipe.predict(rows), rtol=1e-5, atol=1e-5)


def test_double_input_is_cast(data):
    X, y = data
    pipe = make_pipeline(LSTMRegressor(**SMALL)).fit(X, y)
    model = skl2onnx.to_onnx(pipe, X[:1].astype(np.float64))
    (pred,) = _run(model, X[:5].astype(np.float64))
    np.testing.assert_allclose(pred, pipe.predict(X[:5]), rtol=1e-5)


@pytest.mark.parametrize("zipmap", [False, "columns"])
def test_classifier_double_input(data, zipmap):
    # the probabilities are of the input's float type, as skl2onnx declares
    # them: cast to float32 always, a float64 sample's model did not load
    X, y = data
    X = X.astype(np.float64)
    pipe = make_pipeline(StandardScaler(), SequenceClassifier(**SMALL)).fit(X, y > 0)
    model = skl2onnx.to_onnx(pipe, X[:1], options={id(pipe[-1]): {"zipmap": zipmap}})
    label, *proba = _run(model, X[:7])
    np.testing.assert_array_equal(label, pipe.predict(X[:7]))
    proba = np.column_stack(proba) if zipmap else proba[0]
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, pipe.predict_proba(X[:7]), rtol=1e-5, atol=1e-6)


def test_trimmer_fitted_on_3d_refuses(data):
    X, y = data
    pipe = make_pipeline(WindowTrimmer(4), LSTMRegressor(**SMALL)).fit(
        X.reshape(60, 16, 1), y)
    with pytest.raises(NotImplementedError, match="fit it on 2D windows"):
        skl2onnx.to_onnx(pipe, X[:1])


def test_unsupported_classifier_option_refused(data):
    X, y = data
    pipe = make_pipeline(SequenceClassifier(**SMALL)).fit(X, y > 0)
    with pytest.raises((NameError, ValueError), match="nocl"):
        skl2onnx.to_onnx(pipe, X[:1], options={id(pipe[-1]): {"nocl": True}})


@pytest.mark.parametrize("Estimator", [LSTMRegressor, SequenceClassifier])
def test_estimator_fitted_on_3d_refuses(data, Estimator):
    # the converter took the 3D sample's time steps for a table's columns:
    # the graph converted and ran, and gave other numbers than predict
    X, y = data
    X3 = X.reshape(60, 8, 2)
    target = y if Estimator is LSTMRegressor else y > 0
    est = Estimator(**SMALL).fit(X3, target)
    for estimator in (est, make_pipeline(est)):
        for sample in (X3[:1], X[:1]):
            with pytest.raises(NotImplementedError, match="sklearn_rnn.to_onnx"):
                skl2onnx.to_onnx(estimator, sample)


def test_input_of_another_rank_refuses(data):
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    with pytest.raises(NotImplementedError, match="2D tables only.*sklearn_rnn.to_onnx"):
        skl2onnx.to_onnx(reg, X[:1, :, None])
    # a DataFrame sample is one input per column: the message said "X has 1
    # features, but LSTMRegressor is expecting 16" (review s35 rvB 3)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(16)])
    reg = LSTMRegressor(**SMALL).fit(frame, y)
    with pytest.raises(NotImplementedError, match=r"one 2D input.*got 16 inputs \(c0, c1, c2, "
                                                  r"\.\.\.\).*df\.to_numpy\(\).*Pipeline whose first"):
        skl2onnx.to_onnx(reg, frame[:1])
    pipe = make_pipeline(StandardScaler(), LSTMRegressor(**SMALL)).fit(frame, y)
    session = ort.InferenceSession(skl2onnx.to_onnx(pipe, frame[:1])
                                   .SerializeToString(), providers=["CPUExecutionProvider"])
    (pred,) = session.run(None, {f"c{i}": X[:9, i:i + 1] for i in range(16)})
    np.testing.assert_allclose(pred, pipe.predict(frame[:9]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("Ensemble", [VotingRegressor, StackingRegressor])
def test_regressor_inside_an_ensemble(data, Ensemble):
    # skl2onnx's ensembles read their regressors' outputs in the input's float
    # type, (n_rows, 1): a float64 output converted, then failed in ONNX Runtime
    X, y = data
    ensemble = Ensemble([("ridge", Ridge()), ("lstm", LSTMRegressor(**SMALL))]).fit(X, y)
    rows = X[:9]
    (pred,) = _run(skl2onnx.to_onnx(ensemble, rows[:1]), rows)
    expected = ensemble.predict(rows)
    np.testing.assert_allclose(pred.ravel(), expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
    # float64 input: the ensemble reads the regressor's output in float64
    rows64 = rows.astype(np.float64)
    (pred,) = _run(skl2onnx.to_onnx(ensemble, rows64[:1]), rows64)
    assert pred.dtype == np.float64
    np.testing.assert_allclose(pred.ravel(), expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
    # the last step of a pipeline keeps predict's float64 and shape
    pipe = make_pipeline(StandardScaler(), LSTMRegressor(**SMALL)).fit(X, y)
    (pred,) = _run(skl2onnx.to_onnx(pipe, rows[:1]), rows)
    assert pred.dtype == np.float64 and pred.shape == (9,)


@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_inside_a_search(data, n_targets):
    # GridSearchCV's converter gives its estimator its own output's type; the
    # regressor's output was declared again as read on, and the model did not
    # load (float32) or gave (n_rows, 1) where it declared (n_rows,) (review
    # s35 rvB 1); to_onnx's refusal of a search advises this route
    from sklearn.model_selection import GridSearchCV

    X, y = data
    y = y if n_targets == 1 else np.c_[y, -y]
    search = GridSearchCV(LSTMRegressor(**SMALL), {"hidden_size": [4]}, cv=2).fit(X, y)
    rows = X[:9]
    expected = search.predict(rows)
    for sample in (rows[:1], rows[:1].astype(np.float64)):
        (pred,) = _run(skl2onnx.to_onnx(search, sample), sample.dtype.type(rows))
        assert pred.dtype == np.float64 and pred.shape == expected.shape
        np.testing.assert_allclose(pred, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


def test_an_empty_batch_gives_empty_outputs(tmp_path, data):
    # the converters embed to_onnx's graph, which answers a batch of 0 rows
    # with 0 rows (ONNX Runtime's recurrent kernels abort the process on one,
    # and a table's Reshape into steps failed: so in a child process)
    X, y = data
    models = {
        "regressor": make_pipeline(StandardScaler(), GRURegressor(**SMALL)).fit(X, y),
        "classifier": make_pipeline(StandardScaler(), SequenceClassifier(**SMALL)).fit(
            X, np.where(y > 0, "up", "down")),
        "ensemble": VotingRegressor([("ridge", Ridge()),
                                     ("lstm", LSTMRegressor(**SMALL))]).fit(X, y),
    }
    full = {}
    for name, estimator in models.items():
        options = {id(estimator[-1]): {"zipmap": False}} if name == "classifier" else None
        model = skl2onnx.to_onnx(estimator, X[:1], options=options)
        (tmp_path / f"{name}.onnx").write_bytes(model.SerializeToString())
        full[name] = _run(model, X[:3])
    script = (
        "import sys, numpy as np, onnxruntime as ort\n"
        "for path in sys.argv[1:]:\n"
        "    s = ort.InferenceSession(path, providers=['CPUExecutionProvider'])\n"
        "    out = s.run(None, {s.get_inputs()[0].name: np.zeros((0, 16), np.float32)})\n"
        "    np.savez(path + '.npz', *out)\n"
    )
    child = subprocess.run([sys.executable, "-c", script,
                            *[str(tmp_path / f"{name}.onnx") for name in models]],
                           capture_output=True, text=True)
    assert child.returncode == 0, (child.returncode, child.stderr[-2000:])
    for name, outputs in full.items():
        with np.load(tmp_path / f"{name}.onnx.npz", allow_pickle=True) as empty:
            for i, output in enumerate(outputs):
                got = empty[f"arr_{i}"]
                assert got.shape == (0, *output.shape[1:]) and got.dtype == output.dtype
