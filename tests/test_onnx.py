"""sklearn_rnn.to_onnx: ONNX Runtime predicts what predict predicts.

Every check compares the session's outputs with ``predict`` /
``predict_proba`` / ``predict_quantiles`` on inputs the export never saw:
other batch sizes, other numbers of steps, other lengths.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402

from sklearn_rnn import (  # noqa: E402
    GRURegressor,
    LSTMRegressor,
    SequenceClassifier,
    SequenceRegressor,
    to_onnx,
)

RTOL = 1e-5
SMALL = dict(hidden_size=6, max_iter=3, random_state=0)
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # the graphs are checked on sequences shorter than the skip connection's
    pytest.mark.filterwarnings("ignore:X holds .* of fewer than:UserWarning"),
]


def _session(model):
    return ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])


def _assert_close(actual, expected):
    """Equal within RTOL relative to each value, in predict's dtype."""
    expected = np.asarray(expected)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=0)


def _padded(seqs):
    """A list of sequences as a zero-padded 3D array and its lengths."""
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    out = np.zeros((len(seqs), lengths.max(), seqs[0].shape[1]), dtype=np.float32)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out, lengths


def _random_sequences(rng, n, low, high, channels):
    return [rng.normal(size=(rng.randint(low, high + 1), channels)).astype(np.float32)
            for _ in range(n)]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 10, 2)).astype(np.float32)
    X[:, :, 0] += np.linspace(0, 3, 10)  # a trend, for window normalisation
    y = X[:, -3:, 0].sum(axis=1) + 0.1 * rng.normal(size=48)
    return X, y


REGRESSOR_SETTINGS = [
    dict(cell="lstm"),
    dict(cell="gru"),
    dict(cell="lstm", bidirectional=True, num_layers=2, pooling="concat"),
    dict(cell="gru", bidirectional=True, pooling="mean", patch_size=3),
    dict(cell="lstm", pooling="max", patch_size=2, differences=True, skip_steps=4),
    dict(cell="gru", num_layers=3, pooling="last", patch_size=4, skip_steps=2,
         window_normalization="last", differences=True),
    dict(cell="lstm", bidirectional=True, pooling="last", window_normalization="last",
         patch_size=1, differences=False, skip_steps=0),
    dict(cell="gru", standardize=False, pooling="concat", patch_size=2),
]


@pytest.mark.parametrize("params", REGRESSOR_SETTINGS, ids=str)
def test_regressor_variable_lengths(data, params):
    X, y = data
    reg = SequenceRegressor(**SMALL, **params).fit(X, y)
    session = _session(to_onnx(reg, X, lengths=True))
    rng = np.random.RandomState(1)
    # lengths and batch sizes never seen in fit or export: shorter, longer
    for n, low, high in [(1, 10, 10), (3, 1, 4), (10, 2, 25), (9, 13, 13)]:
        seqs = _random_sequences(rng, n, low, high, 2)
        padded, lengths = _padded(seqs)
        (pred,) = session.run(None, {"X": padded, "lengths": lengths})
        _assert_close(pred, reg.predict(seqs))
    # padding past the longest sequence changes nothing
    padded = np.concatenate([padded, np.full((n, 5, 2), 7.0, np.float32)], axis=1)
    (pred,) = session.run(None, {"X": padded, "lengths": lengths})
    _assert_close(pred, reg.predict(seqs))


@pytest.mark.parametrize("params", REGRESSOR_SETTINGS[:6], ids=str)
def test_regressor_3d_equal_lengths(data, params):
    X, y = data
    reg = SequenceRegressor(**SMALL, **params).fit(X, y)
    model = to_onnx(reg, X)
    assert [i.name for i in model.graph.input] == ["X"]
    session = _session(model)
    rng = np.random.RandomState(2)
    for n, steps in [(1, 10), (5, 3), (12, 17), (4, 1)]:
        Xt = rng.normal(size=(n, steps, 2)).astype(np.float32)
        (pred,) = session.run(None, {"X": Xt})
        _assert_close(pred, reg.predict(Xt))


@pytest.mark.parametrize("cls", [LSTMRegressor, GRURegressor])
@pytest.mark.parametrize("flat_layout", ["channels_first", "channels_last"])
def test_regressor_2d_tables(data, cls, flat_layout):
    X, y = data
    table = (X.transpose(0, 2, 1) if flat_layout == "channels_first" else X).reshape(48, -1)
    reg = cls(**SMALL, n_channels=2, flat_layout=flat_layout, patch_size=3).fit(table, y)
    model = to_onnx(reg)  # the layout seen in fit: a 2D table
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[1].dim_value == 20
    session = _session(model)
    for rows in (table[:1], table[5:12], table.astype(np.float64)[:3].astype(np.float32)):
        (pred,) = session.run(None, {"X": rows})
        _assert_close(pred, reg.predict(rows))


def test_regressor_multi_output_and_window_normalization(data):
    X, y = data
    Y = np.column_stack([y, X[:, -1, 1] * 2.0, y + 50.0])
    reg = SequenceRegressor(**SMALL, window_normalization="last", skip_steps=2).fit(X, Y)
    assert reg.window_normalization_ == "last"
    session = _session(to_onnx(reg, X, lengths=True))
    seqs = _random_sequences(np.random.RandomState(3), 6, 2, 14, 2)
    (pred,) = session.run(None, dict(zip(["X", "lengths"], _padded(seqs))))
    assert pred.shape == (6, 3) and pred.dtype == np.float64
    _assert_close(pred, reg.predict(seqs))


