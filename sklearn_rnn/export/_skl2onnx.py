"""Converters that let skl2onnx convert pipelines holding our estimators."""

import copy

import numpy as np

from .._classification import SequenceClassifier
from .._regression import GRURegressor, LSTMRegressor, SequenceRegressor
from ..windowing import LagWindowTransformer, WindowTrimmer
from ._onnx import DEFAULT_OPSET, to_onnx

__all__ = ["register_skl2onnx_converters"]

_ESTIMATORS = (SequenceRegressor, LSTMRegressor, GRURegressor, SequenceClassifier)


def register_skl2onnx_converters():
    """Register converters for this package's estimators with skl2onnx.

    After this call, :func:`skl2onnx.to_onnx` and
    :func:`skl2onnx.convert_sklearn` convert a
    :class:`~sklearn.pipeline.Pipeline` whose steps are scikit-learn
    transformers that skl2onnx knows (scalers, for instance),
    :class:`~sklearn_rnn.windowing.WindowTrimmer` and, last, one of the
    estimators fitted on 2D tables. Each estimator's part of the graph is
    the one :func:`~sklearn_rnn.to_onnx` exports; it reads the table of the
    step before it as ``predict`` does.

    Returns
    -------
    list of type
        The classes registered (``LagWindowTransformer``'s registration
        refuses it, naming what to do instead).

    Raises
    ------
    ImportError
        If skl2onnx is not installed (``pip install "sklearn-rnn[onnx]"``).

    See Also
    --------
    to_onnx : Export one estimator, with 2D, 3D or variable-length input.

    Notes
    -----
    The regressors' output ``"variable"`` is float64, as ``predict``'s
    (inside skl2onnx's ``VotingRegressor`` and ``StackingRegressor``, whose
    converters read it, it is of the input's float type and of shape
    ``(n_samples, n_outputs)``, as skl2onnx's regressors give it). A
    quantile regressor (``loss="quantile"``) gives the median only: for its
    quantiles, export it with :func:`~sklearn_rnn.to_onnx`. A
    classifier's ``"probabilities"`` are of the input's float type (float32
    or float64), as skl2onnx's classifiers give them (and its ``zipmap``
    option applies; pass
    ``options={"zipmap": False}`` for a plain array, as for a float64
    sample: ONNX's ``ZipMap`` takes float32 only). The estimators read
    2D tables in a pipeline; 3D and variable-length input go through
    :func:`~sklearn_rnn.to_onnx` directly. ``LagWindowTransformer`` has no
    converter: its windows reach across rows, which a pipeline's per-row
    graph cannot express; window the series before the pipeline
    (:func:`~sklearn_rnn.windowing.make_windows`) instead (its conversion
    raises ``NotImplementedError`` saying so). An estimator fitted on 3D
    input, or an input that is not 2D, raises ``NotImplementedError``
    at conversion.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from skl2onnx import to_onnx as skl2onnx_to_onnx
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_rnn import LSTMRegressor, register_skl2onnx_converters
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12)).astype(np.float32)
    >>> y = X[:, -3:].sum(axis=1)
    >>> pipe = make_pipeline(StandardScaler(), LSTMRegressor(hidden_size=8, max_iter=5,
    ...                                                      random_state=0)).fit(X, y)
    >>> _ = register_skl2onnx_converters()
    >>> model = skl2onnx_to_onnx(pipe, X[:1])
    >>> session = ort.InferenceSession(model.SerializeToString())
    >>> (pred,) = session.run(None, {"X": X[:5]})
    >>> np.allclose(pred.ravel(), pipe.predict(X[:5]), rtol=1e-5)
    True
    """
    try:
        from skl2onnx import update_registered_converter
        from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "register_skl2onnx_converters needs skl2onnx: "
            "pip install \"sklearn-rnn[onnx]\"."
        ) from exc

    def classifier_shapes(operator):
        _check_estimator_input(operator)
        calculate_linear_classifier_output_shapes(operator)

    for cls in _ESTIMATORS:
        classifier = issubclass(cls, SequenceClassifier)
        update_registered_converter(
            cls, f"SklearnRnn{cls.__name__}",
            classifier_shapes if classifier else _regressor_shapes,
            _convert_estimator,
            # nocl (class indices as labels) is not supported: False only
            options={"zipmap": [True, False, "columns"], "nocl": [False]}
            if classifier else None,
        )
    update_registered_converter(WindowTrimmer, "SklearnRnnWindowTrimmer",
                                _trimmer_shapes, _convert_trimmer)
    # no converter: a shape calculator that says why, and what to do instead
    update_registered_converter(LagWindowTransformer, "SklearnRnnLagWindowTransformer",
                                _refuse_lag_windows, _convert_lag_windows)
    return [*_ESTIMATORS, WindowTrimmer, LagWindowTransformer]


def _convert_lag_windows(scope, operator, container):
    _refuse_lag_windows(operator)


def _refuse_lag_windows(operator):
    raise NotImplementedError(
        "LagWindowTransformer has no ONNX converter: each of its rows is a window "
        "over the rows before it, while a converted pipeline maps each row on its "
        "own. Window the series before the pipeline (sklearn_rnn.windowing."
        "make_windows) and convert the rest, or export the estimator with "
        "sklearn_rnn.to_onnx."
    )


