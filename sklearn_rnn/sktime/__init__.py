"""sktime adapters: a native RNN forecaster and classifier.

Importing this module needs sktime (``pip install sklearn-rnn[sktime]``);
``import sklearn_rnn`` never imports it.
"""

try:
    import sktime  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "sklearn_rnn.sktime needs sktime, which is not installed. "
        "Install it with: pip install sklearn-rnn[sktime]"
    ) from exc

from ._classification import RNNClassifier
from ._forecasting import RNNForecaster

__all__ = ["RNNClassifier", "RNNForecaster"]
