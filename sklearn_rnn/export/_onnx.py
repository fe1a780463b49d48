"""to_onnx: a fitted estimator as an ONNX model that predicts what it predicts."""

import copy
import io
import json
import os
import sys
import threading
import warnings
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import torch
from sklearn.base import is_classifier, is_regressor
from sklearn.utils.validation import check_is_fitted

from .._base import BaseSequenceEstimator
from .._networks import RecurrentNetwork
from .._portable import package_version
from .._validation import (
    check_layout_unchanged,
    check_sequences,
    check_table_layout,
    input_kind,
)
from ._graph import PredictionGraph, dummy_inputs
from ._refusals import other_export

__all__ = ["to_onnx", "DEFAULT_OPSET"]

#: ONNX opset of the exported graphs unless ``target_opset`` says otherwise.
DEFAULT_OPSET = 17
#: The parts of RecurrentNetwork the export is tested to reproduce (tests/test_onnx.py).
_KNOWN_PARTS = {"rnn", "window", "dropout", "head", "skip", "conv", "random_conv"}


def to_onnx(estimator, X=None, *, lengths=None, target_opset=None):
    """Export a fitted estimator's whole prediction path to ONNX.

    The graph takes raw inputs, as ``predict`` does, and returns its
    predictions: input standardisation, per-window normalisation,
    differences, patches, the recurrent layers, pooling, the linear skip,
    the head, and the regressors' inverse target scaling or the
    classifier's softmax and labels. It runs on ONNX Runtime (or any ONNX
    runtime) without torch or this package. The name and the outputs
    follow :func:`skl2onnx.to_onnx`.

    Parameters
    ----------
    estimator : SequenceRegressor, LSTMRegressor, GRURegressor or SequenceClassifier
        A fitted estimator.

    X : array-like of shape (n_samples, n_features), (n_samples, n_timesteps, \
            n_channels) or list of sequences, default=None
        Sample inputs; only their layout is read. A 2D table gives the graph
        a 2D input ``"X"`` of ``n_features`` columns (float32), read as
        ``predict`` reads tables (``n_channels``, ``flat_layout``); a 3D
        array or a list of sequences gives a 3D input ``"X"`` of shape
        ``(batch, time, n_channels)``, any batch size and any number of
        steps (a 3D array, with ``time_axis=2``: ``(batch, n_channels,
        time)``, as ``predict`` reads it). None: the layout the estimator
        was fitted on.

    lengths : bool, default=None
        Whether the graph takes a second input, ``"lengths"`` (int64, shape
        ``(batch,)``): the valid steps of each sequence of a 3D batch padded
        at the end, for sequences of different lengths. None: True when
        ``X`` is a list of sequences of different lengths, or, when ``X`` is
        None, when the estimator was fitted on one. Not for tables. Pass one
        length per row of ``"X"``, each from 1 to ``"X"``'s number of steps
        (0: no step, NaN outputs); other values, or another number of
        them, fail inside the graph in ONNX Runtime's words, which do not
        name ``"lengths"``: check them before ``session.run``.

    target_opset : int, default=None
        ONNX opset of the graph (at least 14); None is 17
        (``sklearn_rnn.export.DEFAULT_OPSET``).

    Returns
    -------
    onnx.ModelProto
        The model. Inputs: ``"X"`` (float32), and ``"lengths"`` (int64) if
        asked for. Outputs of a regressor: ``"variable"`` (float64, the
        predictions, shape as ``predict``'s), and with ``loss="quantile"``
        also ``"quantiles"`` (float64, as ``predict_quantiles``). Of a
        classifier: ``"label"`` (the labels, of the dtype of ``classes_``:
        bool, integers of any width, uint64 too, floats; strings as ONNX
        strings) and ``"probabilities"`` (float64, as ``predict_proba``).
        Every dimension but the batch is fixed: ``n_outputs_``, the
        quantile levels, the classes. ``"X"`` is read by position: a
        table's columns in fit's order, unchecked (after a fit on a
        DataFrame, the names are in the model's ``metadata_props``,
        ``"feature_names_in"``, a JSON list). The last axis of
        ``"quantiles"`` and of ``"probabilities"`` is described there too:
        ``"quantiles"``, the levels, and ``"classes"``, the labels (numbers
        and booleans as they are, other labels as text), JSON lists.
        ``producer_version`` is sklearn_rnn's version,
        ``metadata_props``' ``"torch_version"`` the exporting torch's.

    Raises
    ------
    TypeError
        If ``estimator`` is not one of this package's estimators (for a
        pipeline, use ``skl2onnx.to_onnx`` after
        :func:`register_skl2onnx_converters`; for the sktime
        ``RNNClassifier``, export its ``estimator_``; the sktime
        ``RNNForecaster`` has no ONNX export), ``lengths`` is not a bool or
        None, or ``target_opset`` not an int or None.
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ValueError
        If ``X`` is a table that ``predict`` refuses (its columns are not
        ``n_features_in_`` of a fit on tables, or not a multiple of
        ``n_channels``, or the estimator was fitted on 3D input of other than
        ``n_channels`` channels: export it with a 3D sample), if ``X`` is a
        3D array or a list of sequences of other than ``n_channels_in_``
        channels (as ``predict`` refuses it), not 2D or 3D data (one
        sequence as a 1D row, a scalar: ``predict``'s error, which says to
        pass ``X.reshape(1, -1)``), ``lengths=True`` is asked for
        a 2D table, or ``target_opset`` is below 14 or beyond torch's
        exporter.
    NotImplementedError
        If the fitted network has parts the export does not handle.
    ImportError
        If onnx is not installed (``pip install "sklearn-rnn[onnx]"``).

    See Also
    --------
    register_skl2onnx_converters : Convert pipelines that hold the estimators.

    Notes
    -----
    One export runs at a time (a lock: the exporter's state is the
    process's), with a caller's ``torch.autocast`` switched off. While it
    runs, the process's standard error (file descriptor 2) is pointed at
    the null device, to hide the C++ messages the exporter prints there
    about packed sequences' shapes: other threads' output to stderr is lost
    for that time (a fraction of a second), so export away from threads
    that log there, or in a process of its own.

    The export traces the network with torch's TorchScript-based exporter
    (``torch.onnx.export(..., dynamo=False)``): it turns packed sequences
    into the ``sequence_lens`` input of ONNX's ``LSTM`` and ``GRU``
    operators, which the ``torch.export``-based exporter cannot yet do.
    ONNX Runtime's outputs equal ``predict``'s to float32 rounding of the
    network: the differences are absolute, within 1e-5 of the outputs'
    scale, ``max |onnx - predict| <= 1e-5 * max |predict|`` over a batch
    (1.5e-7 seen on a trained model). They are not 1e-5 relative to each
    value: a prediction near 0 can differ by more (1.6e-3 of itself
    seen); labels are equal unless two classes' scores tie to float32
    rounding. The exception: a model fitted with
    ``mixed_precision=True`` predicts under bfloat16 autocast, and its
    export computes in float32, so they differ by bfloat16 rounding
    (5.7e-3 of the largest prediction seen); these figures are
    ``python -m benchmarks.onnx_latency --trained``'s, in
    docs/deploying.md. A batch of 0 rows gives outputs of 0 rows (of
    the dtypes and other dimensions of a batch's): the graph pads it with a
    row that it drops from the outputs, as ONNX Runtime's ``LSTM`` and
    ``GRU`` kernels abort the process on an empty batch (1.17 to 1.32).
    For an estimator with ``leading_nan="trim"``, leading
    all-NaN steps are trimmed as ``predict`` trims them. A sequence that
    ``predict`` rejects (any other NaN or inf among its valid steps, leading
    NaN too under ``leading_nan="raise"``, or no step left) gives NaN in
    every float output; its ``"label"`` is then the first class,
    ``classes_[0]``: tell such rows by their NaN probabilities. Padding
    past ``"lengths"`` is never read, whatever it holds (NaN too).

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn_rnn import LSTMRegressor, to_onnx
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12)).astype(np.float32)
    >>> y = X[:, -3:].sum(axis=1)
    >>> reg = LSTMRegressor(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
    >>> model = to_onnx(reg, X)
    >>> session = ort.InferenceSession(model.SerializeToString())
    >>> (pred,) = session.run(None, {"X": X[:5]})
    >>> expected = reg.predict(X[:5])
    >>> bool(np.abs(pred - expected).max() <= 1e-5 * np.abs(expected).max())
    True
    """
    kind = _check_estimator(estimator)
    _check_params(lengths, target_opset)
    onnx = _import_onnx()
    check_layout_unchanged(estimator)  # the graph reads X as predict does
    table, n_columns, lengths, time_last = _input_layout(estimator, X, lengths)
    opset = DEFAULT_OPSET if target_opset is None else int(target_opset)
    if opset < 14:
        raise ValueError(f"target_opset must be at least 14, got {target_opset}.")
    highest = _highest_opset()
    if highest is not None and opset > highest:  # before tracing: torch prints the graph
        raise ValueError(
            f"target_opset={opset} is beyond the ONNX exporter of torch "
            f"{torch.__version__}, which writes opsets up to {highest}; pass a "
            "lower target_opset (to skl2onnx.to_onnx too, inside a pipeline)."
        )
    estimator_copy = copy.copy(estimator)
    estimator_copy.module_ = copy.deepcopy(estimator.module_).cpu().float().eval()
    graph = PredictionGraph(estimator_copy, kind, table=table, time_last=time_last).eval()
    inputs = dummy_inputs(
        n_columns if table else estimator.n_timesteps_in_, estimator.n_channels_in_,
        table=table, patch_size=estimator.patch_size_, lengths=lengths,
        time_last=time_last,
    )
    input_names = ["X", "lengths"][: len(inputs)]
    output_names = {
        "regressor": ["variable"],
        "quantiles": ["variable", "quantiles"],
        "classifier": ["label_index", "probabilities"],
    }[kind]
    axes = {"X": {0: "N"} if table else {0: "N", 2 if time_last else 1: "T"},
            "lengths": {0: "N"}}
    axes.update({name: {0: "N"} for name in output_names})
    buffer = io.BytesIO()
    # One at a time: the exporter's state, the symbolic and the descriptor are
    # global (review rvB F5); no caller's autocast, whose casts ORT refused (F10)
    with _EXPORT_LOCK, warnings.catch_warnings(), torch.no_grad(), \
            torch.autocast("cpu", enabled=False), torch.autocast("cuda", enabled=False), \
            _diff_symbolic(opset), _quiet_stderr():
        # the exporter's and the tracer's (shape arithmetic, which the tests
        # cover) only: other threads' warnings still pass (rvB F4)
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", module=r"torch\.onnx")
        warnings.filterwarnings("ignore", message="You are using the legacy TorchScript")
        try:
            torch.onnx.export(
                graph, inputs, buffer, dynamo=False, input_names=input_names,
                output_names=output_names, opset_version=opset,
                dynamic_axes={k: v for k, v in axes.items()
                              if k in input_names or k in output_names},
            )
        except (RuntimeError, ValueError) as exc:  # a ValueError on torch 2.4 and 2.5
            if "opset" not in str(exc):
                raise
            raise ValueError(
                f"target_opset={opset} is beyond the ONNX exporter of torch "
                f"{torch.__version__} ({exc}); pass a lower target_opset (to "
                "skl2onnx.to_onnx too, inside a pipeline)."
            ) from exc
    model = onnx.load_from_string(buffer.getvalue())
    _answer_empty_batches(model)
    if kind == "classifier":
        _add_labels(onnx, model, estimator.classes_)
    else:
        _declare_output_shapes(model, estimator)
    model.producer_name, model.producer_version = "sklearn_rnn", package_version()
    model.doc_string = f"{type(estimator).__name__} exported by sklearn_rnn.to_onnx"
    names = getattr(estimator, "feature_names_in_", None)
    props = {"torch_version": torch.__version__}
    if names is not None and table:  # a fit on a DataFrame: "X"'s columns, in order
        props["feature_names_in"] = json.dumps([str(n) for n in names])
    # what the outputs' last axis holds, for a runtime without the estimator
    if kind == "quantiles":
        props["quantiles"] = json.dumps([float(q) for q in estimator.quantiles_])
    if kind == "classifier":
        props["classes"] = json.dumps([_json_label(c) for c in estimator.classes_])
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    return model


