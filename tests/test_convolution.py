"""The classifier's convolutional branches (sklearn_rnn/_convolution.py).

``random_biases``: fixed MiniRocket kernels whose features join the recurrent
summary, the output layer started from a ridge classifier on them;
``conv_filters``: a trained LSTM-FCN branch.
"""

import pickle
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _checks import peak_memory

from sklearn_rnn import SequenceClassifier
from sklearn_rnn._convolution import ConvolutionBranch, RandomConvolutionBranch
from sklearn_rnn._networks import RecurrentNetwork


def _data(n=48, steps=60, channels=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, steps, channels)).astype(np.float32)
    y = np.arange(n) % 3
    # a class-dependent bump, somewhere in the series
    for i in range(n):
        start = rng.randint(0, steps - 10)
        X[i, start : start + 10, 0] += 2.0 * (y[i] - 1)
    return X, y


def test_random_features_do_not_depend_on_padding_or_batch():
    X, _ = _data()
    branch = RandomConvolutionBranch(2, n_biases=3)
    lengths = torch.tensor([60, 35, 17, 60])
    x = torch.from_numpy(X[:4]).clone()
    branch.fit(x, lengths, torch.Generator().manual_seed(0))
    branch.eval()
    batch = branch(x, lengths)
    assert batch.shape == (4, branch.output_size)
    assert branch.output_size == len(branch.dilations) * 84 * 3
    for i in range(4):
        alone = branch(x[i : i + 1, : int(lengths[i])], lengths[i : i + 1])
        torch.testing.assert_close(alone[0], batch[i], rtol=0, atol=0)
    # what lies past a sequence's end is never read
    x[1, 35:] = 1e3
    torch.testing.assert_close(branch(x, lengths), batch, rtol=0, atol=0)


def test_random_features_of_whole_windows_do_not_depend_on_the_batch():
    # one channel: the transposed steps passed as contiguous, and at lengths
    # of whole windows (no pad copied them) conv1d's kernel for their strides
    # summed in another order; outputs 1 ulp off, on integer-valued series
    # often off a bias they equal, changed the counts (and differed from
    # to_onnx's, which ONNX Runtime computes in the usual order)
    rng = np.random.RandomState(0)
    x = torch.from_numpy(rng.randint(0, 3, size=(8, 31, 1)).astype(np.float32))
    x[:, 30] = 0.0  # padding past the first rows' 30 steps
    branch = RandomConvolutionBranch(1)
    branch.fit(x[:, :30], None, torch.Generator().manual_seed(0))
    branch.stride = 3  # as fitted on longer sequences
    lengths = torch.tensor([30] * 7 + [31])
    with torch.no_grad():
        alone = branch._features(x[:7, :30], None)  # 10 whole windows
        batch = branch._features(x, lengths)  # padded to 11
    torch.testing.assert_close(alone, batch[:7], rtol=0, atol=0)


@pytest.mark.parametrize("stride", [1, 3])
def test_nan_padding_is_never_read(stride):
    # the padding was zeroed by multiplying with the mask, and NaN * 0 is NaN:
    # the dilated taps of the last valid steps read it (sktime pads unequal
    # panels with NaN, and so may users of to_onnx's lengths input)
    X, _ = _data()
    x = torch.from_numpy(X[:4]).clone()
    lengths = torch.tensor([60, 35, 17, 60])
    random = RandomConvolutionBranch(2, n_biases=3)
    random.fit(x, lengths, torch.Generator().manual_seed(0))
    random.stride = stride
    trained = ConvolutionBranch(2, (4, 8, 6)).eval()
    trained.stride = stride
    nan = x.clone()
    for i, n in enumerate(lengths):
        x[i, n:] = 0.0
        nan[i, n:] = float("nan")
    with torch.no_grad():
        for compute in (random.eval(), random._exported, trained):
            zero = compute(x, lengths)
            assert torch.isfinite(zero).all()
            torch.testing.assert_close(compute(nan, lengths), zero, rtol=0, atol=0)


def test_random_feature_counts_are_exact_and_not_a_boolean_sum(monkeypatch):
    # the counts summed a bool tensor, 85% of the classifier's predict time
    # on 200 steps (about 6 times slower than a uint8 sum with int32 totals);
    # they must stay the exact counts, integer-valued series (outputs equal
    # to a bias) and the steps past each length included
    rng = np.random.RandomState(0)
    x = torch.from_numpy(rng.randint(0, 3, size=(32, 200, 2)).astype(np.float64))
    lengths = torch.tensor([200, 150, 31, 9] * 8)
    branch = RandomConvolutionBranch(2)
    branch.fit(x.float(), lengths, torch.Generator().manual_seed(0))
    valid = torch.arange(200)[None, :] < lengths[:, None]
    parts = []
    with torch.no_grad():
        for i in range(len(branch.dilations)):
            out = branch._convolve(branch._downsample(x, lengths)[0], i)
            positive = out[:, :, None, :] > branch.biases[i].double()[None, :, :, None]
            parts.append((positive & valid[:, None, None, :]).sum(dim=3).flatten(1))
    expected = torch.cat(parts, dim=1).double() / lengths.double()[:, None]
    summed = []
    tensor_sum = torch.Tensor.sum
    monkeypatch.setattr(torch.Tensor, "sum", lambda self, *args, **kwargs: (
        summed.append(self.dtype) or tensor_sum(self, *args, **kwargs)))
    with torch.no_grad():
        counted = branch._proportions(*branch._downsample(x, lengths))
    torch.testing.assert_close(counted, expected, rtol=0, atol=0)
    assert summed and torch.bool not in summed


def test_random_features_set_up_holds_one_table(tmp_path):
    # the set-up held the features of every row four times over (their
    # parts and concatenation, the standardised copy, its temporaries; with
    # sample weights, float64 copies): 2.4 GiB for a 0.5 GiB table
    script = (
        "from sklearn_rnn._convolution import RandomConvolutionBranch\n"
        "x = torch.randn(8000, 48, 1, generator=torch.Generator().manual_seed(0))\n"
        "w = np.r_[np.zeros(1000), np.ones(7000)] if sys.argv[1] == 'w' else None\n"
        "RandomConvolutionBranch(1).fit(x[:100], None)\n"
        "branch, before = RandomConvolutionBranch(1), rss()\n"
        "features = branch.fit(x, None, weight=w)\n"
        "print((rss() - before) / features.nbytes)\n")
    for weighted in ("", "w"):
        ratio = peak_memory(tmp_path, script, weighted)
        assert ratio < 2, (weighted, ratio)