@pytest.mark.parametrize("two_d_y", [False, True])
def test_quantile_regressor(data, two_d_y):
    X, y = data
    target = np.column_stack([y, -y]) if two_d_y else y
    reg = SequenceRegressor(**SMALL, loss="quantile", quantiles=[0.1, 0.25, 0.9],
                            bidirectional=True).fit(X, target)
    model = to_onnx(reg, X, lengths=True)
    assert [o.name for o in model.graph.output] == ["variable", "quantiles"]
    seqs = _random_sequences(np.random.RandomState(4), 7, 1, 15, 2)
    pred, quantiles = _session(model).run(None, dict(zip(["X", "lengths"], _padded(seqs))))
    _assert_close(pred, reg.predict(seqs))
    _assert_close(quantiles, reg.predict_quantiles(seqs))


@pytest.mark.parametrize("labels", ["str", "int", "float"])
@pytest.mark.parametrize("params", [
    dict(),  # the defaults: bidirectional LSTM, concat pooling
    dict(cell="gru", bidirectional=False, pooling="last", patch_size=2, num_layers=2),
    dict(cell="lstm", pooling="mean", skip_steps=3, differences=True, patch_size=3),
    dict(conv_filters=(4, 8)),  # the convolution branch next to the recurrent one
], ids=str)
def test_classifier(data, labels, params):
    X, y = data
    codes = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    classes = {"str": np.array(["down", "flat", "up"]), "int": np.array([-1, 5, 7]),
               "float": np.array([0.0, 1.0, 2.0])}[labels]
    clf = SequenceClassifier(**SMALL, **params).fit(X, classes[codes])
    model = to_onnx(clf, X, lengths=True)
    assert [o.name for o in model.graph.output] == ["label", "probabilities"]
    session = _session(model)
    rng = np.random.RandomState(5)
    for n in (1, 6, 11):
        seqs = _random_sequences(rng, n, 1, 16, 2)
        label, proba = session.run(None, dict(zip(["X", "lengths"], _padded(seqs))))
        np.testing.assert_array_equal(label, clf.predict(seqs))
        _assert_close(proba, clf.predict_proba(seqs))


@pytest.mark.parametrize("n_steps", [12, 600])  # 600: averaged over windows first
def test_classifier_on_integer_valued_series(n_steps):
    # the random features count convolution outputs above biases that are
    # quantiles of training outputs: on integer-valued series many outputs
    # equal a bias, and the export's float32 comparisons put them on either
    # side (labels differed on 1 in 40 rows, probabilities by up to 0.9)
    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(90, n_steps)).astype(np.float32)
    y = np.digitize(X[:, -3:].sum(axis=1), [2.5, 4.5])
    clf = SequenceClassifier(hidden_size=4, max_iter=5, random_state=0).fit(X, y)
    session = _session(to_onnx(clf, X))
    n_new = 500 if n_steps < 100 else 40
    for rows in (X, rng.randint(0, 3, size=(n_new, n_steps)).astype(np.float32)):
        label, proba = session.run(None, {"X": rows})
        np.testing.assert_array_equal(label, clf.predict(rows))
        np.testing.assert_allclose(proba, clf.predict_proba(rows), rtol=RTOL, atol=1e-7)


def test_classifier_whose_random_features_average_windows():
    # sequences over the branch's max_steps are averaged over windows first: in
    # float64 that was an AveragePool, which ONNX Runtime cannot run
    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(40, 30)).astype(np.float32)
    clf = SequenceClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, X[:, -1] > 1)
    clf.module_.random_conv.stride = 3  # as fitted on sequences 3 times over max_steps
    label, proba = _session(to_onnx(clf, X)).run(None, {"X": X})
    np.testing.assert_array_equal(label, clf.predict(X))
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=RTOL, atol=1e-7)


@pytest.mark.parametrize("branch", ["random_conv", "conv"])
@pytest.mark.parametrize("stride", [2, 3])
def test_window_averaging_at_every_length(branch, stride):
    # the pad of the last window was Python-level arithmetic, frozen at the
    # traced length: at lengths of another residue modulo the stride, the
    # random features failed in ONNX Runtime's Reshape, and the convolution
    # branch's probabilities were off by up to 2e-3 (its last window dropped)
    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(40, 30, 1)).astype(np.float32)
    params = dict(conv_filters=(4,), random_biases=0) if branch == "conv" else {}
    clf = SequenceClassifier(hidden_size=4, max_iter=2, random_state=0, **params).fit(
        X, X[:, -1, 0] > 1)
    getattr(clf.module_, branch).stride = stride  # as fitted on longer sequences
    session = _session(to_onnx(clf, X))
    for n_steps in range(27, 27 + 2 * stride):
        rows = rng.randint(0, 3, size=(7, n_steps, 1)).astype(np.float32)
        label, proba = session.run(None, {"X": rows})
        np.testing.assert_array_equal(label, clf.predict(rows))
        np.testing.assert_allclose(proba, clf.predict_proba(rows), rtol=RTOL, atol=1e-7)
    seqs = [rng.randint(0, 3, size=(n, 1)).astype(np.float32) for n in range(20, 26)]
    session = _session(to_onnx(clf, seqs))
    for batch in (seqs, seqs[:-1], seqs[:-2]):  # padded widths of each residue
        label, proba = session.run(None, dict(zip(["X", "lengths"], _padded(batch))))
        np.testing.assert_array_equal(label, clf.predict(batch))
        np.testing.assert_allclose(proba, clf.predict_proba(batch), rtol=RTOL, atol=1e-7)


