"""The fast path of input validation must change nothing (issue: performance).

``check_sequences`` skips scikit-learn's ``check_array`` for plain, finite
float ndarrays of three dimensions; everything else must still reach
``check_array`` and get its usual error.
"""

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from _checks import peak_memory
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array

from sklearn_rnn import LSTMRegressor, SequenceClassifier, SequenceRegressor
from sklearn_rnn._validation import _plain_3d


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_plain_float_arrays_pass_unchanged(dtype):
    X = np.arange(24, dtype=dtype).reshape(2, 4, 3)
    assert _plain_3d(X) is X
    assert check_array(X, dtype=(np.float32, np.float64), allow_nd=True) is X


@pytest.mark.parametrize(
    "X",
    [
        np.zeros((0, 4, 1), np.float32),
        np.full((2, 4, 1), np.nan, np.float32),
        np.full((2, 4, 1), np.inf),
        np.zeros((2, 4, 1), ">f4"),
        np.zeros((2, 4, 1), np.float16),
        np.zeros((2, 4, 1), np.int64),
        np.zeros((2, 4), np.float32),
        np.zeros((2, 4, 1, 1), np.float32),
        np.ma.masked_array(np.zeros((2, 4, 1), np.float32)),
        [[[0.0]], [[1.0]]],
    ],
    ids=["empty", "nan", "inf", "big_endian", "float16", "int", "2d", "4d", "masked", "list"],
)
def test_everything_else_goes_through_check_array(X):
    assert _plain_3d(X) is None


def test_fast_path_off_under_array_api_dispatch(monkeypatch):
    # Enabling the dispatch for real needs SCIPY_ARRAY_API=1 before scipy is
    # imported, so the configuration the fast path reads is patched instead.
    config = {**sklearn.get_config(), "array_api_dispatch": True}
    monkeypatch.setattr("sklearn_rnn._validation.get_config", lambda: config)
    assert _plain_3d(np.zeros((2, 4, 1), np.float32)) is None


def test_predict_errors_are_unchanged_by_the_fast_path():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 6, 2)).astype(np.float32)
    est = LSTMRegressor(hidden_size=8, max_iter=2, early_stopping=False,
                        random_state=0).fit(X, X[:, -1, 0])
    bad = X.copy()
    bad[3, 2, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(bad)
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(X[:0])
    with pytest.raises(ValueError, match="2 channels per time step"):
        est.predict(X[:, :, :1])
    np.testing.assert_array_equal(est.predict(X.astype(np.float64)), est.predict(X))


def test_time_axis_reads_sktime_numpy3d_panels():
    rng = np.random.RandomState(0)
    X_ntc = rng.normal(size=(30, 12, 2))
    y = X_ntc[:, -1, 0]
    X_nct = X_ntc.transpose(0, 2, 1).copy()  # sktime's numpy3D layout
    params = dict(hidden_size=4, max_iter=3, early_stopping=False, random_state=0)
    ref = SequenceRegressor(**params).fit(X_ntc, y)
    est = SequenceRegressor(**params, time_axis=2).fit(X_nct, y)
    assert est.n_timesteps_in_ == 12 and est.n_channels_in_ == 2
    np.testing.assert_array_equal(est.predict(X_nct), ref.predict(X_ntc))


def test_one_time_step_of_many_channels_warns_and_names_time_axis():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 1, 15))  # a univariate numpy3D panel
    y = rng.randint(2, size=20)
    params = dict(hidden_size=4, max_iter=2, early_stopping=False, random_state=0)
    with pytest.warns(UserWarning, match="pass time_axis=2"):
        clf = SequenceClassifier(**params).fit(X, y)
    # The same panel read the right way fits without the warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SequenceClassifier(**params, time_axis=2).fit(X, y)
    assert not [w for w in caught if "time_axis" in str(w.message)]
    # Predicting the other layout names the parameter too.
    with pytest.raises(ValueError, match="time_axis=2"):
        clf.predict(rng.normal(size=(3, 15, 1)))


def test_lists_of_numpy3d_samples_are_warned_of_and_named_the_fix():
    # a list's sequences are (n_timesteps, n_channels) whatever time_axis:
    # list(X3) of a numpy3D panel was read as 2 steps of 30 channels without a
    # word, and the errors said to switch time_axis (review N, F2)
    rng = np.random.RandomState(0)
    X3 = rng.normal(size=(20, 2, 30))  # (n, channels, steps)
    y = np.arange(20) % 2
    params = dict(hidden_size=4, max_iter=1, random_state=0)
    fix = re.escape("[x.T for x in X]")
    for time_axis in (1, 2):
        with pytest.warns(UserWarning, match=r"2 time steps of 30 channels per sample "
                          r"\(a list of sequences\)\. .*" + fix):
            SequenceClassifier(**params, time_axis=time_axis).fit(list(X3), y)
    with pytest.warns(UserWarning, match=r"30 time steps of 2 channels.*" + fix):
        SequenceClassifier(**params, time_axis=2).fit([x.T for x in X3], y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        SequenceClassifier(**params).fit([x.T for x in X3], y)
        # sequences of different lengths: the axis that varies is time (the
        # warning's advice, [x.T for x in X], then failed; review RV 8)
        short = [rng.normal(size=(2 + i % 2, 30)) for i in range(20)]
        SequenceClassifier(**params).fit(short, y)
    with pytest.warns(UserWarning, match=r"\(a list of sequences\)\. .*" + fix):
        SequenceClassifier(**params, time_axis=2).fit(short, y)  # the setting is ignored
    clf = SequenceClassifier(**params, time_axis=2).fit(X3, y)
    with pytest.raises(ValueError, match=r"Its sequences have 2 time steps\. .*" + fix) as err:
        clf.predict(list(X3[:3]))
    assert "time_axis=1" not in str(err.value)
    with pytest.raises(ValueError, match=r"got \[20, 21, 22\]\. .*" + fix):
        clf.predict([x[:, : 20 + i] for i, x in enumerate(X3[:3])])
    np.testing.assert_array_equal(clf.predict([x.T for x in X3[:3]]), clf.predict(X3[:3]))


def test_changed_layout_refused_in_the_trimmers_words():
    # WindowTrimmer and the estimators build the message once (_sequences);
    # the estimators' copy said "which say ... Set them back" of one parameter
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 5, 2))
    params = dict(hidden_size=4, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = LSTMRegressor(time_axis=2, **params).fit(X, X[:, -1, 0])
    reg.set_params(time_axis=1)
    with pytest.raises(ValueError, match=r"^LSTMRegressor was fitted with time_axis=2, "
                       r"which says how X is read; it is now time_axis=1\. Set it back, "
                       r"or fit again with the new layout\.$"):
        reg.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = LSTMRegressor(n_channels=2, **params).fit(X.reshape(20, 10), X[:, -1, 0])
    reg.set_params(n_channels=5, flat_layout="channels_last")
    with pytest.raises(ValueError, match=r"fitted with n_channels=2, "
                       r"flat_layout='channels_first', which say how X is read; it is "
                       r"now n_channels=5, flat_layout='channels_last'\. Set them back"):
        reg.predict(X.reshape(20, 10))


def test_fewer_time_steps_than_channels_warns_and_names_time_axis():
    # a multivariate numpy3D panel (BasicMotions' layout: 6 channels of 100
    # steps) read with time_axis=1 is 6 steps of 100 channels
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 3, 12))
    y = rng.randint(2, size=20)
    params = dict(hidden_size=4, max_iter=2, early_stopping=False, random_state=0)
    with pytest.warns(UserWarning, match="3 time steps of 12 channels.*pass time_axis=2"):
        SequenceClassifier(**params).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SequenceClassifier(**params, time_axis=2).fit(X, y)
        SequenceClassifier(**params).fit(X.transpose(0, 2, 1), y)
        # a window of 5 steps of 9 channels (WindowTrimmer(5) on such a
        # panel, say) is plausible as it is
        SequenceClassifier(**params).fit(rng.normal(size=(20, 5, 9)), y)
    assert not [w for w in caught if "time_axis" in str(w.message)]