def test_random_features_from_the_table_are_the_same():
    X, _ = _data()
    branch = RandomConvolutionBranch(2, n_biases=2)
    x = torch.from_numpy(X)
    fitted = branch.fit(x, None, torch.Generator().manual_seed(0))
    table = branch.table(x)
    for mode in (branch.eval, branch.train):
        mode()
        computed = branch(x[:20])
        torch.testing.assert_close(table[:20], computed, rtol=0, atol=0)
        torch.testing.assert_close(fitted, branch(x), rtol=0, atol=0)
        # given, the table's rows are used as they are (padding rows: zeros)
        padded = branch(torch.cat([x[:5], torch.zeros(3, 60, 2)]), None, table[:5])
        torch.testing.assert_close(padded[:5], computed[:5], rtol=0, atol=0)
        assert not padded[5:].any()
    lengths = torch.tensor([60, 35, 17, 60])
    torch.testing.assert_close(branch.table(x[:4], lengths), branch(x[:4], lengths),
                               rtol=0, atol=0)


def _count_feature_rows(monkeypatch):
    rows = []
    features = RandomConvolutionBranch._features
    monkeypatch.setattr(RandomConvolutionBranch, "_features",
                        lambda self, x, lengths: rows.append(len(x)) or features(self, x, lengths))
    return rows


@pytest.mark.parametrize("early_stopping", [False, True])
def test_random_features_computed_once_per_fit(monkeypatch, early_stopping):
    # the set-up's features of the training (and validation) rows are the
    # table the loop slices: no epoch computes them again
    X, y = _data()
    rows = _count_feature_rows(monkeypatch)
    clf = SequenceClassifier(hidden_size=4, max_iter=3, early_stopping=early_stopping,
                             validation_fraction=0.25, random_state=0).fit(X, y)
    assert sum(rows) == len(X)
    module = clf.module_
    assert "_fitted" not in module.__dict__  # handed over, not kept
    assert not any(isinstance(v, torch.Tensor) and v.shape[0] == len(X)
                   for m in module.modules() for v in vars(m).values())
    rows.clear()
    clf.set_params(warm_start=True).fit(X[:30], y[:30])  # a new fit: its own table
    clf.partial_fit(X[:30], y[:30])
    assert sum(rows) == 60
    rows.clear()
    clf.predict(X[:8])  # new data: computed directly
    assert sum(rows) == 8
    rows.clear()
    clf.predict(X[:5])  # padded to 8 rows at CPU inference: not their features
    assert sum(rows) == 5
    # kept between the set-up and the loop only, never pickled
    module.fit_random_convolutions(torch.from_numpy(X))
    assert "_fitted" in module.__dict__
    assert "_fitted" not in pickle.loads(pickle.dumps(module)).__dict__


def test_random_features_over_the_budget_computed_per_batch(monkeypatch):
    from sklearn_rnn import _convolution
    from sklearn_rnn._training import TensorData

    X, y = _data()
    params = dict(hidden_size=4, max_iter=3, early_stopping=True, random_biases=2,
                  random_state=0)
    expected = SequenceClassifier(**params).fit(X, y)
    branch = expected.module_.random_conv
    monkeypatch.setattr(_convolution, "_TABLE_BYTES", 10 * branch.output_size * 4)
    assert branch.fits_budget(10) and not branch.fits_budget(11)
    assert branch.table(torch.zeros(11, 60, 2)) is None
    data = TensorData.from_numpy(X, None, y, torch.device("cpu"), module=expected.module_)
    assert data.fixed is None
    rows = _count_feature_rows(monkeypatch)
    with pytest.warns(UserWarning, match=r"features of \d+ sequences .* exceed the table"):
        clf = SequenceClassifier(**params).fit(X, y)
    assert sum(rows) > 3 * len(X)  # every epoch's batches, and the validation rows
    # the same but for the float rounding of the features' moments, summed
    # over parts of the rows (Chan et al.) over the budget, not of a table
    np.testing.assert_allclose(clf.predict_proba(X), expected.predict_proba(X),
                               rtol=1e-5, atol=1e-7)
    assert len(clf.history_) == len(expected.history_)
    for got, record in zip(clf.history_, expected.history_):
        assert got.keys() == record.keys()
        assert got == {key: got["dur"] if key == "dur" else pytest.approx(value, rel=1e-5)
                       for key, value in record.items()}
    assert "_fitted" not in clf.module_.__dict__


