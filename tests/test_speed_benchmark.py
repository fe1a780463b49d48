"""The speed benchmark (``python -m benchmarks.run``) times like against like.

Its contenders must train the same network: ours with every option that
shapes the network or the loop pinned (``benchmarks._contenders.PINNED``),
whatever the estimators' defaults become.
"""

import dataclasses
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier
from sklearn_rnn._networks import RecurrentNetwork

from benchmarks import _contenders as contenders
from benchmarks import _data as data_module

#: Options left to the input's layout, or without effect when, as in the
#: benchmark, early stopping is off; ``cell`` and ``mixed_precision`` are set
#: by the contender itself.
NOT_SHAPING = {"flat_layout", "leading_nan", "n_channels", "time_axis",
               "validation_fraction", "cell", "mixed_precision"}

TINY = dataclasses.replace(data_module.CASES["small"], n_samples=64, epochs=1)


@pytest.mark.parametrize("cls", [LSTMRegressor, GRURegressor, SequenceClassifier])
def test_every_option_that_shapes_ours_is_pinned(cls):
    params = contenders._ours_params(cls, TINY, 1, 0, "cpu")
    left = set(cls().get_params()) - set(params)
    assert left <= NOT_SHAPING, f"not pinned in PINNED: {sorted(left - NOT_SHAPING)}"


@pytest.mark.parametrize("cls, task", [(LSTMRegressor, "regression"),
                                       (SequenceClassifier, "classification")])
def test_ours_trains_the_hand_loops_network(cls, task):
    data = data_module.make_data(TINY)
    params = contenders._ours_params(cls, TINY, 1, 0, "cpu")
    if cls is SequenceClassifier:
        params["cell"] = "lstm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = cls(**params).fit(data.X, data.y_class if task == "classification" else data.y)
    n_out = TINY.n_classes if task == "classification" else 1
    hand = RecurrentNetwork(data.X.shape[2], n_out, cell="lstm", hidden_size=TINY.hidden_size,
                            pooling="last", **contenders.STOCK_KERNELS)

    def shapes(module):
        return {k: tuple(v.shape) for k, v in module.state_dict().items()}

    assert type(est.module_) is RecurrentNetwork
    assert shapes(est.module_) == shapes(hand)
