"""Plotting helpers (need matplotlib: ``pip install "sklearn-rnn[plot]"``)."""

import functools
import re
import textwrap

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_history", "plot_search"]


#: The ``ax`` parameter, the return value and the ImportError of every plot
#: (``{label}``: the parameters after ``ax``, if any).
_AXES = """\
ax : matplotlib.axes.Axes, default=None
    Axes to draw on. If None, a new figure and axes are created.
{label}
Returns
-------
ax : matplotlib.axes.Axes
    The axes drawn on.

Raises
------
ImportError
    If matplotlib is not installed."""


def _document_axes(function=None, *, after=""):
    """Write :data:`_AXES` into ``function``'s docstring at ``{axes}``,
    with ``after``, the parameters documented after ``ax``.

    The text takes the indentation of the ``{axes}`` line: four spaces
    before Python 3.13, none from 3.13 on, which strips the common
    indentation of docstrings at compile time.
    """
    if function is None:
        return functools.partial(_document_axes, after=after)
    if function.__doc__:  # None under python -OO
        function.__doc__ = re.sub(
            r"^([ \t]*)\{axes\}[ \t]*$",
            lambda m: textwrap.indent(_AXES.replace("{label}", after), m.group(1)),
            function.__doc__, count=1, flags=re.MULTILINE,
        )
    return function


_LABEL = """
label : str, default=None
    Name of this estimator in the legend (``"LSTM train loss"``, ...);
    its curves then take a colour of their own, to compare estimators
    drawn on one ``ax``. By default the legend names the curves alone.
"""


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "sklearn_rnn.plotting needs matplotlib; install it with "
            '`pip install "sklearn-rnn[plot]"` (or `pip install matplotlib`).'
        ) from exc
    return plt


