"""Recurrent neural networks (LSTM, GRU) as scikit-learn estimators."""

from ._classification import SequenceClassifier
from ._regression import GRURegressor, LSTMRegressor, SequenceRegressor
from .export import register_skl2onnx_converters, skops_trusted_types, to_onnx
from .windowing import LagWindowTransformer, WindowTrimmer, make_windows

__version__ = "0.1.0.dev0"

__all__ = [
    "GRURegressor",
    "LagWindowTransformer",
    "LSTMRegressor",
    "SequenceClassifier",
    "SequenceRegressor",
    "WindowTrimmer",
    "__version__",
    "make_windows",
    "register_skl2onnx_converters",
    "skops_trusted_types",
    "to_onnx",
]
