"""The shared fitted-attribute texts of :mod:`sklearn_rnn.utils.docstrings`."""

from ._fill import parse_entries

#: Fitted attributes of every core estimator (network, input and scaling).
_NETWORK_ATTRIBUTES = parse_entries(
    """
    module_ : torch.nn.Module
        The fitted network (a ``RecurrentNetwork``), on the CPU unless
        ``device`` chose a GPU.

    optimizer_ : torch.optim.Optimizer
        The optimizer, kept for ``warm_start`` and ``partial_fit``.

    device_ : str
        The device the network was fitted on, and predicts on: ``"cpu"`` or
        ``"cuda:N"`` (``"cuda"`` and ``"auto"`` resolved to the current
        GPU's index). A model loaded where CUDA is missing predicts on the
        CPU, and where its GPU is (``"cuda:1"`` on a machine with one), on
        the current GPU, each with a warning; ``device_`` then says so.

    n_features_in_ : int
        Number of features seen during fit: the number of columns of 2D
        input, or the number of channels of 3D and list input.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit. Defined only when `X` has feature
        names that are all strings: a DataFrame's columns, or for a list of
        DataFrames (one sequence each) the channels' column names, which
        ``predict`` then checks.

    n_channels_in_ : int
        Number of channels (variables per time step) seen during fit: the
        last axis of 3D and list input, ``n_channels`` for 2D input.

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
    """
)


def _training_attributes(loss, score, refitted):
    """The training record, for a ``loss``, a validation ``score`` and what
    ``refitted`` says of the model refitted after early stopping (its lines
    wrapped to follow "early stopping. ")."""
    return parse_entries(
        f"""
        n_iter_ : int
            Number of epochs run, over all calls when warm starting.

        history_ : list of dict
            One record per epoch with keys ``"epoch"``, ``"train_loss"``,
            ``"lr"``, ``"dur"`` (seconds) and, with early stopping,
            ``"valid_loss"`` and ``"valid_score"``.

        loss_ : float or None
            Training loss ({loss}) of the last epoch, as scikit-learn's MLP's
            (not the restored epoch's under early stopping); None when
            training was interrupted before its first epoch ended.

        loss_curve_ : list of float
            Training loss ({loss}) per epoch.

        best_loss_ : float or None
            Lowest training loss; None with early stopping, or when training
            was interrupted before its first epoch ended.

        validation_scores_ : list of float or None
            Validation {score} per epoch, on the held-out validation set, in
            step with ``loss_curve_`` (over every call, as scikit-learn's
            MLP keeps them over warm starts): None for an epoch trained
            without one (by ``partial_fit``, or by an earlier fit without
            early stopping). None where the last fit had no early stopping.

        best_validation_score_ : float or None
            Validation {score} of the restored (best) epoch; None without
            early stopping. {refitted.replace(chr(10), chr(10) + " " * 12)}

        best_epoch_ : int or None
            Epoch whose weights were kept: the one with the lowest validation
            loss, or the starting weights' epoch (0 on a first fit) where no
            trained epoch beat a fitted start by more than one standard error
            of the gain (``training_improvement_`` is then 0); None without
            early stopping.

        initial_validation_loss_ : float or None
            Validation loss of the weights training started from (for a
            regressor with a linear skip connection, ``skip_steps_ > 0``,
            trained from scratch: the linear least-squares start, the
            recurrent head at zero, fitted on the training part alone; after
            a warm start: the previous fit's, its refit on every row redone
            on the training part); None without early stopping.

        training_improvement_ : float or None
            How much training improved the validation loss over the start:
            ``1 - best / initial_validation_loss_``. Zero means no epoch
            beat the start by more than the noise and training kept it,
            refitted on every sample (for a regressor with a skip
            connection: the prediction is the linear model alone); None
            without early stopping. ``verbose`` prints it.
        """
    )


REGRESSOR_ATTRIBUTES = {
    **_NETWORK_ATTRIBUTES,
    **parse_entries(
        """
        n_outputs_ : int
            Number of regression targets.

        window_normalization_ : {"last"} or None
            The window normalisation used, as resolved from
            ``window_normalization``.

        quantiles_ : ndarray of shape (n_quantiles,) or None
            The sorted quantile levels fitted with ``loss="quantile"``
            (``quantiles`` with 0.5 added); None with
            ``loss="squared_error"``.
        """
    ),
    **_training_attributes(
        loss="mean squared error (or, with ``loss=\"quantile\"``, mean pinball "
        "loss) on standardised targets (with ``window_normalization_ == \"last\"``, "
        "on the targets less each sequence's last value, standardised: about 1 "
        "is the error of that last value as a forecast, not of the mean)",
        score=":math:`R^2` (or the negative mean pinball loss)",
        refitted="For a regressor whose linear part is refitted\n"
        "on every sample after early stopping (``skip_steps_ > 0``, not under\n"
        "``loss=\"quantile\"``), the score of the model before that refit: the\n"
        "model returned has also been fitted on the validation rows. Under\n"
        "``loss=\"quantile\"``, the score (and the validation loss) of each\n"
        "sample's levels sorted, as ``predict_quantiles`` gives them.",
    ),
}

CLASSIFIER_ATTRIBUTES = {
    **parse_entries(
        """
        classes_ : ndarray of shape (n_classes,)
            Class labels seen during fit.
        """
    ),
    **_NETWORK_ATTRIBUTES,
    **_training_attributes(
        loss="cross-entropy", score="accuracy",
        refitted="Where early stopping keeps the\n"
        "ridge start (``best_epoch_ == 0``, see ``early_stopping``), the score of\n"
        "that start fitted on the training part, before its refit on every\n"
        "sample: the model returned has also been fitted on the validation rows,\n"
        "so this is not a held-out score of it. A restored trained epoch is not\n"
        "refitted: its score is the returned model's, as in scikit-learn's MLP.",
    ),
    **parse_entries(
        """
        kept_ridge_start_ : bool or None
            Whether the recurrent layers, trained before the main loop
            against the ridge start's leave-one-out logits (what the start
            misses), were dropped: True where the held-out fifth of the rows
            did not gain more than one standard error from them, or where
            the start's held-out log-loss is 0 already and they are not
            trained (nothing to gain), and the fit went on from the start
            alone; False where they were kept. None
            where they were not set up: ``partial_fit``, no random
            convolutions (``random_biases=0``), or fewer than two rows to
            hold out or to train on. A warm fit leaves it as the first fit
            set it. See the user guide's
            "Classifier: convolutions beside the recurrent layers".

        recurrent_improvement_ : float or None
            The held-out rows' log-loss gain of those recurrent layers' best
            epoch over the ridge start, as a fraction of the start's (0: no
            epoch beat it, or the start's loss is 0 already); None where
            ``kept_ridge_start_`` is None.
        """
    ),
}