@_document_axes(after=_LABEL)
def plot_history(estimator, ax=None, *, label=None):
    """Plot the training and validation loss of a fitted estimator per epoch.

    Draws the ``"train_loss"`` of every record in the estimator's
    ``history_`` and, when the records hold one (with early stopping), the
    ``"valid_loss"``. When ``best_epoch_`` is set, a dashed vertical line
    marks the epoch whose weights were restored (epoch 0 stands for the
    starting weights); where those are the fitted start's, a star marks
    their validation loss (``initial_validation_loss_``) on that line.

    To compare estimators, draw each on the same ``ax`` with a ``label``
    of its own: their curves then take colours of their own, and the
    axes keep the first one's title.

    A fitted wrapper that holds several networks draws the curves of each,
    in a colour of its own (train loss solid, validation loss dashed, best
    epoch dotted), labelled by the network: an
    :class:`~sklearn_rnn.sktime.RNNForecaster` with ``n_networks > 1``
    (``"network 0"``, ``"network 1"``, ...: the networks its forecast
    averages) and sktime's ``make_reduction`` forecasters with
    ``strategy="direct"`` or ``"dirrec"`` (``"horizon 1"``, ``"horizon
    2"``, ...: one estimator per step of the forecasting horizon). The
    title then ends with how many there are, e.g. ``"(3 networks)"``.

    Parameters
    ----------
    estimator : estimator instance
        A fitted :class:`~sklearn_rnn.SequenceRegressor`,
        :class:`~sklearn_rnn.SequenceClassifier` or any object with a
        ``history_`` list of dicts holding ``"epoch"`` and ``"train_loss"``
        (and optionally ``"valid_loss"``), and optionally ``best_epoch_``;
        or a fitted wrapper of one: a :class:`~sklearn.pipeline.Pipeline`
        (its last step), a search fitted with ``refit=True`` (its
        ``best_estimator_`` or ``best_forecaster_``), the sktime adapters
        :class:`~sklearn_rnn.sktime.RNNForecaster` (each of its
        ``regressors_``) and :class:`~sklearn_rnn.sktime.RNNClassifier`,
        or sktime's ``make_reduction`` forecasters (the estimator of the
        ``"recursive"`` and ``"multioutput"`` strategies, each of the
        ``estimators_`` of ``"direct"`` and ``"dirrec"``).
    {axes}
    ValueError
        If neither ``estimator`` nor what it wraps has a ``history_`` (it is
        not fitted, or its final estimator is not a sklearn_rnn one), if
        ``estimator`` is a search fitted with ``refit=False`` (it holds no
        refitted best estimator), or if it is
        an :class:`~sklearn_rnn.sktime.RNNForecaster` fitted with
        ``recurrent=False`` (it holds no network).
    TypeError
        If ``estimator`` is a list or tuple (draw each on the same ``ax``).

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
    if isinstance(estimator, (list, tuple)):
        raise TypeError(
            f"plot_history takes one fitted estimator, got a {type(estimator).__name__}. "
            "To compare several, call it once per estimator on the same axes: "
            "ax = plot_history(a, label='a'); plot_history(b, ax=ax, label='b').")
    title, members = _with_history(estimator)
    plt = _import_pyplot()
    if ax is None:
        _, ax = plt.subplots()
    if len(members) == 1:
        _draw_history(ax, members[0][1], name=label)
    else:
        prefix = "" if label is None else f"{label} "
        for name, member in members:
            _draw_history(ax, member, name=prefix + name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if not ax.get_title():  # estimators drawn on one axes keep the first title
        ax.set_title(title)
    ax.legend()
    return ax


def _draw_history(ax, estimator, name=None):
    """Draw ``estimator``'s curves; ``name`` labels one of several in a colour of its own."""
    history = estimator.history_
    epochs = [record["epoch"] for record in history]
    prefix = "" if name is None else f"{name} "
    (train,) = ax.plot(epochs, [record["train_loss"] for record in history],
                       marker=".", label=f"{prefix}train loss")
    own = {} if name is None else {"color": train.get_color(), "linestyle": "--"}
    valid = [(record["epoch"], record["valid_loss"])
             for record in history if record.get("valid_loss") is not None]
    if valid:
        ax.plot([e for e, _ in valid], [v for _, v in valid],
                marker=".", label=f"{prefix}validation loss", **own)
    best_epoch = getattr(estimator, "best_epoch_", None)
    if best_epoch is not None:
        color, style = ("gray", "--") if name is None else (train.get_color(), ":")
        ax.axvline(best_epoch, color=color, linestyle=style,
                   label=f"{prefix}best epoch ({best_epoch})")
        start = getattr(estimator, "initial_validation_loss_", None)
        if start is not None and best_epoch not in {e for e, _ in valid}:  # the start kept
            ax.plot([best_epoch], [start], marker="*", markersize=10, linestyle="none",
                    color=color, label=f"{prefix}start's validation loss")


#: Where fitted wrappers keep the fitted estimator they wrap: searches
#: (scikit-learn's, sktime's), the sktime adapters and sktime's reduction.
_INNER = ("best_estimator_", "best_forecaster_", "regressor_", "estimator_",
          "forecaster_")

#: Where fitted wrappers keep several fitted estimators, and what one is:
#: RNNForecaster's networks, sktime's direct and dirrec reductions (one
#: estimator per step of the horizon; other ensembles: one per member).
_SEVERAL = (("regressors_", "network"), ("estimators_", "estimator"))


