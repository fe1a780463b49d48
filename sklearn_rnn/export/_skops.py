"""skops_trusted_types: the types to trust when loading an estimator with skops."""

import torch
from sklearn.base import BaseEstimator
from torch import nn

from .._classification import SequenceClassifier
from .._convolution import ConvolutionBranch, RandomConvolutionBranch
from .._networks import RecurrentNetwork
from .._portable import module_classes
from .._regression import GRURegressor, LSTMRegressor, SequenceRegressor
from .._window_normalization import WindowNormalization
from ..windowing import LagWindowTransformer, WindowTrimmer

__all__ = ["skops_trusted_types"]

_ESTIMATORS = (SequenceRegressor, LSTMRegressor, GRURegressor, SequenceClassifier,
               WindowTrimmer, LagWindowTransformer)
# the sktime adapter skops saves (RNNForecaster's pandas state it cannot),
# by name: only sklearn_rnn.sktime imports sktime
_SKTIME_CLASSIFIER = "sklearn_rnn.sktime._classification.RNNClassifier"


def skops_trusted_types(estimator=None):
    """Names of the types to trust when loading estimators with skops.

    ``skops.io.load(file, trusted=skops_trusted_types())`` loads a saved
    estimator without running pickle: skops rebuilds it from arrays and
    plain values, constructing only the types it is told to trust (and the
    scikit-learn and NumPy types it trusts by default). A file holding any
    other type is refused.

    Parameters
    ----------
    estimator : estimator, default=None
        If given, the types of this package's estimators in it (itself, a
        pipeline's steps, a search's ``best_estimator_``, the sktime
        ``RNNClassifier``'s ``estimator_``), of their networks and of a
        :class:`torch.device` passed as ``device``: what skops does not
        trust by default in a file saved from it. scikit-learn's
        estimators are left out (skops trusts them); other objects a
        meta-estimator holds, such as a search's splitter, are not covered
        (``skops.io.get_untrusted_types`` lists them).
        None: every type the estimators and transformers of this package
        can hold (the estimators, :class:`~sklearn_rnn.sktime.RNNClassifier`,
        the windowing transformers, :class:`torch.device`,
        :class:`torch.nn.LSTM`, :class:`torch.nn.GRU`,
        :class:`torch.nn.Linear`, :class:`torch.nn.Dropout`, the convolution
        and batch normalisation layers of ``conv_filters`` and the
        package's network modules).

    Returns
    -------
    list of str
        Fully qualified type names, sorted, as ``skops.io.load`` takes them.

    See Also
    --------
    to_onnx : Export for serving without Python or torch.

    Notes
    -----
    Review this list before trusting it, as ``skops.io.get_untrusted_types``
    advises: trusting a type lets skops construct it (``cls.__new__`` and
    ``__setstate__`` with the file's values). The estimators'
    ``__setstate__`` builds their networks from the module classes listed
    here, the parameters and buffers as arrays. Loading needs torch and
    this package; to serve without them, export with :func:`to_onnx`.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> import skops.io as sio
    >>> from sklearn_rnn import GRURegressor, skops_trusted_types
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12))
    >>> reg = GRURegressor(hidden_size=8, max_iter=5, random_state=0).fit(X, X.sum(axis=1))
    >>> skops_trusted_types(reg)
    ['sklearn_rnn._networks.RecurrentNetwork', 'sklearn_rnn._regression.GRURegressor', \
'torch.nn.modules.dropout.Dropout', 'torch.nn.modules.linear.Linear', \
'torch.nn.modules.rnn.GRU']
    >>> loaded = sio.loads(sio.dumps(reg), trusted=skops_trusted_types())
    >>> np.array_equal(loaded.predict(X), reg.predict(X))
    True
    """
    if estimator is not None:
        types = {t for t in _held_types(estimator, set())
                 if t.__module__.partition(".")[0] != "sklearn"}
    else:
        types = {*_ESTIMATORS, RecurrentNetwork, WindowNormalization, nn.LSTM, nn.GRU,
                 nn.Linear, nn.Dropout, RandomConvolutionBranch, ConvolutionBranch,
                 nn.ModuleList, nn.Conv1d, nn.BatchNorm1d, torch.device}
    names = {f"{t.__module__}.{t.__qualname__}" for t in types}
    return sorted(names if estimator is not None else names | {_SKTIME_CLASSIFIER})


def _held_types(obj, seen):
    """Types of the estimators in ``obj`` (nested in attributes, lists and
    dicts, as a pipeline's steps are; this package's sktime adapters, which
    are no scikit-learn estimators, too), of their networks' modules and of
    a ``torch.device``."""
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    if isinstance(obj, torch.device):
        return {torch.device}
    ours = type(obj).__module__.partition(".")[0] == "sklearn_rnn"
    if isinstance(obj, BaseEstimator) or (ours and hasattr(obj, "__dict__")):
        types = {type(obj)}
        module = vars(obj).get("module_")
        if isinstance(module, nn.Module):
            types |= module_classes(module)
        children = vars(obj).values()
    elif isinstance(obj, (list, tuple)):
        types, children = set(), obj
    elif isinstance(obj, dict):
        types, children = set(), obj.values()
    else:
        return set()
    for child in children:
        types |= _held_types(child, seen)
    return types
