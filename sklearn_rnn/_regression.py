"""Recurrent regressors: SequenceRegressor, LSTMRegressor, GRURegressor."""

import types
import warnings

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from . import _window_normalization as window
from ._base import BaseSequenceEstimator
from ._compat import StrOptions, _check_y, _fit_context
from ._divergence import WORSE
from ._doc_link import _DocLinkMixin
from ._moments import scale_or_one, weighted_moments
from .utils.docstrings import (
    INPUT_SHAPES,
    REGRESSOR_ATTRIBUTES,
    REGRESSOR_PARAMETERS,
    SAMPLE_WEIGHT,
    SEQUENCES_X,
    fill_docstring,
)
from ._losses import PinballLoss, r2_score, squared_error
from ._validation import check_y_given

__all__ = ["SequenceRegressor", "LSTMRegressor", "GRURegressor"]


@fill_docstring(
    REGRESSOR_PARAMETERS, REGRESSOR_ATTRIBUTES, input_shapes=INPUT_SHAPES, X=SEQUENCES_X,
    sample_weight=SAMPLE_WEIGHT,
)
class SequenceRegressor(_DocLinkMixin, RegressorMixin, BaseSequenceEstimator):
    """Recurrent (LSTM or GRU) regressor for sequences.

    Fits one or several real-valued targets per sequence by minimising the
    mean squared error with a gradient-based optimizer in PyTorch.
    :class:`LSTMRegressor` and :class:`GRURegressor` are this estimator with
    the cell fixed.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LSTMRegressor : This estimator with ``cell="lstm"``.
    GRURegressor : This estimator with ``cell="gru"``.
    SequenceClassifier : Recurrent classifier for sequences.
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron regressor.

    Notes
    -----
    {input_shapes}
    2D input keeps scikit-learn's contract: predicting on a different number
    of columns than seen in fit raises, so other sequence lengths are
    predicted from 3D arrays or lists.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import SequenceRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12, 2))
    >>> y = X[:, -3:, 0].sum(axis=1)
    >>> reg = SequenceRegressor(cell="gru", hidden_size=8, max_iter=5,
    ...                         random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **BaseSequenceEstimator._parameter_constraints,
        "window_normalization": [StrOptions({"auto", "last"}), None],
        "loss": [StrOptions({"squared_error", "quantile"})],
        "quantiles": ["array-like", None],
    }

    def __init__(
        self,
        cell="lstm",
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        input_noise=0.0,
        pooling="last",
        skip_steps="auto",
        patch_size="auto",
        differences="auto",
        n_channels=1,
        flat_layout="channels_first",
        time_axis=1,
        leading_nan="raise",
        standardize=True,
        window_normalization="auto",
        loss="squared_error",
        quantiles=None,
        batch_size="auto",
        learning_rate_init=0.001,
        learning_rate="constant",
        alpha=0.0001,
        optimizer="adam",
        max_iter=200,
        shuffle=True,
        tol=1e-4,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        gradient_clip=None,
        device="cpu",
        mixed_precision=False,
        n_threads=None,
        callbacks=None,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        # Every argument but the regressor's own goes to the base class, whose
        # keyword-only signature rejects a missing or an unknown one.
        arguments = dict(locals())
        del arguments["self"]
        self.cell = arguments.pop("cell")
        self.window_normalization = arguments.pop("window_normalization")
        self.loss = arguments.pop("loss")
        self.quantiles = arguments.pop("quantiles")
        BaseSequenceEstimator.__init__(self, **arguments)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        {X}
            Training sequences; see Notes for the accepted layouts.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        {sample_weight}

        Returns
        -------
        self : object
            Fitted estimator.
        """
        self._fit(X, y, incremental=False, sample_weight=sample_weight)
        score = self.best_validation_score_  # an R^2 of 30 rows or more (review s36 rvE F4, F6)
        if self.loss == "squared_error" and self._n_validation >= 30 and score < 1 - WORSE:
            last = (" With window_normalization='last', every output is learned relative "
                    "to the first channel's last value; set window_normalization=None for "
                    "outputs that do not follow it." if self.window_normalization_ == "last"
                    else "")
            warnings.warn(f"The weights kept score a validation R^2 of {score:.4g}: the "
                          "model predicts its validation rows far worse than their mean."
                          + last, ConvergenceWarning)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, keeping the fitted state.

        The first call initialises the network and the scaling from this
        data, and resolves the ``"auto"`` parameters on it (``skip_steps_``,
        ``window_normalization_``, ...): a first batch of a few samples
        gives a smaller model than ``fit`` would (one sample: no linear
        skip connection), and warns so: start with a batch of many, or set
        those parameters. The scaling and the linear start stay the first
        batch's anyway (3 rows: a test R^2 of 0.11, 50: 0.997). Early stopping does not apply; ``learning_rate="adaptive"``
        carries its rate over calls, and ``"cosine"`` does not apply (see
        ``learning_rate``).

        Parameters
        ----------
        {X}
            Training sequences.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        {sample_weight}

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def predict(self, X):
        """Predict targets for sequences ``X``.

        Parameters
        ----------
        {X}
            Sequences to predict.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, float64 whatever the dtype of ``X`` (the output
            layer computes in float64; scikit-learn's MLP returns float32 for
            float32 input).
        """
        if getattr(self, "quantiles_", None) is not None:
            median = self._quantiles(X)[..., np.searchsorted(self.quantiles_, 0.5)]
            return median.ravel() if self._y_1d else median
        output, seqs = self._forward(X)
        output = output * self._target_scale + self._target_shift
        if self.window_normalization_ == "last":
            output += window.target_reference(seqs)
        return output.ravel() if self._y_1d else output

    def _quantile_loss(self):
        """Whether ``predict_quantiles`` exists: fitted with, or set to, the
        quantile loss (otherwise an AttributeError saying so)."""
        if getattr(self, "quantiles_", None) is None and (
            hasattr(self, "quantiles_") or self.loss != "quantile"
        ):
            loss = self.loss if not hasattr(self, "quantiles_") else "squared_error"
            raise AttributeError(
                f"{type(self).__name__} has loss={loss!r}; predict_quantiles "
                "needs loss='quantile'."
            )
        return True

    @available_if(_quantile_loss)
    def predict_quantiles(self, X):
        """Predict the quantiles of the targets for sequences ``X``.

        Only for ``loss="quantile"``. The levels are ``quantiles_``; each
        sequence's quantiles are sorted, so they never cross.

        Parameters
        ----------
        {X}
            Sequences to predict.

        Returns
        -------
        quantiles : ndarray of shape (n_samples, n_quantiles) or \
                (n_samples, n_outputs, n_quantiles)
            Predicted quantiles at the levels ``quantiles_``; the second shape
            for targets fitted as a 2D ``y``. float64, as ``predict``'s.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import SequenceRegressor
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(64, 12))
        >>> y = X[:, -3:].sum(axis=1) + rng.normal(scale=0.5, size=64)
        >>> reg = SequenceRegressor(loss="quantile", quantiles=[0.1, 0.9],
        ...                         hidden_size=8, max_iter=5, random_state=0)
        >>> reg.fit(X, y).quantiles_
        array([0.1, 0.5, 0.9])
        >>> reg.predict_quantiles(X[:2]).shape
        (2, 3)
        """
        check_is_fitted(self)
        out = self._quantiles(X)
        return out[:, 0] if self._y_1d else out

    def _quantiles(self, X):
        """Sorted quantiles, shape (n_samples, n_outputs, n_quantiles)."""
        output, seqs = self._forward(X)
        out = output.reshape(len(output), self.n_outputs_, len(self.quantiles_))
        out = out * self._target_scale[:, None] + self._target_shift[:, None]
        if self.window_normalization_ == "last":
            out += window.target_reference(seqs)[:, :, None]
        return np.sort(out, axis=-1)

    @property
    def _n_outputs(self):
        levels = getattr(self, "quantiles_", None)  # models fitted before the option
        return self.n_outputs_ * (1 if levels is None else len(levels))

    def _check_quantiles(self):
        """The levels to fit: sorted, with 0.5; None for squared error."""
        if self.loss != "quantile" and self.quantiles is not None:
            # silently a point regressor, found out at predict_quantiles
            raise ValueError(
                f"quantiles={self.quantiles!r} are fitted only with loss='quantile' "
                f"(the pinball loss); loss={self.loss!r} fits the mean alone. Pass "
                "loss='quantile' to fit these levels (then predict_quantiles), or "
                "quantiles=None."
            )
        if self.loss != "quantile":
            return None
        try:
            levels = np.asarray([] if self.quantiles is None else self.quantiles, dtype=float)
        except (TypeError, ValueError):
            levels = np.array([np.nan])  # not numbers: refused below
        if levels.ndim > 1 or not np.all((levels > 0) & (levels < 1)):
            raise ValueError(
                "quantiles must be a list of levels strictly between 0 and 1 "
                f"(or None for the median alone); got {self.quantiles!r}."
            )
        return np.unique(np.append(levels, 0.5))

    def _network_options(self):
        return {"quantiles": self.quantiles_}

    def _relative_inputs(self):
        return self.window_normalization_ == "last"

    def _prepare_targets(self, y, seqs, *, first_call, incremental=False, classes=None,
                         sample_weight=None):
        n_samples = len(seqs)
        check_y_given(self, y)
        _refuse_labels(self, y)
        y = _check_y(y, multi_output=True, y_numeric=True, estimator=self)
        if y.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        y_2d = y.reshape(n_samples, -1).astype(np.float64)
        if not np.isfinite(y_2d).all():  # None or inf in an object y pass _check_y
            what = "NaN" if np.isnan(y_2d).any() else "infinity"
            raise ValueError(f"Input y contains {what}.")
        reference = window.target_reference(seqs)
        if first_call:
            with np.errstate(over="ignore", invalid="ignore"):  # huge y: refused below
                self.window_normalization_ = window.choose(
                    self.window_normalization, y_2d, reference, sample_weight,
                    first_batch=incremental,
                )
        if self.window_normalization_ == "last":
            y_2d = y_2d - reference
        levels = self._check_quantiles()
        if first_call:
            self.quantiles_ = levels
        elif not np.array_equal(
            np.asarray([] if levels is None else levels),
            np.asarray([] if getattr(self, "quantiles_", None) is None else self.quantiles_),
        ):
            raise ValueError(
                f"loss={self.loss!r} and quantiles={self.quantiles!r} differ from "
                "the ones the model was fitted with; to change them, fit a new model "
                "(fit without warm_start, not partial_fit)."
            )
        if first_call:
            self._y_1d = y.ndim == 1
            self.n_outputs_ = y_2d.shape[1]
            if self.standardize:
                with np.errstate(over="ignore", invalid="ignore"):
                    shift, scale = weighted_moments(y_2d, sample_weight)
                scale = scale_or_one(scale, shift, len(y_2d))
            else:
                shift, scale = np.zeros(y_2d.shape[1]), np.ones(y_2d.shape[1])
            self._target_shift, self._target_scale = shift, scale
        elif y_2d.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y_2d.shape[1]} outputs, but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            targets = (y_2d - self._target_shift) / self._target_scale
        if not (np.all(np.abs(targets) <= np.finfo(np.float32).max)
                and np.isfinite(self._target_scale).all()):
            raise ValueError(
                f"y holds values too large for the float32 the networks train in "
                f"(largest magnitude {np.abs(y_2d).max():.3g}"
                + (", even standardized). Rescale y" if self.standardize else
                   "). Set standardize=True (the default), or rescale y")
                + ", e.g. by a constant factor or with TransformedTargetRegressor."
            )
        return targets.astype(np.float32)

    def _loss_function(self, device):
        if self.quantiles_ is not None:
            return PinballLoss(torch.tensor(self.quantiles_, dtype=torch.float32,
                                            device=device))
        return squared_error()

    def _constant_output(self, data):
        """The training targets' weighted mean (at every quantile level), the
        constant prediction a diverged fit's loss is measured against (see
        :func:`~sklearn_rnn._divergence.divergence_test`)."""
        y, weight = data.y, data.weight
        if weight is None:
            mean = y.mean(dim=0)
        else:
            mean = weight @ y / weight.sum().clamp_min(torch.finfo(weight.dtype).tiny)
        if self.quantiles_ is not None:
            mean = mean.repeat_interleave(len(self.quantiles_))
        return mean[None]

    def _validation_scorer(self, seqs, index, device):
        """R^2 in the units of the original targets (up to scaling), or the
        negative pinball loss of the sorted quantiles, as
        ``predict_quantiles`` gives them (which shifts do not change)."""
        if self.quantiles_ is not None:
            loss = self._loss_function(device).validation
            return lambda output, y, weight=None: -float(loss(output, y, weight))
        if self.window_normalization_ != "last":
            return r2_score
        # Targets were learned relative to the last values: add them back.
        offsets = window.target_reference(seqs)[index] / self._target_scale
        offsets = torch.from_numpy(np.asarray(offsets, dtype=np.float64)).to(device)
        return window.offset_score(r2_score, offsets)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class _FixedCellRegressor(SequenceRegressor):
    """SequenceRegressor whose cell is a class attribute, not a parameter."""

    _cell = "lstm"

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        input_noise=0.0,
        pooling="last",
        skip_steps="auto",
        patch_size="auto",
        differences="auto",
        n_channels=1,
        flat_layout="channels_first",
        time_axis=1,
        leading_nan="raise",
        standardize=True,
        window_normalization="auto",
        loss="squared_error",
        quantiles=None,
        batch_size="auto",
        learning_rate_init=0.001,
        learning_rate="constant",
        alpha=0.0001,
        optimizer="adam",
        max_iter=200,
        shuffle=True,
        tol=1e-4,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        gradient_clip=None,
        device="cpu",
        mixed_precision=False,
        n_threads=None,
        callbacks=None,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        # SequenceRegressor.__init__ without the cell, a class attribute here.
        arguments = dict(locals())
        del arguments["self"]
        self.window_normalization = arguments.pop("window_normalization")
        self.loss = arguments.pop("loss")
        self.quantiles = arguments.pop("quantiles")
        BaseSequenceEstimator.__init__(self, **arguments)

    def __init_subclass__(cls, **kwargs):
        # Each class its own copy of __init__, named after it: a misspelt
        # keyword's TypeError names LSTMRegressor, not this private class.
        super().__init_subclass__(**kwargs)
        base = _FixedCellRegressor.__init__
        if "__init__" in vars(cls) or not hasattr(base.__code__, "co_qualname"):
            return  # a subclass's own __init__; Python 3.10 names no class
        qualname = f"{cls.__name__}.__init__"
        init = types.FunctionType(base.__code__.replace(co_qualname=qualname),
                                  base.__globals__, "__init__", base.__defaults__)
        init.__kwdefaults__, init.__qualname__ = base.__kwdefaults__, qualname
        init.__doc__, init.__module__ = base.__doc__, base.__module__
        cls.__init__ = init

    def _get_cell(self):
        return self._cell