def test_random_features_set_up_without_the_rows_of_weight_0():
    # the biases' quantiles and the features' moments read every row, junk
    # rows of weight 0 too, while the inputs' standardisation weighed them
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 24, 1)).astype(np.float32)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    X[30:] = 100 + 20 * X[30:]
    w = np.r_[rng.uniform(0.5, 2.0, size=30), np.zeros(30)]
    params = dict(hidden_size=4, max_iter=1, learning_rate_init=1e-30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = SequenceClassifier(**params).fit(X, y, sample_weight=w).module_.random_conv
        removed = SequenceClassifier(**params).fit(X[:30], y[:30],
                                                   sample_weight=w[:30]).module_.random_conv
    for name in ("biases", "feature_shift", "feature_scale"):
        np.testing.assert_allclose(getattr(weighted, name), getattr(removed, name),
                                   rtol=1e-4, atol=1e-5, err_msg=name)


def test_random_features_scaled_as_the_sample_weight_docs_say():
    # the docs' claim: unweighted, the sample standard deviation (ddof=1);
    # weighted, the weights as reliabilities, so weights of 1 give the same
    # scale and a weight of 2 is not the row repeated (unlike the inputs'
    # standardisation, StandardScaler's)
    X, _ = _data(n=12)
    x = torch.from_numpy(X)

    def fitted(x, weight=None):
        branch = RandomConvolutionBranch(2, n_biases=1)
        standardized = branch.fit(x, None, torch.Generator().manual_seed(0), weight)
        return branch, standardized * branch.feature_scale + branch.feature_shift

    plain, features = fitted(x)
    torch.testing.assert_close(plain.feature_scale, features.std(dim=0).clamp_min(1e-3))
    ones, _ = fitted(x, np.ones(12))
    torch.testing.assert_close(ones.feature_scale, plain.feature_scale)
    w = np.r_[2.0, np.ones(11)]
    twice, features = fitted(x, w)
    weight = torch.as_tensor(w, dtype=torch.float64)[:, None]
    total, spread = weight.sum(), features.double() - twice.feature_shift.double()
    squares = (weight * spread.square()).sum(dim=0)
    reliability = (squares / (total - weight.square().sum() / total)).sqrt()
    frequency = (squares / (total - 1)).sqrt()  # the first row repeated, ddof=1
    torch.testing.assert_close(twice.feature_scale, reliability.clamp_min(1e-3).float())
    assert not torch.allclose(twice.feature_scale, frequency.clamp_min(1e-3).float())


def test_random_features_fitted_on_what_forward_reads():
    # fit_random_convolutions standardised the raw sequences but skipped the
    # window normalisation forward, fixed_inputs and skip_features apply, so
    # with relative=True training saw other features than prediction
    torch.manual_seed(0)
    x = torch.randn(16, 20, 1) + 5.0
    net = RecurrentNetwork(1, 2, relative=True, random_biases=2)
    fitted = net.fit_random_convolutions(x)
    torch.testing.assert_close(net.fixed_inputs(x.clone()), fitted, rtol=0, atol=0)
    net.eval()
    with torch.no_grad():
        torch.testing.assert_close(net(x, None, fitted), net(x), rtol=0, atol=0)


def test_ridge_start_is_the_ridge_classifier():
    # Trained for one epoch at a negligible learning rate, the classifier
    # predicts what RidgeClassifierCV predicts from the same features with
    # the same candidate penalties (leave-one-out, labels coded +1/-1).
    from sklearn.linear_model import RidgeClassifierCV

    from sklearn_rnn._ridge_start import _RIDGE_ALPHAS

    X, y = _data()
    X_test, _ = _data(seed=1)
    clf = SequenceClassifier(hidden_size=4, max_iter=1, learning_rate_init=1e-12,
                             random_biases=4, random_state=0)
    clf.fit(X, y)
    branch = clf.module_.random_conv.eval()
    shift = clf.module_.input_shift.numpy()
    scale = clf.module_.input_scale.numpy()
    with torch.no_grad():
        features, test = (
            branch(torch.from_numpy((data - shift) / scale)).double().numpy()
            for data in (X, X_test)
        )
    centred = features - features.mean(axis=0)
    mean_eigenvalue = np.linalg.eigvalsh(centred @ centred.T).clip(0).mean()
    alphas = _RIDGE_ALPHAS.numpy() * mean_eigenvalue
    ridge = RidgeClassifierCV(alphas=alphas).fit(features, y)
    assert np.mean(ridge.predict(test) == clf.predict(X_test)) >= 0.95
    assert clf.score(X, y) == pytest.approx(ridge.score(features, y), abs=0.05)


def _loo_by_refitting(X, codes, weight, alpha):
    # each row's decision values from a weighted ridge fit without it, with
    # an unpenalised intercept (the weighted means taken out)
    held_out = np.empty_like(codes)
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        w = weight[keep]
        mean, offset = w @ X[keep] / w.sum(), w @ codes[keep] / w.sum()
        Xc = (X[keep] - mean) * np.sqrt(w)[:, None]
        Yc = (codes[keep] - offset) * np.sqrt(w)[:, None]
        coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ Yc)
        held_out[i] = (X[i] - mean) @ coef + offset
    return held_out


@pytest.mark.parametrize("n, width", [(12, 20), (40, 6)])
def test_ridge_start_leave_one_out_values_are_exact(n, width, monkeypatch):
    # Where rows outnumber the features, the Gram matrix has a null space of
    # more than one dimension, and taking one eigenvector out as the
    # intercept's left leave-one-out values 0.36 off (decision values of
    # about 0.39); the ridge start now solves that case in the features'
    # space (an n x n Gram matrix of 100,000 rows asked for 80 GB)
    from sklearn_rnn import _ridge_start
    from sklearn_rnn._ridge_start import _RIDGE_ALPHAS, _ridge_solutions

    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, width))
    labels = rng.randint(0, 3, size=n)
    weight = rng.uniform(0.2, 2.0, size=n)
    weight /= weight.mean()
    codes = -np.ones((n, 3))
    codes[np.arange(n), labels] = 1.0
    mean, offset = weight @ X / weight.sum(), weight @ codes / weight.sum()
    root = np.sqrt(weight)[:, None]
    Xw, Yw = (torch.from_numpy(root * (a - m)) for a, m in ((X, mean), (codes, offset)))
    sizes = []
    eigh = torch.linalg.eigh
    monkeypatch.setattr(_ridge_start.torch.linalg, "eigh",
                        lambda a: sizes.append(a.shape) or eigh(a))
    solutions = list(_ridge_solutions(Xw, Yw, torch.from_numpy(root[:, 0] / np.linalg.norm(root))))
    assert sizes == [(min(n, width),) * 2]
    alphas = _RIDGE_ALPHAS.numpy() * float((Xw**2).sum()) / n
    for k in (0, 6, 12):
        held_out = codes - solutions[k][1].numpy() / root
        np.testing.assert_allclose(held_out, _loo_by_refitting(X, codes, weight, alphas[k]),
                                   atol=1e-9)



def _reference_head(X, labels, n_classes, weight, max_scale=12.0):
    # the ridge start written out: the penalty of least leave-one-out error
    # (leverages from the inverse of X'X + alpha I), then the logit scale
    from sklearn_rnn._ridge_start import _RIDGE_ALPHAS, _logit_scale

    keep = weight > 0
    X, labels, weight = X[keep], labels[keep], weight[keep] / weight[keep].mean()
    codes = -np.ones((len(X), n_classes))
    codes[np.arange(len(X)), labels] = 1.0
    mean, offset = weight @ X / weight.sum(), weight @ codes / weight.sum()
    root = np.sqrt(weight)[:, None]
    Xc, Yc, u = root * (X - mean), root * (codes - offset), root[:, 0] / np.linalg.norm(root)
    best = (np.inf,)
    for alpha in _RIDGE_ALPHAS.numpy() * (Xc**2).sum() / len(X):
        inverse = np.linalg.inv(Xc.T @ Xc + alpha * np.eye(X.shape[1]))
        coef = inverse @ Xc.T @ Yc
        leverage = np.einsum("ij,jk,ik->i", Xc, inverse, Xc) + u**2
        residuals = (Yc - Xc @ coef) / (1.0 - leverage)[:, None]
        if (residuals**2).sum() < best[0]:
            best = ((residuals**2).sum(), coef, residuals)
    _, coef, residuals = best
    scale = _logit_scale(torch.from_numpy(codes - residuals / root), torch.from_numpy(labels),
                         torch.from_numpy(weight), max_scale)
    return scale * coef.T, scale * (offset - coef.T @ mean)


