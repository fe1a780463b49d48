"""Discovery of the public estimators, for tests and documentation."""

import importlib
import inspect

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

_PUBLIC_MODULES = ("sklearn_rnn", "sklearn_rnn.windowing")

_TYPE_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def all_estimators(type_filter=None):
    """List the public estimator classes of sklearn_rnn.

    The counterpart of :func:`sklearn.utils.discovery.all_estimators` for
    this package.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"} \
            or list of those, default=None
        Which kinds of estimators to return, by the scikit-learn mixin they
        inherit from; ``None`` returns every estimator. A list returns the
        estimators of any of its kinds.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs, sorted by name, of the non-abstract
        scikit-learn estimators exported by ``sklearn_rnn`` and its public
        submodules.

    Raises
    ------
    ValueError
        If ``type_filter`` names a kind other than those above.

    Examples
    --------
    >>> from sklearn_rnn.utils.discovery import all_estimators
    >>> [name for name, _ in all_estimators()][:2]
    ['GRURegressor', 'LSTMRegressor']
    >>> [name for name, _ in all_estimators(type_filter="classifier")]
    ['SequenceClassifier']
    """
    kinds = [] if type_filter is None else (
        [type_filter] if isinstance(type_filter, str) else list(type_filter))
    unknown = [kind for kind in kinds if kind not in _TYPE_FILTERS]
    if unknown:
        raise ValueError(
            "Parameter type_filter must be 'classifier', 'regressor', "
            f"'transformer', 'cluster' or None, got {unknown!r}.")
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
                and (not kinds or any(issubclass(obj, _TYPE_FILTERS[kind])
                                      for kind in kinds))
            ):
                found[name] = obj
    return sorted(found.items())
