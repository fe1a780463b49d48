"""skops_trusted_types: the types to trust when loading an estimator with skops."""

from torch import nn

from .._classification import SequenceClassifier
from .._convolution import ConvolutionBranch, RandomConvolutionBranch
from .._networks import RecurrentNetwork
from .._portable import module_classes
from .._regression import GRURegressor, LSTMRegressor, SequenceRegressor
from .._window_normalization import WindowNormalization

__all__ = ["skops_trusted_types"]

_ESTIMATORS = (SequenceRegressor, LSTMRegressor, GRURegressor, SequenceClassifier)


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
        If given, the types of this estimator and of its network: what a
        file saved from it holds. None: every type the estimators of this
        package can hold (the estimators, :class:`torch.nn.LSTM`,
        :class:`torch.nn.GRU`, :class:`torch.nn.Linear`,
        :class:`torch.nn.Dropout`, the convolution and batch normalisation
        layers of ``conv_filters`` and the package's network modules).

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
        types = {type(estimator)}
        if hasattr(estimator, "module_"):
            types |= module_classes(estimator.module_)
    else:
        types = {*_ESTIMATORS, RecurrentNetwork, WindowNormalization, nn.LSTM, nn.GRU,
                 nn.Linear, nn.Dropout, RandomConvolutionBranch, ConvolutionBranch,
                 nn.ModuleList, nn.Conv1d, nn.BatchNorm1d}
    return sorted(f"{t.__module__}.{t.__qualname__}" for t in types)