def _lag_windows(n_columns, window_length=4, n_rows=40):
    from sklearn_rnn.windowing import LagWindowTransformer

    table = np.random.RandomState(0).normal(size=(n_rows, n_columns))
    return LagWindowTransformer(window_length=window_length).fit_transform(table)


def test_lag_padding_names_leading_nan_trim():
    X = _lag_windows(1)
    y = np.arange(len(X), dtype=float)
    with pytest.raises(ValueError, match="only in the leading time steps.*leading_nan='trim'"):
        LSTMRegressor(max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="only in the leading time steps"):
        LSTMRegressor(max_iter=1).fit(X.reshape(len(X), 4, 1), y)


@pytest.mark.parametrize("Estimator", [LSTMRegressor, SequenceClassifier])
def test_allow_nan_tag_follows_leading_nan(Estimator):
    # tools that read the tag (SequentialFeatureSelector, sklearn's checks)
    # refused the lag windows' leading NaN that leading_nan="trim" takes
    from sklearn.utils import get_tags

    assert not get_tags(Estimator()).input_tags.allow_nan
    assert get_tags(Estimator(leading_nan="trim")).input_tags.allow_nan


@pytest.mark.parametrize("leading_nan", ["raise", "trim"])
def test_wrong_n_channels_is_named(leading_nan):
    X = _lag_windows(2)
    y = np.arange(len(X), dtype=float)
    with pytest.raises(ValueError, match="windows of 2 channels.*pass n_channels=2"):
        LSTMRegressor(max_iter=1, leading_nan=leading_nan).fit(X, y)


def test_nan_after_the_first_observed_step_is_not_blamed_on_padding():
    X = _lag_windows(1)
    X[10, 2] = np.nan
    y = np.arange(len(X), dtype=float)
    with pytest.raises(ValueError, match="sequence 10 has a non-finite value.*Impute"):
        LSTMRegressor(max_iter=1).fit(X, y)
    # a sequence without leading missing steps: none named (it said "after its
    # leading missing steps" under leading_nan="raise", which trims nothing)
    full = np.random.RandomState(0).normal(size=(20, 6))
    full[4, 3] = np.nan
    with pytest.raises(ValueError, match=r"sequence 4 has a non-finite value\. Only"):
        LSTMRegressor(max_iter=1).fit(full, np.arange(20.0))


@pytest.mark.parametrize("make", [
    lambda X: X, lambda X: X[:, :, None], lambda X: list(X[:-1, :6]) + [X[0, :3]],
], ids=["2d", "3d", "list"])
def test_values_beyond_float32_are_refused_not_made_infinite(make):
    # the networks compute in float32: 1e39 would become inf and fail deep
    # inside torch's least squares (or train on inf)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8))
    y = X.sum(axis=1)
    X_big = make(X * 1e39)
    with pytest.raises(ValueError, match="beyond the range of float32.*Rescale X"):
        LSTMRegressor(max_iter=2).fit(X_big, y[:len(X_big)])
    fitted = LSTMRegressor(max_iter=2, random_state=0).fit(make(X), y[:len(X_big)])
    with pytest.raises(ValueError, match="beyond the range of float32"):
        fitted.predict(X_big)


def _list_and_padded(seqs):
    """``seqs`` and the 3D array of them padded with leading NaN, which
    ``leading_nan="trim"`` reads as the same sequences."""
    width = max(len(s) for s in seqs)
    padded = np.full((len(seqs), width, seqs[0].shape[1]), np.nan)
    for i, s in enumerate(seqs):
        padded[i, width - len(s):] = s
    return seqs, padded


def _message(X, reset=True, fitted_on=None, **params):
    """The error or warning ``check_sequences`` gives for ``X``, or None."""
    from sklearn_rnn._validation import check_sequences

    est = SequenceRegressor(**params)
    if fitted_on is not None:
        check_sequences(est, fitted_on, reset=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_sequences(est, X, reset=reset)
        except ValueError as exc:
            return str(exc)
    messages = [str(w.message) for w in caught if "varies little" in str(w.message)]
    return messages[0] if messages else None


@pytest.mark.parametrize("reset", [True, False], ids=["fit", "predict"])
def test_a_later_sequence_beyond_float32_is_named_as_in_an_array(reset):
    # a list is cast to float32 sequence by sequence (it was padded in
    # float64, then cast whole): a value beyond float32 in the last of
    # 1,200 sequences gets the message an array of the same sequences
    # gets, with the same largest magnitude
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(n, 2)) for n in rng.randint(5, 500, size=1200)]
    clean = seqs[:50]
    seqs[-1][3, 1] = -3e39
    seqs[600][2, 0] = 2e38  # float32 holds it
    seqs, padded = _list_and_padded(seqs)
    fitted_on = None if reset else clean
    expected = _message(padded, reset, fitted_on, leading_nan="trim")
    assert re.search(r"beyond the range of float32.*largest magnitude 3e\+39", expected)
    for leading_nan in ("raise", "trim"):
        assert _message(seqs, reset, fitted_on, leading_nan=leading_nan) == expected
    seqs[-1][3, 1] = 0.0
    assert _message(seqs, reset, fitted_on) is None


def test_a_later_sequence_below_float32_resolution_is_warned_of_as_in_an_array():
    # channel 1 is 1e6 throughout but in one late sequence, where it moves
    # by 0.01 (one float32 value): warned of with the numbers an array of
    # the same sequences gives, in the list's last block of the check
    rng = np.random.RandomState(0)
    seqs = [np.column_stack([rng.normal(size=n), np.full(n, 1e6)])
            for n in rng.randint(5, 500, size=1200)]
    seqs[-2][:, 1] += 0.01 * rng.normal(size=len(seqs[-2]))
    seqs, padded = _list_and_padded(seqs)
    expected = _message(padded, leading_nan="trim")
    assert re.match(r"X's channel 1 varies little for its level in float32", expected)
    for leading_nan in ("raise", "trim"):
        assert _message(seqs, leading_nan=leading_nan) == expected
    seqs[-2][:, 1] = 1e6  # without it, no warning
    assert _message(seqs) is None


@pytest.mark.parametrize("leading_nan", ["raise", "trim"])
def test_a_lists_errors_come_in_their_order_whichever_sequence_holds_them(leading_nan):
    # a list is read twice, checked first and cast second: each error is
    # still the one it was, of the first sequence that has it, an earlier
    # kind of error before a later one in any sequence
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(n, 2)) for n in (9, 6, 8, 7, 5, 6)]
    seqs[0][2, 0] = 1e39  # beyond float32
    seqs[1][3, 1] = np.nan  # a missing value inside
    seqs[2][:] = np.nan  # no observed step
    seqs[3] = seqs[3][:, :1]  # one channel
    seqs[4] = np.array([["a", "b"]] * 5)  # strings
    errors = [
        r"sequence 4 of X holds strings",
        r"All sequences must have the same number of channels per time step; got \[1, 2\]",
        (r"Sequence 2 of X has no observed time step" if leading_nan == "trim"
         else r"sequence 1 has a non-finite value\."),
        r"sequence 1 has a non-finite value\.",
        r"beyond the range of float32.*largest magnitude 1e\+39",
    ]
    fixes = [lambda: None, lambda: seqs.__setitem__(4, seqs[5].copy()),
             lambda: seqs.__setitem__(3, seqs[5].copy()),
             lambda: seqs.__setitem__(2, seqs[5].copy()),
             lambda: seqs[1].__setitem__((3, 1), 0.0)]
    for fix, error in zip(fixes, errors):
        fix()
        with pytest.raises(ValueError, match=error):
            SequenceRegressor(leading_nan=leading_nan).fit(seqs, np.arange(6.0))


