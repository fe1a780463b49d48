"""skops.io round trips, with an explicit list of trusted types; pickles too."""

import pickle
import warnings

import numpy as np
import pytest
import torch

from sklearn_rnn import (
    GRURegressor,
    LSTMRegressor,
    SequenceClassifier,
    SequenceRegressor,
    skops_trusted_types,
)

SMALL = dict(hidden_size=6, max_iter=3, random_state=0)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 9, 2))
    X[:, :, 0] += np.linspace(0, 2, 9)
    y = X[:, -2:, 0].sum(axis=1)
    return X, y


ESTIMATORS = [
    LSTMRegressor(**SMALL),
    GRURegressor(**SMALL, bidirectional=True, num_layers=2, pooling="concat"),
    SequenceRegressor(**SMALL, window_normalization="last", skip_steps=3, patch_size=2,
                      differences=True),
    SequenceRegressor(**SMALL, loss="quantile", quantiles=[0.2, 0.8]),
    SequenceClassifier(**SMALL),
    SequenceClassifier(**SMALL, cell="gru", class_weight="balanced"),
]


def _fit(estimator, data):
    X, y = data
    target = np.where(y > np.median(y), "high", "low") if hasattr(estimator, "classes_") \
        or isinstance(estimator, SequenceClassifier) else y
    return estimator.fit(X, target), X, target


def _predictions(estimator, X):
    out = [estimator.predict(X)]
    if isinstance(estimator, SequenceClassifier):
        out.append(estimator.predict_proba(X))
    if getattr(estimator, "quantiles_", None) is not None:
        out.append(estimator.predict_quantiles(X))
    return out


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_skops_round_trip(data, estimator):
    sio = pytest.importorskip("skops.io")
    estimator, X, target = _fit(estimator, data)
    blob = sio.dumps(estimator)
    assert set(sio.get_untrusted_types(data=blob)) <= set(skops_trusted_types())
    assert sio.get_untrusted_types(data=blob) == skops_trusted_types(estimator)
    loaded = sio.loads(blob, trusted=skops_trusted_types())
    for a, b in zip(_predictions(loaded, X), _predictions(estimator, X)):
        np.testing.assert_array_equal(a, b)
    # the loaded estimator trains on (its optimizer's state came along)
    loaded.set_params(warm_start=True, max_iter=1).fit(X, target)
    assert loaded.n_iter_ == estimator.n_iter_ + 1


def test_skops_round_trip_of_an_adaptive_partial_fit(data):
    # the adaptive rate's state between partial_fit calls is a plain dict
    sio = pytest.importorskip("skops.io")
    X, y = data
    est = LSTMRegressor(learning_rate="adaptive", tol=10, n_iter_no_change=1, **SMALL)
    for _ in range(4):
        est.partial_fit(X, y)
    loaded = sio.loads(sio.dumps(est), trusted=skops_trusted_types())
    for model in (est, loaded):
        model.partial_fit(X, y)
    assert loaded.history_[-1]["lr"] == est.history_[-1]["lr"] == pytest.approx(2e-4)


LABEL_KINDS = {  # a class_weight dict keyed by labels of each kind
    "bool": lambda up: (up, {False: 2.0, True: 0.5}),
    "numpy bool": lambda up: (up, {np.False_: 2.0, np.True_: 0.5}),
    "numpy int": lambda up: (up + 1, {np.int64(1): 2.0, np.int64(2): 0.5}),
    "float": lambda up: (up * 1.0, {0.0: 2.0, 1.0: 0.5}),
    "str": lambda up: (np.where(up, "up", "down"), {"down": 2.0, "up": 0.5}),
}


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_class_weight_keeps_its_labels_through_skops(data, kind):
    # skops reads a dict's keys back through their type, bool("false") is
    # True: {False: 2.0, True: 0.5} came back {True: 0.5}, and the loaded
    # classifier's get_params, clone and refit weighed the classes otherwise
    sio = pytest.importorskip("skops.io")
    X, target = data
    y, weights = LABEL_KINDS[kind](target > np.median(target))
    clf = SequenceClassifier(**SMALL, class_weight=weights).fit(X, y)
    blob = sio.dumps(clf)
    assert sio.get_untrusted_types(data=blob) == skops_trusted_types(clf)
    old = dict(clf.__dict__)  # as pickled before: the dict as it stands
    old["optimizer_"] = clf.optimizer_.state_dict()
    from_old = SequenceClassifier.__new__(SequenceClassifier)
    from_old.__setstate__(pickle.loads(pickle.dumps(old)))
    loaded = [sio.loads(blob, trusted=skops_trusted_types()), pickle.loads(pickle.dumps(clf)),
              from_old]
    for other in loaded:
        assert other.get_params() == clf.get_params()
        assert list(map(type, other.class_weight)) == list(map(type, weights))
        for a, b in zip(_predictions(other, X), _predictions(clf, X)):
            np.testing.assert_array_equal(a, b)
    # a warm start goes on as from the classifier saved (the first fit's
    # class_weight, which it checks and weighs by, came along too)
    for model in (*loaded, clf):
        model.set_params(warm_start=True, max_iter=1).fit(X, y)
    for other in loaded:
        np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))


