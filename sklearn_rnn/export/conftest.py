"""The doctests of sklearn_rnn.export run with the onnx and skops extras only."""

import importlib.util

_EXTRAS = ("onnx", "onnxruntime", "skl2onnx", "skops")

collect_ignore_glob = (
    [] if all(importlib.util.find_spec(name) for name in _EXTRAS) else ["*.py"]
)