def test_a_list_is_read_into_float32_without_float64_copies(tmp_path):
    # each sequence was copied to float64, padded in float64 and the whole
    # cast to float32: a peak of 3.3 times the float32 result (273 MiB for
    # 82 MiB), now 1.3 (the result, one sequence, the rounding check's blocks)
    script = (
        "from sklearn_rnn import SequenceRegressor\n"
        "from sklearn_rnn._validation import check_sequences\n"
        "rng = np.random.default_rng(0)\n"
        "X = [rng.standard_normal((m, 4)) for m in rng.integers(100, 1344, size=4000)]\n"
        "check_sequences(SequenceRegressor(), X[:5], reset=True)\n"
        "before = rss()\n"
        "values = check_sequences(SequenceRegressor(), X, reset=True).values\n"
        "assert values.dtype == np.float32 and values.nbytes > 80 * 2 ** 20\n"
        "print((rss() - before) / values.nbytes)\n")
    ratio = peak_memory(tmp_path, script)
    assert ratio < 1.75, ratio


@pytest.mark.parametrize("standardize, factor, fix", [
    (False, 1e39, "Set standardize=True"), (True, 1e300, "even standardized"),
])
def test_targets_beyond_float32_are_refused(standardize, factor, fix):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8))
    y = X.sum(axis=1) * factor
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow warning first
        with pytest.raises(ValueError, match=f"y holds values too large.*{fix}"):
            LSTMRegressor(max_iter=2, standardize=standardize).fit(X, y)
    # standardized, y far beyond float32 trains (as it did before)
    assert np.isfinite(LSTMRegressor(max_iter=2, random_state=0).fit(X, X.sum(axis=1) * 1e39)
                       .predict(X[:2])).all()


