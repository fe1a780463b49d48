"""Recurrent classifier: SequenceClassifier."""

import sys
from contextlib import nullcontext
from numbers import Integral

import numpy as np
import torch
import torch.nn.functional as F
from scipy.special import logsumexp
from sklearn.base import ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import assert_all_finite, column_or_1d

from ._base import BaseSequenceEstimator
from ._compat import Interval, StrOptions, _fit_context
from ._doc_link import _DocLinkMixin
from .utils.docstrings import (
    CLASSIFIER_ATTRIBUTES,
    CLASSIFIER_PARAMETERS,
    INPUT_SHAPES,
    SAMPLE_WEIGHT,
    SEQUENCES_X,
    fill_docstring,
)
from ._losses import accuracy, cross_entropy
from ._random import draws_in_training
from ._stacking import describe_stacking, train_on_held_out
from ._training import n_validation
from ._validation import check_y_given

__all__ = ["SequenceClassifier"]


def check_labels(labels, name="y", fix="y.astype(str)", *, missing=True):
    """Refuse missing labels and labels that mix strings with numbers.

    An object ``y`` (strings, a pandas categorical or string column) marks
    a missing label with NaN, None, pandas' NA or NaT (what
    :func:`pandas.isna` calls missing); :func:`numpy.unique` fails on them
    among strings with a ``TypeError`` that names neither. Those raise
    scikit-learn's "Input y contains NaN"; strings mixed with numbers raise
    scikit-learn's "Mix of label input types". :class:`SequenceClassifier`
    and :class:`~sklearn_rnn.sktime.RNNClassifier` both check with this.

    Parameters
    ----------
    labels : 1D ndarray of object or list
        The labels, as given (``np.asarray`` would turn a mix into strings).
    name : str, default="y"
        How the messages name ``labels``.
    fix : str, default="y.astype(str)"
        The conversion the mixed-labels message suggests.
    missing : bool, default=True
        Whether to look for missing labels first.
    """
    if missing:
        where = np.flatnonzero(_is_missing(labels))
        if where.size:
            raise ValueError(
                f"Input {name} contains NaN: {where.size} of its {len(labels)} labels are "
                f"missing (NaN, NaT, None or pandas' NA), the first at position {where[0]}. Drop "
                "those samples, or give them a label.")
    if len({isinstance(v, str) for v in labels}) > 1:
        raise ValueError(
            f"Mix of label input types (string and number) in {name}: "
            f"{sorted({str(v) for v in labels})[:5]}. Convert the labels to one "
            f"type, e.g. {fix}.")


def dict_class_weights(class_weight, classes):
    """The weight of each of ``classes`` from a ``class_weight`` dict.

    scikit-learn's rule: a class the dict leaves out weighs 1, and keys that
    name no class raise unless every class has a weight. The labels are
    looked up as they are: scikit-learn 1.9's ``compute_class_weight`` turns
    labels that read as integers (``"0"``, ``"1"``: sktime's data sets) into
    ``int`` first, so that it refused the keys naming them and took ``0``
    and ``1`` for them instead (scikit-learn issue #34883).

    >>> dict_class_weights({"0": 1, "1": 10}, np.array(["0", "1"]))
    array([ 1., 10.])
    """
    weights = np.ones(len(classes))
    unweighted, known = [], []
    for i, label in enumerate(classes):
        label = label.item() if isinstance(label, np.generic) else label
        known.append(label)
        if label in class_weight:
            weights[i] = class_weight[label]
        else:
            unweighted.append(label)
    if unweighted and len(classes) - len(unweighted) != len(class_weight):
        # scikit-learn's words, then the keys at fault (review rvC 7)
        stray = [key for key in class_weight if key not in known]
        raise ValueError(
            f"The classes, {unweighted}, are not in class_weight; its keys "
            f"{stray} name no class (the classes are {known})."
        )
    return weights


def _is_missing(labels):
    """:func:`pandas.isna` of object ``labels``; its rule without pandas."""
    pandas = sys.modules.get("pandas")  # pandas is not imported here
    if pandas is not None:
        return pandas.isna(np.asarray(labels, dtype=object))
    return np.array([v is None or (isinstance(v, (float, np.floating)) and v != v)
                     or (isinstance(v, (np.datetime64, np.timedelta64)) and np.isnat(v))
                     for v in labels], dtype=bool)