def test_leading_nan_trimmed(data):
    X, y = data
    table = X[:, :, 0].copy()
    table[:5, :3] = np.nan  # no history yet
    reg = LSTMRegressor(**SMALL, leading_nan="trim").fit(table, y)
    session = _session(to_onnx(reg))
    rows = table[:9].copy()
    rows[6, :6] = np.nan
    (pred,) = session.run(None, {"X": rows})
    _assert_close(pred, reg.predict(rows))


def test_leading_nan_trimmed_to_nothing_gives_nan(data):
    # a window of no observed step, which predict rejects, came out finite:
    # the recurrent operators give zero states for a sequence of length 0
    X, y = data
    table = X[:, :, 0].copy()
    table[:5, :3] = np.nan
    reg = LSTMRegressor(**SMALL, leading_nan="trim", skip_steps=0).fit(table, y)
    rows = table[5:9].copy()
    rows[1] = np.nan
    (pred,) = _session(to_onnx(reg)).run(None, {"X": rows})
    assert np.isnan(pred[1])
    _assert_close(pred[[0, 2, 3]], reg.predict(rows[[0, 2, 3]]))


@pytest.mark.parametrize("make", [
    lambda: GRURegressor(**SMALL, skip_steps=0),
    # a partial patch reached into the padding: NaN * 0 is NaN, in the graph
    lambda: LSTMRegressor(**SMALL, skip_steps=0, patch_size=3, differences=True),
    lambda: SequenceRegressor(**SMALL, loss="quantile", skip_steps=0),
    lambda: SequenceClassifier(**SMALL),  # random features: comparisons with NaN are False
    lambda: SequenceClassifier(**SMALL, random_biases=0, conv_filters=(4,)),
], ids=["gru", "patches", "quantile", "classifier", "conv_filters"])
def test_what_predict_rejects_gives_nan(data, make):
    # NaN or inf among a sequence's valid steps: ONNX Runtime's LSTM and GRU
    # clamp their activations, so NaN came out finite (labels too)
    X, y = data
    classifier = "Classifier" in type(make()).__name__
    est = make().fit(X, np.where(y > np.median(y), "up", "down") if classifier else y)
    seqs = _random_sequences(np.random.RandomState(8), 6, 4, 12, 2)
    padded, lengths = _padded(seqs)
    padded[0, 2, 1] = np.nan  # mid-window
    padded[1, 0, 0] = np.nan  # leading, under leading_nan="raise"
    padded[2, lengths[2] - 1, 0] = np.inf  # the last step
    for i, n in enumerate(lengths):  # padding: never read, whatever it holds
        padded[i, n:] = np.nan
    good = [3, 4, 5]
    outputs = _session(to_onnx(est, seqs)).run(
        None, {"X": padded, "lengths": lengths})
    floats = outputs[1:] if classifier else outputs
    for out in floats:
        assert np.isnan(out[:3]).all() and not np.isnan(out[good]).any()
    expected = [est.predict_proba(seqs[3:])] if classifier else [est.predict(seqs[3:])]
    if hasattr(est, "predict_quantiles"):
        expected.append(est.predict_quantiles(seqs[3:]))
    for out, want in zip(floats, expected):
        _assert_close(out[good], want)
    if classifier:  # a rejected row's label is the first class
        np.testing.assert_array_equal(outputs[0][:3], est.classes_[[0, 0, 0]])
        np.testing.assert_array_equal(outputs[0][good], est.predict(seqs[3:]))


def test_model_is_standard_onnx(data):
    X, y = data
    reg = GRURegressor(**SMALL).fit(X, y)
    model = to_onnx(reg, X, target_opset=15)
    onnx.checker.check_model(model, full_check=True)
    assert {op.domain for op in model.opset_import} == {""}
    assert model.opset_import[0].version == 15
    assert {node.domain for node in model.graph.node} == {""}
    assert any(node.op_type == "GRU" for node in model.graph.node)


