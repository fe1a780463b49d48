"""Recurrent regressors: SequenceRegressor, LSTMRegressor, GRURegressor."""

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import _check_y

from . import _window_normalization as window
from ._base import BaseSequenceEstimator
from ._compat import StrOptions, _fit_context
from ._losses import r2_score, squared_error
from ._validation import check_y_given

__all__ = ["SequenceRegressor", "LSTMRegressor", "GRURegressor"]


class SequenceRegressor(RegressorMixin, BaseSequenceEstimator):
    """Recurrent (LSTM or GRU) regressor for sequences.

    Fits one or several real-valued targets per sequence by minimising the
    mean squared error with a gradient-based optimizer in PyTorch.
    :class:`LSTMRegressor` and :class:`GRURegressor` are this estimator with
    the cell fixed.

    Parameters
    ----------
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell.

    hidden_size : int, default=64
        Number of hidden units per recurrent layer and direction.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default=False
        If True, a second recurrent stack reads each sequence backwards and
        both summaries are concatenated.

    dropout : float, default=0.0
        Dropout probability between stacked layers and before the output
        layer.

    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the standardised inputs
        at every training step, and never at prediction: a regulariser
        ("jitter" augmentation) for small training sets. 0 disables it.

    pooling : {"last", "mean", "max", "concat"}, default="last"
        How each sequence is summarised before the output layer: the last
        layer's final hidden state, the mean or the maximum of the recurrent
        outputs over the valid time steps, or all three concatenated.

    skip_steps : int or "auto", default="auto"
        Number of final time steps that also feed a linear skip connection
        to the outputs, in parallel with the recurrent network (an
        autoregressive "highway" as in LSTNet), capped at the sequence length
        seen in fit. ``"auto"`` takes every step, but keeps at least two
        training sequences per input of the skip connection (``skip_steps *
        n_features <= n_samples / 2``, and at most 1024 inputs), where a
        least-squares start does not overfit; the resolved value is stored
        in ``skip_steps_``. It is initialised to the ridge least-squares fit of the
        standardised targets (and the recurrent output layer to zero), so
        training starts from a linear autoregressive model and the recurrent
        path learns what that misses. It lets forecasts extrapolate beyond
        the range of the training targets. 0 disables it.

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
        of the training data (and, for regressors, each target), mapping
        predictions back to the original units.

    window_normalization : {"auto", "last"} or None, default="auto"
        Whether to learn targets relative to the last value of the first
        channel, with every sequence read relative to its last step (its
        level is still an input). This suits forecasting, where targets
        continue the first channel: a trending series then extrapolates.
        ``"auto"`` chooses ``"last"`` when the training targets' variance
        around the last values is less than half their variance around their
        mean, else None; the choice is stored in ``window_normalization_``.

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

    early_stopping : bool, default=True
        Whether to hold out the last ``validation_fraction`` of the training
        samples (the tail, in the order given, so overlapping windows of a
        series never leak into validation), stop when the validation loss
        stops improving, and restore the weights with the lowest validation
        loss, counting the starting weights (the linear skip's least-squares
        fit) as epoch 0. Unlike scikit-learn's MLP, on by default: with few
        samples it keeps the recurrent path from overfitting.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    n_iter_no_change : int, default=10
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

    Attributes
    ----------
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

    n_outputs_ : int
        Number of regression targets.

    window_normalization_ : {"last"} or None
        The window normalisation used, as resolved from
        ``window_normalization``.

    n_iter_ : int
        Number of epochs run, over all calls when warm starting.

    history_ : list of dict
        One record per epoch with keys ``"epoch"``, ``"train_loss"``,
        ``"lr"``, ``"dur"`` (seconds) and, with early stopping,
        ``"valid_loss"`` and ``"valid_score"``.

    loss_curve_ : list of float
        Training loss (mean squared error on standardised targets) per epoch.

    best_loss_ : float or None
        Lowest training loss; None with early stopping.

    validation_scores_ : list of float or None
        :math:`R^2` on the held-out validation set per epoch of the last
        ``fit``; None without early stopping.

    best_validation_score_ : float or None
        Validation :math:`R^2` of the restored (best) epoch; None without
        early stopping.

    best_epoch_ : int or None
        Epoch with the lowest validation loss, whose weights were restored;
        None without early stopping.

    See Also
    --------
    LSTMRegressor : This estimator with ``cell="lstm"``.
    GRURegressor : This estimator with ``cell="gru"``.
    SequenceClassifier : Recurrent classifier for sequences.
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron regressor.

    Notes
    -----
    Inputs are sequences in batch-first order: a 2D array of shape
    ``(n_samples, n_timesteps)`` holds one univariate sequence per row (see
    ``n_channels`` for flattened multivariate windows), a 3D array has shape
    ``(n_samples, n_timesteps, n_features)``, and a list of arrays of shape
    ``(n_timesteps_i,)`` or ``(n_timesteps_i, n_features)`` holds sequences
    of different lengths, which are padded and packed so that padding never
    changes a prediction. 2D input keeps scikit-learn's contract: predicting
    on a different number of columns than seen in fit raises, so other
    sequence lengths are predicted from 3D arrays or lists.

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
        leading_nan="raise",
        standardize=True,
        window_normalization="auto",
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
        self.cell = cell
        self.window_normalization = window_normalization
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
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Training sequences; see Notes for the accepted layouts.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Train for one epoch on ``X`` and ``y``, keeping the fitted state.

        The first call initialises the network and the scaling from this
        data. Early stopping does not apply.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Training sequences.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """Predict targets for sequences ``X``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features), or list of array-like
            Sequences to predict.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        output, seqs = self._forward(X)
        output = output * self._target_scale + self._target_shift
        if self.window_normalization_ == "last":
            output += window.target_reference(seqs)
        return output.ravel() if self._y_1d else output

    @property
    def _n_outputs(self):
        return self.n_outputs_

    def _relative_inputs(self):
        return self.window_normalization_ == "last"

    def _prepare_targets(self, y, seqs, *, first_call, classes=None):
        n_samples = len(seqs)
        check_y_given(self, y)
        y = _check_y(y, multi_output=True, y_numeric=True, estimator=self)
        if y.shape[0] != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_samples}, {y.shape[0]}]"
            )
        y_2d = y.reshape(n_samples, -1).astype(np.float64)
        reference = window.target_reference(seqs)
        if first_call:
            self.window_normalization_ = window.choose(
                self.window_normalization, y_2d, reference
            )
        if self.window_normalization_ == "last":
            y_2d = y_2d - reference
        if first_call:
            self._y_1d = y.ndim == 1
            self.n_outputs_ = y_2d.shape[1]
            if self.standardize:
                shift = y_2d.mean(axis=0)
                scale = y_2d.std(axis=0)
                scale[scale < 1e-12 * np.maximum(1.0, np.abs(shift))] = 1.0
            else:
                shift, scale = np.zeros(y_2d.shape[1]), np.ones(y_2d.shape[1])
            self._target_shift, self._target_scale = shift, scale
        elif y_2d.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y_2d.shape[1]} outputs, but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}."
            )
        return ((y_2d - self._target_shift) / self._target_scale).astype(np.float32)

    def _loss_function(self, device):
        return squared_error()

    def _validation_scorer(self, seqs, index, device):
        """R^2 in the units of the original targets (up to scaling)."""
        if self.window_normalization_ != "last":
            return r2_score
        # Targets were learned relative to the last values: add them back.
        offsets = window.target_reference(seqs)[index] / self._target_scale
        offsets = torch.from_numpy(offsets.astype(np.float32)).to(device)
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
        leading_nan="raise",
        standardize=True,
        window_normalization="auto",
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
        self.window_normalization = window_normalization
        BaseSequenceEstimator.__init__(
            self,
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

    def _get_cell(self):
        return self._cell


class LSTMRegressor(_FixedCellRegressor):
    """Long short-term memory (LSTM) regressor for sequences.

    :class:`SequenceRegressor` with ``cell="lstm"``: fits one or several
    real-valued targets per sequence by minimising the mean squared error.

    Parameters
    ----------
    hidden_size : int, default=64
        Number of hidden units per recurrent layer and direction.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default=False
        If True, a second recurrent stack reads each sequence backwards and
        both summaries are concatenated.

    dropout : float, default=0.0
        Dropout probability between stacked layers and before the output
        layer.

    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the standardised inputs
        at every training step, and never at prediction: a regulariser
        ("jitter" augmentation) for small training sets. 0 disables it.

    pooling : {"last", "mean", "max", "concat"}, default="last"
        How each sequence is summarised before the output layer: the last
        layer's final hidden state, the mean or the maximum of the recurrent
        outputs over the valid time steps, or all three concatenated.

    skip_steps : int or "auto", default="auto"
        Number of final time steps that also feed a linear skip connection
        to the outputs, in parallel with the recurrent network (an
        autoregressive "highway" as in LSTNet), capped at the sequence length
        seen in fit. ``"auto"`` takes every step, but keeps at least two
        training sequences per input of the skip connection (``skip_steps *
        n_features <= n_samples / 2``, and at most 1024 inputs), where a
        least-squares start does not overfit; the resolved value is stored
        in ``skip_steps_``. It is initialised to the ridge least-squares fit of the
        standardised targets (and the recurrent output layer to zero), so
        training starts from a linear autoregressive model and the recurrent
        path learns what that misses. It lets forecasts extrapolate beyond
        the range of the training targets. 0 disables it.

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
        of the training data (and, for regressors, each target), mapping
        predictions back to the original units.

    window_normalization : {"auto", "last"} or None, default="auto"
        Whether to learn targets relative to the last value of the first
        channel, with every sequence read relative to its last step (its
        level is still an input). This suits forecasting, where targets
        continue the first channel: a trending series then extrapolates.
        ``"auto"`` chooses ``"last"`` when the training targets' variance
        around the last values is less than half their variance around their
        mean, else None; the choice is stored in ``window_normalization_``.

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

    early_stopping : bool, default=True
        Whether to hold out the last ``validation_fraction`` of the training
        samples (the tail, in the order given, so overlapping windows of a
        series never leak into validation), stop when the validation loss
        stops improving, and restore the weights with the lowest validation
        loss, counting the starting weights (the linear skip's least-squares
        fit) as epoch 0. Unlike scikit-learn's MLP, on by default: with few
        samples it keeps the recurrent path from overfitting.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    n_iter_no_change : int, default=10
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

    Attributes
    ----------
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

    n_outputs_ : int
        Number of regression targets.

    window_normalization_ : {"last"} or None
        The window normalisation used, as resolved from
        ``window_normalization``.

    n_iter_ : int
        Number of epochs run, over all calls when warm starting.

    history_ : list of dict
        One record per epoch with keys ``"epoch"``, ``"train_loss"``,
        ``"lr"``, ``"dur"`` (seconds) and, with early stopping,
        ``"valid_loss"`` and ``"valid_score"``.

    loss_curve_ : list of float
        Training loss (mean squared error on standardised targets) per epoch.

    best_loss_ : float or None
        Lowest training loss; None with early stopping.

    validation_scores_ : list of float or None
        :math:`R^2` on the held-out validation set per epoch of the last
        ``fit``; None without early stopping.

    best_validation_score_ : float or None
        Validation :math:`R^2` of the restored (best) epoch; None without
        early stopping.

    best_epoch_ : int or None
        Epoch with the lowest validation loss, whose weights were restored;
        None without early stopping.

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


class GRURegressor(_FixedCellRegressor):
    """Gated recurrent unit (GRU) regressor for sequences.

    :class:`SequenceRegressor` with ``cell="gru"``: fits one or several
    real-valued targets per sequence by minimising the mean squared error.

    Parameters
    ----------
    hidden_size : int, default=64
        Number of hidden units per recurrent layer and direction.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default=False
        If True, a second recurrent stack reads each sequence backwards and
        both summaries are concatenated.

    dropout : float, default=0.0
        Dropout probability between stacked layers and before the output
        layer.

    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the standardised inputs
        at every training step, and never at prediction: a regulariser
        ("jitter" augmentation) for small training sets. 0 disables it.

    pooling : {"last", "mean", "max", "concat"}, default="last"
        How each sequence is summarised before the output layer: the last
        layer's final hidden state, the mean or the maximum of the recurrent
        outputs over the valid time steps, or all three concatenated.

    skip_steps : int or "auto", default="auto"
        Number of final time steps that also feed a linear skip connection
        to the outputs, in parallel with the recurrent network (an
        autoregressive "highway" as in LSTNet), capped at the sequence length
        seen in fit. ``"auto"`` takes every step, but keeps at least two
        training sequences per input of the skip connection (``skip_steps *
        n_features <= n_samples / 2``, and at most 1024 inputs), where a
        least-squares start does not overfit; the resolved value is stored
        in ``skip_steps_``. It is initialised to the ridge least-squares fit of the
        standardised targets (and the recurrent output layer to zero), so
        training starts from a linear autoregressive model and the recurrent
        path learns what that misses. It lets forecasts extrapolate beyond
        the range of the training targets. 0 disables it.

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
        of the training data (and, for regressors, each target), mapping
        predictions back to the original units.

    window_normalization : {"auto", "last"} or None, default="auto"
        Whether to learn targets relative to the last value of the first
        channel, with every sequence read relative to its last step (its
        level is still an input). This suits forecasting, where targets
        continue the first channel: a trending series then extrapolates.
        ``"auto"`` chooses ``"last"`` when the training targets' variance
        around the last values is less than half their variance around their
        mean, else None; the choice is stored in ``window_normalization_``.

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

    early_stopping : bool, default=True
        Whether to hold out the last ``validation_fraction`` of the training
        samples (the tail, in the order given, so overlapping windows of a
        series never leak into validation), stop when the validation loss
        stops improving, and restore the weights with the lowest validation
        loss, counting the starting weights (the linear skip's least-squares
        fit) as epoch 0. Unlike scikit-learn's MLP, on by default: with few
        samples it keeps the recurrent path from overfitting.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    n_iter_no_change : int, default=10
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

    Attributes
    ----------
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

    n_outputs_ : int
        Number of regression targets.

    window_normalization_ : {"last"} or None
        The window normalisation used, as resolved from
        ``window_normalization``.

    n_iter_ : int
        Number of epochs run, over all calls when warm starting.

    history_ : list of dict
        One record per epoch with keys ``"epoch"``, ``"train_loss"``,
        ``"lr"``, ``"dur"`` (seconds) and, with early stopping,
        ``"valid_loss"`` and ``"valid_score"``.

    loss_curve_ : list of float
        Training loss (mean squared error on standardised targets) per epoch.

    best_loss_ : float or None
        Lowest training loss; None with early stopping.

    validation_scores_ : list of float or None
        :math:`R^2` on the held-out validation set per epoch of the last
        ``fit``; None without early stopping.

    best_validation_score_ : float or None
        Validation :math:`R^2` of the restored (best) epoch; None without
        early stopping.

    best_epoch_ : int or None
        Epoch with the lowest validation loss, whose weights were restored;
        None without early stopping.

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
