"""numpydoc validation of the public API, and documented == fitted attributes."""

import importlib
import inspect
import re
import warnings

import numpy as np
import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

from numpydoc.docscrape import NumpyDocString  # noqa: E402

import sklearn_rnn  # noqa: E402
import sklearn_rnn.windowing  # noqa: E402
from sklearn_rnn.utils.docstrings import fill_docstring, parse_entries  # noqa: E402
from sklearn_rnn.utils.discovery import all_estimators  # noqa: E402

# Checks not enforced: the same set scikit-learn leaves out for methods
# (summary wording, See Also on every method, named return values...).
IGNORED = {"GL08", "SA01", "ES01", "EX01", "RT02", "GL02", "SS05", "PR02", "SA04",
           "GL07", "YD01"}
METHODS = ("fit", "partial_fit", "predict", "predict_quantiles", "predict_proba",
           "predict_log_proba",
           "transform", "get_feature_names_out")


def _utils_docstrings_callables():
    """The classes and functions of ``sklearn_rnn.utils.docstrings.__all__``
    (the rest are dictionaries of entries)."""
    module = importlib.import_module("sklearn_rnn.utils.docstrings")
    return [name for name in module.__all__
            if inspect.isclass(getattr(module, name))
            or inspect.isfunction(getattr(module, name))]


def _public_objects():
    names = [f"sklearn_rnn.{n}" for n in sklearn_rnn.__all__ if n != "__version__"]
    names.append("sklearn_rnn.utils.discovery.all_estimators")
    # public for packages that wrap the estimators (Entry had no Examples
    # and failed PR01 while no test read it)
    names += [f"sklearn_rnn.utils.docstrings.{n}" for n in _utils_docstrings_callables()]
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
    # cleandoc: Python 3.13 strips docstrings' common indentation itself
    assert "\nExamples\n--------\n>>>" in inspect.cleandoc(obj.__doc__)


def test_utils_docstrings_covered_and_in_the_api_reference():
    from pathlib import Path

    callables = _utils_docstrings_callables()
    assert {"Entry", "fill_docstring", "parse_entries"} <= set(callables)
    assert {f"sklearn_rnn.utils.docstrings.{n}" for n in callables} <= dict(OBJECTS).keys()
    api = (Path(__file__).resolve().parents[1] / "docs" / "api.rst").read_text(encoding="utf-8")
    for name in callables:
        assert f"\n   utils.docstrings.{name}\n" in api, f"{name} has no page in docs/api.rst"