def _regressor_shapes(operator):
    """float64, as ``predict``'s, for the model's output; else the input's float type.

    skl2onnx's converters that read a regressor's output (VotingRegressor,
    StackingRegressor) expect it in the input's float type, as its own
    regressors give it: float64 there failed in ONNX Runtime.
    """
    _check_estimator_input(operator)
    if getattr(operator.outputs[0].type, "shape", None):
        # declared already by the converter that reads it: GridSearchCV's
        # gives its estimator its own output's type (review s35 rvB 1: it was
        # declared again as read on, and the model did not load)
        return
    estimator = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    read_on, tensor_type = _regressor_output(operator)
    if read_on:  # (n_rows, n_outputs), as skl2onnx's regressors
        shape = [n_rows, estimator.n_outputs_]
    else:
        shape = [n_rows] if estimator._y_1d else [n_rows, estimator.n_outputs_]
    operator.outputs[0].type = tensor_type(shape)


def _regressor_output(operator):
    """``(read_on, tensor_type)`` of a regressor's output, for the shape
    calculator (the converter writes what it declared).

    ``read_on``: another converter reads it (it is no output of the model);
    ``tensor_type``: skl2onnx's type class it is declared with, float64
    (``DoubleTensorType``) as ``predict``'s unless read on, where it is of the
    input's float type.
    """
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    read_on = not getattr(operator.outputs[0], "is_leaf", True)
    if read_on and not isinstance(operator.inputs[0].type, DoubleTensorType):
        return read_on, FloatTensorType
    return read_on, DoubleTensorType


def _is_predicts(tensor_type, estimator):
    """Whether a declared output type is ``predict``'s: float64, 1D for 1D ``y``."""
    from skl2onnx.common.data_types import DoubleTensorType

    return (isinstance(tensor_type, DoubleTensorType)
            and len(tensor_type.shape) == (1 if estimator._y_1d else 2))


def _trimmer_shapes(operator):
    trimmer = operator.raw_operator
    _check_table(trimmer, "WindowTrimmer")
    n_rows = operator.inputs[0].get_first_dimension()
    n_columns = len(trimmer._fitted_kept_columns())
    operator.outputs[0].type = operator.inputs[0].type.__class__([n_rows, n_columns])


def _convert_trimmer(scope, operator, container):
    trimmer = operator.raw_operator
    columns = np.asarray(trimmer._fitted_kept_columns(), dtype=np.int64)
    index = scope.get_unique_variable_name("kept_columns")
    container.add_initializer(index, 7, [len(columns)], columns.tolist())  # INT64
    container.add_node("Gather", [operator.inputs[0].full_name, index],
                       [operator.outputs[0].full_name], axis=1,
                       name=scope.get_unique_operator_name("WindowTrimmer"))


def _check_table(step, name):
    if not getattr(step, "_fitted_on_table", False):
        raise NotImplementedError(
            f"This {name} was fitted on 3D input, and cannot convert with skl2onnx, "
            "whose pipelines pass 2D tables; fit it on 2D windows, or export the estimator "
            "alone with sklearn_rnn.to_onnx."
        )


def _check_estimator_input(operator):
    """Refuse what a pipeline's per-row 2D graph cannot read as ``predict`` does.

    An estimator fitted on 3D input (its steps and channels are not a
    table's columns), or an input of another rank than 2, which the graph
    for tables would read with time steps taken for columns.
    """
    estimator = operator.raw_operator
    name = type(estimator).__name__
    if len(operator.inputs) != 1:  # a DataFrame sample: one input per column
        raise NotImplementedError(
            f"A {name} converts with skl2onnx from one 2D input, one sequence per "
            f"row; got {len(operator.inputs)} inputs "
            f"({', '.join(i.onnx_name for i in operator.inputs[:3])}"
            f"{', ...' if len(operator.inputs) > 3 else ''}), as skl2onnx makes of a "
            "DataFrame's columns. Pass a NumPy sample (df.to_numpy()), or convert a "
            "Pipeline whose first step reads the columns into one table (a "
            "StandardScaler, say), as skl2onnx's own estimators ask.")
    _check_table(estimator, name)
    shape = operator.inputs[0].type.shape
    if len(shape) != 2:
        raise NotImplementedError(
            f"A {name} converts with skl2onnx for 2D tables only, one sequence "
            f"per row; got an input of {len(shape)} dimensions. Pass skl2onnx a "
            "2D sample, or export the estimator alone with sklearn_rnn.to_onnx, "
            "which takes 3D and variable-length input."
        )