def _highest_opset():
    """The highest opset torch's ONNX exporter writes, if it says.

    (``ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET`` is lower on torch 2.13, 20,
    than what the TorchScript-based exporter writes, 23.)
    """
    import torch.onnx

    constants = getattr(torch.onnx, "_constants", None)
    return getattr(constants, "ONNX_MAX_OPSET", None)


_EXPORT_LOCK = threading.Lock()


def _json_label(label):
    """A class label as JSON holds it: numbers and booleans as they are,
    anything else as its text."""
    label = label.item() if isinstance(label, np.generic) else label
    return label if isinstance(label, (bool, int, float)) else str(label)


@contextmanager
def _quiet_stderr():
    """Silence what torch's C++ side prints to the process's stderr.

    The exporter warns there that it cannot infer the shapes of packed
    sequences (it infers them from the recurrent operators instead; the
    tests compare the outputs on batches and lengths not seen at export).
    """
    fd = 2  # the C++ side writes to the descriptor, whatever sys.stderr is
    try:
        saved = os.dup(fd)
    except OSError:  # no stderr: nothing to hide
        yield
        return
    if sys.stderr is not None:
        sys.stderr.flush()
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@contextmanager
def _diff_symbolic(opset):
    """Export ``torch.diff`` (first differences along time), for this export.

    The TorchScript exporter has no symbolic for ``aten::diff``; this one
    covers the network's use, ``n=1`` with ``prepend``: the difference of
    two slices of ``concat(prepend, x)``.
    """
    from torch.onnx.symbolic_helper import parse_args

    @parse_args("v", "i", "i", "v", "v")
    def diff(g, x, n, dim, prepend, append):
        if n != 1 or prepend.node().kind() == "prim::Constant":
            raise NotImplementedError("to_onnx exports torch.diff(n=1, prepend=...) only.")
        x = g.op("Concat", prepend, x, axis_i=dim)

        def cut(start, end):
            bounds = [g.op("Constant", value_t=torch.tensor([v])) for v in (start, end, dim)]
            return g.op("Slice", x, *bounds)

        return g.op("Sub", cut(1, np.iinfo(np.int64).max), cut(0, -1))

    torch.onnx.register_custom_op_symbolic("aten::diff", diff, opset)
    try:
        yield
    finally:
        torch.onnx.unregister_custom_op_symbolic("aten::diff", opset)


