"""Deploying fitted estimators: ONNX export, skl2onnx converters, skops.

Every function imports its optional dependency (onnx, skl2onnx, skops)
when it is called, so ``import sklearn_rnn`` needs none of them.
"""

from ._onnx import DEFAULT_OPSET, to_onnx
from ._skl2onnx import register_skl2onnx_converters
from ._skops import skops_trusted_types

__all__ = ["DEFAULT_OPSET", "register_skl2onnx_converters", "skops_trusted_types",
           "to_onnx"]
