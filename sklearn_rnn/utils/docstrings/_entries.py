"""The shared texts of :mod:`sklearn_rnn.utils.docstrings`, each written once."""

from ._fill import parse_entries

#: Entries shared by the regressors, the classifier and the sktime adapters.
PARAMETERS = parse_entries(
    """
    cell : {"lstm", "gru"}
        Recurrent cell.

    hidden_size : int
        Number of hidden units per recurrent layer and direction.

    num_layers : int
        Number of stacked recurrent layers.

    bidirectional : bool
        If True, a second recurrent stack reads each sequence backwards and
        both summaries are concatenated.

    dropout : float
        Dropout probability between stacked layers and before the output
        layer.

    input_noise : float
        Standard deviation of Gaussian noise added to the standardised inputs
        at every training step, and never at prediction: a regulariser
        ("jitter" augmentation) for small training sets. 0 disables it.

    pooling : {"last", "mean", "max", "concat"}
        How each sequence is summarised before the output layer: the last
        layer's final hidden state, the mean or the maximum of the recurrent
        outputs over the valid time steps, or all three concatenated.

    patch_size : int or "auto"
        Number of consecutive time steps the recurrent layers read as one
        step (their features side by side), counted back from each
        sequence's last step, so that the newest steps make up the last
        patch at any length (the first patch is completed with zeros where
        the length is not a multiple); recurrent networks learn long
        sequences far more easily when they are shortened this way. ``"auto"`` uses
        ``ceil(n_timesteps / 32)`` for the longest training sequence, so
        sequences of up to 32 steps are read step by step. The resolved
        value is stored in ``patch_size_``.

    differences : bool or "auto"
        Whether the recurrent layers also read each step's change from the
        previous step (the first differences of every feature, divided by
        their root mean square in the training data when ``standardize``;
        zero at a sequence's first step) next to its values. Changes show
        the shape of a trajectory (a turn, a rise and fall) that
        standardised levels hide. ``"auto"`` reads them when steps are read
        one at a time (``patch_size_ == 1``): a patch already puts
        neighbouring steps side by side. The resolved value is stored in
        ``differences_``.

    n_channels : int
        Number of channels ``C`` in 2D input. A 2D ``X`` of shape
        ``(n_samples, n_timesteps * C)`` is read as flattened windows and
        unflattened according to ``flat_layout``; the default reads each row
        as one univariate sequence. Ignored for 3D and list input. Like
        ``flat_layout`` and ``time_axis``, fixed by ``fit``: changed later,
        ``predict``, ``warm_start`` and ``partial_fit`` raise a ``ValueError``
        until the next fit from scratch.

    flat_layout : {"channels_first", "channels_last"}
        Column order of flattened 2D input. ``"channels_first"``: all time
        steps of the first channel, then of the next (the order sktime's
        ``make_reduction`` produces). ``"channels_last"``: all channels of the
        first time step, then of the next (``X3d.reshape(n_samples, -1)``).

    time_axis : {1, 2}
        Axis of 3D input that holds the time steps. ``1`` reads
        ``(n_samples, n_timesteps, n_channels)``, the layout of PyTorch's
        batch-first recurrent layers; ``2`` reads ``(n_samples, n_channels,
        n_timesteps)``, sktime's ``numpy3D`` panels. Fitting warns when 3D
        input has twice as many channels as time steps or more, the sign of
        the other layout. Ignored for 2D input and lists, read as ``(n_timesteps,
        n_channels)`` per sequence (a fit on a list warns with ``time_axis=2``),
        yet fixed by ``fit`` as ``n_channels`` is (a model fitted on tables may
        predict 3D input).

    leading_nan : {"raise", "trim"}
        What to do with NaN in ``X``. ``"raise"`` rejects any NaN or inf.
        ``"trim"`` reads leading time steps whose channels are all NaN as "no
        history yet" and drops them, so such a row becomes a shorter
        sequence; NaN anywhere else still raises.

    batch_size : int or "auto"
        Sequences per optimisation step; ``"auto"`` uses ``n_samples // 8``
        clipped to [16, 200], so small data sets still get several steps per
        epoch. ``n_samples`` counts the samples left to train on: those
        outside early stopping's validation set (by default 10 % fewer than
        given), or the batch of ``partial_fit``. An integer larger than that
        is clipped to it, with a warning, as scikit-learn's MLP does.

    learning_rate_init : float
        Initial learning rate of the optimizer. Training that diverges
        stops with a ``ValueError``; weights that end far worse than a
        constant prediction (a training loss over 4 times its, or a
        regressor's best validation R^2 below -3 on 30 or more validation
        rows) warn with a ``ConvergenceWarning``.

    learning_rate : {"constant", "adaptive", "cosine"}
        Learning-rate schedule. ``"adaptive"`` is scikit-learn MLP's: where
        the monitored loss (the validation loss with early stopping, else the
        training loss) has not improved by ``tol`` for more than
        ``n_iter_no_change`` epochs, the learning rate is divided by 5 instead
        of stopping, and training stops only once it is at most 1/1000 of
        ``learning_rate_init``; it carries over ``partial_fit`` calls, each
        one epoch. ``"cosine"`` anneals it to 1% of ``learning_rate_init``
        over the ``max_iter`` epochs of one ``fit``; ``partial_fit``, whose
        epochs have no known end, trains at ``learning_rate_init`` then.

    alpha : float
        Strength of the L2 penalty. As in scikit-learn's MLP, the penalty is
        divided by the batch size when added to the loss, so the optimizer's
        weight decay is ``alpha / batch_size``. Under ``optimizer="adamw"``
        it is AdamW's decoupled weight decay instead (each step shrinks the
        weights by ``learning_rate * alpha``, whatever the batch size; AdamW's
        usual value is 0.01).

    optimizer : {"adam", "adamw", "sgd"}
        Optimizer. ``"sgd"`` uses Nesterov momentum 0.9, like scikit-learn's
        MLP.

    max_iter : int
        Maximum number of epochs (passes over the training data). Reaching it
        without stopping warns (``ConvergenceWarning``), as scikit-learn's MLP
        does, except under ``learning_rate="cosine"``, whose schedule ends
        there by design.

    shuffle : bool
        Whether to shuffle the training samples in every epoch.

    tol : float
        Tolerance of the optimisation. Training stops when the monitored loss
        has not improved by at least ``tol`` for more than
        ``n_iter_no_change`` consecutive epochs, unless ``learning_rate`` is
        ``"adaptive"``, which divides the learning rate by 5 then (and stops
        only once it is at most 1/1000 of ``learning_rate_init``).

    validation_fraction : float
        Fraction of the training data held out for early stopping.

    n_iter_no_change : int
        Number of epochs without an improvement of ``tol`` before training
        stops (under ``learning_rate="adaptive"``, before the learning rate
        is cut). With early stopping, the first ``n_iter_no_change`` epochs
        of a fit count for nothing (a warm-up, as Keras' ``start_from_epoch``):
        the network begins at its fitted start, and its validation loss
        can sit at the start's for several epochs before it falls. The rule
        then stops training at epoch ``2 * n_iter_no_change + 1`` at the
        earliest; a ``max_iter`` below that ends every fit with a
        ``ConvergenceWarning``.

    gradient_clip : float
        If set, the total norm of the gradients is clipped to this value at
        every step. It mainly matters for ``optimizer="sgd"``, whose steps
        grow with the gradient: Adam and AdamW divide each step by the
        gradient's running magnitude, so clipping does not bound their
        steps, and a fit that diverges under them needs a smaller
        ``learning_rate_init``.

    device : {"cpu", "cuda", "auto"}, str or torch.device
        Where to train and predict. ``"auto"`` uses a CUDA GPU when one is
        available; ``"cuda"`` the current CUDA device, ``"cuda:N"`` (or
        ``torch.device("cuda", N)``) the one of index ``N``. A model fitted
        on a GPU unpickles and predicts on a machine without one.

    mixed_precision : bool
        If True, the network's forward passes in ``fit`` and ``predict`` run
        under :func:`torch.autocast` with ``bfloat16``; parameters and
        optimizer state stay float32. On CUDA, PyTorch's autocast runs
        cuDNN's LSTM and GRU layers in float16 whatever the autocast dtype,
        so training scales the loss (:class:`torch.amp.GradScaler`) against
        float16 gradients that underflow. In the GPU benchmark (an H200, up
        to hidden size 256) it was not faster than float32. On the CPU only the LSTM
        kernels have a bfloat16 path; predictions differ from float32 ones
        at about bfloat16 resolution (3 significant digits).

    n_threads : int
        Number of CPU threads torch may use during ``fit`` and ``predict``
        (restored afterwards). ``None`` keeps torch's process-wide setting,
        which follows ``OMP_NUM_THREADS``, on the main thread, and means 1
        on any other (several fits on threads of one process). Small
        recurrent networks usually run fastest with 1; set it when several
        fits run in parallel.

    callbacks : list or tuple of callable
        Functions called as ``callback(estimator, record)`` after every
        epoch (plain callables, not the objects of scikit-learn's
        ``sklearn.callback`` API, which these estimators do not take), where ``record`` is the epoch's dict (``"epoch"``,
        ``"train_loss"``, ...), added to ``history_`` when ``fit`` returns:
        during training, ``history_`` and ``n_iter_`` still hold what
        earlier fits left. The estimator predicts with the epoch's
        weights, and a copy pickled there (a checkpoint) resumes with
        ``warm_start=True`` or ``partial_fit``, numbering its epochs after
        those earlier fits. A callback that returns True stops training. Searches and
        ``cross_val_score`` fit clones, whose callbacks are deep copies (as
        scikit-learn's ``clone`` copies every parameter): a callable object
        or bound method records into its copy and the one passed stays
        empty. Keep a callback's state outside it (a list that a function
        appends to; in parallel jobs, a file), or read ``history_`` of the
        fitted estimators.

    random_state : int, RandomState instance or None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. Pass an int for reproducible results on the CPU across calls,
        processes and threads, with a fixed ``n_threads`` (torch's sums over
        several threads round differently from one thread's, by about 1e-8);
        the global torch generators are left as they were. A continued fit (``partial_fit``, ``warm_start``) draws its
        shuffling, dropout masks and noise from a stream of its own, picked
        by the epochs already trained, so that calls do not replay each
        other's.

    verbose : int
        Training progress printed to standard output. ``1``: a table with the
        starting weights' validation loss (epoch 0), the first epoch, then a
        row at most every two seconds and the last epoch; each row has the
        training loss, the validation loss (``*`` marks a new best) and
        score, the seconds of that epoch and an estimate of the time left to
        ``max_iter``. ``2`` or more: a row for every epoch. Both end with why
        training stopped and which epoch's weights the model keeps.

    warm_start : bool
        When True, ``fit`` continues training the fitted network (and its
        optimizer state, unless ``optimizer`` changed between ``"sgd"`` and
        Adam: ``"adam"`` and ``"adamw"`` share their moments; ``learning_rate_init``,
        ``alpha`` and ``batch_size`` are this fit's) instead of starting
        anew. Parameters that shaped
        that network or its targets (e.g. ``hidden_size``, ``dropout``,
        ``pooling``) cannot change then, nor before ``partial_fit``: a
        ``ValueError`` names the ones that did. With early stopping, what the
        last fit refitted on every row (its kept start, or its linear skip
        layer) is first fitted again on this fit's training rows, so that
        the validation rows judge the starting weights out of sample.
    """
)