@pytest.mark.parametrize("n, width", [(30, 50), (90, 12)])
def test_ridge_start_is_the_reference_computation(n, width, monkeypatch):
    # the start centres one float64 copy of the features in place and sums
    # the leverages over parts of the rows (review M2): the same head as the
    # ridge start written out, with class and sample weights (rows of weight
    # 0 left out), and on a subsample the same as on the rows of weight > 0
    from sklearn_rnn import _ridge_start

    rng = np.random.RandomState(0)
    labels = np.arange(n) % 3
    features = torch.from_numpy(rng.normal(size=(n, width)) + labels[:, None] * 0.3).float()
    sample_weight = rng.uniform(0.5, 2.0, size=n)
    sample_weight[::7] = 0.0
    class_weights = np.array([1.0, 2.0, 0.5])
    monkeypatch.setattr(_ridge_start, "_PART_ELEMENTS", 7 * width)  # parts of 7 rows

    def head(features, labels, sample_weight):
        module = torch.nn.Module()
        module.head = torch.nn.Linear(width + 3, 3)
        assert _ridge_start.start_from_ridge(module, features, labels, 3, class_weights,
                                             sample_weight)
        assert not module.head.weight[:, :3].any()
        return module.head.weight[:, 3:].detach().numpy(), module.head.bias.detach().numpy()

    weights, bias = head(features, labels, sample_weight)
    expected = _reference_head(features.double().numpy(), labels, 3,
                               class_weights[labels] * sample_weight)
    np.testing.assert_allclose(weights, expected[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bias, expected[1], rtol=1e-4, atol=1e-5)
    monkeypatch.setattr(_ridge_start, "_RIDGE_MAX_ELEMENTS", (n // 2) * width)
    kept = sample_weight > 0
    subsampled = head(features, labels, sample_weight)
    for got, expected in zip(subsampled, head(features[kept], labels[kept], sample_weight[kept])):
        np.testing.assert_array_equal(got, expected)
    assert not np.allclose(subsampled[0], weights)


def test_ridge_start_picks_early_stoppings_rows_itself(monkeypatch):
    # TargetStart.fit(rows) sliced the features of early stopping's training
    # rows before the start: a float32 copy of 90 % of them (0.5 of a float64
    # copy more at the peak, review RV); the start now picks them itself,
    # with the same head as on the slice
    from sklearn_rnn import _initialization, _ridge_start

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(80, 12)), np.arange(80) % 2
    clf = SequenceClassifier(hidden_size=4, max_iter=1, early_stopping=True,
                             random_state=0).fit(X, y)
    seen = []

    def spy(module, features, labels, *args, rows=None, **kwargs):
        seen.append((len(features), None if rows is None else len(rows)))
        return _ridge_start.start_from_ridge(module, features, labels, *args, rows=rows,
                                             **kwargs)

    monkeypatch.setattr(_initialization, "start_from_ridge", spy)
    clf.fit(X, y)
    # every row's features, the training rows picked (then, where the start
    # was kept, all of them)
    assert seen[0] == (80, 72), seen
    width = 20
    features = torch.from_numpy(rng.normal(size=(60, width))).float()
    labels, weight = np.arange(60) % 3, rng.uniform(0.5, 2.0, size=60)
    weight[::5] = 0.0
    rows = np.sort(rng.choice(60, size=45, replace=False))

    def head(*args, **kwargs):
        module = torch.nn.Module()
        module.head = torch.nn.Linear(width, 3)
        assert _ridge_start.start_from_ridge(module, *args, **kwargs)
        return module.head.weight.detach().numpy(), module.head.bias.detach().numpy()

    picked = head(features, labels[rows], 3, None, weight[rows], rows=rows)
    sliced = head(features[torch.from_numpy(rows)], labels[rows], 3, None, weight[rows])
    for got, expected in zip(picked, sliced):
        np.testing.assert_array_equal(got, expected)


def test_ridge_start_holds_one_float64_copy_of_the_features(tmp_path):
    # it held three (features.double(), X - mean, root * (...); then X, X @ V
    # and its squares), and a float32 copy of a subsample: 2.3 GB of peak
    # memory for 29,000 x 3,360 features, now 1.1 GB (review M2)
    script = (
        "from sklearn_rnn import _ridge_start\n"
        "_ridge_start._PART_ELEMENTS = 100 * 400  # parts of 100 rows\n"
        "def module():\n"
        "    m = torch.nn.Module(); m.head = torch.nn.Linear(400, 2); return m\n"
        "g = torch.Generator().manual_seed(0)\n"
        "features, labels = torch.randn(12000, 400, generator=g), np.arange(12000) % 2\n"
        "w = np.r_[np.zeros(1000), np.ones(11000)] if sys.argv[1] == 'w' else None\n"
        "if w is not None: _ridge_start._RIDGE_MAX_ELEMENTS = 10000 * 400\n"
        "_ridge_start.start_from_ridge(module(), features[:100], labels[:100], 2)\n"
        "before = rss()\n"
        "assert _ridge_start.start_from_ridge(module(), features, labels, 2, sample_weight=w)\n"
        "print((rss() - before) / (8 * 400 * (12000 if w is None else 10000)))\n")
    for weighted in ("", "w"):
        ratio = peak_memory(tmp_path, script, weighted)
        assert ratio < 1.5, (weighted, ratio)


def test_first_partial_fit_batch_without_a_class_starts_unsure():
    # a first batch of one class started the ridge start at the largest
    # logit scale (every row's decision the same): P(b) near 4e-11, and 10
    # epochs of balanced batches later still near 1e-7
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 10))
    y = np.where(X[:, -3:].sum(axis=1) > 0, "b", "a")
    clf = SequenceClassifier(hidden_size=4, random_state=0)
    clf.partial_fit(X[y == "a"], y[y == "a"], classes=["a", "b"])
    assert clf.predict_proba(X[y == "b"])[:, 1].mean() > 0.05