def _with_history(estimator):
    """``(title, members)``: the fitted estimators inside ``estimator`` with a history.

    Follows a fitted search's best estimator, a pipeline's last step and the
    estimator(s) a fitted sktime adapter or reduction forecaster wraps.
    ``members`` is a list of ``(name, estimator)``; ``name`` is None when
    there is one.
    """
    path, current = [], estimator
    for _ in range(10):
        path.append(type(current).__name__)
        if getattr(current, "history_", None) is not None:
            return " > ".join(path), [(None, current)]
        if (getattr(current, "cv_results_", None) is not None
                and getattr(current, "refit", True) is False):
            best = "best_forecaster_" if hasattr(current, "forecaster") else "best_estimator_"
            raise ValueError(
                f"{' > '.join(path)} was fitted with refit=False: it holds no "
                f"{best} fitted on the whole data, so there is no training history "
                "to draw. Fit the search with refit=True, or fit the estimator "
                "with its best_params_ and pass that to plot_history."
            )
        several = _several(current, path)
        if several is not None:
            if len(several) > 1:
                return _with_histories(path, several)
            inner = several[0][1]
        else:
            inner = next((getattr(current, name) for name in _INNER
                          if getattr(current, name, None) is not None), None)
        if inner is None:
            steps = getattr(current, "steps_", None) or getattr(current, "steps", None)
            if steps:
                inner = steps[-1][1] if isinstance(steps[-1], tuple) else steps[-1]
        if inner is None:
            break
        current = inner
    takes = ("It takes a fitted sklearn_rnn estimator, or a fitted Pipeline, search or "
             "sktime forecaster/classifier whose final estimator is one.")
    if _is_fitted(current):  # a StandardScaler, a Pipeline ending in Ridge
        inside = f" (in {' > '.join(path)})" if len(path) > 1 else ""
        if len(getattr(current, "_class_dictionary", None) or ()) == 1:
            # sktime predicts the one class without training (review rvA F7)
            raise ValueError(
                f"{path[-1]}{inside} was fitted on labels of a single class, so "
                "sktime trained nothing (it predicts that class): there is no "
                "training history (history_) to draw.")
        raise ValueError(
            f"{path[-1]}{inside} is fitted but is not a sklearn_rnn estimator: it "
            f"has no training history (history_) to draw. {takes}"
        )
    raise NotFittedError(  # a ValueError, as scikit-learn's for an unfitted estimator
        f"{' > '.join(path)} has no history_: fit it before calling plot_history. "
        + takes
    )


def _is_fitted(estimator):
    """Whether ``estimator`` is fitted, for scikit-learn or sktime."""
    fitted = getattr(estimator, "is_fitted", None)  # sktime's objects
    if isinstance(fitted, bool):
        return fitted
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _several(current, path):
    """``[(name, estimator), ...]`` a fitted wrapper keeps in a list, or None."""
    for attribute, noun in _SEVERAL:
        members = getattr(current, attribute, None)
        if not isinstance(members, (list, tuple)):
            continue
        members = [m for m in members if hasattr(m, "get_params")]
        if members:
            names = _horizon_names(current, len(members))
            if attribute == "regressors_" or names is None:
                names = [f"{noun} {i}" for i in range(len(members))]
            return list(zip(names, members))
        if attribute == "regressors_" and hasattr(current, "recurrent"):
            why = ("it was fitted with recurrent=False (the linear start alone)"
                   if current.recurrent is False else "it kept no network")
            raise ValueError(
                f"{' > '.join(path)} is fitted but holds no network: {why}, so "
                "there is no training history to draw. Fit it with recurrent=True "
                "to train networks."
            )
    return None


def _horizon_names(forecaster, n):
    """``["horizon 1", ...]`` for a forecaster's ``n`` per-step estimators, or None."""
    try:
        steps = list(forecaster.fh.to_relative(forecaster.cutoff))
    except Exception:  # not a fitted sktime forecaster
        return None
    if len(steps) != n:
        return None
    return [f"horizon {int(step)}" for step in steps]


def _with_histories(path, several):
    """``(title, members)`` for several estimators kept by the wrapper at ``path``."""
    members, inner_title = [], None
    for name, member in several:
        title, found = _with_history(member)
        inner_title = inner_title or title
        members += [(name if sub is None else f"{name} {sub}", estimator)
                    for sub, estimator in found]
    noun = several[0][0].rsplit(" ", 1)[0]
    title = f"{' > '.join(path)} > {inner_title} ({len(several)} {noun}s)"
    return title, members


_METRIC = """
metric : str, default=None
    For a search with several scorers (``scoring`` a list or a dict),
    the one to plot, by its name (``"r2"`` plots ``mean_test_r2``).
    None plots the one the search refits on; it is required where
    ``refit`` is a callable.
"""