def _check_params(lengths, target_opset):
    """Refuse a ``lengths`` or ``target_opset`` of another type, in scikit-learn's words."""
    if lengths is not None and not isinstance(lengths, (bool, np.bool_)):
        raise TypeError(
            "The 'lengths' parameter of to_onnx must be a bool or None. Got "
            f"{lengths!r} instead."
        )
    if target_opset is not None and (
        isinstance(target_opset, (bool, np.bool_)) or not isinstance(target_opset, Integral)
    ):
        raise TypeError(
            "The 'target_opset' parameter of to_onnx must be an int or None. Got "
            f"{target_opset!r} instead."
        )


def _import_onnx():
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_onnx needs the onnx package: pip install \"sklearn-rnn[onnx]\"."
        ) from exc
    return onnx


#: what to do instead, for the sktime adapters
def _check_estimator(estimator):
    """What ``estimator`` predicts; raise if it cannot be exported."""
    # the type first: is_classifier reads __sklearn_tags__, which a torch
    # module, a path or an sktime wrapper lacks (an AttributeError)
    if not isinstance(estimator, BaseSequenceEstimator) or not (
        is_classifier(estimator) or is_regressor(estimator)
    ):
        raise TypeError(
            "to_onnx exports the estimators of sklearn_rnn (SequenceRegressor, "
            f"LSTMRegressor, GRURegressor, SequenceClassifier); got "
            f"{type(estimator).__name__}. {other_export(estimator)}"
        )
    check_is_fitted(estimator)
    network = estimator.module_
    parts = {name for name, _ in network.named_children()}
    if type(network) is not RecurrentNetwork or not parts <= _KNOWN_PARTS:
        raise NotImplementedError(
            f"to_onnx does not export this network yet ({type(network).__name__} "
            f"with parts {sorted(parts - _KNOWN_PARTS)}); pickle or skops the "
            "estimator instead."
        )
    if is_classifier(estimator):
        return "classifier"
    return "regressor" if getattr(estimator, "quantiles_", None) is None else "quantiles"