def test_a_class_weighted_0_keeps_the_ridge_start():
    # class_weight 0 (or sample_weight 0 on a class's rows) dropped the start:
    # the network trained from a random head, unlike weight 1e-6 (ArrowHead:
    # first loss 1.2 against 0.016); scikit-learn's linear classifiers take
    # weight 0 as ignoring the class (review rvA F2)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 30))
    y = np.array(["a", "b", "c"])[np.argmax(X[:, -9:].reshape(90, 3, 3).sum(-1), axis=1)]
    kw = dict(hidden_size=4, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiny = SequenceClassifier(class_weight={"a": 1e-6, "b": 1, "c": 1}, **kw).fit(X, y)
        zero = SequenceClassifier(class_weight={"a": 0, "b": 1, "c": 1}, **kw).fit(X, y)
        rows = SequenceClassifier(**kw).fit(X, y, sample_weight=(y != "a").astype(float))
    assert tiny.loss_curve_[0] < 0.3 and zero.loss_curve_[0] < 0.3
    np.testing.assert_allclose(zero.predict_proba(X), tiny.predict_proba(X), atol=0.01)
    # rows of weight 0 are as if removed, from the random features' set-up
    # too, so that model differs from weight 1e-6's; it starts from the ridge
    assert rows.loss_curve_[0] < 0.3


def test_a_class_of_rows_weighted_0_keeps_the_start_under_early_stopping():
    # early stopping's training rows leave out those of weight 0, so such a
    # class had no rows there and the start was dropped: a first validation
    # loss of log 4 (uniform), test accuracy 0.633 against 0.743 with the
    # rows removed (review s35 rvA F1; a bootstrap draw that misses a class)
    rng = np.random.RandomState(0)
    X, X_test = rng.normal(size=(300, 12)), rng.normal(size=(300, 12))

    def label(s):
        return np.where(s > 0.5, "a", np.where(s < -0.5, "b", "c"))

    y, y_test = label(X[:, -1] + X[:, -2]), label(X_test[:, -1] + X_test[:, -2])
    y[:5] = "d"
    weight = np.r_[np.zeros(5), np.ones(295)]
    kw = dict(max_iter=20, random_state=0, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zero = SequenceClassifier(**kw).fit(X, y, sample_weight=weight)
        removed = SequenceClassifier(**kw).fit(X[5:], y[5:])
    assert zero.initial_validation_loss_ < 1.0  # log 4 = 1.39 without a start
    assert zero.score(X_test, y_test) > removed.score(X_test, y_test) - 0.02


def test_ridge_start_skips_where_a_class_of_weight_has_no_fitted_rows(monkeypatch):
    # a subsample that leaves out every row of a rare class (of weight) fitted
    # the start with that class at the lowest decision value (review rvD F5);
    # a class without rows, or fewer than two classes of weight, skip as before
    from sklearn_rnn import _ridge_start

    rng = np.random.RandomState(0)
    module = SimpleNamespace(head=torch.nn.Linear(8, 3))
    labels = np.array([0] * 100 + [1] + [2] * 100)
    features = torch.as_tensor(rng.normal(size=(201, 8)) + 3 * labels[:, None],
                               dtype=torch.float32)
    start = _ridge_start.start_from_ridge
    assert start(module, features, labels, 3)
    assert not start(module, features[:100], labels[:100], 3)  # no rows of 1 and 2
    assert not start(module, features, labels, 3, class_weights=[0.0, 0.0, 1.0])
    assert start(module, features, labels, 3, class_weights=[1.0, 0.0, 1.0])
    monkeypatch.setattr(_ridge_start, "_RIDGE_MAX_ELEMENTS", 8 * 10)  # 10 rows fitted
    assert not start(module, features, labels, 3)


def test_ridge_start_on_noise_is_not_confident():
    # The leave-one-out error left out the intercept's direction, whose zero
    # eigenvalue added 1 / (n alpha) to every diagonal entry: the smallest
    # penalty then looked right even on labels of pure noise (leave-one-out
    # accuracy 1.0), and the start interpolated them with logits of +-12:
    # a training loss of 0 from the first epoch, log-loss 5.5 on new data.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 10, 2)).astype(np.float32)
    y = rng.randint(0, 2, size=80)
    clf = SequenceClassifier(hidden_size=4, max_iter=1, learning_rate_init=1e-12,
                             random_state=0).fit(X, y)
    assert clf.loss_curve_[0] > 0.5  # log 2 = 0.69: near chance, as it should be
    proba = clf.predict_proba(rng.normal(size=(200, 10, 2)).astype(np.float32))
    assert proba.max(axis=1).mean() < 0.85  # it was 1.0: certain, and wrong half the time


def test_ridge_start_is_as_confident_as_its_held_out_rows_allow():
    # logits of 12 times the ridge decision values saturated noisy labels:
    # accuracy 0.82 with a held-out log-loss of 1.1, worse than a constant 0.5
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 20))
    y = np.where(X[:, -3:].sum(axis=1) + rng.normal(size=400) > 0, "a", "b")
    clf = SequenceClassifier(max_iter=1, random_state=0).fit(X[:300], y[:300])
    loss = log_loss(y[300:], clf.predict_proba(X[300:]), labels=clf.classes_)
    reference = log_loss(y[300:], LogisticRegression().fit(X[:300], y[:300])
                         .predict_proba(X[300:]))
    assert clf.score(X[300:], y[300:]) > 0.75
    assert loss < 0.5 and loss < reference + 0.15, (loss, reference)
    # noise-free labels: more confident, as the held-out rows allow
    y_clear = np.where(X[:, -3:].sum(axis=1) > 0, "a", "b")
    clear = SequenceClassifier(max_iter=1, random_state=0).fit(X[:300], y_clear[:300])
    confidence = clear.predict_proba(X[300:]).max(axis=1).mean()
    assert confidence > clf.predict_proba(X[300:]).max(axis=1).mean() + 0.05
    assert log_loss(y_clear[300:], clear.predict_proba(X[300:])) < loss


def test_one_row_or_rows_alike_train_without_the_ridge_start():
    # a first partial_fit batch of one row (online learning): the features'
    # standard deviation over one row was NaN for good; with one row or rows
    # whose features are the same, every penalty's leave-one-out error was NaN
    # and the start multiplied by None (a TypeError)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 10))
    y = np.arange(20) % 2
    clf = SequenceClassifier(hidden_size=4, random_state=0)
    clf.partial_fit(X[:1], y[:1], classes=[0, 1])
    assert torch.isfinite(clf.module_.random_conv.feature_scale).all()
    clf.partial_fit(X[1:], y[1:])
    assert np.isfinite(clf.predict_proba(X)).all()
    for X_alike, y_alike in ((np.repeat(X[:1], 4, axis=0), [0, 1, 0, 1]), (np.ones((20, 5)), y)):
        clf = SequenceClassifier(hidden_size=4, max_iter=2, random_state=0)
        clf.fit(X_alike, y_alike)
        assert np.isfinite(clf.predict_proba(X_alike)).all()