def test_runs_without_torch(tmp_path, data):
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    path = tmp_path / "model.onnx"
    path.write_bytes(to_onnx(reg, X).SerializeToString())
    np.save(tmp_path / "X.npy", X[:5])
    script = (
        "import sys; sys.modules['torch'] = None; sys.modules['sklearn_rnn'] = None\n"
        "import numpy as np, onnxruntime as ort\n"
        f"s = ort.InferenceSession({str(path)!r})\n"
        f"print(s.run(None, {{'X': np.load({str(tmp_path / 'X.npy')!r})}})[0].tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    np.testing.assert_allclose(eval(out.stdout), reg.predict(X[:5]), rtol=RTOL)


# In a child process: ONNX Runtime's LSTM and GRU kernels abort the process
# (a segmentation fault) on a batch of 0 rows.
_RUN_EMPTY_BATCHES = """
import sys
import numpy as np
import onnxruntime as ort
for path in sys.argv[1:]:
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = dict(np.load(path + ".feeds.npz"))
    outputs = session.run(None, feeds)
    np.savez(path + ".out.npz", *outputs)
"""


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor, SequenceClassifier])
def test_an_empty_batch_gives_empty_outputs(tmp_path, data, Estimator):
    # the graphs answer a batch of 0 rows with outputs of 0 rows, of the
    # dtypes and other dimensions of a batch's, for a table, a 3D array and
    # padded sequences with lengths; batches of rows give predict's outputs
    X, y = data
    if Estimator is SequenceClassifier:
        y = np.where(y > np.median(y), "up", "down")
    est3d = Estimator(**SMALL).fit(X, y)
    cases = {
        "3d": (est3d, {}, X[:5]),
        "lengths": (est3d, {"lengths": True}, X[:5]),
        "table": (Estimator(**SMALL).fit(X[:, :, 0], y), {}, X[:5, :, 0]),
    }
    paths = []
    for name, (est, kwargs, rows) in cases.items():
        model = to_onnx(est, rows, **kwargs)
        feeds = {"X": rows}
        if "lengths" in kwargs:
            feeds["lengths"] = np.array([10, 9, 5, 3, 1], dtype=np.int64)
        outputs = _session(model).run(None, feeds)
        expected = (est.predict(rows[:1]) if "lengths" not in kwargs
                    else est.predict([rows[0]]))
        assert outputs[0][:1].shape == np.shape(expected)
        if Estimator is SequenceClassifier:
            assert list(outputs[0][:1]) == list(expected)
        else:
            _assert_close(outputs[0][:1], expected)
        path = tmp_path / f"{name}.onnx"
        path.write_bytes(model.SerializeToString())
        np.savez(f"{path}.feeds.npz", **{k: v[:0] for k, v in feeds.items()})
        paths.append((path, outputs))
    child = subprocess.run([sys.executable, "-c", _RUN_EMPTY_BATCHES,
                            *[str(p) for p, _ in paths]], capture_output=True, text=True)
    assert child.returncode == 0, (child.returncode, child.stderr[-2000:])
    for path, outputs in paths:
        with np.load(f"{path}.out.npz", allow_pickle=True) as empty:
            empty = [empty[f"arr_{i}"] for i in range(len(outputs))]
        for got, full in zip(empty, outputs):
            assert got.shape == (0, *full.shape[1:]) and got.dtype == full.dtype


def test_fitted_estimator_unchanged(data):
    X, y = data
    reg = LSTMRegressor(**SMALL, pooling="last").fit(X, y)
    before = reg.predict(X)
    to_onnx(reg, X, lengths=True)
    np.testing.assert_array_equal(reg.predict(X), before)
    assert reg.module_._summarise.__func__ is type(reg.module_)._summarise


def test_errors(data):
    X, y = data
    with pytest.raises(NotFittedError):
        to_onnx(LSTMRegressor(), X)
    with pytest.raises(TypeError, match="sklearn_rnn"):
        to_onnx(Ridge().fit(X[:, :, 0], y), X[:, :, 0])
    # objects without scikit-learn's tags: an AttributeError from is_classifier
    import torch

    for obj in (torch.nn.LSTM(2, 3), "model.pkl"):
        with pytest.raises(TypeError, match="sklearn_rnn"):
            to_onnx(obj, X)
    # each told what to export instead, not of pipelines (review rvB F8)
    from sklearn.model_selection import GridSearchCV

    reg = LSTMRegressor(**SMALL).fit(X, y)
    search = GridSearchCV(LSTMRegressor(**SMALL), {"hidden_size": [2]}, cv=2).fit(X, y)
    for obj, advice in ((search, r"export its best_estimator_"),
                        (reg.module_, r"not its network \(module_\)"),
                        ("model.pkl", r"Load the model first"),
                        (Ridge(), r"For a Pipeline, use skl2onnx")):
        with pytest.raises(TypeError, match=advice):
            to_onnx(obj, X)
    reg = LSTMRegressor(**SMALL, n_channels=2).fit(X.reshape(48, -1), y)
    with pytest.raises(ValueError, match="lengths=True needs 3D input"):
        to_onnx(reg, lengths=True)
    with pytest.raises(ValueError, match="not a multiple"):
        to_onnx(reg, X.reshape(48, -1)[:, :19])
    with pytest.raises(ValueError, match="target_opset must be at least 14"):
        to_onnx(reg, target_opset=12)
    with pytest.raises(ValueError, match="target_opset=99 is beyond the ONNX exporter"):
        to_onnx(reg, target_opset=99)


def test_the_sktime_forecaster_is_refused_with_a_type_error(data):
    pytest.importorskip("sktime")
    from sklearn_rnn.sktime import RNNForecaster

    with pytest.raises(TypeError, match="sklearn_rnn"):
        to_onnx(RNNForecaster(), data[0])