#: :class:`~sklearn_rnn.SequenceRegressor`, :class:`~sklearn_rnn.LSTMRegressor`
#: and :class:`~sklearn_rnn.GRURegressor`.
REGRESSOR_PARAMETERS = {
    **PARAMETERS,
    **parse_entries(
        """
        skip_steps : int or "auto"
            Number of final time steps that also feed a linear skip connection
            to the outputs, in parallel with the recurrent network (an
            autoregressive "highway" as in LSTNet), capped at the sequence length
            seen in fit. ``"auto"`` takes every step, but keeps at least two
            sequences passed to fit per input of the skip connection
            (``skip_steps * n_channels <= n_samples / 2``, early stopping's
            validation rows counted, and at most 1024 inputs), where a
            least-squares start does not overfit; the resolved value is stored
            in ``skip_steps_``. It is initialised to the ridge least-squares fit
            of the standardised targets (and the recurrent output layer to
            zero), so training starts from a linear autoregressive model and the
            recurrent path learns what that misses. It lets forecasts
            extrapolate beyond the range of the training targets. 0 disables it.
            A sequence shorter than ``skip_steps_`` gives the connection zeros
            for its missing steps; ``predict`` warns where a sequence is shorter
            than ``skip_steps_`` after a fit on none as short.

        standardize : bool
            Standardise each input channel with the mean and standard deviation
            of the training data (and, for regressors, each target), mapping
            predictions back to the original units.

        window_normalization : {"auto", "last"} or None
            Whether to learn targets relative to the last value of the first
            channel, with every sequence read relative to its last step (its
            level is still an input). This suits forecasting, where targets
            continue the first channel: a trending series then extrapolates.
            ``"auto"`` chooses ``"last"`` when the training targets' variance
            around the last values is less than half their variance around their
            mean and their mean distance from them is below their standard
            deviation (the two in the same units), else None; the choice is
            stored in ``window_normalization_``.
            With several targets it is one choice for all of them, each
            relative to the first channel's last value: targets that do not
            continue that channel want None (or one regressor each, through
            :class:`~sklearn.multioutput.MultiOutputRegressor`). Under
            ``"last"`` the linear start reads the window relative to its last
            step, so a target proportional to the level itself (twice the last
            value, say) is beyond it; None fits that exactly. ``"last"``
            presumes the targets share the first channel's units: ``"auto"``
            resolves to None behind a scaler on ``X`` alone or on ``y`` alone
            (:class:`~sklearn.compose.TransformedTargetRegressor`), where they
            lie far from the last values; to keep ``"last"``, scale both alike.

        loss : {"squared_error", "quantile"}
            The loss to minimise. ``"squared_error"`` fits the conditional
            mean; ``"quantile"`` fits the conditional quantiles at the levels
            ``quantiles`` (the mean pinball loss over the levels, as
            ``loss="quantile"`` in
            :class:`~sklearn.ensemble.HistGradientBoostingRegressor`, with one
            network output per target and level). :meth:`predict` then returns
            the median and :meth:`predict_quantiles` every level.

        quantiles : array-like of float or None
            Quantile levels, strictly between 0 and 1, fitted with
            ``loss="quantile"`` (the median, 0.5, is always added); None fits
            the median alone. Refused with ``loss="squared_error"``. The
            resolved, sorted levels are stored in ``quantiles_``. With a
            linear skip connection, each level starts from its least-squares
            fit moved by that quantile of the fit's residuals on the training
            rows.

        early_stopping : bool
            Whether to hold out the last ``validation_fraction`` of the training
            samples (the tail, in the order given, so overlapping windows of a
            series never leak into validation; with ``sample_weight``, of the
            samples of positive weight), stop when the validation loss
            stops improving, and restore the weights with the lowest validation
            loss, counting the starting weights (the linear skip's least-squares
            fit) as epoch 0. That fit sees the training part only, and an
            epoch replaces it only by a gain above the noise (one standard
            error of the mean per-sample gain); afterwards the start, or a
            kept network's skip layer (not under ``loss="quantile"``), is
            refitted on every sample. Unlike
            scikit-learn's MLP, on by default: with few samples it keeps the
            recurrent path from overfitting.
        """
    ),
}