def test_a_dict_with_some_keys_not_strings_is_saved_as_pairs():
    from sklearn_rnn._portable import MODULE_STATE_KEY, dicts_to_pairs, pairs_to_dicts

    mixed = {"a": 1.0, 0: 2.0}
    saved = dicts_to_pairs({"class_weight": mixed})["class_weight"]
    assert saved == {MODULE_STATE_KEY: "pairs", "items": [("a", 1.0), (0, 2.0)]}
    assert pairs_to_dicts(saved) == mixed


def test_a_loaded_estimator_warns_of_short_sequences_as_the_fitted_one(data):
    # the training sequences' shortest length, kept to warn where predict
    # reads shorter ones than the skip connection and training (RVU, finding 3)
    sio = pytest.importorskip("skops.io")
    X, y = data
    est = SequenceRegressor(**SMALL, skip_steps=3).fit([x[-(4 + i % 5):] for i, x in
                                                        enumerate(X)], y)
    loaded = sio.loads(sio.dumps(est), trusted=skops_trusted_types())
    for model in (est, loaded, pickle.loads(pickle.dumps(est))):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.predict(X[:, -3:])
        with pytest.warns(UserWarning, match=r"X holds 40 sequence.*every training "
                          r"sequence had as many \(the shortest 4\)"):
            model.predict(X[:, -2:])


def test_skops_refuses_untrusted_types_by_default(data):
    sio = pytest.importorskip("skops.io")
    estimator, _, _ = _fit(LSTMRegressor(**SMALL), data)
    blob = sio.dumps(estimator)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(blob)
    missing_lstm = [t for t in skops_trusted_types() if not t.endswith(".LSTM")]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="LSTM"):
        sio.loads(blob, trusted=missing_lstm)


def test_skops_refuses_foreign_types_with_our_list(data):
    sio = pytest.importorskip("skops.io")
    estimator, X, y = _fit(LSTMRegressor(**SMALL), data)
    estimator.module_.head.extra = torch.nn.Identity()  # a type not on the list
    blob = sio.dumps(estimator)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="Identity"):
        sio.loads(blob, trusted=skops_trusted_types())


@pytest.mark.parametrize("estimator", ESTIMATORS[:2] + ESTIMATORS[4:5],
                         ids=lambda e: type(e).__name__)
def test_pickle_holds_no_torch_storage(data, estimator):
    estimator, X, _ = _fit(estimator, data)
    blob = pickle.dumps(estimator)
    assert b"_rebuild_tensor" not in blob and b"_rebuild_parameter" not in blob
    loaded = pickle.loads(blob)
    for a, b in zip(_predictions(loaded, X), _predictions(estimator, X)):
        np.testing.assert_array_equal(a, b)
    # the live estimator is untouched by pickling
    assert isinstance(estimator.module_, torch.nn.Module)
    assert isinstance(estimator.optimizer_, torch.optim.Optimizer)


def test_pickles_of_the_previous_format_load(data):
    """Estimators pickled with the network as a module still load."""
    estimator, X, _ = _fit(GRURegressor(**SMALL), data)
    state = dict(estimator.__dict__)  # module_ a torch module, as pickled before
    state["optimizer_"] = estimator.optimizer_.state_dict()
    old = pickle.loads(pickle.dumps(state))
    loaded = GRURegressor.__new__(GRURegressor)
    loaded.__setstate__(old)
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))


def test_a_file_of_another_version_warns(data):
    # the state records the sklearn_rnn version that saved it (it recorded
    # none: scikit-learn's _sklearn_version is for its own modules only)
    import sklearn_rnn

    sio = pytest.importorskip("skops.io")
    estimator, X, _ = _fit(LSTMRegressor(**SMALL), data)
    state = estimator.__getstate__()
    assert state["_sklearn_rnn_version"] == sklearn_rnn.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loaded in (pickle.loads(pickle.dumps(estimator)),
                       sio.loads(sio.dumps(estimator), trusted=skops_trusted_types())):
            assert "_sklearn_rnn_version" not in vars(loaded)
    state["_sklearn_rnn_version"] = "0.0.1"
    loaded = LSTMRegressor.__new__(LSTMRegressor)
    message = (f"LSTMRegressor from sklearn_rnn version 0.0.1 when using version "
               f"{sklearn_rnn.__version__}")
    with pytest.warns(UserWarning, match=message):
        loaded.__setstate__(state)
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))