def test_the_sktime_adapters_are_refused_with_what_to_do_instead(data):
    # the message advised skl2onnx, which converts neither
    pytest.importorskip("sktime")
    from sklearn_rnn.sktime import RNNClassifier, RNNForecaster

    with pytest.raises(TypeError, match="no ONNX export.*pickle, joblib") as refused:
        to_onnx(RNNForecaster(), data[0])
    assert "skl2onnx" not in str(refused.value)
    X, y = data
    panel = X.transpose(0, 2, 1)  # sktime's numpy3D: (n_instances, n_channels, time)
    clf = RNNClassifier(**SMALL).fit(panel, y > np.median(y))
    with pytest.raises(TypeError, match=r"to_onnx\(clf.estimator_\).*transpose\(0, 2, 1\)"):
        to_onnx(clf, X)
    # what the message says works: the graph of estimator_ on the transposed panel
    label, proba = _session(to_onnx(clf.estimator_)).run(
        None, {"X": panel[:7].transpose(0, 2, 1).astype(np.float32)})
    np.testing.assert_array_equal(label, clf.predict(panel[:7]))
    np.testing.assert_allclose(proba, clf.predict_proba(panel[:7]), rtol=RTOL, atol=1e-7)


def test_an_opset_beyond_the_exporter_is_refused_before_tracing(data, capfd):
    # the exporter failed mid-trace and printed its graph (~150 lines) to stdout
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="target_opset=25 is beyond the ONNX exporter"):
        to_onnx(reg, X, target_opset=25)
    assert capfd.readouterr().out == ""


def test_no_warnings_or_global_state_left(tmp_path, data):
    import torch

    X, y = data
    reg = SequenceRegressor(**SMALL, differences=True).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_onnx(reg, X)

    class Diff(torch.nn.Module):
        def forward(self, x):
            return torch.diff(x, dim=1, prepend=x[:, :1])

    # the symbolic for torch.diff is registered for the export only
    with pytest.raises(Exception), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Diff(), (torch.zeros(1, 3),), str(tmp_path / "diff.onnx"),
                          dynamo=False, opset_version=17)


def test_input_layout_follows_the_sample(data):
    X, y = data
    reg = LSTMRegressor(**SMALL, n_channels=2, flat_layout="channels_last").fit(
        X.reshape(48, -1), y)
    seqs = _random_sequences(np.random.RandomState(6), 5, 2, 12, 2)
    # a list of sequences of different lengths: 3D input and lengths
    model = to_onnx(reg, seqs)
    assert [i.name for i in model.graph.input] == ["X", "lengths"]
    (pred,) = _session(model).run(None, dict(zip(["X", "lengths"], _padded(seqs))))
    _assert_close(pred, reg.predict(seqs))
    # a 3D sample for a model fitted on tables: 3D input, any length
    model = to_onnx(reg, X[:2])
    assert [i.name for i in model.graph.input] == ["X"]
    Xt = np.random.RandomState(7).normal(size=(3, 15, 2)).astype(np.float32)
    (pred,) = _session(model).run(None, {"X": Xt})
    _assert_close(pred, reg.predict(Xt))


@pytest.mark.parametrize("make", [SequenceRegressor, SequenceClassifier])
def test_time_axis_2_takes_what_predict_takes(make):
    # the graph read (batch, time, channels) whatever time_axis: a time_axis=2
    # model's own (batch, channels, time) input was read the wrong way round
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3, 10)).astype(np.float32)  # sktime's numpy3D layout
    y = X[:, 0, -1] if make is SequenceRegressor else (X[:, 0, -1] > 0).astype(int)
    est = make(time_axis=2, **SMALL).fit(X, y)
    X_new = rng.normal(size=(5, 3, 14)).astype(np.float32)
    for sample in (X, None):
        model = to_onnx(est, sample)
        outputs = _session(model).run(None, {"X": X_new})
        if make is SequenceRegressor:
            _assert_close(outputs[0], est.predict(X_new))
        else:
            np.testing.assert_array_equal(outputs[0], est.predict(X_new))
            _assert_close(outputs[1], est.predict_proba(X_new))
    # lengths index the time axis, the last one
    model = to_onnx(est, X, lengths=True)
    padded = X_new.copy()
    padded[:, :, 9:] = 0
    lengths = np.full(5, 9, dtype=np.int64)
    outputs = _session(model).run(None, {"X": padded, "lengths": lengths})
    expected = est.predict(X_new[:, :, :9]) if make is SequenceRegressor else \
        est.predict_proba(X_new[:, :, :9])
    _assert_close(outputs[0 if make is SequenceRegressor else 1], expected)


def test_the_graph_reads_x_as_fitted():
    # a list of sequences keeps time first whatever time_axis (X=None took the
    # 3D array layout), and a layout changed after fit is refused, as predict
    # refuses it (the graph read the new one)
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(12, 3)).astype(np.float32) for _ in range(30)]
    reg = LSTMRegressor(time_axis=2, **SMALL).fit(seqs, rng.normal(size=30))
    (pred,) = _session(to_onnx(reg)).run(None, {"X": np.stack(seqs[:4])})
    _assert_close(pred, reg.predict(seqs[:4]))
    reg.set_params(time_axis=1)
    with pytest.raises(ValueError, match="fitted with time_axis=2"):
        to_onnx(reg)


