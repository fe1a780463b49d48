"""Torch state as NumPy arrays and plain Python values, for saving.

An estimator's ``__getstate__`` hands its network and optimizer state over
in this form (:func:`module_to_state`, :func:`tensors_to_arrays`) and its
``__setstate__`` turns them back (:func:`module_from_state`,
:func:`arrays_to_tensors`). Pickles then hold no torch storages, load on a
machine without the device they were saved from, and ``skops.io`` can save
and load the estimators, since every value is a type it knows: arrays,
dicts, lists, numbers, strings, and the module classes themselves. A dict
keyed by other than strings (a ``class_weight`` keyed by the labels) is
saved as its (key, value) pairs (:func:`dicts_to_pairs`), which skops
keeps as they were.
"""

import importlib
import sys
import warnings

import numpy as np
import torch
from torch import nn

__all__ = ["module_to_state", "module_from_state", "tensors_to_arrays",
           "arrays_to_tensors", "module_classes", "MODULE_STATE_KEY",
           "dicts_to_pairs", "pairs_to_dicts", "PortableStateMixin", "package_version"]

#: Marks a dict made by :func:`module_to_state`, a tensor of
#: :func:`tensors_to_arrays` and the pairs of :func:`dicts_to_pairs`.
MODULE_STATE_KEY = "__sklearn_rnn_module__"
#: The estimators' attributes saved by :func:`module_to_state` and as a state dict.
_TORCH_STATE = ("module_", "optimizer_")
#: Attributes rebuilt on load, from the parameters (``nn.LSTM``, ``nn.GRU``).
_DERIVED = ("_flat_weights", "_flat_weight_refs")


class _VersionUserWarning(UserWarning):
    """The version warning where no other class is set."""

    def __init__(self, *, estimator_name, package, original_version, current_version):
        super().__init__(f"Trying to unpickle estimator {estimator_name} from {package} "
                         f"version {original_version} when using version {current_version}.")


def _dependency_versions():
    """torch's and scikit-learn's versions, under the keys a state keeps them.

    scikit-learn's as its module says (imported wherever an estimator is; no
    package metadata needed, which frozen or vendored installs lack: rvD F3).
    """
    versions = {"_sklearn_rnn_torch_version": torch.__version__}
    sklearn = getattr(sys.modules.get("sklearn"), "__version__", None)
    if isinstance(sklearn, str):
        versions["_sklearn_rnn_scikit-learn_version"] = sklearn
    return versions


def module_to_state(module):
    """A module as nested dicts of plain values and CPU arrays.

    Parameters
    ----------
    module : torch.nn.Module
        Any module whose non-tensor attributes are plain values.

    Returns
    -------
    dict
        The module's class, its other attributes, and its parameters,
        buffers and submodules, recursively.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._portable import module_to_state, module_from_state
    >>> lstm = torch.nn.LSTM(2, 3)
    >>> copy = module_from_state(module_to_state(lstm))
    >>> torch.equal(copy(torch.ones(4, 1, 2))[0], lstm(torch.ones(4, 1, 2))[0])
    True
    """
    attributes = {
        name: value for name, value in module.__getstate__().items()
        if name not in ("_parameters", "_buffers", "_modules", *_DERIVED)
    }
    return {
        MODULE_STATE_KEY: 1,
        "class": type(module),
        "attributes": tensors_to_arrays(attributes),
        "parameters": {
            name: None if p is None else {"data": _to_array(p),
                                          "requires_grad": p.requires_grad}
            for name, p in module._parameters.items()
        },
        "buffers": {name: None if b is None else _to_array(b)
                    for name, b in module._buffers.items()},
        "modules": {name: None if m is None else module_to_state(m)
                    for name, m in module._modules.items()},
    }


def module_from_state(state):
    """The module saved by :func:`module_to_state`, on the CPU."""
    cls = state["class"]
    module = cls.__new__(cls)
    attributes = arrays_to_tensors(dict(state["attributes"]))
    attributes["_parameters"] = {
        name: None if p is None else nn.Parameter(
            torch.from_numpy(np.array(p["data"])), requires_grad=p["requires_grad"])
        for name, p in state["parameters"].items()
    }
    attributes["_buffers"] = {
        name: None if b is None else torch.from_numpy(np.array(b))
        for name, b in state["buffers"].items()
    }
    attributes["_modules"] = {
        name: None if m is None else module_from_state(m)
        for name, m in state["modules"].items()
    }
    if "_flat_weights_names" in attributes:  # nn.LSTM, nn.GRU: views of the parameters
        attributes["_flat_weights"] = [
            attributes["_parameters"].get(name) for name in attributes["_flat_weights_names"]
        ]
    module.__setstate__(attributes)
    return module


def module_classes(module):
    """The classes of ``module`` and its submodules, as a set."""
    return {type(m) for m in module.modules()}