def test_a_file_of_another_torch_or_scikit_learn_warns_as_scikit_learn_does(data):
    # the state recorded neither, though it holds torch's module internals;
    # and the warning was a bare UserWarning, which scikit-learn's documented
    # filter on InconsistentVersionWarning let through (review rvB F1, F2)
    import sklearn
    import torch
    from sklearn.exceptions import InconsistentVersionWarning

    estimator, X, _ = _fit(LSTMRegressor(**SMALL), data)
    state = estimator.__getstate__()
    assert state["_sklearn_rnn_torch_version"] == torch.__version__
    assert state["_sklearn_rnn_scikit-learn_version"] == sklearn.__version__
    major, minor = torch.__version__.split(".")[:2]
    for key, saved, package in (
            ("_sklearn_rnn_torch_version", f"{major}.{int(minor) + 1}.0", "torch"),
            ("_sklearn_rnn_scikit-learn_version", "0.24.2", "scikit-learn")):
        loaded = LSTMRegressor.__new__(LSTMRegressor)
        with pytest.warns(InconsistentVersionWarning,
                          match=rf"LSTMRegressor from {package} version {saved} when "
                                "using version") as caught:
            loaded.__setstate__({**state, key: saved})
        assert caught[0].message.package == package
        assert caught[0].message.original_sklearn_version == saved
        np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    # another patch release (or build) of torch is the same for the state
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTMRegressor.__new__(LSTMRegressor).__setstate__(
            {**state, "_sklearn_rnn_torch_version": f"{major}.{minor}.99+cu121"})
    # the sklearn_rnn version's warning is of the same class
    with pytest.raises(InconsistentVersionWarning):
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            LSTMRegressor.__new__(LSTMRegressor).__setstate__(
                {**state, "_sklearn_rnn_version": "0.0.1"})


@pytest.mark.parametrize("steps", ["trimmer", "lag"])
def test_a_pipeline_of_our_steps_loads_with_the_list(steps):
    # the windowing transformers are in the list, and a pipeline's list
    # holds its steps' types (it held the Pipeline's alone)
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn.windowing import LagWindowTransformer, WindowTrimmer

    rng = np.random.RandomState(0)
    series = rng.normal(size=(80, 1)).cumsum(axis=0)
    if steps == "trimmer":
        X, y = rng.normal(size=(40, 9)), rng.normal(size=40)
        pipe = make_pipeline(StandardScaler(), WindowTrimmer(6), LSTMRegressor(**SMALL))
    else:
        X, y = series[:-1], series[1:, 0]
        pipe = make_pipeline(LagWindowTransformer(4),
                             LSTMRegressor(leading_nan="trim", **SMALL))
    pipe.fit(X, y)
    blob = sio.dumps(pipe)
    for trusted in (skops_trusted_types(), skops_trusted_types(pipe)):
        loaded = sio.loads(blob, trusted=trusted)
        np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    assert sio.get_untrusted_types(data=blob) == skops_trusted_types(pipe)


def test_estimators_held_in_a_dict_are_in_the_list():
    # a grid over a pipeline's step holds the candidates in a dict (the
    # param_grid): their types were left out of the search's list
    sio = pytest.importorskip("skops.io")
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    search = GridSearchCV(Pipeline([("reg", GRURegressor())]),
                          {"reg": [GRURegressor(), LSTMRegressor()]})
    assert skops_trusted_types(search) == ["sklearn_rnn._regression.GRURegressor",
                                           "sklearn_rnn._regression.LSTMRegressor"]
    assert sio.get_untrusted_types(data=sio.dumps(search)) == skops_trusted_types(search)