def test_a_table_predict_refuses_is_refused(data):
    # a fit on 3D multichannel input: predict refuses every table (it reads
    # them with n_channels=1), but the graph read them with n_channels_in_
    # channels, channels first: X.reshape(n, -1) gave wrong numbers
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    table = X.reshape(48, -1)
    with pytest.raises(ValueError, match="channels per time step"):
        reg.predict(table)
    with pytest.raises(ValueError, match=r"3D input of 2 channels.*to_onnx\(est, X3d\)"):
        to_onnx(reg, table)
    # a table wider than the fit's (an id column): read as one more step
    reg = LSTMRegressor(**SMALL).fit(X[:, :, 0], y)
    wide = np.column_stack([X[:, :, 0], y]).astype(np.float32)
    message = "X has 11 features, but LSTMRegressor is expecting 10 features as input"
    with pytest.raises(ValueError, match=message):
        reg.predict(wide)
    with pytest.raises(ValueError, match=message + r".*to_onnx\(est, X3d\)"):
        to_onnx(reg, wide)
    with pytest.raises(ValueError, match="not a multiple of n_channels=2"):
        to_onnx(LSTMRegressor(**SMALL, n_channels=2).fit(table, y), table[:, :19])
    # one step per row, for a fit on 10-step sequences
    reg = LSTMRegressor(**SMALL).fit(X[:, :, :1], y)
    with pytest.raises(ValueError, match="1 time step"):
        reg.predict(X[:, 0, :1])
    with pytest.raises(ValueError, match="1 time step"):
        to_onnx(reg, X[:, 0, :1])


def test_a_refused_table_gets_predicts_words_and_the_way_out(data):
    # to_onnx refuses a table with predict's own message (one check of the
    # layout, _validation.check_table_layout), then names the 3D sample; the
    # copies had drifted (no row count, another sentence for the channels)
    X, y = data
    table = X.reshape(48, -1)
    cases = [
        (LSTMRegressor(**SMALL).fit(X, y), table),  # 3D of 2 channels: every table
        (LSTMRegressor(**SMALL).fit(X[:, :, 0], y), np.column_stack([table[:, :10], y])),
        (LSTMRegressor(**SMALL).fit(X[:, :, :1], y), X[:, 0, :1]),  # one step per row
        (LSTMRegressor(**SMALL, n_channels=2).fit(X, y), table[:, :19]),
    ]
    for reg, bad in cases:
        with pytest.raises(ValueError) as refused:
            reg.predict(bad)
        with pytest.raises(ValueError) as exported:
            to_onnx(reg, bad)
        assert str(exported.value).startswith(str(refused.value))
        assert "to_onnx(est, X3d)" in str(exported.value)


def test_a_sample_that_is_not_2d_or_3d_gets_predicts_words(data):
    # one row (X[0]), a scalar or a string died with a bare IndexError
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X[:, :, 0], y)
    for bad in (X[0, :, 0], [1.0, 2.0], 3.0, "abc"):
        with pytest.raises(ValueError) as refused:
            reg.predict(bad)
        with pytest.raises(ValueError) as exported:
            to_onnx(reg, bad)
        assert str(exported.value) == str(refused.value)
    with pytest.raises(ValueError, match=r"pass X.reshape\(1, -1\) for one sequence"):
        to_onnx(reg, X[0, :, 0])


def test_the_model_records_versions_and_column_names(data):
    # producer_version was torch's (the exporter's), under producer_name
    # "sklearn_rnn"; the columns of a DataFrame fit were nowhere in the model
    import json

    import torch

    import sklearn_rnn

    pd = pytest.importorskip("pandas")
    X, y = data
    columns = [f"t{i}" for i in range(10)]
    reg = LSTMRegressor(**SMALL).fit(pd.DataFrame(X[:, :, 0], columns=columns), y)
    model = to_onnx(reg)
    assert (model.producer_name, model.producer_version) == ("sklearn_rnn",
                                                             sklearn_rnn.__version__)
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["feature_names_in"]) == columns
    metadata = _session(model).get_modelmeta().custom_metadata_map  # as documented
    assert json.loads(metadata["feature_names_in"]) == columns
    assert props["torch_version"] == torch.__version__
    props = {p.key for p in to_onnx(LSTMRegressor(**SMALL).fit(X, y)).metadata_props}
    assert props == {"torch_version"}


def test_x_none_after_a_fit_on_sequences_of_different_lengths():
    # the layout the estimator was fitted on: padded batches with their
    # lengths (the graph had no "lengths" and read the padding as data)
    rng = np.random.RandomState(0)
    seqs = _random_sequences(rng, 40, 4, 11, 2)
    reg = LSTMRegressor(**SMALL).fit(seqs, rng.normal(size=40))
    model = to_onnx(reg)
    assert [i.name for i in model.graph.input] == ["X", "lengths"]
    new = _random_sequences(rng, 5, 2, 14, 2)
    (pred,) = _session(model).run(None, dict(zip(["X", "lengths"], _padded(new))))
    _assert_close(pred, reg.predict(new))
    assert [i.name for i in to_onnx(reg, lengths=False).graph.input] == ["X"]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_trained_model_within_the_documented_bound(cell):
    # the documented guarantee: the differences are float32 rounding of the
    # network, absolute, max |onnx - predict| <= 1e-5 * max |predict|; on a
    # model trained until its recurrent part carries the prediction (no
    # skip connection, no window normalisation), predictions near 0 are not
    # within 1e-5 of themselves (6.9e-4 and 4.4e-5 seen, where the largest
    # difference was 1.4e-7 and 8.3e-8 of the largest prediction)
    rng = np.random.RandomState(7)
    X = rng.normal(size=(200, 20, 2)).astype(np.float32)
    y = np.sin(X[:, :, 0].cumsum(axis=1)[:, -1]) + X[:, -5:, 1].sum(axis=1)
    reg = SequenceRegressor(cell=cell, hidden_size=16, max_iter=20, learning_rate_init=0.01,
                            early_stopping=False, skip_steps=0, window_normalization=None,
                            patch_size=1, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.5  # the recurrent part learned the cumulative sum
    X_new = rng.normal(size=(2000, 20, 2)).astype(np.float32)
    (pred,) = _session(to_onnx(reg, X)).run(None, {"X": X_new})
    expected = reg.predict(X_new)
    assert np.abs(pred - expected).max() <= 1e-5 * np.abs(expected).max()


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32,
                                   np.uint32, np.uint64, np.int64])