def _documented_attributes(cls):
    doc = inspect.cleandoc(cls.__doc__).split("\nAttributes\n----------\n")[1]
    doc = doc.split("\nSee Also")[0].split("\nNotes")[0]
    return {
        line.split(" : ")[0]
        for line in doc.splitlines()
        if not line.startswith(" ") and " : " in line
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


def _public_classes():
    """Every class in sklearn_rnn.__all__, sklearn_rnn.windowing and the sktime adapters."""
    classes = [getattr(sklearn_rnn, n) for n in sklearn_rnn.__all__]
    classes += [getattr(sklearn_rnn.windowing, n) for n in sklearn_rnn.windowing.__all__]
    try:
        sktime_adapters = importlib.import_module("sklearn_rnn.sktime")
        classes += [getattr(sktime_adapters, n) for n in sktime_adapters.__all__]
    except ImportError:
        pass
    unique = {obj.__qualname__: obj for obj in classes if inspect.isclass(obj)}
    return sorted(unique.items())


def _stated_default(type_text):
    """The value after ``default=`` in a numpydoc type, or ``inspect.Parameter.empty``."""
    match = re.search(r"(?:^|,)\s*default\s*[=:]\s*(.+)$", type_text)
    if match is None:
        return inspect.Parameter.empty
    return eval(match[1], {"__builtins__": {}, "np": np})


def _same_default(stated, actual):
    if isinstance(stated, bool) or isinstance(actual, bool):
        return stated is actual
    if isinstance(stated, float) and np.isnan(stated):
        return isinstance(actual, float) and np.isnan(actual)
    return stated == actual


def _parameter_problems(cls):
    signature = inspect.signature(cls.__init__).parameters
    expected = [name for name in signature if name != "self"]
    documented = {
        p.name: p.type for p in NumpyDocString(inspect.getdoc(cls))["Parameters"]
    }
    problems = [f"undocumented: {n}" for n in expected if n not in documented]
    problems += [f"not a parameter: {n}" for n in documented if n not in signature]
    for name, type_text in documented.items():
        if name not in signature:
            continue
        stated = _stated_default(type_text)
        actual = signature[name].default
        if stated is not inspect.Parameter.empty and not _same_default(stated, actual):
            problems.append(f"{name}: docstring default {stated!r}, signature {actual!r}")
    return problems


@pytest.mark.parametrize(
    "cls", [c for _, c in _public_classes()], ids=[n for n, _ in _public_classes()]
)
def test_parameters_documented_with_their_defaults(cls):
    # Every __init__ parameter is documented, nothing else is, and a stated
    # default is the signature's.
    assert not _parameter_problems(cls)


def test_parameter_check_catches_a_missing_or_wrong_entry():
    class Documented:
        """Summary.

        Parameters
        ----------
        alpha : float, default=0.5
            Alpha.

        beta : str, default="x"
            Beta.

        delta : int
            Gone.
        """

        def __init__(self, alpha=0.5, beta="y", gamma=None):
            pass

    assert _parameter_problems(Documented) == [
        "undocumented: gamma",
        "not a parameter: delta",
        "beta: docstring default 'x', signature 'y'",
    ]


def test_fill_docstring_follows_the_signature():
    entries = parse_entries(
        """
        beta : str
            Beta, with a list:

            - one.

        alpha : float
            Alpha.
        """
    )

    @fill_docstring(entries, note="Shared note.")
    class Filled:
        """Summary.

        Parameters
        ----------
        {parameters}

        Notes
        -----
        {note}
        """

        def __init__(self, alpha=0.5, *, beta="x"):
            pass

    # cleandoc: Python 3.13 strips docstrings' common indentation itself
    assert inspect.cleandoc(Filled.__doc__) == (
        "Summary.\n\nParameters\n----------\n"
        "alpha : float, default=0.5\n    Alpha.\n\n"
        'beta : str, default="x"\n    Beta, with a list:\n\n'
        "    - one.\n\nNotes\n-----\n"
        "Shared note."
    )
    with pytest.raises(ValueError, match=r"no documentation for parameters \['gamma'\]"):

        @fill_docstring(entries)
        class Missing:
            """Summary.

            Parameters
            ----------
            {parameters}
            """

            def __init__(self, alpha=0.5, beta="x", gamma=1):
                pass

    with pytest.raises(ValueError, match="no marker"):
        fill_docstring(entries, note="unused")(Filled)


def test_fill_docstring_fills_the_class_own_methods():
    @fill_docstring(None, X="X : array-like of shape (n_samples, n_timesteps)")
    class Base:
        """Summary."""

        def predict(self, X):
            """Predict.

            Parameters
            ----------
            {X}
                Sequences.
            """

    class Child(Base):
        def score(self, X):
            """Score.

            {X}
            """

    assert "\nX : array-like of shape (n_samples, n_timesteps)\n    Sequences." in (
        inspect.cleandoc(Base.predict.__doc__)
    )
    # Inherited methods are filled once, by their own class's decorator.
    assert "{X}" in Child.score.__doc__
    with pytest.raises(ValueError, match=r"nothing to fill \{y\} with"):

        @fill_docstring(None)
        class Unfilled:
            """Summary."""

            def fit(self, X, y):
                """Fit.

                {y}
                """
    with pytest.raises(ValueError, match=r"no marker \['X'\]"):

        @fill_docstring(None, X="X : array-like")
        class Unused:
            """Summary."""

            def fit(self, X):
                """Fit."""


def _entry(cls, section, name):
    """The text of ``name``'s entry in ``section`` of ``cls``'s docstring, on one line."""
    entries = NumpyDocString(cls.__doc__)[section]
    return " ".join(" ".join(p.desc) for p in entries if p.name == name)


def test_classifier_docs_say_a_kept_ridge_start_is_refitted():
    # the regressor's entries said that its start competes as epoch 0 and is
    # refitted on every sample, and that best_validation_score_ is then the
    # score before that refit; the classifier's, whose ridge start is kept
    # and refitted the same way, said neither (review C, S2)
    classes = [sklearn_rnn.SequenceClassifier]
    try:
        classes.append(importlib.import_module("sklearn_rnn.sktime").RNNClassifier)
    except ImportError:
        pass
    for cls in classes:
        text = _entry(cls, "Parameters", "early_stopping")
        for words in ("starting weights as epoch 0", "ridge classifier",
                      "one standard error", "best_epoch_ == 0",
                      "refitted on every sample, the validation rows included"):
            assert words in text, (cls.__name__, words)
    score = _entry(sklearn_rnn.SequenceClassifier, "Attributes", "best_validation_score_")
    assert "before its refit on every sample" in score
    assert "not a held-out score" in score


def _quoted_names(text):
    """The names ``text`` quotes: ``name``, ``name=...``, :meth:`name`, :attr:`name`."""
    return (set(re.findall(r"``(\w+)", text))
            | set(re.findall(r":(?:meth|attr):`~?(?:\w+\.)*(\w+)`", text)))


def _public_names(cls):
    return {n for n in dir(cls) if not n.startswith("_")}


@pytest.mark.parametrize("adapter, inner", [("RNNForecaster", "SequenceRegressor"),
                                            ("RNNClassifier", "SequenceClassifier")])
def test_sktime_adapters_parameter_docs_name_only_what_they_have(adapter, inner):
    # the adapters took the core estimators' entries unchanged: they spoke of
    # learning_rate, optimizer, partial_fit, warm_start, sample_weight and
    # best_epoch_, which the adapters lack (review F3). A name of the inner
    # estimator's (parameter, method, fit argument, documented attribute)
    # quoted in an adapter's Parameters must be one of the adapter's.
    adapter = getattr(pytest.importorskip("sklearn_rnn.sktime"), adapter)
    inner = getattr(sklearn_rnn, inner)
    inner_names = (set(inspect.signature(inner).parameters) | _public_names(inner)
                   | _documented_attributes(inner)
                   | set(inspect.signature(inner.fit).parameters)
                   | set(inspect.signature(inner.partial_fit).parameters))
    own = (set(inspect.signature(adapter).parameters) | _public_names(adapter)
           | _documented_attributes(adapter) | set(inspect.signature(adapter.fit).parameters))
    foreign = {}
    for entry in NumpyDocString(adapter.__doc__)["Parameters"]:
        names = (_quoted_names(" ".join(entry.desc)) & inner_names) - own
        if names:
            foreign[entry.name] = sorted(names)
    assert not foreign


def test_forecaster_warns_at_max_iter_as_documented():
    # its max_iter and n_iter_no_change promised the regressor's
    # ConvergenceWarning, which fit_networks silences under early stopping
    # (review F3): the entries and a fit at max_iter agree
    pytest.importorskip("sktime")
    from sklearn.exceptions import ConvergenceWarning
    from sktime.datasets import load_airline

    from sklearn_rnn.sktime import RNNForecaster

    max_iter = _entry(RNNForecaster, "Parameters", "max_iter")
    assert "With ``early_stopping``, a network that reaches it" in max_iter
    assert "without a warning; without, reaching it without stopping warns" in max_iter
    assert "ConvergenceWarning" not in _entry(RNNForecaster, "Parameters", "n_iter_no_change")
    y = load_airline()
    for early_stopping in (True, False):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            RNNForecaster(max_iter=2, n_networks=1, hidden_size=4, random_state=0,
                          early_stopping=early_stopping).fit(y, fh=[1, 2])
        warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        assert warned is not early_stopping


def test_fill_docstring_writes_no_trailing_whitespace():
    # the blank lines inside a filled block stay empty, not indentation
    entries = parse_entries(
        """
        alpha : float
            Alpha, with a list:

            - one.

        beta : int
            Beta.
        """
    )

    @fill_docstring(entries)
    class Filled:
        """Summary.

        Parameters
        ----------
        {parameters}
        """

        def __init__(self, alpha=0.5, beta=1):
            pass

    assert "beta : int, default=1" in Filled.__doc__
    lines = Filled.__doc__.splitlines()[:-1]  # the last: the closing quotes' indentation
    assert [line for line in lines if line != line.rstrip()] == []


def test_a_parameter_without_a_default_is_documented_without_one():
    entries = parse_entries(
        """
        alpha : float
            Alpha.
        """
    )

    @fill_docstring(entries)
    class Required:
        """Summary.

        Parameters
        ----------
        {parameters}
        """

        def __init__(self, alpha):
            pass

    assert inspect.cleandoc(Required.__doc__).splitlines()[4:] == ["alpha : float", "    Alpha."]


def test_parse_entries_refuses_an_entry_without_a_type():
    with pytest.raises(ValueError, match="Entry 'alpha' has no ' : type'"):
        parse_entries(
            """
            alpha
                Alpha.
            """
        )