def _input_layout(estimator, X, lengths):
    """``(table, n_columns, lengths, time_last)`` of the graph's inputs.

    ``time_last``: a 3D ``"X"`` of shape (batch, n_channels, time), as
    ``predict`` reads 3D arrays with ``time_axis=2`` (lists of sequences,
    padded, keep time first).
    """
    if X is None:
        table = bool(getattr(estimator, "_fitted_on_table", False))
        n_rows = None
        n_columns = getattr(estimator, "n_features_in_", None) if table else None
        # a fit on a list of sequences of different lengths: batches of them
        # come padded, with their lengths
        varying = bool(getattr(estimator, "_fitted_on_list", False)
                       and getattr(estimator, "_fitted_lengths_vary", False))
    else:
        kind = input_kind(X)
        table = kind == "table"
        if table and np.ndim(X) != 2:  # one row, a scalar: predict's error
            check_sequences(estimator, X, reset=False)
        n_rows = np.shape(X)[0] if table else None
        n_columns = np.shape(X)[1] if table else None
        varying = kind == "list" and len({len(x) for x in X}) > 1
    if table:
        _check_table(estimator, n_columns, n_rows)
    elif X is not None:
        _check_channels(estimator, X, kind)
    if lengths is None:
        lengths = varying
    if lengths and table:
        raise ValueError(
            "lengths=True needs 3D input: tables hold sequences of one length. "
            "Pass a 3D sample X (or a list of sequences), or lengths=False."
        )
    # 3D arrays as predict reads them (lists keep time first, padded)
    from_array = (not getattr(estimator, "_fitted_on_list", False) if X is None
                  else input_kind(X) == "3d")
    time_last = not table and getattr(estimator, "time_axis", 1) == 2 and from_array
    return table, n_columns, bool(lengths), time_last