def test_integer_labels_keep_their_dtype(data, dtype):
    # the labels were cast to int64: uint64 labels beyond int64 wrapped to
    # negative numbers, and small integer types came back int64
    X, y = data
    classes = np.array([3, 100], dtype=dtype)
    if dtype is np.uint64:
        classes[0] = 2**63 + 5
    clf = SequenceClassifier(hidden_size=4, max_iter=1, random_state=0).fit(
        X, classes[(y > np.median(y)).astype(int)])
    assert clf.classes_.dtype == dtype
    label, _ = _session(to_onnx(clf, X)).run(None, {"X": X})
    assert label.dtype == dtype
    np.testing.assert_array_equal(label, clf.predict(X))
    assert set(label) == set(classes)


def test_a_3d_sample_of_other_channels_is_refused(data):
    # the sample's channels were not read: a 3-channel sample exported a
    # 2-channel graph, which ONNX Runtime refused at serving time
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    X3 = np.concatenate([X, X[:, :, :1]], axis=2)
    with pytest.raises(ValueError) as refused:
        reg.predict(X3)
    for sample in (X3, list(X3[:, :5]) + list(X3[:, :7])):
        with pytest.raises(ValueError) as exported:
            to_onnx(reg, sample)
        assert str(exported.value).startswith(str(refused.value))
        assert "to_onnx reads a 3D sample" in str(exported.value)
    # time_axis=2: the channels on axis 1, predict's hint
    reg2 = LSTMRegressor(**SMALL, time_axis=2).fit(X.transpose(0, 2, 1), y)
    with pytest.raises(ValueError, match="expecting 2 channels.*fit and predict with"):
        to_onnx(reg2, X)
    assert [d.dim_value for d in to_onnx(reg2, X.transpose(0, 2, 1)).graph.input[0]
            .type.tensor_type.shape.dim][1] == 2


def test_lengths_and_target_opset_are_validated(data):
    # lengths="no" was truthy (a "lengths" input), target_opset=17.9 became 17
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    for value in ("no", 1, "True"):
        with pytest.raises(TypeError, match="'lengths' parameter of to_onnx must be a bool"):
            to_onnx(reg, X, lengths=value)
    for value in (17.9, "17", 17.0, True, np.True_):  # a bool is no opset, though Integral
        with pytest.raises(TypeError, match="'target_opset' parameter of to_onnx must be an int"):
            to_onnx(reg, X, target_opset=value)
    model = to_onnx(reg, X, lengths=np.bool_(False), target_opset=np.int64(16))
    assert [i.name for i in model.graph.input] == ["X"]
    assert model.opset_import[0].version == 16


def test_the_documented_range_of_lengths(data):
    # docs/deploying.md and to_onnx's docstring: 1 to X's steps, one per row;
    # 0 gives NaN; others fail in ONNX Runtime (checked before session.run)
    X, y = data
    reg = GRURegressor(**SMALL).fit(X, y)
    session = _session(to_onnx(reg, X, lengths=True))
    (pred,) = session.run(None, {"X": X[:3], "lengths": np.array([10, 1, 0], np.int64)})
    _assert_close(pred[:2], reg.predict([X[0], X[1, :1]]))
    assert np.isnan(pred[2])
    for lengths in ([10, 11, 3], [10, -1, 3], [10, 5]):
        with pytest.raises(Exception):  # ONNX Runtime's errors, of its internal nodes
            session.run(None, {"X": X[:3], "lengths": np.array(lengths, np.int64)})


@pytest.mark.parametrize("quantile", [False, True])
@pytest.mark.parametrize("two_d_y", [False, True])
def test_output_shapes_are_declared(data, quantile, two_d_y):
    # the non-batch dimensions came out as the exporter's names
    # ("Gathervariable_dim_1"): they are n_outputs_ and the quantile levels
    X, y = data
    target = np.column_stack([y, -y]) if two_d_y else y
    params = dict(loss="quantile", quantiles=[0.1, 0.9]) if quantile else {}
    reg = SequenceRegressor(hidden_size=4, max_iter=1, random_state=0, **params).fit(X, target)
    model = to_onnx(reg, X, lengths=True)
    outputs = _session(model).run(None, {"X": X[:3], "lengths": np.full(3, 10, np.int64)})
    declared = [[d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]
                for o in model.graph.output]
    assert declared == [["N", *out.shape[1:]] for out in outputs]
    expected = [["N", 2] if two_d_y else ["N"]]
    if quantile:
        expected.append([*expected[0], 3])
    assert declared == expected
    onnx.checker.check_model(model, full_check=True)