#: :class:`~sklearn_rnn.SequenceClassifier` and the sktime ``RNNClassifier``.
CLASSIFIER_PARAMETERS = {
    **PARAMETERS,
    **parse_entries(
        """
        skip_steps : int or "auto"
            Number of final time steps that also feed a linear skip connection
            to the outputs, in parallel with the recurrent network (an
            autoregressive "highway" as in LSTNet), capped at the sequence length
            seen in fit. It gives the class scores a direct linear dependence
            on the most recent values. ``"auto"`` takes every step, but at most
            one input of the skip connection per two sequences passed to fit
            (``skip_steps * n_channels <= n_samples / 2``, early stopping's
            validation rows counted, and at most 1024 inputs). 0 disables it.

        standardize : bool
            Standardise each input channel with the mean and standard deviation
            of the training data.

        early_stopping : bool
            Whether to hold out ``validation_fraction`` of the training data (a
            stratified random sample of the samples of positive
            ``sample_weight``), stop when the validation loss stops
            improving, and restore the weights with the lowest validation
            loss, counting the starting weights as epoch 0. With
            ``random_biases > 0`` these are the ridge classifier on the
            random-convolution features (the output layer's start), with
            the recurrent layers trained on what it misses where they were
            kept (``kept_ridge_start_`` False), else at zero. That fit sees
            the training part only, and an epoch replaces it only by a gain
            above the noise (one standard error of the mean per-sample
            gain), so a fit may return that start (``best_epoch_ == 0``);
            its ridge classifier is then refitted on every sample, the
            validation rows included (the recurrent weights kept). Trained
            weights are not refitted.

        class_weight : dict, "balanced" or None
            Weights of the classes in the loss, as ``{label: weight}``;
            ``"balanced"`` weights classes inversely to their frequency,
            ``n_samples / (n_classes * np.bincount(y))``, with the samples
            counted by their ``sample_weight`` where given (as recent
            scikit-learn releases count them for
            :class:`~sklearn.linear_model.LogisticRegression`: a sample of
            weight 0 is not counted),
            computed by every ``fit`` from its own ``y``, a ``warm_start``
            fit's too (as
            :class:`~sklearn.linear_model.SGDClassifier` and
            :class:`~sklearn.linear_model.LogisticRegression` do). A warm
            start on a ``y`` without some of ``classes_`` balances the classes
            it holds (``n_classes`` counts those) and keeps the previous
            weights of the others, which have no sample to weigh there.
            ``partial_fit`` keeps the weights of the last ``fit``, and a first
            ``partial_fit`` refuses ``"balanced"``, as
            :class:`~sklearn.linear_model.SGDClassifier` does, since one
            batch's frequencies are not the data's. None weights all
            classes equally. Each mini-batch's loss is the weighted mean of
            its rows, as in :class:`torch.nn.CrossEntropyLoss`: the weights
            act between the rows of a batch, so a batch of one class is not
            reweighted, and with ``batch_size=1`` they have no effect on
            training (the ridge start of ``random_biases`` weighs the rows
            by them still).

        conv_filters : tuple of int or None
            Filters of the blocks (convolution, batch norm, ReLU; kernel sizes
            7, 5, 3) of a trained convolutional branch beside the recurrent
            layers, as in LSTM-FCN, averaged over the valid steps (of at most
            256, longer sequences averaged over windows) into the summary.
            None leaves it out.

        random_biases : int
            Biases per kernel and dilation of a branch of fixed random
            convolutions beside the recurrent layers (MiniRocket's 84 kernels
            at up to 8 dilations): its features, the proportion of valid steps
            where an output exceeds a bias, join the summary, and the output
            layer starts from a ridge classifier on them. Where that start
            fits the training set (on the sets that ship with sktime it
            does), the main loop changes its predictions next to nothing;
            recurrent layers trained first against its held-out errors are
            kept where they lower them. 0 leaves it out (the
            recurrent network alone: raise ``learning_rate_init``, e.g. to
            1e-3, which the default sets low to keep the start); see the
            user guide. Where sequences and features both exceed
            4,096 (or their product 10^8), the ridge start is fitted on an
            evenly spaced subsample of the sequences, each class in
            proportion; the features, 4 bytes each, are kept for training up
            to 1 GiB (57,000 sequences of 4,704 features, 8 dilations), beyond
            which every batch computes its own, many times slower, and
            fitting warns; the set-up then sums the features' moments over
            parts of the sequences and the ridge start computes the features
            of its subsample only, so that the features' memory stops
            growing with the sequences (the inputs are still copied once,
            standardised).
        """
    ),
}

