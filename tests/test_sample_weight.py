"""sample_weight in fit and partial_fit, and its metadata routing (issue 23)."""

import copy
import warnings

import numpy as np
import pytest
import sklearn
import torch
from sklearn.base import clone
from sklearn.ensemble import BaggingRegressor
from sklearn.exceptions import ConvergenceWarning
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.utils.fixes import parse_version

from sklearn_rnn import LSTMRegressor, SequenceClassifier, SequenceRegressor
from sklearn_rnn._initialization import _fit_skip_least_squares
from sklearn_rnn._validation import check_sample_weight, split_positive_weights
from sklearn_rnn._losses import (
    PinballLoss,
    accuracy,
    cross_entropy,
    r2_score,
    squared_error,
)
from sklearn_rnn.windowing import WindowTrimmer

FAST = dict(hidden_size=8, max_iter=30, early_stopping=False, random_state=0)


def _conflicting_regression(n=60, T=8, seed=0):
    """Each input twice: once with target +1, once with target -1."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T))
    X = np.vstack([X, X])
    y = np.r_[np.ones(n), -np.ones(n)]
    return X, y


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_weights_pull_the_regressor_towards_the_heavy_rows(cell):
    X, y = _conflicting_regression()
    n = len(X) // 2
    up = np.r_[np.full(n, 9.0), np.ones(n)]
    down = up[::-1]
    kwargs = dict(FAST, cell=cell, learning_rate_init=0.01, skip_steps=0)
    pred_up = SequenceRegressor(**kwargs).fit(X, y, sample_weight=up).predict(X[:n])
    pred_down = SequenceRegressor(**kwargs).fit(X, y, sample_weight=down).predict(X[:n])
    # The weighted mean of the targets is +0.8 or -0.8.
    assert pred_up.mean() > 0.4 and pred_down.mean() < -0.4


def test_weights_decide_the_class_of_duplicated_inputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 1))
    X = np.concatenate([X, X])
    y = np.array(["a"] * 40 + ["b"] * 40)
    w = np.r_[np.full(40, 5.0), np.ones(40)]
    clf = SequenceClassifier(**dict(FAST, learning_rate_init=0.01))
    assert (clf.fit(X, y, sample_weight=w).predict(X[:40]) == "a").mean() > 0.9
    assert (clf.fit(X, y, sample_weight=w[::-1]).predict(X[:40]) == "b").mean() > 0.9


def test_equal_weights_train_exactly_as_no_weights():
    X, y = _conflicting_regression(n=20)
    plain = LSTMRegressor(**FAST).fit(X, y).predict(X)
    equal = LSTMRegressor(**FAST).fit(X, y, sample_weight=np.full(len(y), 3.0))
    assert_array_equal(equal.predict(X), plain)


def test_equal_weights_take_the_unweighted_path():
    assert check_sample_weight(None, 3) is None
    assert check_sample_weight(np.full(3, 2.5), 3) is None
    assert_array_equal(check_sample_weight([1.0, 3.0], 2), [0.5, 1.5])  # a mean of 1


def test_partial_fit_takes_weights():
    X, y = _conflicting_regression(n=20)
    w = np.r_[np.full(20, 9.0), np.ones(20)]
    reg = LSTMRegressor(**FAST)
    reg.partial_fit(X, y, sample_weight=w)
    reg.partial_fit(X, y, sample_weight=w)
    assert reg.n_iter_ == 2
    clf = SequenceClassifier(**FAST)
    clf.partial_fit(X, y > 0, classes=[False, True], sample_weight=w)
    assert clf.n_iter_ == 1


@pytest.mark.parametrize(
    "weights, match",
    [
        (-np.ones(40), "Negative values"),
        (np.zeros(40), "non-zero|sums to zero"),
        (np.ones(39), "shape"),
    ],
)
def test_bad_weights_raise(weights, match):
    X, y = _conflicting_regression(n=20)
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**FAST).fit(X, y, sample_weight=weights)


def test_early_stopping_splits_the_rows_of_positive_weight():
    # rows of weight 0 counted in the split: the regressors' validation tail
    # (the last 20 %) of the rows below held only zero weights and was refused
    X, y = _conflicting_regression(n=20)
    reg = LSTMRegressor(**dict(FAST, early_stopping=True, validation_fraction=0.2))
    w = np.ones(40)
    w[-10:] = 0.0  # the last 6 weighted rows validate, the zero rows are neither side's
    train, valid = split_positive_weights(reg._split_validation, w, y, None)
    assert_array_equal(valid, np.arange(24, 30))
    assert_array_equal(train, np.arange(24))
    reg.fit(X, y, sample_weight=w)
    w = np.zeros(40)
    w[-8:] = 1.0  # only the old tail weighs: its last 2 rows validate
    train, valid = split_positive_weights(reg._split_validation, w, y, None)
    assert_array_equal(valid, [38, 39])
    assert_array_equal(train, np.arange(32, 38))
    reg.fit(X, y, sample_weight=w)
    w = np.zeros(40)
    w[3] = 1.0  # one weighted row cannot be split: the message counts it alone
    with pytest.raises(ValueError, match="of n_samples=1, 1 sample.*leaves none to train.*"
                       "counts the 1 samples of positive sample_weight, out of 40"):
        reg.fit(X, y, sample_weight=w)


@pytest.mark.parametrize("early_stopping", [True, False])
@pytest.mark.parametrize("Estimator", [LSTMRegressor, SequenceClassifier])
def test_zero_weights_are_as_if_removed(Estimator, early_stopping):
    # with the defaults (mini-batches, shuffled, early stopping): the same
    # model as without those rows, whether at the end (the regressors' tail)
    # or anywhere (the classifier's stratified draw); without early stopping
    # too, where the rows stayed in training, counted by batch_size="auto"
    # and by the penalty alpha / batch_size (review s36 rvA F1)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8))
    y = X[:, -2:].sum(1)
    w = np.ones(60)
    w[-6:] = 0.0
    if Estimator is SequenceClassifier:
        y = y > 0
        w = np.ones(60)
        w[rng.choice(60, 9, replace=False)] = 0.0
    kept = w > 0
    est = Estimator(hidden_size=4, max_iter=3, early_stopping=early_stopping, random_state=0,
                    alpha=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = clone(est).fit(X, y, sample_weight=w)
        dropped = clone(est).fit(X[kept], y[kept])
    method = "predict_proba" if Estimator is SequenceClassifier else "predict"
    assert_allclose(getattr(weighted, method)(X), getattr(dropped, method)(X),
                    rtol=1e-5, atol=1e-6)
    assert weighted.best_epoch_ == dropped.best_epoch_
    assert weighted.optimizer_.param_groups[0]["weight_decay"] == pytest.approx(
        dropped.optimizer_.param_groups[0]["weight_decay"])


def test_bagging_regressor_with_early_stopping_fits_any_bootstrap():
    # BaggingRegressor passes bootstrap counts as sample_weight: a bag that
    # drew none of the last 3 of 30 rows left the tail with only zero weights
    # ("The validation set of early stopping has only zero sample weights",
    # seeds 0, 3 and 4 here)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 8))
    y = X[:, -2:].sum(1)
    base = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(5):
            BaggingRegressor(base, n_estimators=10, random_state=seed).fit(X, y)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_integer_weights_are_repeated_rows_with_skip_steps_fixed(cell):
    # the README's and test_common's reason for the regressors' expected
    # failure of the check: skip_steps="auto" counts the rows of positive
    # weight, so the check's weighted rows and their repeats get linear skips
    # of different lengths (review rvC 5: the reason given was mini-batch
    # noise); with skip_steps fixed, scikit-learn's check passes
    from sklearn.utils.estimator_checks import (
        check_sample_weight_equivalence_on_dense_data as check,
    )
    rng = np.random.RandomState(42)  # the check's data: 15 rows, weights 0-4
    X, y = rng.rand(15, 30), rng.randint(0, 3, 15).astype(float)
    weights = rng.randint(0, 5, 15)
    kw = dict(cell=cell, max_iter=1, early_stopping=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = SequenceRegressor(**kw).fit(X, y, sample_weight=weights)
        repeated = SequenceRegressor(**kw).fit(X.repeat(weights, 0), y.repeat(weights))
        assert weighted.skip_steps_ < repeated.skip_steps_
        check("SequenceRegressor", SequenceRegressor(cell=cell, skip_steps=6))
        with pytest.raises(AssertionError):
            check("SequenceRegressor", SequenceRegressor(cell=cell))


def test_classifier_integer_weights_are_repeats_without_random_convolutions():
    # the README's and test_common's reason for the classifier's expected
    # failure: with random_biases=0, integer weights train as repeated rows
    # (full batch, in order); with the random convolutions they do not (the
    # leave-one-out ridge start, the biases drawn from rows with equal chance)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 10, 2))
    y = (X[:, -3:, 0].sum(1) > 0).astype(int)
    weights = rng.randint(1, 4, size=64).astype(float)
    repeats = np.repeat(np.arange(64), weights.astype(int))
    X_test = rng.normal(size=(40, 10, 2))
    kw = dict(hidden_size=4, max_iter=1, shuffle=False, early_stopping=False,
              batch_size=10000, random_state=0)
    gaps = {}
    for random_biases in (0, 8):
        clf = SequenceClassifier(random_biases=random_biases, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            weighted = clone(clf).fit(X, y, sample_weight=weights).predict_proba(X_test)
            repeated = clone(clf).fit(X[repeats], y[repeats]).predict_proba(X_test)
        gaps[random_biases] = np.abs(weighted - repeated).max()
    assert gaps[0] < 5e-4
    assert gaps[8] > 0.05


@pytest.mark.parametrize("Estimator", [SequenceRegressor, SequenceClassifier])
def test_batches_of_zero_weights_count_zero(Estimator):
    # three in four rows weigh nothing: some batches hold only such rows,
    # whose weighted mean was 0 / 0 (NaN, "training diverged")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6))
    y = X[:, -1] if Estimator is SequenceRegressor else (X[:, -1] > 0).astype(int)
    w = np.r_[np.zeros(30), np.ones(10)][rng.permutation(40)]
    est = Estimator(hidden_size=4, batch_size=4, max_iter=5, early_stopping=False,
                    random_state=0).fit(X, y, sample_weight=w)
    assert np.isfinite(est.loss_curve_).all()
    zero = torch.zeros(3)
    assert float(squared_error()(torch.ones(3, 1), torch.zeros(3, 1), zero)) == 0.0
    logits = torch.tensor([[2.0, 0.0]] * 3)
    assert float(cross_entropy(None, "cpu")(logits, torch.tensor([1, 1, 1]), zero)) == 0.0


@pytest.mark.parametrize("sample_weight", [False, True])
def test_the_epochs_loss_is_the_class_weighted_mean_over_every_row(sample_weight):
    # each batch's mean divides by its class weights' total: the epoch summed
    # batches by their row counts, 0.758 against the model's 0.764
    rng = np.random.RandomState(0)
    X = rng.normal(size=(160, 8, 1))
    y = (X[:, -1, 0] + 0.5 * rng.normal(size=160) > 0.8).astype(int)
    sw = rng.uniform(0.5, 2.0, size=160) if sample_weight else None
    # a learning rate of ~0: the epoch's loss is the fitted model's
    clf = SequenceClassifier(hidden_size=4, max_iter=1, learning_rate_init=1e-12,
                             input_noise=0.0, random_biases=0, class_weight={0: 1, 1: 10},
                             batch_size=16, random_state=0).fit(X, y, sample_weight=sw)
    weight = np.where(y == 1, 10.0, 1.0) * (1.0 if sw is None else sw)
    log_proba = clf.predict_log_proba(X)[np.arange(160), y]
    assert_allclose(clf.loss_curve_[0], -(weight @ log_proba) / weight.sum(), rtol=1e-5)


def test_weighted_losses_and_scores():
    output = torch.tensor([[0.0], [2.0]])
    y = torch.tensor([[1.0], [1.0]])
    w = torch.tensor([3.0, 1.0])
    assert float(squared_error()(output, y, w)) == pytest.approx(1.0)
    assert float(squared_error()(torch.tensor([[0.0], [1.0]]), y, w)) == pytest.approx(0.75)
    assert r2_score(output, torch.tensor([[0.0], [1.0]]), w) == pytest.approx(
        1 - (3 * 0 + 1 * 1) / (3 * 0.25**2 + 1 * 0.75**2)
    )
    # targets that do not vary: 1 if predicted exactly, else 0 (scikit-learn's
    # force_finite), not 1 - residual / tiny
    same = torch.tensor([[1.0, 2.0], [1.0, 2.0]])
    assert r2_score(torch.tensor([[1.0, 2.0], [1.0, 2.5]]), same, w) == pytest.approx(0.5)
    assert r2_score(torch.tensor([[1.5, 2.0]]), same[:1]) == pytest.approx(0.5)
    logits = torch.tensor([[2.0, 0.0], [2.0, 0.0]])
    labels = torch.tensor([0, 1])
    assert accuracy(logits, labels, w) == pytest.approx(0.75)
    per_row = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    expected = (3 * per_row[0] + 1 * per_row[1]) / 4
    assert float(cross_entropy(None, "cpu")(logits, labels, w)) == pytest.approx(
        float(expected)
    )
    # Class weights multiply the sample weights, as torch normalises them.
    class_w = [1.0, 2.0]
    expected = (3 * per_row[0] + 2 * per_row[1]) / 5
    assert float(cross_entropy(class_w, "cpu")(logits, labels, w)) == pytest.approx(
        float(expected)
    )


def test_the_validation_score_relative_to_the_last_values_weighs_the_rows():
    # window_normalization="last" scores validation with the last values
    # added back: that score dropped the weights (R^2 0.52 here, where a row
    # of weight 0 holds the only error, not 1)
    from sklearn_rnn._window_normalization import offset_score

    output = torch.tensor([[0.0], [1.0], [5.0]])
    y = torch.tensor([[0.0], [1.0], [2.0]])
    w = torch.tensor([1.0, 1.0, 0.0])
    offsets = torch.tensor([[1.0], [-2.0], [3.0]], dtype=torch.float64)
    score = offset_score(r2_score, offsets)(output, y, w)
    assert score == pytest.approx(1.0)
    assert score == pytest.approx(
        r2_score(output.double() + offsets, y.double() + offsets, w.double()))


_OUTPUT = torch.tensor([[0.3, 0.1, 0.9], [1.5, -0.2, 0.4], [-0.7, 0.8, 0.0]])


@pytest.mark.parametrize("make, output, y", [
    (squared_error, _OUTPUT[:, :2], torch.tensor([[1.0, 0.0], [1.0, 2.0], [0.0, -1.0]])),
    (lambda: PinballLoss(torch.tensor([0.1, 0.5, 0.9])), _OUTPUT,
     torch.tensor([[1.0], [0.5], [-2.0]])),
    (lambda: cross_entropy(None, "cpu"), _OUTPUT[:, :2], torch.tensor([0, 1, 1])),
], ids=["squared_error", "pinball", "cross_entropy"])
def test_per_row_losses_average_to_the_loss(make, output, y):
    """``loss.rows`` (what the start's noise test compares) are the values
    whose mean, plain or weighted, is the loss."""
    loss = make()
    rows = loss.rows(output, y)
    assert rows.shape == (3,)
    assert float(rows.mean()) == pytest.approx(float(loss(output, y)))
    w = torch.tensor([3.0, 1.0, 0.5])
    assert float((rows * w).sum() / w.sum()) == pytest.approx(float(loss(output, y, w)))


def test_skip_start_with_integer_weights_equals_repeated_rows():
    X, y = _conflicting_regression(n=15)
    y = y + X[:, -1]
    w = np.random.RandomState(0).randint(1, 4, size=len(y)).astype(float)
    weighted = SequenceRegressor(**dict(FAST, max_iter=1)).fit(X, y, sample_weight=w)
    module = weighted.module_
    from sklearn_rnn._validation import check_sequences

    repeated = check_sequences(SequenceRegressor(), X.repeat(w.astype(int), axis=0),
                               reset=True)
    targets = ((y - weighted._target_shift) / weighted._target_scale).astype(np.float32)
    reference = copy.deepcopy(module)
    _fit_skip_least_squares(reference, repeated, targets.repeat(w.astype(int))[:, None])
    weighted_start = copy.deepcopy(module)
    seqs = check_sequences(SequenceRegressor(), X, reset=True)
    _fit_skip_least_squares(weighted_start, seqs, targets[:, None], w)
    assert_allclose(weighted_start.skip.weight.detach(), reference.skip.weight.detach(),
                    rtol=1e-5, atol=1e-6)


def _skip_start_module(n=40):
    """A fitted regressor's network, and its training sequences."""
    from sklearn_rnn._validation import check_sequences

    X = np.random.RandomState(0).normal(size=(n, 6, 1))
    est = SequenceRegressor(hidden_size=2, max_iter=1, early_stopping=False,
                            random_state=0).fit(X, X[:, -1, 0])
    return est.module_, check_sequences(SequenceRegressor(), X, reset=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_skip_start_leaves_the_intercept_unpenalised():
    # a constant target is the intercept's alone: a ridge on it shrank it too
    module, seqs = _skip_start_module()
    _fit_skip_least_squares(module, seqs, np.full((len(seqs), 1), 100.0, np.float32))
    assert_allclose(module.skip.bias.detach(), [100.0], rtol=1e-6)
    assert_allclose(module.skip.weight.detach(), 0.0, atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_skip_start_takes_the_light_ridge_from_two_rows_more_than_coefficients():
    from sklearn_rnn._initialization import _skip_inputs

    module, seqs = _skip_start_module()
    features = _skip_inputs(module, seqs).numpy()
    n = features.shape[1] + 3  # the coefficients, the intercept and two rows more
    targets = np.random.RandomState(1).normal(size=(n, 1)).astype(np.float32)
    _fit_skip_least_squares(module, seqs.take(np.arange(n)), targets)
    design = np.c_[features[:n], np.ones(n)]
    penalty = 1e-3 * n * np.eye(n - 2)  # ridge=1e-3 per row
    penalty[-1, -1] = 0.0
    coef = np.linalg.solve(design.T @ design + penalty, design.T @ targets.astype(float))
    assert_allclose(module.skip.weight.detach().numpy().ravel(), coef[:-1, 0],
                    rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("window_normalization", ["auto", None])
def test_rows_of_zero_weight_set_the_network_up_as_if_removed(window_normalization):
    # The "auto" choices and every scaling read the data before training:
    # rows of weight 0 (junk targets far from the rest) must not move them,
    # as in StandardScaler(sample_weight=...).
    rng = np.random.RandomState(0)
    X = np.cumsum(rng.normal(size=(60, 12, 2)), axis=1)
    y = X[:, -1, 0] + 0.1 * rng.normal(size=60)
    junk = np.arange(30, 60)
    X[junk] = 100 + 20 * X[junk]
    y[junk] = 50 * rng.normal(size=30)
    w = np.r_[rng.uniform(0.5, 2.0, size=30), np.zeros(30)]
    # a learning rate that does not move the start: the fitted set-up alone
    params = dict(FAST, max_iter=1, learning_rate_init=1e-30, differences=True,
                  window_normalization=window_normalization)
    weighted = SequenceRegressor(**params).fit(X, y, sample_weight=w)
    removed = SequenceRegressor(**params).fit(X[:30], y[:30], sample_weight=w[:30])
    assert weighted.skip_steps_ == removed.skip_steps_ > 0
    assert weighted.window_normalization_ == removed.window_normalization_
    assert_allclose(weighted._target_shift, removed._target_shift)
    assert_allclose(weighted._target_scale, removed._target_scale)
    buffers = dict(removed.module_.named_buffers())
    for name, value in weighted.module_.named_buffers():
        assert_allclose(value, buffers[name], rtol=1e-5, err_msg=name)
    assert_allclose(weighted.predict(X[:30]), removed.predict(X[:30]), rtol=1e-4, atol=1e-4)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_far_off_first_sequence_of_weight_0_costs_the_scaling_no_digits():
    # the one-pass moments sum about a pivot; the first sequence's first step,
    # 1e9 here, with weight 0, made the input scale 16 instead of 0.99
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 20, 1))
    X[0] = 1e9
    y = X[:, -1, 0].copy()
    w = np.r_[0.0, np.ones(49)]
    params = dict(FAST, max_iter=1, window_normalization=None)
    weighted = SequenceRegressor(**params).fit(X, y, sample_weight=w)
    removed = SequenceRegressor(**params).fit(X[1:], y[1:])
    assert_allclose(weighted.module_.input_scale, removed.module_.input_scale, rtol=1e-5)
    assert_allclose(weighted.module_.input_shift, removed.module_.input_shift, rtol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_auto_sizes_and_difference_scale_read_the_sequences_that_count():
    # patch_size="auto" read the longest sequence, of weight 0 here (400
    # steps: patches of 13, no differences); the differences' scale divided
    # by at least 1 where weights left fewer than one difference counted
    rng = np.random.RandomState(0)
    seqs = [np.cumsum(rng.normal(size=(24, 1)), axis=0) for _ in range(40)]
    seqs += [np.cumsum(rng.normal(size=(400, 1)), axis=0) for _ in range(2)]
    y = np.array([s[-1, 0] for s in seqs])
    w = np.r_[np.ones(40), np.zeros(2)]
    weighted = LSTMRegressor(**dict(FAST, max_iter=1)).fit(seqs, y, sample_weight=w)
    removed = LSTMRegressor(**dict(FAST, max_iter=1)).fit(seqs[:40], y[:40])
    assert (weighted.patch_size_, weighted.differences_) == (removed.patch_size_, True)
    one_step = [rng.normal(size=(1, 1))] + seqs[:39]
    heavy = SequenceRegressor(**dict(FAST, max_iter=1, differences=True, skip_steps=0)).fit(
        one_step, y[:40], sample_weight=np.r_[1e6, np.ones(39)])
    d = np.concatenate([np.diff(s[:, 0]) for s in one_step[1:]])
    assert_allclose(heavy.module_.diff_scale, [np.sqrt(np.mean(d**2))], rtol=1e-5)


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.mark.parametrize("scoring", ["passthrough", "weighted_r2"])
def test_weights_route_through_pipeline_and_grid_search(routing, scoring):
    if scoring == "passthrough" and parse_version(sklearn.__version__) < parse_version("1.8"):
        pytest.skip("before scikit-learn 1.8 the search's passthrough scorer refuses weights "
                    "that a Pipeline routes (scikit-learn issue 30937)")
    X, y = _conflicting_regression(n=30)
    n = len(X) // 2
    w = np.r_[np.full(n, 9.0), np.ones(n)]
    reg = LSTMRegressor(**dict(FAST, learning_rate_init=0.01, skip_steps=0))
    reg.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
    pipe = make_pipeline(WindowTrimmer(window_length=6), reg)
    pipe.fit(X, y, sample_weight=w)
    assert pipe.predict(X[:n]).mean() > 0.4
    scorer = (None if scoring == "passthrough"
              else make_scorer(sklearn.metrics.r2_score).set_score_request(sample_weight=True))
    search = GridSearchCV(
        pipe, {"lstmregressor__hidden_size": [4, 8]}, scoring=scorer,
        cv=KFold(2, shuffle=True, random_state=0), error_score="raise",
    )
    search.fit(X, y, sample_weight=w)
    assert search.best_estimator_.predict(X[:n]).mean() > 0.4
    # Without the request, the weights are refused, not dropped.
    with pytest.raises(ValueError, match="sample_weight"):
        make_pipeline(WindowTrimmer(window_length=6), LSTMRegressor(**FAST)).fit(
            X, y, sample_weight=w
        )
