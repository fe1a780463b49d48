"""Recurrent classifier: SequenceClassifier."""

import numpy as np
from scipy.special import logsumexp
from sklearn.base import ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import BaseSequenceEstimator
from ._compat import StrOptions, _fit_context
from ._losses import accuracy, cross_entropy
from ._training import split_tail
from ._validation import check_y_given

__all__ = ["SequenceClassifier"]


class SequenceClassifier(ClassifierMixin, BaseSequenceEstimator):
    """Recurrent (LSTM or GRU) classifier for sequences.

    Binary and multiclass classification of whole sequences with labels of
    any type, trained by minimising the cross-entropy with a gradient-based
    optimizer in PyTorch.

    Parameters
    ----------
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell.

    hidden_size : int, default=64
        Number of hidden units per recurrent layer and direction.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default=True
        If True, a second recurrent stack reads each sequence backwards and
        both summaries are concatenated.

    dropout : float, default=0.0
        Dropout probability between stacked layers and before the output
        layer.

    input_noise : float, default=0.2
        Standard deviation of Gaussian noise added to the standardised inputs
        at every training step, and never at prediction: a regulariser
        ("jitter" augmentation) for small training sets. 0 disables it.

    pooling : {"last", "mean", "max", "concat"}, default="concat"
        How each sequence is summarised before the output layer: the last
        layer's final hidden state, the mean or the maximum of the recurrent
        outputs over the valid time steps, or all three concatenated.

    skip_steps : int or "auto", default=0
        Number of final time steps that also feed a linear skip connection
        to the outputs, in parallel with the recurrent network (an
        autoregressive "highway" as in LSTNet), capped at the sequence length
        seen in fit. It gives the class scores a direct linear dependence
        on the most recent values. ``"auto"`` takes every step, but at most
        one input of the skip connection per two training sequences
        (``skip_steps * n_features <= n_samples / 2``, and at most 1024
        inputs). 0 disables it.

    patch_size : int or "auto", default="auto"
        Number of consecutive time steps the recurrent layers read as one
        step (their features side by side), counted from each sequence's
        start; recurrent networks learn long sequences far more easily when
        they are shortened this way. ``"auto"`` uses
        ``ceil(n_timesteps / 32)`` for the longest training sequence, so
        sequences of up to 32 steps are read step by step. The resolved
        value is stored in ``patch_size_``.

    differences : bool or "auto", default="auto"
        Whether the recurrent layers also read each step's change from the
        previous step (the first differences of every feature, divided by
        their root mean square in the training data when ``standardize``;
        zero at a sequence's first step) next to its values. Changes show
        the shape of a trajectory (a turn, a rise and fall) that
        standardised levels hide. ``"auto"`` reads them when steps are read
        one at a time (``patch_size_ == 1``): a patch already puts
        neighbouring steps side by side. The resolved value is stored in
        ``differences_``.

    n_channels : int, default=1
        Number of channels ``C`` in 2D input. A 2D ``X`` of shape
        ``(n_samples, n_timesteps * C)`` is read as flattened windows and
        unflattened according to ``flat_layout``; the default reads each row
        as one univariate sequence. Ignored for 3D and list input.

    flat_layout : {"channels_first", "channels_last"}, default="channels_first"
        Column order of flattened 2D input. ``"channels_first"``: all time
        steps of the first channel, then of the next (the order sktime's
        ``make_reduction`` produces). ``"channels_last"``: all channels of the
        first time step, then of the next (``X3d.reshape(n_samples, -1)``).

    leading_nan : {"raise", "trim"}, default="raise"
        What to do with NaN in ``X``. ``"raise"`` rejects any NaN or inf.
        ``"trim"`` reads leading time steps whose channels are all NaN as "no
        history yet" and drops them, so such a row becomes a shorter
        sequence; NaN anywhere else still raises.

    standardize : bool, default=True
        Standardise each input channel with the mean and standard deviation
        of the training data.

    batch_size : int or "auto", default="auto"
        Sequences per optimisation step; ``"auto"`` uses ``n_samples // 8``
        clipped to [16, 200], so small data sets still get several steps per
        epoch.

    learning_rate_init : float, default=0.001
        Initial learning rate of the optimizer.

    learning_rate : {"constant", "adaptive", "cosine"}, default="constant"
        Learning-rate schedule over the epochs of one ``fit``. ``"adaptive"``
        divides the learning rate by 5 whenever the monitored loss (the
        validation loss with early stopping, else the training loss) has not
        improved by ``tol`` for ``max(1, n_iter_no_change // 2)`` epochs.
        ``"cosine"`` anneals it to 1% of ``learning_rate_init`` over
        ``max_iter`` epochs.

    alpha : float, default=0.0001
        Strength of the L2 penalty. As in scikit-learn's MLP, the penalty is
        divided by the batch size when added to the loss, so the optimizer's
        weight decay is ``alpha / batch_size``.

    optimizer : {"adam", "adamw", "sgd"}, default="adam"
        Optimizer. ``"sgd"`` uses Nesterov momentum 0.9, like scikit-learn's
        MLP.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training data).

    shuffle : bool, default=True
        Whether to shuffle the training samples in every epoch.

    tol : float, default=0.0001
        Tolerance of the optimisation. Training stops when the monitored loss
        has not improved by at least ``tol`` for more than
        ``n_iter_no_change`` consecutive epochs.

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data,
        stop when the validation loss stops improving, and restore the
        weights of the epoch with the lowest validation loss.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    n_iter_no_change : int, default=30
        Number of epochs without an improvement of ``tol`` before training
        stops.

    gradient_clip : float, default=None
        If set, the total norm of the gradients is clipped to this value at
        every step.

    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and predict. ``"auto"`` uses a CUDA GPU when one is
        available. A model fitted on a GPU unpickles and predicts on a
        machine without one.

    mixed_precision : bool, default=False
        If True, the network's forward passes in ``fit`` and ``predict`` run
        under :func:`torch.autocast` with ``bfloat16``, which roughly halves
        the memory traffic of recurrent kernels on GPUs that support it
        (Ampere and newer). Parameters, gradients and optimizer state stay
        float32, so no loss scaling is needed. On the CPU only the LSTM
        kernels have a bfloat16 path; predictions differ from float32 ones
        at about bfloat16 resolution (3 significant digits).

    n_threads : int, default=None
        Number of CPU threads torch may use during ``fit`` and ``predict``
        (restored afterwards). ``None`` keeps torch's process-wide setting,
        which follows ``OMP_NUM_THREADS``. Small recurrent networks usually
        run fastest with 1; set it when several fits run in parallel.

    callbacks : list of callable, default=None
        Functions called as ``callback(estimator, record)`` after every
        epoch, where ``record`` is the dict added to ``history_``. A callback
        that returns True stops training.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. Pass an int for reproducible results on the CPU across calls
        and processes.

    verbose : int, default=0
        If positive, print one line per epoch: epoch, training loss,
        validation loss and seconds.

    warm_start : bool, default=False
        When True, ``fit`` continues training the fitted network (and its
        optimizer state) instead of starting anew.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as ``{label: weight}``;
        ``"balanced"`` weights classes inversely to their frequency,
        ``n_samples / (n_classes * np.bincount(y))``. None weights all
        classes equally.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen during fit.

    module_ : torch.nn.Module
        The fitted network (a ``RecurrentNetwork``), on the CPU unless
        ``device`` chose a GPU.

    optimizer_ : torch.optim.Optimizer
        The optimizer, kept for ``warm_start`` and ``partial_fit``.

    device_ : str
        The device the network was fitted on.

    n_features_in_ : int
        Number of features seen during fit: the number of columns of 2D
        input, or the number of features per time step of 3D and list input.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit. Defined only when `X` has feature
        names that are all strings.

    input_size_ : int
        Number of channels per time step fed to the network.

    patch_size_ : int
        Time steps per recurrent step, as resolved from ``patch_size``.

    differences_ : bool
        Whether the recurrent layers read first differences, as resolved
        from ``differences``.

    skip_steps_ : int
        Time steps that feed the linear skip connection, as resolved from
        ``skip_steps`` (0: no skip connection).

    n_timesteps_in_ : int
        Sequence length seen during fit (the longest, for variable-length
        input). Prediction accepts other lengths from 3D and list input.

    n_iter_ : int
        Number of epochs run, over all calls when warm starting.

    history_ : list of dict
        One record per epoch with keys ``"epoch"``, ``"train_loss"``,
        ``"lr"``, ``"dur"`` (seconds) and, with early stopping,
        ``"valid_loss"`` and ``"valid_score"``.

    loss_curve_ : list of float
        Training loss (cross-entropy) per epoch.

    best_loss_ : float or None
        Lowest training loss; None with early stopping.

    validation_scores_ : list of float or None
        Accuracy on the held-out validation set per epoch of the last
        ``fit``; None without early stopping.

    best_validation_score_ : float or None
        Validation accuracy of the restored (best) epoch; None without early
        stopping.

    best_epoch_ : int or None
        Epoch with the lowest validation loss, whose weights were restored;
        None without early stopping.

    See Also
    --------
    SequenceRegressor : Recurrent regressor for sequences.
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron classifier.

    Notes
    -----
    Inputs are sequences in batch-first order: a 2D array of shape
    ``(n_samples, n_timesteps)`` holds one univariate sequence per row (see
    ``n_channels`` for flattened multivariate windows), a 3D array has shape
    ``(n_samples, n_timesteps, n_features)``, and a list of arrays of shape
    ``(n_timesteps_i,)`` or ``(n_timesteps_i, n_features)`` holds sequences
    of different lengths, which are padded and packed so that padding never
    changes a prediction.

    With early stopping, the validation set is a stratified random sample of
    the training data.

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
        leading_nan="raise",
        standardize=True,
        batch_size="auto",
        learning_rate_init=0.001,
        learning_rate="constant",
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
    ):
        self.cell = cell
        self.class_weight = class_weight
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            input_noise=input_noise,
            pooling=pooling,
            skip_steps=skip_steps,
            patch_size=patch_size,
            differences=differences,
            n_channels=n_channels,
            flat_layout=flat_layout,
            leading_nan=leading_nan,
            standardize=standardize,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            learning_rate=learning_rate,
            alpha=alpha,
            optimizer=optimizer,
            max_iter=max_iter,
            shuffle=shuffle,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            gradient_clip=gradient_clip,
            device=device,
            mixed_precision=mixed_precision,
            n_threads=n_threads,
            callbacks=callbacks,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Training sequences; see Notes for the accepted layouts.

        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on ``X`` and ``y``, keeping the fitted state.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Training sequences.

        y : array-like of shape (n_samples,)
            Class labels.

        classes : array-like of shape (n_classes,), default=None
            All labels that can occur. Required on the first call, ignored
            afterwards.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit."
            )
        return self._fit(X, y, incremental=True, classes=classes)

    def predict(self, X):
        """Predict class labels for sequences ``X``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
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
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Sequences to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Log of the probability of each class for sequences ``X``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Sequences to classify.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, in the order of ``classes_``.
        """
        logits, _ = self._forward(X)
        return logits - logsumexp(logits, axis=1, keepdims=True)

    @property
    def _n_outputs(self):
        return len(self.classes_)

    def _prepare_targets(self, y, seqs, *, first_call, classes=None):
        n_samples = len(seqs)
        check_y_given(self, y)
        y = column_or_1d(y, warn=True)
        if y.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        check_classification_targets(y)
        if first_call:
            labels = np.unique(y) if classes is None else np.unique(classes)
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes, "
                    f"but the data contains only one class: {labels[0]!r}."
                )
            self._label_encoder = LabelEncoder().fit(labels)
            self.classes_ = self._label_encoder.classes_
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not seen in the first fit: {unknown.tolist()}; "
                f"known classes are {self.classes_.tolist()}."
            )
        encoded = self._label_encoder.transform(y)
        if first_call:
            self._class_weights = self._compute_class_weights(encoded)
        return encoded.astype(np.int64)

    def _compute_class_weights(self, encoded):
        if self.class_weight is None:
            return None
        weights = compute_class_weight(
            self.class_weight, classes=self.classes_, y=self.classes_[encoded]
        )
        return weights.astype(np.float32)

    def _loss_function(self, device):
        return cross_entropy(self._class_weights, device)

    def _validation_scorer(self, seqs, index, device):
        return accuracy

    def _split_validation(self, n_samples, y, rng):
        split_tail(n_samples, self.validation_fraction)  # the regressors' checks
        index = np.arange(n_samples)
        try:
            train, valid = train_test_split(
                index,
                test_size=self.validation_fraction,
                stratify=y,
                random_state=rng,
            )
        except ValueError as exc:
            raise ValueError(
                f"Could not draw a stratified validation set for early stopping: "
                f"{exc} Use more samples per class, a larger "
                "validation_fraction, or early_stopping=False."
            ) from exc
        return np.sort(train), np.sort(valid)