def test_read_only_arrays_are_taken_without_a_torch_warning():
    # joblib hands workers read-only memory maps (GridSearchCV with n_jobs >
    # 1); torch warns once per process on wrapping a read-only array, so the
    # check runs in a fresh one.
    script = (
        "import warnings, numpy as np\n"
        "from sklearn_rnn import LSTMRegressor, SequenceClassifier\n"
        "warnings.filterwarnings('error', message='The given NumPy array is not writable')\n"
        "X = np.random.default_rng(0).normal(size=(40, 6, 2)).astype(np.float32)\n"
        "y = X[:, -1, 0].copy()\n"
        "X.setflags(write=False); y.setflags(write=False)\n"
        "LSTMRegressor(hidden_size=4, max_iter=2, standardize=False).fit(X, y).predict(X)\n"
        "SequenceClassifier(hidden_size=4, max_iter=2).fit(X, (y > 0).astype(int)).predict(X)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_classifier_refuses_non_finite_labels_before_casting_them(bad):
    # As scikit-learn's check_X_y: the finite check comes before the label
    # checks, whose cast to integers warned "invalid value encountered in cast".
    X = np.random.default_rng(0).normal(size=(10, 5))
    y = np.r_[np.zeros(5), np.ones(4), bad]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Input y contains"):
            SequenceClassifier(max_iter=1).fit(X, y)


@pytest.mark.parametrize("make", [SequenceRegressor, SequenceClassifier])
@pytest.mark.parametrize("X, params", [
    (np.empty((6, 5, 0)), {}),
    ([np.empty((5, 0)), np.empty((4, 0))] * 3, {}),
    (np.empty((6, 0, 5)), {"time_axis": 2}),
], ids=["3d", "list", "time_axis=2"])
def test_sequences_of_no_channels_are_refused(make, X, params):
    # a ZeroDivisionError in the regressor's start, a torch error in the classifier's
    with pytest.raises(ValueError, match="X has 0 channels per time step; at least 1"):
        make(hidden_size=4, max_iter=1, **params).fit(X, np.arange(6) % 2)


def test_a_channel_below_float32_resolution_warns():
    # 1e6 + 0.01 noise: one float32 value for all rows, R^2 0 without a word
    rng = np.random.RandomState(0)
    base = rng.normal(size=(40, 8))
    with pytest.warns(UserWarning, match=r"channel 0 varies little for its level in float32"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(1e6 + 0.01 * base, base[:, -1])
    seqs = [1e6 + 0.01 * rng.normal(size=(n, 2)) for n in (5, 9, 7)] * 4
    seqs = [np.column_stack([s[:, 0] - 1e6, s[:, 1]]) for s in seqs]  # channel 1 only
    with pytest.warns(UserWarning, match=r"channel 1 varies little"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(seqs, np.arange(12.0))
    seconds = 1_700_000_000 + 10 * rng.randint(0, 300, size=(40, 8))  # int64, as epochs
    with pytest.warns(UserWarning, match=r"channel 0 varies little"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(seconds, base[:, -1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        SequenceRegressor(hidden_size=4, max_iter=1).fit(1e3 + base, base[:, -1])
        # integers float32 holds exactly, at any level below 2 ** 24
        SequenceRegressor(hidden_size=4, max_iter=1).fit(
            1e7 + rng.randint(0, 5, size=(40, 8)).astype(float), base[:, -1])
        SequenceRegressor(hidden_size=4, max_iter=1).fit(np.float32(1e6 + 0.01 * base),
                                                          base[:, -1])  # already float32


def test_predict_does_not_warn_of_float32_rounding_as_fit_does():
    base = np.random.RandomState(0).normal(size=(40, 8))
    reg = SequenceRegressor(hidden_size=4, max_iter=1)
    with pytest.warns(UserWarning, match=r"channel 0 varies little for its level in float32"):
        reg.fit(1e6 + 0.01 * base, base[:, -1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        reg.predict(1e6 + 0.01 * base)


def test_the_float32_rounding_check_costs_less_than_float64_x():
    # the check took float64 copies of all of X, its rounding and their
    # difference: 4.6 times a float64 X, only to decide whether to warn
    import tracemalloc

    from sklearn_rnn._validation import check_sequences

    rng = np.random.RandomState(0)
    X = 1e6 + 0.01 * rng.normal(size=(100_000, 16, 2))  # 25.6 MB
    est = SequenceRegressor()
    tracemalloc.start()
    try:
        with pytest.warns(UserWarning, match=r"channel 0 varies little"):
            seqs = check_sequences(est, X, reset=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seqs.values.dtype == np.float32
    assert peak < 2 * X.nbytes  # its float32 copy (half X) and blocks of 8 MB


def test_channel_moments_keep_their_digits_at_a_large_level():
    # sums about zero lost the variance to the mean's square: 0.7 % off at 1e7
    from sklearn_rnn._initialization import _channel_moments

    rng = np.random.RandomState(0)
    x = (1e7 + rng.normal(size=(300, 20, 2))).astype(np.float32)
    x[:, :, 1] -= np.float32(1e7)
    lengths = rng.randint(1, 21, size=300)
    for lens in (None, lengths):
        valid = x if lens is None else x[np.arange(20)[None, :] < lens[:, None]]
        exact = valid.reshape(-1, 2).astype(np.float64)
        mean, std = _channel_moments(x, lens)
        np.testing.assert_allclose(mean, exact.mean(axis=0), rtol=1e-7)
        np.testing.assert_allclose(std, exact.std(axis=0), rtol=1e-6)


def test_step_sums_read_each_sequence_up_to_its_own_length():
    # review s35 rvD F2: 10,000 sequences of 10 steps and one of 20,000 were
    # read 20,000 steps wide each (float64 blocks of 4,096 rows, 3.3 GiB)
    from sklearn_rnn._initialization import _channel_moments, _valid_step_sums

    rng = np.random.RandomState(0)
    lengths = np.full(2000, 5)
    lengths[[7, 1500]] = 3000
    values = np.zeros((2000, 3000, 2), dtype=np.float32)
    for i, n in enumerate(lengths):
        values[i, :n] = rng.normal(size=(n, 2))
    read = []

    def recorded(block, rows):
        read.append(block.size)
        return block

    total, total_sq, count = _valid_step_sums(values, lengths, recorded,
                                              block_values=2**16)
    assert sum(read) <= 2 * lengths.sum() * 2  # not 2,000 x 3,000 x 2
    assert max(read) <= 2**16 or max(read) == 3000 * 2
    valid = values[np.arange(3000)[None, :] < lengths[:, None]].astype(np.float64)
    assert count == len(valid)
    np.testing.assert_allclose(total, valid.sum(axis=0))
    np.testing.assert_allclose(total_sq, np.square(valid).sum(axis=0))
    mean, std = _channel_moments(values, lengths, reference=values[np.arange(2000),
                                                                   lengths - 1])
    relative = [values[i, :n] - values[i, n - 1] for i, n in enumerate(lengths)]
    np.testing.assert_allclose(mean, np.concatenate(relative).mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(std, np.concatenate(relative).std(axis=0), rtol=1e-5)


def test_skip_features_standardise_the_last_steps_only():
    # review s35 rvD F2: the whole padded array was standardised (a copy as
    # large as it) to read the last skip_steps steps of each sequence
    from unittest import mock

    import torch

    from sklearn_rnn._networks import _last_steps

    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) + 10 for n in rng.randint(2, 30, size=60)]
    y = np.array([x[-1, 0] for x in X])
    for window in (None, "last"):
        est = LSTMRegressor(hidden_size=4, max_iter=1, skip_steps=6, random_state=0,
                            window_normalization=window).fit(X, y)
        module = est.module_
        values = np.zeros((60, 29, 2), dtype=np.float32)
        for i, x in enumerate(X):
            values[i, : len(x)] = x
        x = torch.from_numpy(values)
        lengths = torch.tensor([len(s) for s in X])
        with torch.no_grad():
            expected = _last_steps(module._standardized(x, lengths)[0], lengths, 6)
            widths = []
            standardized = module._standardized

            def spy(x, lengths):
                widths.append(x.shape[1])
                return standardized(x, lengths)

            with mock.patch.object(module, "_standardized", spy):
                features = module.skip_features(x, lengths)
        assert widths == [6]
        torch.testing.assert_close(features, expected.flatten(1), rtol=0, atol=0)


def test_a_spread_below_float32_is_read_as_constant():
    # one value of 1e-45 in a zero channel: a spread of 1e-47 in float64, 0 in
    # float32, divided by (a PyTorch internal assert in the regressor's start,
    # "Training diverged" in the classifier) (review N, F5)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 2)).astype(np.float32)
    y = X[:, -2:, 0].sum(1)
    X[..., 1] = 0
    X[0, 0, 1] = 1e-45  # float32's smallest subnormal
    params = dict(hidden_size=4, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = LSTMRegressor(**params).fit(X, y)
        assert np.isfinite(reg.predict(X)).all()
        SequenceClassifier(**params).fit(X, y > 0)
    for buffer in ("input_scale", "diff_scale"):
        assert (getattr(reg.module_, buffer).numpy() > 0).all()


def test_complex_sequences_in_a_list_are_refused():
    # np.asarray(x, dtype=float64) kept the real parts, with a ComplexWarning
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(n, 2)) + 1j for n in (5, 7, 6)] * 4
    with pytest.raises(ValueError, match="Complex data not supported: sequence 0"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(seqs, np.arange(12.0))


@pytest.mark.parametrize("container", [
    lambda seqs: np.array(seqs, dtype=object),
    lambda seqs: pd.Series(seqs, index=np.arange(10, 10 + len(seqs))),
], ids=["object-ndarray", "series"])
def test_a_1d_object_array_of_sequences_names_the_fix(container):
    # numpy's bare "setting an array element with a sequence."
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=n) for n in (5, 7, 6)] * 4
    with pytest.raises(TypeError, match=r"1D \w+ of sequences .* list\(X\)"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(container(seqs), np.arange(12.0))


def test_an_object_y_with_none_is_named_nan():
    # None passes sklearn's _check_y as NaN: the message blamed the scale of y
    X = np.random.RandomState(0).normal(size=(20, 6))
    y = X[:, -1].astype(object)
    y[3] = None
    with pytest.raises(ValueError, match="Input y contains NaN"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(X, y)
    y[3] = np.inf
    with pytest.raises(ValueError, match="Input y contains infinity"):
        SequenceRegressor(hidden_size=4, max_iter=1).fit(X, y)


@pytest.mark.parametrize("y", [
    np.array(["a", np.nan, "b"] * 8, dtype=object),
    pd.Series(pd.Categorical(["a", None, "b"] * 8)),
    pd.Series(["a", None, "b"] * 8, dtype="string"),
    np.array(["a", None, "b"] * 8, dtype=object),
    np.array(["a", pd.NaT, "b"] * 8, dtype=object),
    np.array(["a", np.datetime64("NaT", "ns"), "b"] * 8, dtype=object),
], ids=["object-nan", "categorical", "string-na", "object-none", "pandas-nat", "numpy-nat"])
def test_missing_string_labels_are_named_nan(y):
    # NumPy's "'<' not supported between instances of 'float' and 'str'"
    # (np.unique's sort), then "Mix of label input types"; MLPClassifier says
    # "Input contains NaN"; NaT (pandas.isna's missing) was called a number
    # in a "Mix of label input types"
    X = np.random.RandomState(0).normal(size=(24, 6))
    with pytest.raises(ValueError, match=r"Input y contains NaN: 8 of its 24 labels are "
                       r"missing .*, the first at position 1\. Drop those samples"):
        SequenceClassifier(hidden_size=4, max_iter=1).fit(X, y)


def test_a_stratified_split_that_cannot_be_drawn_names_the_fix():
    X = np.random.RandomState(0).normal(size=(12, 5))
    y = np.arange(12)  # one sample of every class: nothing to stratify
    with pytest.raises(ValueError, match=r"Could not draw a stratified .*\. Use at least 2 samples"):
        SequenceClassifier(early_stopping=True, max_iter=1).fit(X, y)
    # one sample of one class trains, the others are stratified (review s35 rvA F2)
    SequenceClassifier(early_stopping=True, max_iter=1).fit(X, np.array([0] * 11 + [1]))


@pytest.mark.parametrize("Estimator", [LSTMRegressor, SequenceClassifier])
def test_one_sequence_passed_as_a_2d_table_names_x_none(Estimator):
    # predict(X[-1]) on a model fitted on 3D windows read the (24, 1) window
    # as 24 sequences of one step: 24 predictions and no warning
    # (MLPRegressor raises); a (30, 3) sequence was told it had 1 channel
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 24, 3))
    y = X[:, -1, 0] if Estimator is LSTMRegressor else (X[:, -1, 0] > 0).astype(int)
    est = Estimator(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"expecting 3 channels.*pass X\[None\]"):
        est.predict(X[0])
    assert est.predict(X[0][None]).shape == (1,)
    univariate = Estimator(hidden_size=4, max_iter=1, random_state=0).fit(X[:, :, :1], y)
    with pytest.raises(ValueError, match=r"24 sequences of 1 time step.*pass X\[None\]"):
        univariate.predict(X[0, :, :1])
    assert univariate.predict(X[:5, :, 0]).shape == (5,)  # rows as sequences, as fitted
    # fitted on sequences of several lengths, one-step sequences are legitimate
    ragged = Estimator(hidden_size=4, max_iter=1, random_state=0).fit(
        [x[: 1 + i % 24, :1] for i, x in enumerate(X)], y)
    assert ragged.predict(X[:5, :1, 0]).shape == (5,)
    # in the layout of time_axis=2, an instance (n_channels, n_timesteps) as
    # sktime holds it: the hint gave time_axis=1's, which then failed, and
    # the instance itself got none (review rvA F6)
    panel = X.transpose(0, 2, 1)
    sktime_like = Estimator(hidden_size=4, max_iter=1, random_state=0,
                            time_axis=2).fit(panel, y)
    for one in (panel[0], panel[0].T):
        with pytest.raises(ValueError, match=r"one sequence of shape \(n_channels, "
                           r"n_timesteps\), the layout of time_axis=2, pass X\[None\].*"
                           r"\(n_timesteps, n_channels\): X\.T\[None\]"):
            sktime_like.predict(one)
    assert sktime_like.predict(panel[0][None]).shape == (1,)


def test_a_list_of_dataframes_keeps_its_column_names():
    # the names were dropped: tables with their columns swapped were read
    # as they came, in predict and within one fit (scikit-learn raises on
    # a reordered table)
    rng = np.random.RandomState(0)
    seqs = [pd.DataFrame(rng.normal(size=(rng.randint(5, 9), 2)), columns=["price", "volume"])
            for _ in range(30)]
    y = np.array([s["price"].iloc[-1] for s in seqs])
    reg = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(seqs, y)
    assert list(reg.feature_names_in_) == ["price", "volume"]
    swapped = [s[["volume", "price"]] for s in seqs]
    with pytest.raises(ValueError, match=r"should match those that were passed during fit"):
        reg.predict(swapped[:3])
    with pytest.raises(ValueError, match="name their columns differently"):
        LSTMRegressor(max_iter=1).fit(seqs[:1] + swapped[1:], y)
    # no names where the fit had them, and the other way round: scikit-learn's
    # two warnings, as validate_data gives them for tables
    with pytest.warns(UserWarning, match="X does not have valid feature names, but "
                      "LSTMRegressor was fitted with feature names"):
        assert reg.predict([s.to_numpy() for s in seqs[:3]]).shape == (3,)
    unnamed = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(
        [s.to_numpy() for s in seqs], y)
    assert not hasattr(unnamed, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names, but LSTMRegressor was "
                      "fitted without feature names"):
        unnamed.predict(seqs[:3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.predict(seqs[:3])
        unnamed.predict([s.to_numpy() for s in seqs[:3]])


def test_a_nested_univ_dataframe_is_refused_naming_the_fix():
    # sktime's nested_univ panel (a pd.Series per instance and channel) got
    # NumPy's bare "setting an array element with a sequence." (review N, F4)
    rng = np.random.RandomState(0)
    X3 = rng.normal(size=(20, 2, 30))  # numpy3D
    y = np.arange(20) % 2
    nested = pd.DataFrame({f"dim_{c}": [pd.Series(x[c]) for x in X3] for c in range(2)})
    match = (r"X is a DataFrame of sequences .*nested_univ.*where the series are of "
             r"equal lengths, sktime's convert_to\(X, \"numpy3D\"\)")
    with pytest.raises(TypeError, match=match):
        SequenceClassifier(max_iter=1).fit(nested, y)
    clf = SequenceClassifier(hidden_size=4, max_iter=1, random_state=0).fit(
        X3.transpose(0, 2, 1), y)
    with pytest.raises(TypeError, match=match):
        clf.predict(nested)
    # the message's list recipe reads the panel as the 3D array
    seqs = [np.column_stack(list(row)) for row in nested.itertuples(index=False)]
    np.testing.assert_array_equal(clf.predict(seqs), clf.predict(X3.transpose(0, 2, 1)))


def test_a_long_format_panel_is_refused_naming_the_fix():
    # sktime's pd-multiindex panel, or df.set_index(["id", "t"]): one row per
    # instance and time point. It got scikit-learn's "Found input variables
    # with inconsistent numbers of samples: [600, 20]" (review RVU, finding 4)
    rng = np.random.RandomState(0)
    X3 = rng.normal(size=(20, 30, 2))
    y = np.arange(20) % 2
    index = pd.MultiIndex.from_product([range(20), range(30)], names=["id", "t"])
    long = pd.DataFrame(X3.reshape(-1, 2), index=index, columns=["a", "b"])
    # convert_to(..., "numpy3D") only where the lengths are equal: it fails on
    # others (JapaneseVowels; review rvA F4)
    match = (r"X looks like a long-format panel.*600 rows for 20 targets in y, and 20 "
             r"instances.*groupby\(level=0, sort=False\).*where the instances are of "
             r"equal lengths, sktime's convert_to\(X, \"numpy3D\"\)")
    for est in (SequenceClassifier(max_iter=1), LSTMRegressor(max_iter=1)):
        for X in (long, long["a"]):
            with pytest.raises(ValueError, match=match):
                est.fit(X, y)
    # at predict, where its rows would be read as sequences of one step (a
    # fit on a list of several lengths predicted them so, without a word)
    clf = SequenceClassifier(hidden_size=4, max_iter=1, random_state=0).fit(X3, y)
    varying = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(
        [x[: 10 + i, :1] for i, x in enumerate(X3)], y)
    for est, X in ((clf, long), (varying, long[["a"]]), (varying, long["a"])):
        with pytest.raises(ValueError, match=r"long-format panel.*600 rows of one time "
                           r"step each, for a model fitted on sequences of \d+ steps"):
            est.predict(X)
    # the message's recipe reads the panel as the 3D array
    seqs = [g.to_numpy() for _, g in long.groupby(level=0, sort=False)]
    np.testing.assert_array_equal(clf.predict(seqs), clf.predict(X3))
    # a table of windows indexed by (instance, time), one row per sample, as
    # sktime's reduction forecasters pass with pooling="global", is read
    windows = long.iloc[:, :1].copy()
    for lag in range(1, 6):
        windows[f"lag_{lag}"] = long["a"].groupby(level=0).shift(lag)
    windows = windows.dropna()
    target = rng.normal(size=len(windows))
    reg = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(windows, target)
    assert reg.predict(windows).shape == (len(windows),)
    # such a table with a y of another length than its rows and its instances
    # is a slip in y: scikit-learn's message, not the long panel's (review RV)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LSTMRegressor(max_iter=1).fit(windows, target[:-1])
    one_step = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(
        windows.iloc[:, :1], target)
    assert one_step.predict(windows.iloc[:, :1]).shape == (len(windows),)


def test_a_list_of_nullable_dataframes_reads_na_as_nan():
    # <NA> (astype("Float64"), convert_dtypes(), an Arrow read) was refused with
    # "not 'NAType'", also under leading_nan="trim"; a 2D nullable table, and
    # the same sequences with float NaN, were read (review N, F3)
    rng = np.random.RandomState(0)
    seqs = [pd.DataFrame(rng.normal(size=(6, 2)), columns=["a", "b"]) for _ in range(20)]
    for i, s in enumerate(seqs):
        s.iloc[: i % 3] = np.nan  # no history yet
    nullable = [s.astype("Float64") for s in seqs]
    assert nullable[1].isna().iloc[0].all()
    y = rng.normal(size=20)
    params = dict(hidden_size=4, max_iter=1, random_state=0, leading_nan="trim")
    expected = LSTMRegressor(**params).fit(seqs, y).predict(seqs[:3])
    np.testing.assert_array_equal(
        LSTMRegressor(**params).fit(nullable, y).predict(nullable[:3]), expected)
    with pytest.raises(ValueError, match="Input X contains NaN or inf: sequence 1 .*"
                       "only with leading_nan='trim'"):
        LSTMRegressor(max_iter=1).fit(nullable, y)


@pytest.mark.parametrize("as_list", [False, True])
def test_nan_messages_name_trim_only_where_it_is_off(as_list):
    # "and only with leading_nan='trim'" was said where trim was set
    X = np.random.RandomState(0).normal(size=(20, 6, 1))
    X[3, 4] = np.nan
    data = list(X) if as_list else X
    y = np.arange(20.0)
    with pytest.raises(ValueError, match=r"sequence 3 has a non-finite value\. Only leading "
                                         r"all-NaN steps \(no history yet\) are accepted\.$"):
        LSTMRegressor(leading_nan="trim", max_iter=1).fit(data, y)
    with pytest.raises(ValueError, match="and only with leading_nan='trim'"):
        LSTMRegressor(max_iter=1).fit(list(X), y)


@pytest.mark.parametrize("ndim", [2, 3])
@pytest.mark.parametrize("leading", [False, True])
def test_array_nan_message_under_raise_says_leading_nan_needs_trim(ndim, leading):
    # arrays under the default leading_nan="raise" said leading all-NaN steps
    # "are accepted", which they are not there (lists said it right)
    X = np.random.RandomState(0).normal(size=(20, 6, 1))
    X[3, 4] = np.nan
    if leading:
        X[3, :2] = np.nan
    data = X[:, :, 0] if ndim == 2 else X
    where = " after its leading missing steps" if leading else ""
    with pytest.raises(ValueError, match=rf"sequence 3 has a non-finite value{where}\. Only "
                                         r"leading all-NaN steps \(no history yet\) are "
                                         r"accepted, and only with leading_nan='trim'\."):
        LSTMRegressor(max_iter=1).fit(data, np.arange(20.0))


def test_strings_are_refused_not_parsed_as_numbers():
    # scikit-learn's dtype="numeric" refuses arrays of strings; asked for
    # floats, check_array parsed them ("0.5" as 0.5) and fit went ahead
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 6)), rng.normal(size=20)
    reg = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0)
    text = [[str(v) for v in row] for row in X]
    for bad in (X.astype(str), X[:, :, None].astype(str), X.astype("S24"), text,
                [row[: 3 + i % 2] for i, row in enumerate(text)]):
        with pytest.raises(ValueError, match=r"holds strings .*astype\(float\)"):
            reg.fit(bad, y)
    reg.fit(X, y)
    with pytest.raises(ValueError, match="holds strings"):
        reg.predict(X.astype(str))
    # numbers in an object array are converted, as scikit-learn converts them
    np.testing.assert_array_equal(reg.predict(X.astype(object)), reg.predict(X))


def test_a_table_column_that_is_not_numbers_is_refused_by_its_name():
    # the windowing tools named a date or text column; the estimators gave
    # NumPy's DTypePromotionError or "could not convert string to float"
    # (review rvC 2), also for one DataFrame of a list
    rng = np.random.RandomState(0)
    table = pd.DataFrame(rng.normal(size=(20, 6)), columns=[f"t{i}" for i in range(6)])
    y = rng.normal(size=20)
    dated = table.assign(t0=pd.date_range("2024-01-01", periods=20))
    labelled = table.assign(t5=pd.Categorical(np.where(y > 0, "up", "down")))
    for estimator in (LSTMRegressor(max_iter=1), SequenceClassifier(max_iter=1)):
        target = y if isinstance(estimator, LSTMRegressor) else y > 0
        name = type(estimator).__name__
        with pytest.raises(TypeError, match=rf"{name} reads numbers only, but column 't0' "
                                            r"of X holds dates or times.*drop\(columns='t0'\)"):
            estimator.fit(dated, target)
        with pytest.raises(TypeError, match=r"column 't5' of X holds values that are not "
                                            r"numbers \(dtype category\)"):
            estimator.fit(labelled, target)
        sequences = [table.iloc[:, :3]] * 19 + [dated.iloc[:, :3]]
        with pytest.raises(TypeError, match=r"column 't0' of X\[19\] holds dates.*"
                                            r"X\[19\]\.drop\(columns='t0'\)"):
            estimator.fit(sequences, target)
    # a categorical of numbers is numbers
    numbers = table.assign(t0=pd.Categorical(np.round(table["t0"], 1)))
    assert LSTMRegressor(max_iter=1).fit(numbers, y).predict(numbers).shape == (20,)


def test_a_regressor_refuses_labels_as_targets():
    # NumPy's "could not convert string to float" named neither y nor the
    # classifier (review rvC 2); numbers written as text convert, as in
    # scikit-learn
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 6)), rng.normal(size=20)
    labels = np.where(y > 0, "up", "down")
    for bad in (labels, list(labels), pd.Series(labels, dtype="category"),
                labels.astype(object)):
        with pytest.raises(ValueError, match=r"y holds labels that are not numbers "
                                             r"\(dtype .*'(up|down)'\): LSTMRegressor "
                                             r"predicts numbers\. For class labels use "
                                             r"SequenceClassifier"):
            LSTMRegressor(max_iter=1).fit(X, bad)
    # missing values are scikit-learn's to name, not labels (review rvD F2)
    for missing in (pd.Series(np.where(y > 0, 1.0, None), dtype="Float64"),
                    pd.Series(np.where(y > 0, True, None), dtype="boolean")):
        with pytest.raises(ValueError, match="contains NaN"):
            LSTMRegressor(max_iter=1).fit(X, missing)
    text = LSTMRegressor(max_iter=1, random_state=0).fit(X, y.astype(str))
    np.testing.assert_allclose(
        text.predict(X), LSTMRegressor(max_iter=1, random_state=0).fit(X, y).predict(X))


def test_a_1d_x_gets_a_sequence_models_advice():
    # sklearn's advice, reshape(-1, 1) "if your data has a single feature",
    # makes n sequences of one step
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 6)), rng.normal(size=20)
    reg = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
    for bad in (X[0], list(X[0])):
        with pytest.raises(ValueError, match=r"Expected 2D array, got 1D array.*"
                           r"X\.reshape\(1, -1\).*make_windows"):
            reg.predict(bad)
    with pytest.raises(ValueError, match="make_windows"):
        LSTMRegressor().fit(X[:, 0], y)
    # a pandas Series got scikit-learn's "a single column" advice (U F-D)
    series = pd.Series(X[0])
    with pytest.raises(ValueError, match=r"got 1D array.*X\.to_numpy\(\)\[None\].*make_windows"):
        reg.predict(series)
    with pytest.raises(ValueError, match="make_windows"):
        LSTMRegressor().fit(pd.Series(X[:, 0]), y)
    # an empty list is no 1D sequence to reshape
    with pytest.raises(ValueError, match=r"^X is empty: LSTMRegressor needs at least one "
                                         r"sequence, got 0\.$"):
        reg.predict([])


def test_a_table_of_features_warns_that_columns_are_time_steps():
    # a temperature, a humidity and a load in kW read as three time steps of
    # one channel, standardised together: the humidity vanished (R^2 -0.007)
    rng = np.random.RandomState(0)
    features = np.column_stack([20 + 5 * rng.normal(size=60), 0.5 + 0.1 * rng.normal(size=60),
                                1e4 + 2e3 * rng.normal(size=60)])
    y = features[:, 0] + 30 * features[:, 1]
    params = dict(hidden_size=4, max_iter=1, random_state=0)
    with pytest.warns(UserWarning, match=r"differ in scale like features.*n_channels=3"):
        LSTMRegressor(**params).fit(features, y)
    series = np.exp(np.linspace(0, 3, 80)) * (1 + 0.1 * rng.normal(size=80))  # growing 20-fold
    windows = np.lib.stride_tricks.sliding_window_view(series, 12)[:-1]
    constant_start = np.column_stack([np.full(60, 1e-14) * rng.normal(size=60),
                                      rng.normal(size=(60, 5))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LSTMRegressor(**params).fit(windows, series[12:])
        LSTMRegressor(**params, n_channels=3).fit(features, y)  # one step of 3 channels
        LSTMRegressor(**params).fit(constant_start, y)
    assert not [w for w in caught if "like features" in str(w.message)]


@pytest.mark.parametrize("leading_nan", ["raise", "trim"])
def test_nan_padding_at_the_end_names_a_list_of_sequences(leading_nan):
    # unequal lengths padded with NaN at the end (tslearn's and aeon's 3D
    # arrays) were told to impute the missing values, or that trimming reads
    # only leading steps
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 10, 2)), rng.normal(size=20)
    X[3, 7:], X[5, 4:], X[8, :2] = np.nan, np.nan, np.nan
    reg = LSTMRegressor(hidden_size=4, max_iter=1, leading_nan=leading_nan)
    with pytest.raises(ValueError, match=r"padded with NaN at the end.*list of arrays"):
        reg.fit(X, y)
    inner = X.copy()
    inner[9, 5, 0] = np.nan  # one channel of one step: no padding
    with pytest.raises(ValueError, match="has a non-finite value") as error:
        reg.fit(inner, y)
    assert "padded" not in str(error.value)
    reg.fit([x[~np.isnan(x).all(axis=-1)] for x in X], y)  # the advice works


def test_trailing_nan_in_a_table_gets_a_tables_advice_and_impute():
    # one missing value in a table's last column was told it was 3D padding,
    # with a comprehension that made each row one step of 8 channels, and
    # without the imputation a NaN one column to the left was advised
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 8)), rng.normal(size=30)
    X[3, -1] = np.nan
    reg = LSTMRegressor(hidden_size=4, max_iter=1)
    with pytest.raises(ValueError, match=r"last columns of some rows.*"
                       r"\[row\[~np\.isnan\(row\)\] for row in X\].*impute them "
                       r"\(e\.g\. with SimpleImputer\) or drop those rows\.$") as error:
        reg.fit(X, y)
    assert "axis=-1" not in str(error.value)
    assert reg.fit([row[~np.isnan(row)] for row in X], y).n_channels_in_ == 1  # the advice works
    two = rng.normal(size=(30, 8))
    two[3, 6:] = np.nan  # the last step of 2 channels, channels_last
    with pytest.raises(ValueError, match=r"reshaped to \(n_timesteps, n_channels\).*SimpleImputer"):
        LSTMRegressor(max_iter=1, n_channels=2, flat_layout="channels_last").fit(two, y)
    X3 = rng.normal(size=(30, 10, 2))
    X3[3, 7:] = np.nan  # 3D padding keeps its advice, and gets the other one too
    with pytest.raises(ValueError, match=r"axis=-1.*impute them or drop those rows\.$"):
        reg.fit(X3, y)