def test_sktime_classifier_loads_with_the_list():
    # RNNClassifier is no scikit-learn estimator: the list left it and its
    # estimator_ out, and skops refused its file
    sio = pytest.importorskip("skops.io")
    pytest.importorskip("sktime")
    from sklearn_rnn.sktime import RNNClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 1, 12))
    y = np.where(X[:, 0, -1] > 0, "a", "b")
    clf = RNNClassifier(**SMALL).fit(X, y)
    blob = sio.dumps(clf)
    assert sio.get_untrusted_types(data=blob) == skops_trusted_types(clf)
    assert f"{RNNClassifier.__module__}.RNNClassifier" in skops_trusted_types()
    loaded = sio.loads(blob, trusted=skops_trusted_types())
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("kind", ["bool", "int", "float", "str"])
def test_sktime_classifier_keeps_its_labels_through_skops(kind):
    # skops reads a dict's keys back through their type, bool("false") is
    # True: sktime's {False: 0, True: 1} came back {True: 1}, and the loaded
    # classifier of docs/deploying.md's fit(panel, y > 0) predicted True only
    sio = pytest.importorskip("skops.io")
    pytest.importorskip("sktime")
    from sklearn_rnn.sktime import RNNClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 1, 12))
    up = X[:, 0, -1] > 0
    y = {"bool": up, "int": up.astype(int) + 1, "float": up.astype(float),
         "str": np.where(up, "up", "down")}[kind]
    weights = dict(zip(np.unique(y), [1.0, 3.0]))  # keyed by the labels too
    for clf in (RNNClassifier(**SMALL).fit(X, y),
                RNNClassifier(**SMALL, class_weight=weights).fit(X, y)):
        blob = sio.dumps(clf)
        assert sio.get_untrusted_types(data=blob) == skops_trusted_types(clf)
        for loaded in (sio.loads(blob, trusted=skops_trusted_types()),
                       pickle.loads(pickle.dumps(clf))):
            assert loaded.predict_proba(X).shape == (30, 2)
            np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
            np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
            assert loaded.get_params() == clf.get_params()
            assert loaded.estimator_.get_params() == clf.estimator_.get_params()


def test_sktime_adapters_save_and_load_as_documented(tmp_path):
    # docs/deploying.md, "The sktime adapters": pickle, joblib and sktime's
    # save/load round trip both; skops saves the classifier, not the forecaster
    sio = pytest.importorskip("skops.io")
    pytest.importorskip("sktime")
    import joblib
    import pandas as pd
    from sktime.base import load

    from sklearn_rnn.sktime import RNNClassifier, RNNForecaster

    rng = np.random.RandomState(0)
    y = pd.Series(np.sin(np.arange(60) * np.pi / 6) + rng.normal(scale=0.1, size=60),
                  index=pd.period_range("2000-01", periods=60, freq="M"))
    forecaster = RNNForecaster(n_networks=1, **SMALL).fit(y[:-3], fh=[1, 2, 3])
    X = rng.normal(size=(30, 1, 12))
    clf = RNNClassifier(**SMALL).fit(X, np.where(X[:, 0, -1] > 0, "a", "b"))
    joblib.dump(forecaster, tmp_path / "forecaster.joblib")
    forecaster.save(tmp_path / "forecaster")
    clf.save(tmp_path / "classifier")
    loaded = [pickle.loads(pickle.dumps(forecaster)),
              joblib.load(tmp_path / "forecaster.joblib"),
              load(str(tmp_path / "forecaster"))]
    for other in loaded:
        pd.testing.assert_series_equal(other.predict(), forecaster.predict())
    pd.testing.assert_series_equal(loaded[0].update(y[-3:], update_params=False).predict(),
                                   forecaster.update(y[-3:], update_params=False).predict())
    for other in (pickle.loads(pickle.dumps(clf)), load(str(tmp_path / "classifier"))):
        np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))
    with pytest.raises(TypeError):  # at dump (skops 0.11: at load)
        blob = sio.dumps(forecaster)
        sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))


def test_torch_device_parameter_loads_with_the_list(data):
    # device takes a torch.device, which skops does not trust by default
    sio = pytest.importorskip("skops.io")
    try:
        sio.loads(sio.dumps(torch.device("cpu")), trusted=["torch.device"])
    except TypeError:  # skops 0.11 (the oldest supported) builds objects by __new__
        pytest.skip("this skops cannot rebuild a torch.device (docs/deploying.md)")
    estimator, X, _ = _fit(LSTMRegressor(**SMALL, device=torch.device("cpu")), data)
    blob = sio.dumps(estimator)
    assert sio.get_untrusted_types(data=blob) == skops_trusted_types(estimator)
    loaded = sio.loads(blob, trusted=skops_trusted_types())
    assert loaded.device == torch.device("cpu")
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))


def test_trusted_types_listed():
    names = skops_trusted_types()
    assert names == sorted(names)
    assert {"torch.nn.modules.rnn.LSTM", "torch.nn.modules.rnn.GRU",
            "sklearn_rnn._regression.SequenceRegressor",
            "sklearn_rnn._classification.SequenceClassifier"} <= set(names)


def test_import_loads_no_deployment_extras():
    """onnx, onnxruntime, skl2onnx and skops load only when used."""
    import subprocess
    import sys

    script = ("import sys, sklearn_rnn\n"
              "print(sorted({'onnx', 'onnxruntime', 'skl2onnx', 'skops'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