@pytest.mark.parametrize("batch_size", ["auto", 1])
def test_conv_filters_train_on_a_batch_of_one_step(batch_size):
    # 17 rows: the last batch of 16 holds one sequence of one step, one value
    # per channel, and BatchNorm1d refused to train on it (a torch ValueError)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(17, 1, 2))
    y = (X[:, 0, 0] > 0).astype(int)
    clf = SequenceClassifier(conv_filters=(4,), random_biases=0, hidden_size=4, max_iter=2,
                             batch_size=batch_size, random_state=0)
    clf.fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_random_branch_learns_unequal_lengths_and_predicts_alike():
    X, y = _data()
    seqs = [x[: 30 + i % 30] for i, x in enumerate(X)]
    clf = SequenceClassifier(hidden_size=8, max_iter=5, random_state=0).fit(seqs, y)
    assert clf.module_.random_conv is not None  # on by default
    assert clf.score(seqs, y) > 0.9
    proba = clf.predict_proba(seqs)
    np.testing.assert_array_equal(proba[:7], clf.predict_proba(seqs[:7]))
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(seqs), proba)


def test_convolution_branch_shape_and_padding():
    branch = ConvolutionBranch(2, (4, 8, 6), max_steps=16).eval()
    branch.set_stride(40)
    assert branch.stride == 3
    x = torch.randn(3, 40, 2)
    lengths = torch.tensor([40, 22, 5])
    with torch.no_grad():
        batch = branch(x, lengths)
        assert batch.shape == (3, 6)
        alone = branch(x[1:2, :22], lengths[1:2])
    torch.testing.assert_close(alone[0], batch[1])


def test_batch_statistics_leave_the_padding_out():
    # BatchNorm took its training statistics over every position, padding too:
    # a sequence's features depended on how far its batch was padded, and the
    # running statistics for prediction shrank towards 0
    torch.manual_seed(0)
    branch = ConvolutionBranch(1, (4, 3)).train()
    x = torch.randn(2, 100, 1) + 3.0
    x[1, 10:] = 0.0
    with torch.no_grad():
        branch(x, torch.tensor([100, 10]))
        norm = branch.blocks[1]
        running = norm.running_mean.clone(), norm.running_var.clone()
        out = branch.blocks[0](x.transpose(1, 2))
        short = branch(torch.cat([x[1:2, :10], torch.zeros(1, 40, 1)], dim=1),
                       torch.tensor([10]))
        alone = branch(x[1:2, :10], torch.tensor([10]))
    torch.testing.assert_close(short, alone)
    # the first block's running moments: of its 110 valid steps, moved from (0, 1)
    valid = torch.cat([out[0], out[1, :, :10]], dim=1)
    m = norm.momentum
    torch.testing.assert_close(running[0], m * valid.mean(dim=1))
    torch.testing.assert_close(running[1], (1 - m) + m * valid.var(dim=1))



def test_batch_statistics_of_unequal_lengths_read_no_device_value():
    # the valid steps were counted on the device (float(mask.sum())): a
    # blocking copy to the host per batch and block on a GPU (review G6). The
    # "meta" device has no values to read, so counting there raises; the
    # lengths stay on the CPU, as in training on CUDA.
    branch = ConvolutionBranch(2, (4, 3), max_steps=8).train()
    branch.set_stride(20)  # the lengths averaged over windows too
    x, lengths = torch.randn(3, 20, 2), torch.tensor([20, 9, 3])
    with torch.no_grad():
        expected = branch(x, lengths)
        out = branch.to("meta")(x.to("meta"), lengths)
    assert out.device.type == "meta" and out.shape == expected.shape


def test_conv_filters_and_no_random_branch():
    X, y = _data()
    clf = SequenceClassifier(hidden_size=4, max_iter=3, conv_filters=(4, 8),
                             random_biases=0, random_state=0).fit(X, y)
    assert clf.module_.conv.output_size == 8
    assert clf.module_.random_conv is None
    assert clf.module_.head.in_features == 4 * 2 * 3 + 8
    clone = pickle.loads(pickle.dumps(clf))  # tensors travel as arrays
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    plain = SequenceClassifier(hidden_size=4, max_iter=3, random_biases=0,
                               random_state=0).fit(X, y)
    assert plain.module_.conv is None and plain.module_.random_conv is None


@pytest.mark.parametrize("filters", [(4, 0), (4, 2.5), ("a",), (True,)])
def test_conv_filters_validated(filters):
    X, y = _data(n=12)
    with pytest.raises(ValueError, match="conv_filters"):
        SequenceClassifier(conv_filters=filters, max_iter=1).fit(X, y)


def test_ridge_start_takes_a_subsample_of_rows_above_its_sizes(monkeypatch):
    # rows times features bound the start's float64 copies of the features,
    # and rows and features both above _RIDGE_MAX_SIZE its eigendecomposition:
    # beyond them the start was dropped (random output weights, a quality
    # cliff at one row more); now it is fitted on evenly spaced rows per class
    from sklearn_rnn import _ridge_start

    X, y = _data()
    calls = []
    solutions = _ridge_start._ridge_solutions
    monkeypatch.setattr(_ridge_start, "_ridge_solutions",
                        lambda *a: calls.append(a[0].shape) or solutions(*a))
    params = dict(hidden_size=4, max_iter=1, random_state=0)
    SequenceClassifier(**params).fit(X, y)
    n, width = calls[0]
    assert n == len(X) and width > n
    monkeypatch.setattr(_ridge_start, "_RIDGE_MAX_ELEMENTS", (n - 5) * width)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = SequenceClassifier(**params).fit(X, y)
    assert calls[1] == (n - 5, width)
    assert clf.module_.head.weight.abs().sum() > 0  # started from the ridge
    monkeypatch.setattr(_ridge_start, "_RIDGE_MAX_ELEMENTS", 10**8)
    monkeypatch.setattr(_ridge_start, "_RIDGE_MAX_SIZE", n - 7)  # rows and features above it
    SequenceClassifier(**params).fit(X, y)
    assert calls[2] == (n - 7, width)


def test_random_features_of_unequal_lengths_on_another_device_than_the_lengths():
    # on CUDA the lengths stay on the CPU (pack_padded_sequence wants them
    # there); the proportions divided the device's counts by them and failed
    # before the first epoch (review G1). The "meta" device refuses a CPU
    # operand as CUDA does.
    branch = RandomConvolutionBranch(2, 4)
    x = torch.randn(8, 12, 2)
    lengths = torch.tensor([12, 6, 7, 8, 9, 10, 11, 12])
    branch.fit(x, lengths)
    branch.to("meta")
    for call in (lambda: branch.table(x.to("meta"), lengths),
                 lambda: branch(x.to("meta"), lengths)):
        assert call().device.type == "meta"


def _over_budget(monkeypatch, rows):
    from sklearn_rnn import _convolution

    monkeypatch.setattr(_convolution, "_TABLE_BYTES", rows * 4 * 4 * 84 * 8)