@pytest.mark.parametrize("leading_nan", ["raise", "trim"])
def test_channels_last_lag_windows_name_flat_layout_not_one_channel(leading_nan):
    # channels-last lag windows read channels-first were told n_channels=1,
    # which reads the channels interleaved as one (and fits without a word)
    from sklearn_rnn.windowing import LagWindowTransformer

    table = np.random.RandomState(0).normal(size=(60, 3))
    X = LagWindowTransformer(6, flat_layout="channels_last").fit_transform(table)
    reg = LSTMRegressor(n_channels=3, leading_nan=leading_nan, max_iter=1)
    with pytest.raises(ValueError, match=r"windows of 3 channels \(flat_layout="
                       r"'channels_last'\).*pass flat_layout='channels_last'") as error:
        reg.fit(X, table[:, 0])
    assert "n_channels=1" not in str(error.value)
    # read with another count, the largest that explains the NaN is named
    with pytest.raises(ValueError, match=r"pass n_channels=3 and flat_layout='channels_last'"):
        LSTMRegressor(n_channels=2, leading_nan=leading_nan, max_iter=1).fit(X, table[:, 0])


def test_a_list_of_equal_length_1d_sequences_names_the_table_reading():
    # a list of 1D sequences of one length is a table: after a fit on 10
    # columns, 6-step sequences got only scikit-learn's "6 features" error
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 10))
    reg = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(X, X[:, -1])
    for seqs in ([X[0, 4:]], (X[0, 4:], X[1, 4:])):
        with pytest.raises(ValueError, match=r"X has 6 features, but LSTMRegressor is "
                           r"expecting 10 features as input\. A list of 1D sequences.*"
                           r"\[s\[:, None\] for s in X\]"):
            reg.predict(seqs)
    with pytest.warns(UserWarning, match="X holds 2 sequence"):  # shorter than skip_steps_
        assert reg.predict([s[:, None] for s in X[:2, 4:]]).shape == (2,)  # the advice works
    with pytest.raises(ValueError, match=r"expecting 10 features as input\. A 2D X "
                       r"keeps fit's columns") as error:
        reg.predict(X[:2, 4:])  # an array is a table, as the user passed it
    assert "A list of 1D sequences" not in str(error.value)