@_document_axes(after=_METRIC)
def plot_search(search, param=None, ax=None, *, metric=None):
    """Plot the cross-validated score of a fitted search against one parameter.

    Works with scikit-learn's searches (:class:`~sklearn.model_selection.GridSearchCV`,
    :class:`~sklearn.model_selection.RandomizedSearchCV`) and sktime's
    ``ForecastingGridSearchCV`` / ``ForecastingRandomizedSearchCV``. Draws the
    mean test score of each candidate against the value of ``param`` (with
    a band of one standard deviation where the search reports one), one line
    per combination of the other parameters that vary, and marks the best
    candidate.

    With a list of grids, a candidate whose grid does not set a parameter
    used the search's estimator's value of it (its ``get_params``): it is
    drawn at that value, and the legend marks it ``(default)``.

    Numbers spread as on a log scale (positive, the largest gap between
    consecutive values over 5 times the smallest, as for learning rates)
    get a log x axis, as in scikit-learn's ``ValidationCurveDisplay``.

    Parameters
    ----------
    search : fitted search estimator
        An object with ``cv_results_`` (holding ``"params"`` and a
        ``"mean_test_..."`` entry) and, usually, ``best_index_``: the
        candidate marked best. Without one (a multi-metric search fitted
        with ``refit=False``), the candidate ranked first on the plotted
        metric (its ``"rank_test_..."`` entry) is marked, as scikit-learn
        would define the best for that metric; with neither, none is.

    param : str, default=None
        The parameter on the x axis, as named in ``cv_results_["params"]``
        (e.g. ``"lstmregressor__hidden_size"``). None picks the one
        parameter whose value varies; it is required when several do.

    {axes}
    ValueError
        If ``search`` is not fitted, or ``param`` is not one of its
        parameters, or several parameters vary and ``param`` is None, or
        ``metric`` is not one of its metrics, or ``metric`` is None for a
        multi-metric search whose ``refit`` names none of them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_rnn import GRURegressor
    >>> from sklearn_rnn.plotting import plot_search
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 10))
    >>> y = X[:, -2:].sum(axis=1)
    >>> search = GridSearchCV(
    ...     GRURegressor(hidden_size=4, max_iter=3, random_state=0),
    ...     {"skip_steps": [0, 2, 4]}, cv=2,
    ... ).fit(X, y)
    >>> ax = plot_search(search)
    >>> ax.get_xlabel()
    'skip_steps'
    """
    results = getattr(search, "cv_results_", None)
    if results is None:
        raise ValueError(
            f"{type(search).__name__} has no cv_results_: fit the search before "
            "calling plot_search."
        )
    candidates = list(results["params"])
    names = sorted({name for c in candidates for name in c})
    defaults = _defaults(search)
    # a candidate that does not set a parameter (list of grids) used the default
    full = [{name: c[name] if name in c else defaults.get(name) for name in names}
            for c in candidates]
    varying = [name for name in names
               if len({repr(f[name]) for f in full}) > 1]
    if param is None:
        if len(varying) != 1:
            raise ValueError(
                f"The search varies {len(varying)} parameters {varying}; name the "
                "one for the x axis with param=..."
            )
        param = varying[0]
    if param not in names:
        raise ValueError(
            f"param={param!r} is not a parameter of the search; its parameters "
            f"are {names}."
        )
    score_key = _score_key(search, results, metric)
    means = np.asarray(results[score_key], dtype=float)
    std_key = "std" + score_key[len("mean"):]
    stds = np.asarray(results[std_key], dtype=float) if std_key in results else None

    plt = _import_pyplot()
    if ax is None:
        _, ax = plt.subplots()
    values = [f[param] for f in full]
    numeric = all(_is_number(v) for v in values)
    labels = None
    if not numeric:  # numbers in order, then the other values, None last
        distinct = {repr(v): v for v in values}.values()
        order = sorted(distinct, key=lambda v: (0, float(v), "") if _is_number(v)
                       else (2, 0.0, "") if v is None else (1, 0.0, repr(v)))
        labels = [repr(v) for v in order]
        ticks = [v if isinstance(v, str) else repr(v) for v in order]

    def position(value):
        return value if numeric else labels.index(repr(value))

    others = [name for name in varying if name != param]
    groups = {}
    for i, c in enumerate(candidates):
        key = tuple((name, repr(full[i][name]) + ("" if name in c else " (default)"))
                    for name in others)
        groups.setdefault(key, []).append(i)
    for key, rows in groups.items():
        rows = sorted(rows, key=lambda i: position(values[i]))
        x = np.array([position(values[i]) for i in rows], dtype=float)
        label = ", ".join(f"{n}={v}" for n, v in key) or score_key
        (line,) = ax.plot(x, means[rows], marker="o", label=label)
        if stds is not None:
            ax.fill_between(x, means[rows] - stds[rows], means[rows] + stds[rows],
                            color=line.get_color(), alpha=0.2)
    best = _best_index(search, results, score_key)
    if best is not None:
        ax.plot([position(values[best])], [means[best]], marker="*", markersize=14,
                linestyle="none", color="black",
                label=f"best ({param}={_short_repr(values[best])})")
    if not numeric:
        ax.set_xticks(range(len(labels)), ticks)
    elif _log_spaced(values):
        ax.set_xscale("log")
    ax.set_xlabel(param)
    ax.set_ylabel(score_key)
    ax.set_title(type(search).__name__)
    ax.legend()
    return ax