def test_trained_figures_command_prints_each_comparison(capsys):
    # docs/deploying.md's and to_onnx's figures come from
    # `python -m benchmarks.onnx_latency --trained`; here on 1 epoch
    pytest.importorskip("skl2onnx")
    from benchmarks import onnx_latency

    onnx_latency.main(["--trained", "--max-iter", "1"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("| lstm", "| gru"))]
    assert len(rows) == 2 and all("of 10,000 |" in row for row in rows)
    assert "trained 1 epochs" in out
    for cell in ("lstm", "gru"):  # the mixed-precision regressors
        assert f"  {cell}: max |onnx - predict| / max |predict| = " in out
    for rows in ("60 training rows", "2,000 new rows"):
        assert f"  {rows}: max difference " in out


def test_the_default_opset_and_both_ends_of_the_range_export(data):
    # None is the documented 17; 14, the lowest allowed, and the highest the
    # exporter writes are exported, not refused
    from sklearn_rnn.export import DEFAULT_OPSET
    from sklearn_rnn.export._onnx import _highest_opset

    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    assert DEFAULT_OPSET == 17
    assert to_onnx(reg, X).opset_import[0].version == 17
    for opset in {14, _highest_opset() or 14}:
        model = to_onnx(reg, X, target_opset=opset)
        assert model.opset_import[0].version == opset


def test_a_network_with_parts_the_export_does_not_know_is_refused(data):
    import torch

    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    reg.module_.extra = torch.nn.Linear(2, 2)
    with pytest.raises(NotImplementedError, match="extra"):
        to_onnx(reg, X)


def test_a_list_of_sequences_of_one_length_gives_no_lengths_input(data):
    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    model = to_onnx(reg, list(X[:3]))
    assert [i.name for i in model.graph.input] == ["X"]
    model = to_onnx(reg, [X[0], X[1, :7]])
    assert [i.name for i in model.graph.input] == ["X", "lengths"]


def test_big_endian_labels_come_back_as_predicted(data):
    # classes_ of a big-endian dtype: the labels are written in ONNX's byte
    # order, their values as predict gives them
    X, y = data
    classes = np.array([3, 100], dtype=">i4")
    clf = SequenceClassifier(hidden_size=4, max_iter=1, random_state=0).fit(
        X, classes[(y > np.median(y)).astype(int)])
    label, _ = _session(to_onnx(clf, X)).run(None, {"X": X})
    np.testing.assert_array_equal(label, clf.predict(X))
    assert set(label) == {3, 100}


def test_the_model_says_what_its_outputs_last_axis_holds(data):
    # the quantile levels and the class of each probability were only in the
    # graph's internals (review rvB F11)
    import json

    X, y = data
    reg = SequenceRegressor(loss="quantile", quantiles=(0.05, 0.5, 0.95), **SMALL).fit(X, y)
    metadata = _session(to_onnx(reg)).get_modelmeta().custom_metadata_map
    assert json.loads(metadata["quantiles"]) == [0.05, 0.5, 0.95]
    high = y > np.median(y)
    for labels in (np.where(high, "up", "down"), high.astype(np.int64), high):
        clf = SequenceClassifier(**SMALL).fit(X, labels)
        metadata = _session(to_onnx(clf)).get_modelmeta().custom_metadata_map
        assert json.loads(metadata["classes"]) == clf.classes_.tolist()
        assert "quantiles" not in metadata


def test_a_callers_autocast_reaches_neither_predict_nor_the_export(data):
    # predict under a caller's bfloat16 autocast moved by bfloat16 rounding,
    # and the export traced its casts: a graph ONNX Runtime refused to load
    # ("bound to different types (tensor(float) and tensor(bfloat16))";
    # review rvB F10)
    import torch

    X, y = data
    reg = LSTMRegressor(**SMALL).fit(X, y)
    clf = SequenceClassifier(**SMALL).fit(X, y > np.median(y))
    expected, proba = reg.predict(X), clf.predict_proba(X)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert np.array_equal(reg.predict(X), expected)
        assert np.array_equal(clf.predict_proba(X), proba)
        model = to_onnx(reg)
    (out,) = _session(model).run(None, {"X": X.astype(np.float32)})
    _assert_close(out, expected)


def test_exports_from_several_threads_at_once(data):
    # the exporter's state is the process's: 5 of 6 exports from a thread
    # pool failed inside torch ("GLOBALS.in_onnx_export must be False");
    # review rvB F5
    from concurrent.futures import ThreadPoolExecutor

    X, y = data
    models = [Estimator(**SMALL).fit(X, y) for Estimator in (LSTMRegressor, GRURegressor)] * 3
    with ThreadPoolExecutor(6) as pool:
        exported = list(pool.map(to_onnx, models))
    for reg, model in zip(models, exported):
        (out,) = _session(model).run(None, {"X": X.astype(np.float32)})
        _assert_close(out, reg.predict(X))
