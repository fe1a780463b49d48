"""numpydoc validation of the public API, and documented == fitted attributes."""

import importlib
import inspect
import warnings

import numpy as np
import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import sklearn_rnn  # noqa: E402
from sklearn_rnn.utils.discovery import all_estimators  # noqa: E402

# Checks not enforced: the same set scikit-learn leaves out for methods
# (summary wording, See Also on every method, named return values...).
IGNORED = {"GL08", "SA01", "ES01", "EX01", "RT02", "GL02", "SS05", "PR02", "SA04",
           "GL07", "YD01"}
METHODS = ("fit", "partial_fit", "predict", "predict_proba", "predict_log_proba",
           "transform", "get_feature_names_out")


def _public_objects():
    names = [f"sklearn_rnn.{n}" for n in sklearn_rnn.__all__ if n != "__version__"]
    names.append("sklearn_rnn.utils.discovery.all_estimators")
    try:
        importlib.import_module("sklearn_rnn.sktime")
        names += ["sklearn_rnn.sktime.RNNForecaster", "sklearn_rnn.sktime.RNNClassifier"]
    except ImportError:
        pass
    for name in names:
        module, attr = name.rsplit(".", 1)
        obj = getattr(importlib.import_module(module), attr)
        yield name, obj
        if inspect.isclass(obj):
            for method in METHODS:
                if any(method in vars(k) for k in obj.__mro__
                       if k.__module__.startswith("sklearn_rnn")):
                    yield f"{name}.{method}", getattr(obj, method)


OBJECTS = list(_public_objects())


@pytest.mark.parametrize("name", [n for n, _ in OBJECTS])
def test_numpydoc(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = numpydoc_validate.validate(name)
    errors = [(code, msg) for code, msg in result["errors"] if code not in IGNORED]
    assert not errors, errors


@pytest.mark.parametrize("name", [n for n, o in OBJECTS if inspect.isclass(o)])
def test_public_classes_have_examples(name):
    obj = dict(OBJECTS)[name]
    assert "Examples\n    --------\n    >>>" in obj.__doc__


def _documented_attributes(cls):
    doc = cls.__doc__.split("    Attributes\n    ----------\n")[1]
    doc = doc.split("\n    See Also")[0].split("\n    Notes")[0]
    return {
        line.split(" : ")[0].strip()
        for line in doc.splitlines()
        if line.startswith("    ") and not line.startswith("     ") and " : " in line
    }


@pytest.mark.parametrize(
    "name, Estimator",
    [(n, e) for n, e in all_estimators() if n.endswith(("Regressor", "Classifier"))],
)
def test_documented_attributes_match_fit(name, Estimator):
    import pandas as pd

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 6)), columns=[f"t{i}" for i in range(6)])
    y = (X.sum(axis=1) > 0).to_numpy() if name.endswith("Classifier") else X.sum(axis=1)
    est = Estimator(hidden_size=4, max_iter=2, early_stopping=True).fit(X, y)
    fitted = {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}
    assert _documented_attributes(Estimator) == fitted