@fill_docstring(REGRESSOR_PARAMETERS, REGRESSOR_ATTRIBUTES)
class LSTMRegressor(_FixedCellRegressor):
    """Long short-term memory (LSTM) regressor for sequences.

    :class:`SequenceRegressor` with ``cell="lstm"``: fits one or several
    real-valued targets per sequence by minimising the mean squared error.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SequenceRegressor : The same estimator with the cell as a parameter.
    GRURegressor : Gated recurrent unit regressor.

    Notes
    -----
    See :class:`SequenceRegressor` for the accepted input shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import LSTMRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12))
    >>> y = X[:, -3:].sum(axis=1)
    >>> reg = LSTMRegressor(hidden_size=8, max_iter=5, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _cell = "lstm"


@fill_docstring(REGRESSOR_PARAMETERS, REGRESSOR_ATTRIBUTES)
class GRURegressor(_FixedCellRegressor):
    """Gated recurrent unit (GRU) regressor for sequences.

    :class:`SequenceRegressor` with ``cell="gru"``: fits one or several
    real-valued targets per sequence by minimising the mean squared error.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SequenceRegressor : The same estimator with the cell as a parameter.
    LSTMRegressor : Long short-term memory regressor.

    Notes
    -----
    See :class:`SequenceRegressor` for the accepted input shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import GRURegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12))
    >>> y = X[:, -3:].sum(axis=1)
    >>> reg = GRURegressor(hidden_size=8, max_iter=5, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _cell = "gru"


def _refuse_labels(estimator, y):
    """Refuse targets of text, which a regressor cannot predict.

    scikit-learn's check ends in NumPy's "could not convert string to
    float"; numbers written as text (``"1.5"``) still pass, as they do there,
    and missing values (``pd.NA``) go on to its message (review rvD F2).
    """
    try:
        values = np.asarray(y)
    except ValueError:  # ragged: scikit-learn's check says so
        return
    if values.dtype.kind not in "USO":
        return
    bad = next((v for v in values.flat if _is_text(v)), None)
    if bad is not None:
        raise ValueError(
            f"y holds labels that are not numbers (dtype {values.dtype}, e.g. "
            f"{str(bad)!r}): {type(estimator).__name__} predicts numbers. "
            "For class labels use SequenceClassifier; otherwise convert y to "
            "numbers."
        )


def _is_text(value):
    """Whether ``value`` is text that does not read as a number."""
    if not isinstance(value, (str, bytes)):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False
