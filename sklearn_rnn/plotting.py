"""Plotting helpers (need matplotlib: ``pip install sklearn-rnn[plot]``)."""

__all__ = ["plot_history"]


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_history needs matplotlib; install it with "
            "`pip install sklearn-rnn[plot]` (or `pip install matplotlib`)."
        ) from exc
    return plt


def plot_history(estimator, ax=None):
    """Plot the training and validation loss of a fitted estimator per epoch.

    Draws the ``"train_loss"`` of every record in the estimator's
    ``history_`` and, when the records hold one (with early stopping), the
    ``"valid_loss"``. When ``best_epoch_`` is set, a dashed vertical line
    marks the epoch whose weights were restored (epoch 0 stands for the
    starting weights).

    Parameters
    ----------
    estimator : estimator instance
        A fitted :class:`~sklearn_rnn.SequenceRegressor`,
        :class:`~sklearn_rnn.SequenceClassifier` or any object with a
        ``history_`` list of dicts holding ``"epoch"`` and ``"train_loss"``
        (and optionally ``"valid_loss"``), and optionally ``best_epoch_``.

    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. If None, a new figure and axes are created.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    ValueError
        If ``estimator`` has no ``history_`` (it is not fitted).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_rnn import LSTMRegressor
    >>> from sklearn_rnn.plotting import plot_history
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12, 2))
    >>> y = X[:, -3:, 0].sum(axis=1)
    >>> reg = LSTMRegressor(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
    >>> ax = plot_history(reg)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['train loss', 'validation loss']
    """
    history = getattr(estimator, "history_", None)
    if history is None:
        raise ValueError(
            f"{type(estimator).__name__} has no history_; fit it before "
            "calling plot_history."
        )
    plt = _import_pyplot()
    if ax is None:
        _, ax = plt.subplots()

    epochs = [record["epoch"] for record in history]
    ax.plot(epochs, [record["train_loss"] for record in history],
            marker=".", label="train loss")
    valid = [(record["epoch"], record["valid_loss"])
             for record in history if record.get("valid_loss") is not None]
    if valid:
        ax.plot([e for e, _ in valid], [v for _, v in valid],
                marker=".", label="validation loss")
    best_epoch = getattr(estimator, "best_epoch_", None)
    if best_epoch is not None:
        ax.axvline(best_epoch, color="gray", linestyle="--",
                   label=f"best epoch ({best_epoch})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(type(estimator).__name__)
    ax.legend()
    return ax
