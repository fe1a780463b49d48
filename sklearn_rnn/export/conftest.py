"""The doctests of sklearn_rnn.export run with the onnx and skops extras only."""

import importlib

_EXTRAS = ("onnx", "onnxruntime", "skl2onnx", "skops.io")


def _importable(name):
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


collect_ignore_glob = [] if all(_importable(name) for name in _EXTRAS) else ["*.py"]