@pytest.mark.parametrize("n_channels, flat_layout, time_axis, reading", [
    (1, "channels_last", 1, "X[:, :, None]"),
    (2, "channels_last", 1, "X.reshape(len(X), -1, 2)"),
    (3, "channels_first", 1, "X.reshape(len(X), 3, -1).transpose(0, 2, 1)"),
    # 3D input of time_axis=2 is (n_samples, n_channels, n_timesteps): the
    # hint gave the other layout, which predict then refused (review RV)
    (1, "channels_last", 2, "X[:, None, :]"),
    (2, "channels_last", 2, "X.reshape(len(X), -1, 2).transpose(0, 2, 1)"),
    (3, "channels_first", 2, "X.reshape(len(X), 3, -1)"),
])
def test_a_table_of_another_width_names_the_3d_reading(n_channels, flat_layout, time_axis,
                                                       reading):
    # scikit-learn's "X has 6 features, but LSTMRegressor is expecting 12
    # features as input." said nothing of the sequences of another length
    # that 3D input and lists take (review RVU, finding 8)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 12))
    reg = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0, n_channels=n_channels,
                        flat_layout=flat_layout, time_axis=time_axis).fit(X, X[:, -1])
    for table, arr in ((X, "X"), (pd.DataFrame(X), "X.to_numpy()")):
        with pytest.raises(ValueError, match=(
                r"^X has 6 features, but LSTMRegressor is expecting 12 features as "
                r"input\. A 2D X keeps fit's columns \(scikit-learn's contract\); a "
                r"sequence model takes sequences of another length as 3D input, "
                + re.escape(reading.replace("X", arr, 1)) + r", or as a list")):
            reg.predict(table.iloc[:, :6] if arr != "X" else table[:, :6])
    # the named reading is the table's, as predict reads it
    as_3d = eval(reading, {"X": X})  # the message's expression, run
    np.testing.assert_array_equal(reg.predict(as_3d), reg.predict(X))
    short = as_3d[:, -2:] if time_axis == 1 else as_3d[:, :, -2:]
    with pytest.warns(UserWarning, match="X holds 30 sequence"):  # shorter than skip_steps_
        assert reg.predict(short).shape == (30,)


