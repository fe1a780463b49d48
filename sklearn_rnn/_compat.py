"""Every import from scikit-learn's private modules, in one place.

scikit-learn's developer API (parameter constraints, the fit context, the
checks of sample weights, targets and input feature names, the configured transform output) lives
in private modules that have moved between releases; keeping the imports here
limits what a future move can break. It imports no PyTorch (``windowing/``
imports it, and needs none): :class:`DeviceOptions` imports torch when it
checks a value.
"""

import re

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in, _check_sample_weight, _check_y

__all__ = ["DeviceOptions", "Interval", "StrOptions", "_check_feature_names_in",
           "_check_sample_weight", "_check_y", "_fit_context", "_get_output_config"]


class DeviceOptions(StrOptions):
    """The ``device`` constraint: the options, ``"cuda:N"`` or a :class:`torch.device`.

    scikit-learn's constraints take a fixed set of strings only (a subclass
    of :class:`StrOptions`, as ``make_constraint`` accepts no other): a CUDA
    device's index, ``"cuda:1"``, and a ``torch.device`` of type ``"cpu"`` or
    ``"cuda"`` are accepted beside them; whether the device is there is
    ``fit``'s question.
    """

    def is_satisfied_by(self, val):
        import torch  # loaded by then: only the estimators check a device

        if isinstance(val, torch.device):
            return val.type in ("cpu", "cuda")
        return super().is_satisfied_by(val) or (
            isinstance(val, str) and re.fullmatch(r"cuda:\d+", val) is not None)

    def __str__(self):
        return (f"{super().__str__()}, a str 'cuda:N' (N the index of a CUDA device) "
                "or a torch.device of type 'cpu' or 'cuda'")
