"""Recurrent neural networks (LSTM, GRU) as scikit-learn estimators."""

from ._classification import SequenceClassifier
from ._regression import GRURegressor, LSTMRegressor, SequenceRegressor

__version__ = "0.1.0"

__all__ = [
    "GRURegressor",
    "LSTMRegressor",
    "SequenceClassifier",
    "SequenceRegressor",
    "__version__",
]