def _check_table(estimator, n_columns, n_rows=None):
    """Refuse a table of ``n_columns`` columns that ``predict`` refuses.

    The same check as ``predict``'s (``_validation.check_table_layout``),
    with the export's way out: a 3D sample.
    """
    try:
        check_table_layout(estimator, n_columns, n_rows=n_rows)
    except ValueError as exc:
        raise ValueError(
            f"{exc} to_onnx reads a table as predict does; for sequences of any "
            "number of steps, export with a 3D sample, to_onnx(est, X3d), X3d 3D "
            f"of {estimator.n_channels_in_} channel(s) as predict reads it."
        ) from None


def _check_channels(estimator, X, kind):
    """Refuse a 3D or list sample of channels that ``predict`` refuses.

    ``predict``'s own check (``_validation.check_sequences``) on zeros of
    the sample's shape (one row of a 3D array, one sequence of each shape
    in a list), with the export's way out.
    """
    if kind == "3d":
        zeros = np.zeros((1, *np.shape(X)[1:]), dtype=np.float32)
    else:
        zeros = [np.zeros(shape, dtype=np.float32) for shape in {np.shape(x) for x in X}]
    try:
        with warnings.catch_warnings():  # of names: the zeros have none
            warnings.simplefilter("ignore")
            check_sequences(estimator, zeros, reset=False)
    except ValueError as exc:
        raise ValueError(
            f"{exc} to_onnx reads a 3D sample or a list of sequences as predict "
            f"does; export with a sample of {estimator.n_channels_in_} channel(s) "
            "per time step."
        ) from None


def _declare_output_shapes(model, estimator):
    """Declare the regressor's output dimensions other than the batch.

    The exporter names them as unknown (``"Gathervariable_dim_1"``):
    ``"variable"`` is ``(N,)`` or ``(N, n_outputs_)``, as ``predict``'s
    output, and ``"quantiles"`` ``(N, n_quantiles)`` or ``(N, n_outputs_,
    n_quantiles)``, as ``predict_quantiles``'s.
    """
    sizes = {"variable": [] if estimator._y_1d else [estimator.n_outputs_]}
    if getattr(estimator, "quantiles_", None) is not None:
        sizes["quantiles"] = [*sizes["variable"], len(estimator.quantiles_)]
    for output in model.graph.output:
        dims = output.type.tensor_type.shape.dim
        if len(dims) != 1 + len(sizes[output.name]):
            raise RuntimeError(  # pragma: no cover - the exporter's shapes
                f"to_onnx: output {output.name!r} has {len(dims)} dimensions.")
        for dim, size in zip(dims[1:], sizes[output.name]):
            dim.dim_value = size