def _convert_estimator(scope, operator, container):
    from onnx import GraphProto, TensorProto, helper
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    estimator = operator.raw_operator
    _check_estimator_input(operator)
    source = operator.inputs[0]
    n_columns = source.type.shape[1]
    if not isinstance(n_columns, int):
        n_columns = estimator.n_features_in_
    opset = container.target_opset
    opset = DEFAULT_OPSET if opset is None else int(opset)
    model = to_onnx(estimator, np.zeros((1, n_columns), np.float32), target_opset=opset)
    prefix = scope.get_unique_variable_name(type(estimator).__name__)
    names = {"": ""}
    x = source.full_name
    if not isinstance(source.type, FloatTensorType):
        x = scope.get_unique_variable_name("X_float32")
        container.add_node("Cast", [source.full_name], [x], to=TensorProto.FLOAT,
                           name=scope.get_unique_operator_name("Cast"))
    names["X"] = x
    outputs = [o.full_name for o in operator.outputs]
    if "probabilities" in {o.name for o in model.graph.output}:
        names["label"] = outputs[0]
        names["probabilities"] = scope.get_unique_variable_name("probabilities64")
        # the type skl2onnx's shape calculator declares: the input's float type
        double = isinstance(operator.outputs[1].type, DoubleTensorType)
        container.add_node("Cast", [names["probabilities"]], [outputs[1]],
                           to=TensorProto.DOUBLE if double else TensorProto.FLOAT,
                           name=scope.get_unique_operator_name("Cast"))
    elif _is_predicts(operator.outputs[0].type, estimator):
        names["variable"] = outputs[0]  # declared as predict's float64 output
    else:  # the type and shape declared (by _regressor_shapes: read on)
        names["variable"] = scope.get_unique_variable_name("variable64")
        shape = scope.get_unique_variable_name("shape")
        dims = [-1, estimator.n_outputs_][:max(1, len(operator.outputs[0].type.shape))]
        container.add_initializer(shape, TensorProto.INT64, [len(dims)], dims)
        column = scope.get_unique_variable_name("variable_2d")
        container.add_node("Reshape", [names["variable"], shape], [column],
                           name=scope.get_unique_operator_name("Reshape"))
        double = isinstance(operator.outputs[0].type, DoubleTensorType)
        to = TensorProto.DOUBLE if double else TensorProto.FLOAT
        container.add_node("Cast", [column], [outputs[0]], to=to,
                           name=scope.get_unique_operator_name("Cast"))

    def rename(name):
        if name not in names:
            names[name] = f"{prefix}_{name}"
        return names[name]

    for tensor in model.graph.initializer:
        if tensor.name == "classes":
            tensor = _int64_labels(tensor)
        if tensor.raw_data:
            container.add_initializer(rename(tensor.name), tensor.data_type,
                                      list(tensor.dims), tensor)
        else:  # the classifier's labels
            container.add_node("Constant", [], [rename(tensor.name)], value=tensor,
                               name=scope.get_unique_operator_name("Constant"))
    for node in model.graph.node:
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        for name, value in attributes.items():  # the branches of an If
            if isinstance(value, GraphProto):
                attributes[name] = _renamed_graph(value, rename)
        inputs = list(node.input)
        while inputs and not inputs[-1]:  # omitted optional inputs, which
            inputs.pop()  # skl2onnx's topological sort does not know
        container.add_node(
            node.op_type, [rename(i) for i in inputs],
            [rename(o) for o in node.output], op_domain=node.domain,
            name=scope.get_unique_operator_name(node.op_type), **attributes,
        )


def _int64_labels(tensor):
    """The classifier's labels as skl2onnx declares them: int64 unless strings.

    skl2onnx's shape calculator declares numeric labels (bool, integers of
    any width, float) int64, as its own converters give them (float labels
    are whole numbers: a classifier refuses others as continuous targets);
    ``to_onnx`` keeps ``classes_``' dtype. uint64 labels beyond int64 are
    refused: they would wrap to negative numbers.
    """
    from onnx import numpy_helper

    classes = numpy_helper.to_array(tensor)
    if classes.dtype.kind not in "biuf" or classes.dtype == np.int64:
        return tensor
    # Python ints: NumPy < 2 compared uint64 with int64 as float64 (equal here)
    if classes.dtype.kind == "u" and int(classes.max()) > np.iinfo(np.int64).max:
        raise ValueError(
            f"skl2onnx gives numeric labels as int64, and the classes_ "
            f"{classes.max()} (uint64) is beyond int64's range. Export the "
            "estimator alone with sklearn_rnn.to_onnx, which keeps the labels' "
            "uint64, or fit it on labels within int64's range."
        )
    return numpy_helper.from_array(classes.astype(np.int64), name=tensor.name)


def _renamed_graph(graph, rename):
    """A copy of the subgraph ``graph`` with every name passed through ``rename``.

    Renaming its own names too keeps them unique in the outer graph and
    its references to the outer graph's names right.
    """
    graph = copy.deepcopy(graph)
    for node in graph.node:
        node.input[:] = [rename(n) for n in node.input]
        node.output[:] = [rename(n) for n in node.output]
        for attribute in node.attribute:
            if attribute.HasField("g"):
                attribute.g.CopyFrom(_renamed_graph(attribute.g, rename))
            for i, sub in enumerate(attribute.graphs):
                attribute.graphs[i].CopyFrom(_renamed_graph(sub, rename))
    for value in [*graph.input, *graph.output, *graph.value_info, *graph.initializer]:
        value.name = rename(value.name)
    return graph
