"""Recurrent neural networks (LSTM, GRU) as scikit-learn estimators.

The public names and submodules are imported when first used (PEP 562's
module ``__getattr__``, as scikit-learn imports its submodules): ``import
sklearn_rnn`` imports nothing else, and :mod:`sklearn_rnn.windowing` needs
no PyTorch, so windowing data never waits for torch to load.
``sklearn_rnn.sktime`` needs sktime: import it by name.
"""

import importlib as _importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0.dev0"

# Each public name and the submodule defining it, imported on first access.
_LAZY_NAMES = {
    "GRURegressor": "_regression",
    "LSTMRegressor": "_regression",
    "SequenceRegressor": "_regression",
    "SequenceClassifier": "_classification",
    "LagWindowTransformer": "windowing",
    "WindowTrimmer": "windowing",
    "make_windows": "windowing",
    "register_skl2onnx_converters": "export",
    "skops_trusted_types": "export",
    "to_onnx": "export",
}

#: The public submodules, attributes of the package once first used (as
#: before the names were imported lazily); sktime's adapters, an optional
#: dependency, are imported by name.
_SUBMODULES = ("export", "plotting", "utils", "windowing")

if TYPE_CHECKING:  # the names as static tools (type checkers, IDEs) see them
    from ._classification import SequenceClassifier
    from ._regression import GRURegressor, LSTMRegressor, SequenceRegressor
    from .export import register_skl2onnx_converters, skops_trusted_types, to_onnx
    from .windowing import LagWindowTransformer, WindowTrimmer, make_windows

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


def __dir__():
    return sorted({*globals(), *__all__, *_SUBMODULES})


def __getattr__(name):
    if name in _LAZY_NAMES:
        module = _importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}")
        return getattr(module, name)
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
