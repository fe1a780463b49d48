"""The regressors' quantile loss: ``loss="quantile"``, ``quantiles``, ``predict_quantiles``."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceRegressor

FAST = dict(hidden_size=8, max_iter=40, early_stopping=False, random_state=0)


def _noisy(n=400, T=10, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T))
    y = X[:, -2:].sum(axis=1) + rng.normal(scale=1.0, size=n)
    return X, y


def test_quantiles_cover_and_the_median_is_predict():
    X, y = _noisy()
    reg = SequenceRegressor(loss="quantile", quantiles=[0.1, 0.9], **FAST).fit(X, y)
    assert_array_equal(reg.quantiles_, [0.1, 0.5, 0.9])
    q = reg.predict_quantiles(X)
    assert q.shape == (len(X), 3)
    assert np.all(np.diff(q, axis=1) >= 0)  # sorted: levels never cross
    assert_array_equal(reg.predict(X), q[:, 1])
    inside = np.mean((y >= q[:, 0]) & (y <= q[:, 2]))
    assert 0.65 < inside < 0.95, inside  # an 80 % band, on the training data
    below_median = np.mean(y < q[:, 1])
    assert 0.35 < below_median < 0.65, below_median
    # squared error on the same data: no quantiles
    plain = SequenceRegressor(**FAST).fit(X, y)
    assert plain.quantiles_ is None
    with pytest.raises(AttributeError, match="predict_quantiles") as error:
        plain.predict_quantiles(X)
    assert "needs loss='quantile'" in str(error.value) + str(error.value.__cause__)
    # duck typing, as scikit-learn's available_if methods: it was always there
    assert not hasattr(plain, "predict_quantiles")
    assert not hasattr(SequenceRegressor(), "predict_quantiles")
    assert hasattr(SequenceRegressor(loss="quantile"), "predict_quantiles")
    assert hasattr(reg.set_params(loss="squared_error"), "predict_quantiles")  # as fitted


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_quantiles_of_several_targets_and_window_normalization(Estimator):
    rng = np.random.RandomState(1)
    level = np.cumsum(rng.normal(size=(300, 12)), axis=1) + 50
    X = level[:, :, None]
    y = np.stack([level[:, -1] + 1, level[:, -1] - 1], axis=1)
    reg = Estimator(loss="quantile", window_normalization="last", **FAST).fit(X, y)
    assert reg.window_normalization_ == "last"
    assert_array_equal(reg.quantiles_, [0.5])
    q = reg.predict_quantiles(X)
    assert q.shape == (300, 2, 1)
    assert_allclose(reg.predict(X), q[:, :, 0])
    # the level (about 50) is added back, as for the squared-error fit
    assert np.abs(reg.predict(X) - y).mean() < 1.0


def test_quantile_option_validation():
    X, y = _noisy(n=60)
    for bad in ([0.0, 0.5], [1.2], [[0.1, 0.9]], ["a"]):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            SequenceRegressor(loss="quantile", quantiles=bad, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        SequenceRegressor(loss="absolute_error", **FAST).fit(X, y)
    # quantiles without loss="quantile" were ignored: a point regressor, found
    # out only when predict_quantiles was missing
    with pytest.raises(ValueError, match=r"quantiles=\[0.1, 0.9\] are fitted only with "
                                         r"loss='quantile'.*Pass loss='quantile'"):
        SequenceRegressor(quantiles=[0.1, 0.9], **FAST).fit(X, y)
    reg = SequenceRegressor(loss="quantile", quantiles=[0.2], warm_start=True,
                            **{**FAST, "max_iter": 2}).fit(X, y)
    reg.set_params(quantiles=[0.3])
    with pytest.raises(ValueError, match="differ from the ones the model was fitted with"):
        reg.fit(X, y)


def test_quantile_fit_is_reproducible_and_pickles():
    import pickle

    X, y = _noisy(n=120)
    params = dict(loss="quantile", quantiles=[0.25, 0.75], **{**FAST, "max_iter": 5})
    a = SequenceRegressor(**params).fit(X, y)
    b = SequenceRegressor(**params).fit(X, y)
    assert_array_equal(a.predict_quantiles(X), b.predict_quantiles(X))
    loaded = pickle.loads(pickle.dumps(a))
    assert_array_equal(loaded.predict_quantiles(X), a.predict_quantiles(X))


@pytest.mark.parametrize("weighted", [False, True])
def test_quantiles_start_as_wide_as_the_linear_start_errs(weighted):
    # every level started from the least-squares fit: where early stopping
    # kept the start, the intervals had no width (coverage 0)
    rng = np.random.RandomState(0)
    X, Xt = rng.normal(size=(600, 20)), rng.normal(size=(2000, 20))
    y = X[:, -3:].sum(axis=1) + 0.5 * rng.standard_t(3, size=600)
    yt = Xt[:, -3:].sum(axis=1) + 0.5 * rng.standard_t(3, size=2000)
    # weights that change nothing in expectation: the rows in pairs, one weighted 0
    weight = np.tile([2.0, 0.0], 300) if weighted else None
    reg = LSTMRegressor(loss="quantile", quantiles=[0.1, 0.9], max_iter=1,
                        random_state=0).fit(X, y, sample_weight=weight)
    assert reg.best_epoch_ == 0  # the linear start is the right model here
    q = reg.predict_quantiles(Xt)
    assert 0.75 < np.mean((yt >= q[:, 0]) & (yt <= q[:, 2])) < 0.85
    assert 0.45 < np.mean(yt < q[:, 1]) < 0.55


def test_weighted_quantiles_are_hazens_for_equal_weights():
    from sklearn_rnn._initialization import _weighted_quantiles

    values = np.random.RandomState(0).normal(size=101)
    levels = [0.0, 0.1, 0.5, 0.93, 1.0]
    assert_allclose(_weighted_quantiles(values, levels),
                    np.quantile(values, levels, method="hazen"))
    # rows of weight 0 take no position
    assert_allclose(_weighted_quantiles(np.array([0.0, 150.0, 200.0]), [0.5],
                                        np.array([1.0, 0.0, 1.0])), [100.0])
    # integer weights: as the values repeated
    weight = np.arange(101) % 3
    assert_allclose(_weighted_quantiles(values, [0.2, 0.5, 0.8], weight),
                    _weighted_quantiles(np.repeat(values, weight), [0.2, 0.5, 0.8]),
                    atol=0.05)


def test_a_median_model_stays_a_median_after_the_refit():
    # with the median alone (quantiles=None), a kept trained epoch had its
    # skip layer refitted by least squares on every row: a mean. On
    # exponential noise 0.635 of y fell below predict (P(Exp <= mean)).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 6))
    y = 3 * np.sin(2 * X[:, -1]) + X[:, -2] + rng.exponential(2.0, size=600)
    reg = SequenceRegressor(loss="quantile", hidden_size=16, max_iter=60,
                            learning_rate_init=0.01, window_normalization=None,
                            random_state=0).fit(X, y)
    assert reg.best_epoch_ > 0  # a trained epoch kept: the case that refitted
    assert abs(np.mean(y <= reg.predict(X)) - 0.5) < 0.06


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_early_stopping_judges_the_sorted_quantiles():
    # the validation loss and score were the pinball loss of the raw outputs,
    # whose levels cross, not of predict_quantiles' sorted ones: the restored
    # epoch and best_validation_score_ (-0.596 for -0.547 here) were those
    # of quantiles users never get
    from sklearn.metrics import mean_pinball_loss

    rng = np.random.RandomState(1)
    X = np.cumsum(rng.normal(size=(100, 12)), axis=1)
    y = X[:, -1] + rng.normal(size=100)
    weight = rng.uniform(0.1, 3, size=100)
    y = np.stack([y, X[:, -1] + 3 * rng.normal(size=100)], axis=1)
    reg = LSTMRegressor(hidden_size=4, max_iter=5, skip_steps=0, loss="quantile",
                        quantiles=[0.2], random_state=0).fit(X, y, sample_weight=weight)
    assert reg.window_normalization_ == "last" and reg.best_epoch_ > 0  # no refit
    tail = slice(90, 100)  # validation_fraction=0.1
    raw, _ = reg._forward(X[tail])
    assert np.any(np.diff(raw.reshape(10, 2, 2), axis=-1) < 0)  # the levels cross
    q = reg.predict_quantiles(X[tail])
    pinball = np.mean([  # in the standardised units training uses
        mean_pinball_loss(y[tail, t], q[:, t, k], alpha=level,
                          sample_weight=weight[tail]) / reg._target_scale[t]
        for t in range(2) for k, level in enumerate(reg.quantiles_)
    ])
    assert_allclose(reg.best_validation_score_, -pinball, rtol=1e-6)
    best = reg.history_[reg.best_epoch_ - 1]
    assert_allclose(best["valid_loss"], pinball, rtol=1e-6)
    assert min(r["valid_loss"] for r in reg.history_) == best["valid_loss"]