def tensors_to_arrays(value):
    """``value`` with every tensor in its dicts, lists and tuples an array."""
    if isinstance(value, torch.Tensor):
        return {MODULE_STATE_KEY: "tensor", "data": _to_array(value)}
    if isinstance(value, dict):
        return type(value)((k, tensors_to_arrays(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(tensors_to_arrays(v) for v in value)
    return value


def arrays_to_tensors(value):
    """The inverse of :func:`tensors_to_arrays`."""
    if isinstance(value, dict):
        if value.get(MODULE_STATE_KEY) == "tensor":
            return torch.from_numpy(np.array(value["data"]))
        return type(value)((k, arrays_to_tensors(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(arrays_to_tensors(v) for v in value)
    return value


def dicts_to_pairs(value):
    """``value`` with each dict keyed by other than strings as its (key, value) pairs.

    skops (0.11 to 0.16) writes a dict's keys as JSON strings and reads each
    back through its type: ``bool("false")`` is True, so a ``class_weight``
    of ``{False: 1.0, True: 3.0}`` loaded as ``{True: 3.0}``, and
    ``get_params``, ``clone`` and a refit of the loaded estimator weighed
    the classes otherwise. In a list of pairs the keys are values, saved as
    their own types. Dicts, lists and tuples nested in ``value`` are
    converted too (of those types exactly); other objects are left as they
    are. :func:`pairs_to_dicts` turns them back.

    Examples
    --------
    >>> from sklearn_rnn._portable import dicts_to_pairs, pairs_to_dicts
    >>> saved = dicts_to_pairs({"class_weight": {False: 1.0, True: 3.0}})
    >>> saved["class_weight"]["items"]
    [(False, 1.0), (True, 3.0)]
    >>> pairs_to_dicts(saved)
    {'class_weight': {False: 1.0, True: 3.0}}
    """
    if type(value) is dict:
        items = [(key, dicts_to_pairs(item)) for key, item in value.items()]
        if all(isinstance(key, str) for key in value):
            return dict(items)
        return {MODULE_STATE_KEY: "pairs", "items": items}
    if type(value) in (list, tuple):
        return type(value)(dicts_to_pairs(item) for item in value)
    return value


def pairs_to_dicts(value):
    """The inverse of :func:`dicts_to_pairs`; values saved before it are kept."""
    if type(value) is dict:
        items = value["items"] if value.get(MODULE_STATE_KEY) == "pairs" else value.items()
        return {key: pairs_to_dicts(item) for key, item in items}
    if type(value) in (list, tuple):
        return type(value)(pairs_to_dicts(item) for item in value)
    return value


def package_version():
    """sklearn_rnn's ``__version__``, read when called (the package imports this module)."""
    return importlib.import_module("sklearn_rnn").__version__


def _to_array(tensor):
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:
        raise TypeError("bfloat16 tensors cannot be saved as NumPy arrays.")
    return tensor.numpy().copy()


class PortableStateMixin:
    """Pickling and skops for an estimator with a network and an optimizer.

    ``__getstate__`` hands the fitted ``module_`` over as
    :func:`module_to_state` and ``optimizer_``'s state dict as
    :func:`tensors_to_arrays`, so that a model trained on a GPU loads on a
    machine without one, and the other attributes' dicts keyed by other
    than strings as (key, value) pairs (:func:`dicts_to_pairs`: skops
    reads keys back through their type, and ``bool("false")`` is True);
    ``__setstate__`` turns them back, renames the
    fitted attributes of ``_renamed_attributes`` (old name: new name) that
    an older pickle holds, and rebuilds the optimizer around the loaded
    state (``_rebuild_optimizer``). The state records the sklearn_rnn
    version that saved it (``_sklearn_rnn_version``); loading it under
    another version warns, as scikit-learn's ``InconsistentVersionWarning``
    does for its estimators. Put it before ``BaseEstimator`` in the bases.
    """

    #: Fitted attributes renamed since a release: {old name: new name}.
    _renamed_attributes = {}
    #: The warning of a state saved under other versions (the estimators'
    #: base sets scikit-learn's InconsistentVersionWarning's subclass, which
    #: this side, importing no scikit-learn, cannot).
    _version_warning = _VersionUserWarning

    def __getstate__(self):
        # A copy: on Python >= 3.11 BaseEstimator.__getstate__ returns the
        # instance's own __dict__, and pickling must not move the live
        # estimator's network off its device or replace its optimizer.
        state = {name: value if name in _TORCH_STATE else dicts_to_pairs(value)
                 for name, value in super().__getstate__().items()}
        state["_sklearn_rnn_version"] = package_version()
        for key, current in _dependency_versions().items():  # review rvB F1
            state[key] = current
        if "module_" in state:
            state["module_"] = module_to_state(state["module_"])
            optimizer = state.get("optimizer_")
            if optimizer is not None and not isinstance(optimizer, dict):
                optimizer = optimizer.state_dict()
            state["optimizer_"] = tensors_to_arrays(optimizer)
        return state

    def __setstate__(self, state):
        state = {name: value if name in _TORCH_STATE else pairs_to_dicts(value)
                 for name, value in state.items()}
        saved_by = state.pop("_sklearn_rnn_version", None)
        versions = {"sklearn_rnn": (saved_by, package_version())}
        for key, current in _dependency_versions().items():  # major.minor of these
            saved = state.pop(key, None)
            if saved is not None and saved.split(".")[:2] != current.split(".")[:2]:
                versions[key[len("_sklearn_rnn_"):-len("_version")]] = (saved, current)
        for package, (saved, current) in versions.items():
            if saved is not None and saved != current:
                warnings.warn(self._version_warning(
                    estimator_name=type(self).__name__, package=package,
                    original_version=saved, current_version=current), stacklevel=2)
        for old, new in self._renamed_attributes.items():
            if old in state:
                state[new] = state.pop(old)
        if isinstance(state.get("module_"), dict):
            state["module_"] = module_from_state(state["module_"])
            state["optimizer_"] = arrays_to_tensors(state.get("optimizer_"))
        super().__setstate__(state)
        if isinstance(getattr(self, "optimizer_", None), dict):
            self.optimizer_ = self._rebuild_optimizer(self._batch_size(1 << 30))
