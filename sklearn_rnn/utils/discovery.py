"""Discovery of the public estimators, for tests and documentation."""

import importlib
import inspect

from sklearn.base import BaseEstimator

_PUBLIC_MODULES = ("sklearn_rnn", "sklearn_rnn.windowing")


def all_estimators():
    """List the public estimator classes of sklearn_rnn.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs, sorted by name, of the non-abstract
        scikit-learn estimators exported by ``sklearn_rnn`` and its public
        submodules.

    Examples
    --------
    >>> from sklearn_rnn.utils.discovery import all_estimators
    >>> [name for name, _ in all_estimators()][:2]
    ['GRURegressor', 'LSTMRegressor']
    """
    found = {}
    for module_name in _PUBLIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    return sorted(found.items())