def _answer_empty_batches(model):
    """Make a batch of 0 rows give outputs of 0 rows.

    ONNX Runtime's ``LSTM`` and ``GRU`` kernels abort the process on a batch
    of 0 rows (a segmentation fault, 1.32), and a table's ``Reshape`` into
    steps fails on one. The graph pads such a batch with one row of zeros
    (of length 1 in ``"lengths"``) and keeps the first ``n_rows`` rows of
    every output: the outputs' dtypes and other dimensions are the body's,
    and a batch of rows passes unchanged (``Pad`` by 0 and a ``Slice`` of
    all rows, a few microseconds). Plain operators, no subgraph: the
    skl2onnx converters embed the graph as it is.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    inputs = [i.name for i in graph.input]
    outputs = [o.name for o in graph.output]
    renamed = {name: f"{name}_of_rows" for name in inputs + outputs}
    _rename(graph.node, renamed)
    rank = len(graph.input[0].type.tensor_type.shape.dim)

    def name(suffix):
        return f"empty_batch/{suffix}"

    constants = {"zero": [0], "one": [1], "before": [0] * rank, "after": [0] * (rank - 1)}
    graph.initializer.extend(numpy_helper.from_array(np.array(v, np.int64), name(k))
                             for k, v in constants.items())
    guard = [
        helper.make_node("Shape", ["X"], [name("shape")], name=name("shape")),
        helper.make_node("Gather", [name("shape"), name("zero")], [name("n_rows")],
                         axis=0, name=name("n_rows")),
        helper.make_node("Min", [name("n_rows"), name("one")], [name("some")],
                         name=name("some")),
        # one row more where there is none
        helper.make_node("Sub", [name("one"), name("some")], [name("extra")],
                         name=name("extra")),
        helper.make_node("Concat", [name("before"), name("extra"), name("after")],
                         [name("pads")], axis=0, name=name("pads")),
        helper.make_node("Pad", ["X", name("pads")], [renamed["X"]], name=name("pad_x")),
    ]
    if "lengths" in renamed:
        graph.initializer.append(numpy_helper.from_array(np.array(1, np.int64),
                                                         name("one_step")))
        guard += [
            helper.make_node("Concat", [name("zero"), name("extra")],
                             [name("length_pads")], axis=0, name=name("length_pads")),
            helper.make_node("Pad", ["lengths", name("length_pads"), name("one_step")],
                             [renamed["lengths"]], name=name("pad_lengths")),
        ]
    rows = [helper.make_node("Slice", [renamed[o], name("zero"), name("n_rows"), name("zero")],
                             [o], name=name(f"rows_of_{o}")) for o in outputs]
    body = list(graph.node)
    del graph.node[:]
    graph.node.extend(guard + body + rows)


def _rename(nodes, renamed):
    """Rename the inputs and outputs of ``nodes`` (and their subgraphs') per ``renamed``."""
    for node in nodes:
        node.input[:] = [renamed.get(n, n) for n in node.input]
        node.output[:] = [renamed.get(n, n) for n in node.output]
        for attribute in node.attribute:
            for graph in [attribute.g] if attribute.HasField("g") else attribute.graphs:
                _rename(graph.node, renamed)


def _add_labels(onnx, model, classes):
    """Map the graph's class index to ``classes`` (output ``"label"``)."""
    from onnx import helper, numpy_helper

    classes = np.asarray(classes)
    if classes.dtype.kind in "USO":
        values = np.array([str(c) for c in classes], dtype=object)
    else:  # bool, integers of any width (uint64 too), floats: classes_' own dtype
        values = classes.astype(classes.dtype.newbyteorder("="))
    graph = model.graph
    graph.initializer.append(numpy_helper.from_array(values, name="classes"))
    graph.node.append(
        helper.make_node("Gather", ["classes", "label_index"], ["label"], axis=0,
                         name="label_from_index")
    )
    index = next(o for o in graph.output if o.name == "label_index")
    elem_type = helper.np_dtype_to_tensor_dtype(values.dtype)
    label = helper.make_tensor_value_info("label", elem_type, ["N"])
    position = list(graph.output).index(index)
    graph.output.remove(index)
    graph.output.insert(position, label)