def test_the_time_axis_warning_names_the_filter_that_silences_it():
    # 3D input laid out right, with more channels than steps, warned on
    # every fit of a search, with no word on how to say the layout is right
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 5, 12)), rng.normal(size=20)
    params = dict(hidden_size=4, max_iter=1, early_stopping=False, random_state=0)
    with pytest.warns(UserWarning, match="pass time_axis=2") as record:
        LSTMRegressor(**params).fit(X, y)
    message = next(str(w.message) for w in record if "time_axis" in str(w.message))
    advice = re.search(r'warnings\.filterwarnings\("ignore", message="(.*)"\)', message)
    assert advice is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=advice.group(1))
        LSTMRegressor(**params).fit(X, y)
    assert not [w for w in caught if "time_axis" in str(w.message)]


def test_missing_labels_without_pandas_are_pandas_isna(monkeypatch):
    # the one definition of a missing label, also where pandas is not imported
    from sklearn_rnn._classification import _is_missing
    labels = np.array([None, np.nan, np.float32("nan"), pd.NA, pd.NaT, np.datetime64("NaT", "ns"),
                       np.timedelta64("NaT", "ns"), "a", 1.0, 0, np.datetime64("2020-01-01")],
                      dtype=object)
    expected = pd.isna(labels)
    with_pandas = _is_missing(labels)
    monkeypatch.setitem(sys.modules, "pandas", None)
    without = _is_missing(np.delete(labels, [3, 4]))  # no pandas, no pandas values
    np.testing.assert_array_equal(with_pandas, expected)
    np.testing.assert_array_equal(without, np.delete(expected, [3, 4]))