@fill_docstring(
    CLASSIFIER_PARAMETERS, CLASSIFIER_ATTRIBUTES, input_shapes=INPUT_SHAPES, X=SEQUENCES_X,
    sample_weight=SAMPLE_WEIGHT,
)
class SequenceClassifier(_DocLinkMixin, ClassifierMixin, BaseSequenceEstimator):
    """Recurrent (LSTM or GRU) classifier for sequences.

    Binary and multiclass classification of whole sequences with labels of
    any type, trained by minimising the cross-entropy with a gradient-based
    optimizer in PyTorch.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SequenceRegressor : Recurrent regressor for sequences.
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron classifier.

    Notes
    -----
    {input_shapes}

    With early stopping, the validation set is a stratified random sample of
    the training data (of the classes of two samples or more).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import SequenceClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 15, 2))
    >>> y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    >>> clf = SequenceClassifier(hidden_size=8, max_iter=5, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    """

    _parameter_constraints: dict = {
        **BaseSequenceEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "conv_filters": [None, tuple, list],
        "random_biases": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        cell="lstm",
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        input_noise=0.2,
        pooling="concat",
        skip_steps=0,
        patch_size="auto",
        differences="auto",
        n_channels=1,
        flat_layout="channels_first",
        time_axis=1,
        leading_nan="raise",
        standardize=True,
        batch_size="auto",
        learning_rate_init=0.0002,
        learning_rate="cosine",
        alpha=0.0001,
        optimizer="adam",
        max_iter=200,
        shuffle=True,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=30,
        gradient_clip=None,
        device="cpu",
        mixed_precision=False,
        n_threads=None,
        callbacks=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        conv_filters=None,
        random_biases=8,
    ):
        # Every argument but the classifier's own goes to the base class, whose
        # keyword-only signature rejects a missing or an unknown one.
        arguments = dict(locals())
        del arguments["self"]
        self.cell = arguments.pop("cell")
        self.class_weight = arguments.pop("class_weight")
        self.conv_filters = arguments.pop("conv_filters")
        self.random_biases = arguments.pop("random_biases")
        BaseSequenceEstimator.__init__(self, **arguments)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        {X}
            Training sequences; see Notes for the accepted layouts.

        y : array-like of shape (n_samples,)
            Class labels.

        {sample_weight}

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, keeping the fitted state.

        The first call initialises the network from this data. Early
        stopping does not apply; ``learning_rate="adaptive"`` carries its
        rate over calls, and ``"cosine"`` (the default) does not apply: each
        call trains at ``learning_rate_init`` (see ``learning_rate``).

        A later call whose samples all weigh 0 (their classes weighted 0 by
        ``class_weight``, times ``sample_weight``) trains nothing: no
        optimisation step, and ``n_iter_``, ``history_`` and ``loss_curve_``
        stay as they were, so a stream of batches may hold batches of
        ignored classes alone (:class:`~sklearn.linear_model.SGDClassifier`
        trains on them too). ``fit``, and a first ``partial_fit``, refuse
        such data, as there is nothing to fit.

        Parameters
        ----------
        {X}
            Training sequences.

        y : array-like of shape (n_samples,)
            Class labels.

        classes : array-like of shape (n_classes,), default=None
            All labels that can occur. Required on the first call; a later
            call may pass the same labels again, not others.

        {sample_weight}

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit."
            )
        if classes is not None and np.asarray(classes).ndim != 1:
            raise ValueError(  # np.ndim would dispatch on array-likes (see fit's y)
                "classes must be a 1D array-like of labels, got shape "
                f"{np.asarray(classes).shape}.")
        if classes is not None:  # np.asarray makes ["a", "b", 1] all strings
            check_labels(classes, "classes", "[str(c) for c in classes]")
        if hasattr(self, "classes_") and classes is not None and not np.array_equal(
                np.unique(classes), self.classes_):
            raise ValueError(  # scikit-learn's words (MLPClassifier, SGDClassifier)
                f"`classes={np.unique(classes).tolist()!r}` is not the same as on last "
                f"call to partial_fit, was: {self.classes_.tolist()!r}")
        if not hasattr(self, "classes_") and self.class_weight == "balanced":
            # as scikit-learn's SGDClassifier: one batch's frequencies are not
            # the data's
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit. In "
                "order to use 'balanced' weights, use compute_class_weight("
                "'balanced', classes=classes, y=y). In place of y you can use a "
                "large enough sample of the full training set target to properly "
                "estimate the class frequency distributions. Pass the resulting "
                "weights as the class_weight parameter."
            )
        return self._fit(
            X, y, incremental=True, classes=classes, sample_weight=sample_weight
        )

    def predict(self, X):
        """Predict class labels for sequences ``X``.

        Parameters
        ----------
        {X}
            Sequences to classify.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        output, _ = self._forward(X)
        return self.classes_[np.argmax(output, axis=1)]

    def predict_proba(self, X):
        """Probability of each class for sequences ``X``.

        Parameters
        ----------
        {X}
            Sequences to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, in the order of ``classes_``; float64
            whatever the dtype of ``X`` (scikit-learn's MLP returns float32
            for float32 input).
        """
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Log of the probability of each class for sequences ``X``.

        Parameters
        ----------
        {X}
            Sequences to classify.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, in the order of ``classes_``; float64.
        """
        logits, _ = self._forward(X)
        return logits - logsumexp(logits, axis=1, keepdims=True)

    def _network_options(self):
        filters = self.conv_filters
        if filters is not None and not all(
            isinstance(f, (int, np.integer)) and not isinstance(f, bool) and f > 0
            for f in filters
        ):
            raise ValueError(
                f"conv_filters must be positive integers, got {filters!r}."
            )
        return {"conv_filters": None if not filters else tuple(int(f) for f in filters),
                "random_biases": self.random_biases,
                "class_weights": self._class_weights}

    def _initialize(self, *args, **kwargs):
        self.recurrent_improvement_ = self.kept_ridge_start_ = None  # see _before_training
        return super()._initialize(*args, **kwargs)

    def _before_training(self, start, data, device, randomness):
        """Train the recurrent layers on what the ridge start misses (stacking).

        Against the start's leave-one-out logits of the rows it was fitted on
        (:func:`~sklearn_rnn._stacking.train_on_held_out`): the rows of
        ``data`` of positive weight, or the start's subsample of a large
        set. Sets ``recurrent_improvement_`` and ``kept_ridge_start_``.
        """
        held_out = start.held_out
        if not held_out:
            return
        rows = np.arange(len(data)) if start.rows is None else np.asarray(start.rows)
        positions = np.flatnonzero(np.isin(rows, held_out["rows"]))
        if not np.array_equal(rows[positions], held_out["rows"]):
            return  # not seen: the start keeps the rows' order, its subsample's too
        if len(positions) < len(data):  # rows of weight 0, a subsample (review s34 F2)
            data = data.subset(torch.from_numpy(positions).to(data.X.device))
        seed = int(np.random.SeedSequence([randomness.seed, 1]).generate_state(1)[0])
        module, stream = self.module_, randomness.state()
        result = train_on_held_out(
            module, data, held_out["logits"], self._loss_function(device),
            frozen=module.random_conv.output_size, epochs=max(1, self.max_iter // 2),
            batch_size=lambda n: (self._batch_size(n) if self.batch_size == "auto"
                                  else min(self.batch_size, n)),  # the loop warns of it
            gradient_clip=self.gradient_clip,
            loss_scaling=self.mixed_precision and device.type == "cuda",
            generator=torch.Generator().manual_seed(seed), autocast=self._autocast(device),
            draws=randomness.drawing if draws_in_training(module) else nullcontext)
        if not result.kept:  # the network is as it was: so is the rest of the fit
            randomness.rewind(stream)
        start.stacked = result.kept
        self.kept_ridge_start_ = None if result.improvement is None else not result.kept
        self.recurrent_improvement_ = result.improvement
        if self.verbose:
            print(describe_stacking(result), flush=True)

    @property
    def _n_outputs(self):
        return len(self.classes_)

    def _prepare_targets(self, y, seqs, *, first_call, incremental=False, classes=None,
                         sample_weight=None):
        n_samples = len(seqs)
        check_y_given(self, y)
        shape = np.asarray(y).shape  # np.shape would dispatch on array-likes
        if len(shape) == 2 and shape[1] > 1:
            raise ValueError(
                f"{type(self).__name__} does not support multilabel or multi-output "
                f"targets: y has shape {shape}. Fit one classifier per column, "
                "e.g. with sklearn.multioutput.MultiOutputClassifier.")
        y = column_or_1d(y, warn=True)
        if y.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        if y.dtype.kind in "fc":  # as scikit-learn's check_X_y, before the label checks
            assert_all_finite(y, input_name="y", estimator_name=type(self).__name__)
        elif y.dtype == object:  # NumPy's sort, in np.unique, fails on NaN among strings,
            check_labels(y)  # and type_of_target calls a mix "unknown", a regression target
        check_classification_targets(y)
        if first_call:
            labels = np.unique(y) if classes is None else np.unique(classes)
            if len(labels) < 2 and classes is not None:  # not the data's fault
                raise ValueError(
                    f"`classes` holds only one label ({labels.tolist()[0]!r}): "
                    f"{type(self).__name__} needs at least 2 classes. Pass every "
                    "label that can occur in y, e.g. classes=np.unique(y_all).")
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes, "
                    f"but the data contains only one class: {labels[0]!r}."
                )
            self._label_encoder = LabelEncoder().fit(labels)
            self.classes_ = self._label_encoder.classes_
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            where = ("not in `classes`" if first_call and classes is not None
                     else "not seen in the first fit (warm_start and partial_fit keep its classes)")
            raise ValueError(
                f"y contains labels {where}: {unknown.tolist()}; "
                f"known classes are {self.classes_.tolist()}."
            )
        encoded = self._label_encoder.transform(y)
        if first_call or not incremental:
            # every fit, warm starts included, weighs its own y (SGDClassifier's
            # and LogisticRegression's rule); partial_fit keeps the last fit's
            previous = None if first_call else getattr(self, "_class_weights", None)
            self._class_weights = self._compute_class_weights(encoded, sample_weight, previous)
        return encoded.astype(np.int64)

    def _compute_class_weights(self, encoded, sample_weight=None, previous=None):
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, str):  # "balanced"
            # n_samples / (n_classes * count), with the counts and n_samples
            # summing the sample weights (as recent scikit-learn releases'
            # LogisticRegression), over the classes y holds; a warm start on a y
            # without some classes: those, with no row to weigh here, keep
            # their weights
            counts = np.bincount(encoded, weights=sample_weight, minlength=len(self.classes_))
            present = counts > 0
            weights = (np.ones(len(self.classes_)) if previous is None or present.all()
                       else previous.astype(np.float64))
            weights[present] = counts[present].sum() / (present.sum() * counts[present])
        else:
            weights = dict_class_weights(self.class_weight, self.classes_)
        bad = ~(np.isfinite(weights) & (weights >= 0))
        if bad.any():
            raise ValueError(
                "class_weight must be non-negative and finite, got "
                f"{dict(zip(self.classes_[bad].tolist(), weights[bad].tolist()))}.")
        if not isinstance(self.class_weight, str) and weights.max() > 0:
            # only the ratios count (every loss and start weighs by a weighted
            # mean): a dict's 1e-46 or 1e38 are not 0 or inf in float32
            weights = weights / weights.max()
        return weights.astype(np.float32)

    def _loss_function(self, device):
        return cross_entropy(self._class_weights, device)

    def _constant_output(self, data):
        """The logits of the training rows' weighted class frequencies (the
        prior; sample times class weights, as the loss weighs them), the
        constant prediction a diverged fit's loss is measured against (see
        :func:`~sklearn_rnn._divergence.divergence_test`)."""
        # a one-hot sum, deterministic on a GPU (bincount's weights are not)
        counts = F.one_hot(data.y, len(self.classes_)).float()
        weight = data.weight
        if self._class_weights is not None:
            class_weight = torch.as_tensor(self._class_weights, device=data.y.device)
            weight = class_weight[data.y] if weight is None else weight * class_weight[data.y]
        counts = counts.sum(dim=0) if weight is None else weight @ counts
        return (counts / counts.sum()).clamp_min(1e-12).log()[None]

    def _validation_scorer(self, seqs, index, device):
        return accuracy

    def _split_validation(self, n_samples, y, rng):
        n_validation(n_samples, self.validation_fraction)  # the regressors' checks
        # a class of one row trains (MLPClassifier splits multiclass y without
        # stratifying; a bagging draw with one row of a rare class raised
        # here, review s35 rvA F2); the others are stratified
        alone = np.bincount(y)[y] == 1
        if alone.all():
            alone[:] = False  # nothing to stratify: train_test_split's error below
        index = np.flatnonzero(~alone)
        try:
            train, valid = train_test_split(
                index,
                test_size=self.validation_fraction,
                stratify=self.classes_[y[index]],  # the labels, for the message
                random_state=rng,
            )
            train = np.concatenate([train, np.flatnonzero(alone)])
        except ValueError as exc:
            text = exc.args[0].rstrip(".")
            share = len(np.unique(y[index])) / len(index)  # one sample of each class
            fix = (f"a larger validation_fraction (at least {share:.3g}, a sample "
                   "of each class)" if "test_size" in text else
                   f"a smaller validation_fraction (at most {1 - share:.3g})"
                   if "train_size" in text else "at least 2 samples of every class")
            raise ValueError(
                f"Could not draw a stratified validation set for early stopping: "
                f"{text}. Use {fix}, or early_stopping=False."
            ) from exc
        return np.sort(train), np.sort(valid)

