"""What to export or save instead of an object ``to_onnx`` cannot export."""

import os

import torch

__all__ = ["other_export"]

_SKTIME_ADVICE = {
    "RNNClassifier": (
        "Export the SequenceClassifier it fitted, to_onnx(clf.estimator_): its "
        "graph reads (n_instances, n_timepoints, n_channels), sktime's numpy3D "
        "panels transposed, X.transpose(0, 2, 1); or save the RNNClassifier "
        "with pickle, joblib, skops or its save method."
    ),
    "RNNForecaster": (
        "RNNForecaster has no ONNX export (its forecasts combine a linear start, "
        "several networks and the series' time index); save it with pickle, "
        "joblib or its save method (load with sktime.base.load)."
    ),
}


def _advice(estimator):
    """What to export instead of ``estimator`` (review rvB F8: a search, a
    network or a path were told of pipelines)."""
    if hasattr(estimator, "best_estimator_"):
        return ("For a search, export its best_estimator_ (refitted on the whole "
                "data), or the search with skl2onnx after "
                "sklearn_rnn.register_skl2onnx_converters().")
    if isinstance(estimator, torch.nn.Module):
        return ("Pass the fitted estimator, not its network (module_): the graph "
                "holds the input and target scaling around it.")
    if isinstance(estimator, (str, bytes, os.PathLike)):
        return "Load the model first (joblib.load, pickle or skops.io.load)."
    return ("For a Pipeline, use skl2onnx.to_onnx after "
            "sklearn_rnn.register_skl2onnx_converters().")


def other_export(estimator):
    """The advice that follows ``to_onnx``'s refusal of ``estimator``."""
    if type(estimator).__module__.startswith("sklearn_rnn.sktime"):
        advice = _SKTIME_ADVICE.get(type(estimator).__name__)
        if advice is not None:
            return advice
    return _advice(estimator)