#: The Notes paragraph on the input layouts the core estimators accept.
INPUT_SHAPES = """
    Inputs are sequences in batch-first order: a 2D array of shape
    ``(n_samples, n_timesteps)`` holds one univariate sequence per row (see
    ``n_channels`` for flattened multivariate windows), a 3D array has shape
    ``(n_samples, n_timesteps, n_channels)``, and a list of arrays of shape
    ``(n_timesteps_i,)`` or ``(n_timesteps_i, n_channels)`` holds sequences
    of different lengths, which run padded, each sequence's states read at
    its own last step (packed on a GPU), so that padding never changes a
    prediction. A list of 1D arrays of one length is a 2D table,
    as in scikit-learn (``check_array`` reads it so): to pass sequences of
    one length as a list, give them the shape ``(n_timesteps_i,
    n_channels)``.
    """

#: The type line of ``X`` in the core estimators' methods (marker ``{X}``).
SEQUENCES_X = (
    "X : {array-like, DataFrame} of shape (n_samples, n_timesteps) or "
    "(n_samples, n_timesteps, n_channels), or list of array-like"
)

#: The type line of ``X`` in the sktime adapters' inner methods (marker ``{X}``).
PANEL_X = (
    "X : ndarray of shape (n_instances, n_channels, n_timepoints) or list of "
    "DataFrame"
)