@pytest.mark.parametrize("weighted", [False, True])
def test_random_features_over_the_budget_set_up_from_parts(monkeypatch, weighted):
    # the set-up computed the features of every row to take their moments,
    # over the budget too (a peak of 8 GB at 160,000 short sequences, review
    # M2); now their moments come from parts of the rows, combined as Chan et
    # al. do, and the features of the rows asked for are computed then
    from sklearn_rnn._convolution import FeatureRows

    X, _ = _data(n=60)
    x, lengths = torch.from_numpy(X), torch.from_numpy(np.arange(60) % 31 + 30)
    weight = np.r_[np.zeros(7), np.random.RandomState(0).uniform(0.5, 2.0, size=53)]
    weight = weight if weighted else None
    within = RandomConvolutionBranch(2, n_biases=4)
    table = within.fit(x, lengths, torch.Generator().manual_seed(0), weight)
    _over_budget(monkeypatch, 10)
    branch = RandomConvolutionBranch(2, n_biases=4)
    rows = _count_feature_rows(monkeypatch)
    fitted = branch.fit(x, lengths, torch.Generator().manual_seed(0), weight)
    assert isinstance(fitted, FeatureRows) and not branch.fits_budget(60)
    assert len(fitted) == 60 and fitted.shape == table.shape
    assert sum(rows) == 60  # the moments' pass alone
    for name in ("weights", "biases"):
        torch.testing.assert_close(getattr(branch, name), getattr(within, name), rtol=0, atol=0)
    for part_rows in (1, 7, 1024):  # one row per part too: no squares of its own
        branch._moments_in_parts(x, lengths, weight, rows=part_rows)
        torch.testing.assert_close(branch.feature_shift, within.feature_shift,
                                   rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(branch.feature_scale, within.feature_scale,
                                   rtol=1e-5, atol=1e-6)
    rows.clear()
    index = torch.tensor([3, 59, 0, 3])
    taken = fitted.take(index)
    assert rows == [4]
    _over_budget(monkeypatch, 60)
    torch.testing.assert_close(taken, branch.table(x, lengths)[index], rtol=0, atol=0)


def test_random_features_over_the_budget_hold_no_table(tmp_path):
    # over the budget, the set-up held the features of every row (and the
    # ridge start's copy of a subsample): now parts of the rows only
    script = (
        "from sklearn_rnn import _convolution\n"
        "from sklearn_rnn._convolution import RandomConvolutionBranch\n"
        "x = torch.randn(32000, 48, 1, generator=torch.Generator().manual_seed(0))\n"
        "RandomConvolutionBranch(1, 8).fit(x[:100], None)\n"
        "_convolution._TABLE_BYTES = 2000 * 3360 * 4\n"
        "branch, before = RandomConvolutionBranch(1, 8), rss()\n"
        "branch.fit(x, None)\n"
        "assert branch.output_size == 3360 and not branch.fits_budget(len(x))\n"
        "print((rss() - before) / (len(x) * 3360 * 4))\n")
    ratio = peak_memory(tmp_path, script)
    assert ratio < 0.3, ratio  # it was above 1


def test_features_over_the_budget_computed_on_the_branchs_device(monkeypatch):
    # a fit sets the branch up on the CPU, keeps its inputs there and moves
    # the network to its device; a kept ridge start's refit then ran the
    # branch on a GPU with CPU rows: a device error (review RV2; the "meta"
    # device stands in for CUDA)
    from sklearn_rnn._convolution import FeatureRows

    x = torch.randn(40, 30, 1, generator=torch.Generator().manual_seed(0))
    branch = RandomConvolutionBranch(1, 2)
    branch.fit(x, None)
    rows = FeatureRows(branch, x)
    branch.to("meta")
    seen = []

    def forward(x, lengths=None):
        seen.append(x.device)
        return torch.zeros(len(x), branch.output_size)

    monkeypatch.setattr(branch, "forward", forward)
    assert rows.take(torch.tensor([3, 5])).shape == (2, branch.output_size)
    assert seen == [torch.device("meta")]


def test_ridge_start_over_the_budget_computes_its_rows_only(monkeypatch):
    # over the budget, the features of every row were computed in parts and
    # concatenated for the ridge start, which fits on a subsample of them
    from sklearn_rnn import _initialization, _ridge_start

    X, y = _data()
    module = SequenceClassifier(hidden_size=4, max_iter=1, random_state=0).fit(X, y).module_
    x = torch.from_numpy(X)
    table = module.fixed_inputs(x)
    _over_budget(monkeypatch, 10)
    monkeypatch.setattr(_ridge_start, "_RIDGE_MAX_ELEMENTS", 20 * table.shape[1])
    rows = _count_feature_rows(monkeypatch)
    computed = module.feature_rows(x)
    assert rows == []  # nothing computed before it is asked for
    heads = []
    for features in (table, computed):
        assert _ridge_start.start_from_ridge(module, features, y, 3)
        heads.append((module.head.weight.detach().clone(), module.head.bias.detach().clone()))
    assert sum(rows) == 20
    for got, expected in zip(heads[1], heads[0]):
        torch.testing.assert_close(got, expected, rtol=0, atol=0)
    rows.clear()  # a warm fit's start: its rows only too
    seqs = SimpleNamespace(values=X, lengths=None)
    features = _initialization._random_features(module, seqs)
    assert sum(rows) == 0 and len(features) == len(X)
    index = torch.tensor([5, 1])
    torch.testing.assert_close(features.take(index), table[index], rtol=0, atol=0)


def test_convolution_branch_takes_any_number_of_blocks():
    # the blocks past the FCN's three keep its last kernel size
    branch = ConvolutionBranch(2, (4, 8, 6, 5)).eval()
    with torch.no_grad():
        assert branch(torch.randn(3, 40, 2)).shape == (3, 5)
    assert [conv.kernel_size[0] for conv in branch.blocks[::2]] == [7, 5, 3, 3]


def test_convolution_branch_reads_a_sequences_last_partial_window():
    # 22 steps averaged over windows of 3: the last window holds one step,
    # completed with zeros, and counts with lengths as it does without them
    branch = ConvolutionBranch(2, (4, 6), max_steps=16).eval()
    branch.set_stride(40)
    x = torch.randn(2, 40, 2)
    with torch.no_grad():
        batch = branch(x, torch.tensor([40, 22]))
        alone = branch(x[1:2, :22])
    torch.testing.assert_close(batch[1], alone[0])


def test_batch_statistics_of_constant_steps_stay_finite():
    # a channel of equal values has no variance: its steps normalise to the
    # BatchNorm bias as torch's BatchNorm1d does (eps), never to NaN, with
    # lengths as without them
    branch = ConvolutionBranch(1, (4, 3)).train()
    x = torch.zeros(3, 10, 1)
    with torch.no_grad():
        padded = branch(x, torch.tensor([10, 6, 3]))
        full = branch(x, torch.tensor([10, 10, 10]))
        plain = branch(x)
    assert torch.isfinite(padded).all()
    torch.testing.assert_close(full, plain)


def test_random_features_average_long_sequences_to_at_most_max_steps():
    branch = RandomConvolutionBranch(1, n_biases=1, max_steps=16)
    branch.fit(torch.randn(4, 40, 1), None, torch.Generator().manual_seed(0))
    assert branch.stride == 3  # ceil(40 / 16): 14 windows
    assert branch._downsample(torch.zeros(1, 40, 1), None)[0].shape[2] <= 16


def test_random_features_set_up_reads_no_step_past_the_sequences():
    # the biases are quantiles of the sampled rows' outputs: the padding
    # past the longest of them, whatever it holds, is not read
    X, _ = _data(n=12, steps=40)
    x = torch.from_numpy(X)
    lengths = torch.full((12,), 30)

    def biases(padding):
        padded = x.clone()
        padded[:, 30:] = padding
        branch = RandomConvolutionBranch(2, n_biases=2)
        branch.fit(padded, lengths, torch.Generator().manual_seed(0))
        return branch.biases

    torch.testing.assert_close(biases(float("nan")), biases(0.0), rtol=0, atol=0)


def test_conv_filters_branch_reads_each_sequence_to_its_length():
    # in the network, the trained convolutions read a padded batch's
    # lengths: a sequence's output does not depend on the padding
    torch.manual_seed(0)
    net = RecurrentNetwork(2, 3, hidden_size=4, conv_filters=(4, 6)).eval()
    x = torch.randn(3, 30, 2)
    lengths = torch.tensor([30, 12, 7])
    with torch.no_grad():
        batch = net(x, lengths)
        for i, n in enumerate(lengths.tolist()):
            alone = net(x[i : i + 1, :n], lengths[i : i + 1])
            torch.testing.assert_close(alone[0], batch[i], rtol=1e-5, atol=1e-6)


def test_fixed_inputs_of_the_first_rows_of_the_fitted_sequences():
    # a view of the first rows shares the fitted tensor's memory and
    # strides, but not its shape: its own rows' features, not every row's
    torch.manual_seed(0)
    x = torch.randn(16, 20, 1)
    net = RecurrentNetwork(1, 2, hidden_size=4, random_biases=2)
    fitted = net.fit_random_convolutions(x)
    first = net.fixed_inputs(x[:5])
    torch.testing.assert_close(first, fitted[:5], rtol=0, atol=0)


def test_random_features_of_short_sequences_skip_a_long_ones_padding(monkeypatch):
    # a list of short sequences and one long one: every row's features were
    # computed over the long one's steps (review s35 rvD F1: fit 0.25 s to
    # 17 s, predict 0.03 s to 6.9 s); each part of 32 rows now reads its own
    # longest, and the features are the same
    from sklearn_rnn._convolution import RandomConvolutionBranch

    rng = np.random.RandomState(0)
    X = [rng.normal(size=(10, 1)).astype(np.float32) for _ in range(64)]
    X.append(rng.normal(size=(500, 1)).astype(np.float32))
    y = np.arange(65) % 2
    widths, proportions = [], RandomConvolutionBranch._proportions

    def spy(self, x, lengths):
        widths.append(x.shape[2])
        return proportions(self, x, lengths)

    clf = SequenceClassifier(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
    monkeypatch.setattr(RandomConvolutionBranch, "_proportions", spy)
    proba = clf.predict_proba(X)
    assert sorted(widths) == [10, 10, 500]
    alone = np.vstack([clf.predict_proba(X[:32]), clf.predict_proba(X[32:64]),
                       clf.predict_proba(X[64:])])
    np.testing.assert_array_equal(proba, alone)


def test_random_features_of_many_channels_convolve_each_kernels_own():
    # each kernel reads 1 to 3 channels; the branch convolved all of them with
    # weights of zero outside (400 channels: predict 2.6 s against
    # MiniRocketMultivariate's 0.5 s; review s35 rvD F4). The same outputs
    # as the dense convolution, which no longer runs over every channel.
    from unittest import mock

    import torch.nn.functional as F

    rng = np.random.RandomState(0)
    for values in (rng.normal(size=(6, 9, 50)), rng.randint(-3, 4, size=(6, 9, 50))):
        x = torch.from_numpy(values.astype(np.float64))
        branch = RandomConvolutionBranch(9)
        branch.fit(x.transpose(1, 2).float(), None, generator=torch.Generator().manual_seed(0))
        conv1d, channels = F.conv1d, []

        def spy(input, weight, *args, **kwargs):
            channels.append(weight.shape[1])
            return conv1d(input, weight, *args, **kwargs)

        for i, dilation in enumerate(branch.dilations):
            dense = conv1d(x, branch.weights[i].double(), padding=4 * dilation,
                           dilation=dilation)
            with mock.patch.object(F, "conv1d", spy):
                out = branch._convolve(x, i)
            torch.testing.assert_close(out, dense, rtol=1e-12, atol=1e-12)
        assert set(channels) == {1}


@pytest.mark.parametrize("first", [2, 4])
def test_a_small_first_batch_leaves_the_probabilities_unsaturated(first):
    # review s36 rvC F4: a first partial_fit batch of one class (no ridge
    # start: the head kept its random weights) standardised its constant
    # random features by the floor of 1e-3; the next batches fed them ~1e3:
    # probabilities of 2.5e-72, a test log-loss of 7.1 after 5 epochs
    from sklearn.metrics import log_loss

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 8, 2))
    y = (X[:, -1, 0] + X[:, -2, 0] > 0).astype(int)
    Xt = rng.normal(size=(200, 8, 2))
    yt = (Xt[:, -1, 0] + Xt[:, -2, 0] > 0).astype(int)
    clf = SequenceClassifier(hidden_size=8, random_state=0)
    clf.partial_fit(X[np.flatnonzero(y == 0)[:first]], [0] * first, classes=[0, 1])
    assert clf.predict_proba(Xt).min() > 0.1
    branch = clf.module_.random_conv
    assert (branch.feature_scale > 1e-3).all()  # one value on those rows: scale 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            for b in range(0, 200, 50):
                clf.partial_fit(X[b:b + 50], y[b:b + 50])
    assert log_loss(yt, clf.predict_proba(Xt)) < 0.6
