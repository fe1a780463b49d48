"""What ``warm_start=True`` and ``partial_fit`` may not change.

Both continue training the network of the first fit. That fit built the
network (its sizes, dropout, pooling, convolutions), fitted its start and
fixed how targets are scaled and classes weighed from the parameters in
:data:`FIXED_AFTER_FIRST_FIT`; a later call that changed one of them would
train the old network as if it were new, so it is refused, as scikit-learn's
ensembles refuse a warm start with fewer estimators. And a fit that raises
leaves the fitted attributes, and the state of the network and optimizer
a continued fit trains in place, as they were (:func:`restored_on_error`).
"""

import copy
import functools

import numpy as np

#: Parameters read only by the first fit (those an estimator does not have
#: are skipped).
FIXED_AFTER_FIRST_FIT = (
    "cell", "hidden_size", "num_layers", "bidirectional", "dropout",
    "input_noise", "pooling", "patch_size", "skip_steps", "differences",
    "standardize", "window_normalization", "conv_filters", "random_biases",
    "class_weight", "n_channels", "flat_layout", "time_axis",
)


def check_fixed_params(estimator, first_call):
    """Record the fixed parameters at a first fit; refuse a later one that changed them.

    Parameters
    ----------
    estimator : BaseSequenceEstimator
        The estimator being fitted; ``_fixed_params`` is set on it.
    first_call : bool
        Whether this fit builds a new network.

    Raises
    ------
    ValueError
        When a continued fit (``warm_start=True`` or ``partial_fit``) has
        other values than the first fit for parameters of
        :data:`FIXED_AFTER_FIRST_FIT`.
    """
    params = estimator.get_params(deep=False)
    current = {name: params[name] for name in FIXED_AFTER_FIRST_FIT if name in params}
    recorded = getattr(estimator, "_fixed_params", None)
    if first_call or recorded is None:  # None: fitted before this check existed
        # a copy: a class_weight dict changed in place is a changed parameter
        estimator._fixed_params = copy.deepcopy(current)
        return
    changed = [name for name, value in current.items()
               if name in recorded and not _same(value, recorded[name])
               and not _resolved_to(estimator, name, recorded[name], value)]
    if changed:
        before = ", ".join(f"{name}={recorded[name]!r}" for name in changed)
        now = ", ".join(f"{name}={current[name]!r}" for name in changed)
        raise ValueError(
            f"{type(estimator).__name__} was fitted with {before}, and "
            "warm_start=True and partial_fit continue training that network: "
            f"they cannot apply {now}. Set the parameters back, or train a new "
            "network with them: fit with warm_start=False (partial_fit always "
            "continues the network it has)."
        )


def _resolved_to(estimator, name, recorded, value):
    """Whether ``value`` is what the first fit's ``"auto"`` resolved ``name`` to.

    ``skip_steps=est.skip_steps_`` after a fit with ``"auto"`` names the
    network trained, and so continues it (it was refused as a change).
    """
    resolved = getattr(estimator, f"{name}_", "auto")
    return (isinstance(recorded, str) and recorded == "auto"
            and not (isinstance(value, str) and value == "auto") and _same(value, resolved))


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays compare elementwise
        return np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


#: Fitted attributes that a continued fit changes in place (``state_dict``).
_TRAINED_IN_PLACE = ("module_", "optimizer_")


def restored_on_error(fit):
    """Decorate the method ``fit`` so that, when it raises, the estimator is as it was.

    A fit sets fitted attributes as it checks its input (the input's shape,
    the targets' scaling, the classes), before later checks can fail (a
    ``sample_weight`` of another length, say): a refit that raised left the
    previous network with the new data's target scaling, and ``predict``
    gave values on another scale without a word (and a first fit that
    raised, an estimator that looked fitted). scikit-learn's MLP keeps its
    previous model. The network and optimizer a continued fit trains in
    place get their state back too: one that diverged left NaN weights
    behind attributes that described the model before it, and ``predict``
    returned NaN without a word.
    """
    @functools.wraps(fit)
    def checked_fit(estimator, *args, **kwargs):
        before = dict(estimator.__dict__)
        states = {name: copy.deepcopy(before[name].state_dict())
                  for name in _TRAINED_IN_PLACE if before.get(name) is not None}
        try:
            return fit(estimator, *args, **kwargs)
        except BaseException:
            estimator.__dict__.clear()
            estimator.__dict__.update(before)
            for name, state in states.items():
                before[name].load_state_dict(state)
            raise

    return checked_fit
