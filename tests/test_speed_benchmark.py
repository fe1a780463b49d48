"""The speed benchmark (``python -m benchmarks.run``) times like against like.

Its contenders must train the same network: ours with every option that
shapes the network or the loop pinned (``benchmarks._contenders.PINNED``),
whatever the estimators' defaults become.
"""

import dataclasses
import warnings

import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier
from sklearn_rnn._networks import RecurrentNetwork

from benchmarks import _contenders as contenders
from benchmarks import _data as data_module
from benchmarks import run

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


TINY_VARLEN = dataclasses.replace(data_module.CASES["varlen"], n_samples=64, hidden_size=8)


def test_varlen_case_is_a_list_of_different_lengths():
    data = data_module.make_data(TINY_VARLEN)
    lengths = {len(x) for x in data.X}
    assert isinstance(data.X, list) and len(data.X) == len(data.y) == 64
    assert min(lengths) >= TINY_VARLEN.min_length and max(lengths) <= TINY_VARLEN.length
    assert len(lengths) > 5


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_varlen_hand_loops_packed_and_padded_train_the_same_weights(cell):
    data = data_module.make_data(TINY_VARLEN)
    packed = contenders.hand_loop_varlen(TINY_VARLEN, data, 1, 0, "cpu", cell=cell).model
    padded = contenders.hand_loop_padded(TINY_VARLEN, data, 1, 0, "cpu", cell=cell).model
    for (name, a), b in zip(packed.state_dict().items(), padded.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)


def test_varlen_case_runs_ours_against_the_packed_hand_loop(capsys):
    run.main(["--case", "varlen", "--quick", "--n-samples", "64", "--hidden-size", "8",
              "--repeats", "1", "--no-memory", "--no-gpu"])
    out = capsys.readouterr().out
    assert "every torch contender trains the same RecurrentNetwork" in out
    for cell in ("lstm", "gru"):
        assert f"| hand-padded-{cell} |" in out
        assert f"vs hand-packed-{cell} |" in out.split(f"| ours-{cell} |")[1].splitlines()[0]
    assert "0/0 targets pass" in out  # no target set for this case


def test_setup_cost_prints_the_defaults_and_random_biases_0(capsys):
    # benchmarks.setup_cost, on a few rows: one line per configuration
    from benchmarks import setup_cost

    setup_cost.main(["--n-samples", "24", "--length", "8"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("# SequenceClassifier(max_iter=1): 24 sequences x 8 steps")
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["defaults", "random_biases=0"]
    assert all("s CPU, peak RSS over before" in line for line in lines[1:])


def test_optimizer_step_times_both_adam_kernels_on_the_cases_networks(capsys):
    # benchmarks.optimizer_step (the README's Adam-step figure): a row per
    # case and cell, the default kernel's time next to the fused one's
    from benchmarks import optimizer_step

    optimizer_step.main(["--steps", "2"])
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and "---" not in line][1:]
    assert [(r[0].split()[0], r[1].strip()) for r in rows] == [
        ("small", "lstm"), ("small", "gru"), ("default", "lstm"), ("default", "gru")]
    assert all(float(r[2]) > 0 and float(r[3]) > 0 for r in rows)