def _best_index(search, results, score_key):
    """The search's ``best_index_``; without one (a multi-metric search fitted
    with ``refit=False``), the candidate ranked first on the plotted metric,
    as scikit-learn picks ``best_index_`` from ``rank_test_<metric>``; None
    when neither is there."""
    best = getattr(search, "best_index_", None)
    if best is not None:
        return int(best)
    ranks = results.get("rank_test" + score_key[len("mean_test"):])
    if ranks is not None:
        return int(np.argmin(ranks))
    return None  # nothing says which is best: no star


def _defaults(search):
    """The search's estimator's parameters (``get_params``), or {}."""
    for attribute in ("estimator", "forecaster"):
        estimator = getattr(search, attribute, None)
        if hasattr(estimator, "get_params"):
            try:
                return estimator.get_params(deep=True)
            except Exception:  # pragma: no cover - a broken get_params
                return {}
    return {}


def _log_spaced(values):
    """Whether positive numbers are spread as on a log scale: the largest gap
    between consecutive distinct values over 5 times the smallest, the rule of
    scikit-learn's ``ValidationCurveDisplay`` (learning rates, ``alpha``)."""
    x = np.unique(np.asarray(values, dtype=float))
    if len(x) < 3 or x[0] <= 0:
        return False
    gaps = np.diff(x)
    return bool(gaps.max() > 5 * gaps.min())


def _short_repr(value):
    """``value`` for a legend: numbers as Python's (not ``np.float64(...)``),
    floats to 3 significant digits."""
    if _is_number(value):
        value = value.item() if isinstance(value, np.number) else value
        return f"{value:.3g}" if isinstance(value, float) else repr(value)
    return repr(value)


def _is_number(value):
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _score_key(search, results, metric=None):
    """The ``mean_test_...`` entry of ``metric``, or the search ranks
    candidates by."""
    keys = [k for k in results if str(k).startswith("mean_test")]
    if metric is not None:
        if f"mean_test_{metric}" in keys:
            return f"mean_test_{metric}"
        names = [k[len("mean_test_"):] for k in keys]
        raise ValueError(
            f"metric={metric!r} is not a metric of the search; its metrics are "
            f"{names}."
        )
    if "mean_test_score" in keys:
        return "mean_test_score"
    refit = getattr(search, "refit", None)
    if isinstance(refit, str) and f"mean_test_{refit}" in keys:
        return f"mean_test_{refit}"
    if len(keys) == 1:
        return keys[0]
    raise ValueError(
        f"{type(search).__name__}.cv_results_ holds several metrics "
        f"{[k[len('mean_test_'):] for k in keys]} and its refit names none of "
        "them: name the one to plot with metric=..."
    )