#: The ``input_features`` entry of ``get_feature_names_out``.
INPUT_FEATURES = """
    input_features : array-like of str or None, default=None
        Input feature names. If None, ``feature_names_in_`` is used when
        defined, else ``["x0", "x1", ...]``.
    """

#: The ``sample_weight`` entry of the core estimators' ``fit`` and ``partial_fit``.
SAMPLE_WEIGHT = """
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights of the samples in the training loss, in the
        validation loss and score of early stopping and, for regressors, in
        the least-squares start of the linear skip connection. None (or
        equal weights) trains as unweighted. The standardisation of inputs
        and targets and, for regressors, the ``"auto"`` window
        normalisation weigh the samples too (as
        ``StandardScaler(sample_weight=...)``). The set-up of the random
        convolutions draws its biases from the samples of positive weight
        and scales its features by their weighted standard deviation
        with the weights as reliabilities (unweighted: the sample standard
        deviation, ``ddof=1``), so one of weight 2 is not counted as two
        there. The ``"auto"`` sizes read the samples of positive weight
        only (``skip_steps`` their count, ``patch_size`` their longest), as
        do early stopping's split and the classifier's ridge start. A
        sample of weight 0 is as if removed in all of these, but one of
        weight 2 is counted once by ``skip_steps``, whose size does not
        depend on the weights' scale.
    """