def test_sequences_trimmed_of_leading_nan_are_as_long_as_what_is_left():
    # the steps trimmed are not left as padding at the end
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 8, 1))
    y = X[:, -1, 0]
    X_nan = X.copy()
    X_nan[:, :3] = np.nan
    params = dict(hidden_size=2, max_iter=2, random_state=0)
    trimmed = LSTMRegressor(leading_nan="trim", **params).fit(X_nan, y)
    plain = LSTMRegressor(**params).fit(X[:, 3:], y)
    assert trimmed.n_timesteps_in_ == plain.n_timesteps_in_ == 5
    np.testing.assert_array_equal(trimmed.predict(X_nan), plain.predict(X[:, 3:]))


def test_taken_sequences_keep_their_own_lengths():
    from sklearn_rnn._sequences import Sequences

    seqs = Sequences(np.zeros((3, 4, 1), dtype=np.float32), np.array([4, 2, 3]), 3)
    taken = seqs.take(np.array([2, 1]))
    assert taken.values.shape == (2, 4, 1)
    np.testing.assert_array_equal(taken.lengths, [3, 2])
    assert taken.shortest == 2


def test_twice_as_many_channels_as_steps_warns_of_the_time_axis():
    rng = np.random.RandomState(0)
    y = np.arange(20) % 2
    with pytest.warns(UserWarning, match=r"X has 3 time steps of 6 channels per sample "
                      r"\(read with time_axis=1\)\. If X is laid out as \(n_samples, "
                      r"n_channels, n_timesteps\).*pass time_axis=2\."):
        SequenceClassifier(hidden_size=2, max_iter=1).fit(rng.normal(size=(20, 3, 6)), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        SequenceClassifier(hidden_size=2, max_iter=1).fit(rng.normal(size=(20, 4, 7)), y)


def test_a_small_spread_at_a_large_level_is_scaled_as_standard_scaler_does():
    # a relative bound of 1e-12 took a spread of 1e-7 about 1e6 for a
    # constant target (scale 1): R^2 0.864 to 0.034 (review s36 rvC F1);
    # scikit-learn's StandardScaler scales it, and so do we now
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    s = X[:, -1] + 0.5 * X[:, -2]
    for level, spread in ((1e6, 1e-7), (1e-20, 1e-33), (0.0, 1.0)):
        y = level + spread * s
        est = SequenceRegressor(hidden_size=4, max_iter=1, random_state=0,
                                early_stopping=False, window_normalization=None).fit(X, y)
        expected = StandardScaler().fit(y[:, None]).scale_
        np.testing.assert_allclose(est._target_scale, expected, rtol=1e-6)
    for constant in (1e6, 0.1, -3e-20):  # a constant column of any magnitude: 1
        y = np.full(60, constant)
        est = SequenceRegressor(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
        assert est._target_scale == [1.0]


def test_the_validation_r2_of_constant_targets_is_scikit_learns():
    # a float32 mean of equal values is not exact: the total sum of squares
    # came out 2e-15 and validation_scores_ -1.9e15 (review s36 rvC F7)
    import torch

    from sklearn_rnn._losses import r2_score

    t = torch.full((10, 1), np.float32(-0.0303 / 0.1706))
    assert r2_score(t + 0.01, t) == 0.0
    assert r2_score(t, t) == 1.0
    assert r2_score(t + 0.01, t, torch.rand(10, dtype=torch.float64)) == 0.0
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 6, 2))
    y = np.zeros(100)
    y[:3] = 1.0  # the validation rows all have y == 0
    est = SequenceRegressor(hidden_size=4, max_iter=3, random_state=0).fit(X, y)
    assert set(est.validation_scores_) <= {0.0, 1.0}


def test_changes_between_steps_that_float32_erases_are_warned_of():
    # review s36 rvC F2: series at 1e8 that move by 1 per step (float32's
    # spacing there is 8) spread over 3e5 across sequences, so the values'
    # check passed; the networks read their changes and values relative to
    # the last step, all rounding: MSE 4.04 against the last value's 1.13
    rng = np.random.RandomState(0)
    walk = np.cumsum(rng.normal(size=(200, 20, 1)), axis=1)
    X = 1e8 + rng.uniform(0, 1e6, size=(200, 1, 1)) + walk
    params = dict(hidden_size=4, max_iter=1, random_state=0)
    with pytest.warns(UserWarning, match=r"X's channel 0 changes little from step to step "
                      r"for its level in float32.*root mean square change between steps "
                      r"0\.979, of which rounding to float32 changes 250%"):
        LSTMRegressor(**params).fit(X, X[:, -1, 0])
    lists = [x[: rng.randint(3, 21)] for x in X]  # within each sequence only
    with pytest.warns(UserWarning, match="changes little from step to step"):
        LSTMRegressor(**params).fit(lists, X[:, -1, 0])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*float32")
        for level, step in ((100.0, 1.0), (1e4, 0.01)):  # 0.0 % and 4 %
            X = level + step * walk
            LSTMRegressor(**params).fit(X, X[:, -1, 0])
            LSTMRegressor(**params).fit(X.astype(np.float32), X[:, -1, 0])
