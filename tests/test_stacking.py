"""The classifier's recurrent layers trained on what its ridge start misses.

Before the main loop, a fresh classifier's recurrent layers learn against
the ridge start's leave-one-out logits (sklearn_rnn/_stacking.py), kept
only where a held-out fifth of the rows gains more than one standard error.
"""

import numpy as np
import pytest
import torch

from _checks import overflowing_above, record_loss_scales
from sklearn_rnn import SequenceClassifier
from sklearn_rnn import _classification, _stacking


def _bump_parity(n, steps, rng):
    """Series of 1 to 4 bumps labelled by the parity of their count: the
    random features (proportions of steps above a bias) are near linear in
    the count, so the ridge start cannot tell odd from even."""
    t = np.arange(steps)
    counts = rng.randint(1, 5, n)
    X = rng.normal(scale=0.2, size=(n, steps))
    for i in range(n):
        for peak in rng.choice(np.arange(5, steps - 5, 12), counts[i], replace=False):
            X[i] += 3 * np.exp(-0.5 * ((t - peak) / 1.5) ** 2)
    return X.astype(np.float32), counts % 2


def _without_recurrent_outputs(clf):
    """A copy of ``clf`` whose output weights on the recurrent summary are 0."""
    import copy

    ablated = copy.deepcopy(clf)
    head = ablated.module_.head
    with torch.no_grad():
        head.weight[:, :head.in_features - ablated.module_.random_conv.output_size] = 0
    return ablated


def test_recurrent_layers_learn_what_the_ridge_start_misses():
    # before the stacking stage, the defaults scored the ridge start's
    # accuracy here (docs/benchmarks.md: BumpParity 0.905, its recurrent
    # layers' weights at 0: 0.907)
    rng = np.random.RandomState(2)
    X, y = _bump_parity(200, 60, rng)
    X_test, y_test = _bump_parity(400, 60, rng)
    clf = SequenceClassifier(random_state=2).fit(X, y)
    assert clf.kept_ridge_start_ is False
    assert clf.recurrent_improvement_ > 0.2
    score = clf.score(X_test, y_test)
    assert score > 0.9
    assert score > _without_recurrent_outputs(clf).score(X_test, y_test) + 0.15


def test_a_stage_not_kept_leaves_the_fit_as_without_it(monkeypatch):
    # labels that are noise: nothing to learn, the gate keeps the start, and
    # the network and the fit's random stream are put back as they were
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 20)).astype(np.float32)
    y = rng.randint(0, 2, 60)
    params = dict(hidden_size=8, max_iter=8, random_state=0)
    clf = SequenceClassifier(**params).fit(X, y)
    assert clf.kept_ridge_start_ is True
    assert clf.recurrent_improvement_ is not None

    def skipped(*args, **kwargs):
        return _stacking.StackedResult()

    monkeypatch.setattr(_classification, "train_on_held_out", skipped)
    without = SequenceClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), without.predict_proba(X))


def test_stage_is_trained_with_the_ridge_weights_fixed(monkeypatch):
    rng = np.random.RandomState(2)
    X, y = _bump_parity(120, 60, rng)
    seen = {}
    train = _stacking.train_on_held_out

    def spy(module, *args, **kwargs):
        head, width = module.head, module.random_conv.output_size
        before = head.weight[:, -width:].clone(), head.bias.clone()
        result = train(module, *args, **kwargs)
        seen["same"] = (torch.equal(before[0], head.weight[:, -width:])
                        and torch.equal(before[1], head.bias))
        seen["recurrent"] = bool(head.weight[:, :-width].abs().sum() > 0)
        seen["kept"] = result.kept
        return result

    monkeypatch.setattr(_classification, "train_on_held_out", spy)
    SequenceClassifier(hidden_size=8, max_iter=20, random_state=0).fit(X, y)
    assert seen["same"]
    assert seen["recurrent"] == seen["kept"]  # put back to zero where not kept


@pytest.mark.parametrize("how", ["partial_fit", "no_random_features"])
def test_no_stage_without_held_out_logits(how, monkeypatch):
    calls = []
    monkeypatch.setattr(_classification, "train_on_held_out",
                        lambda *a, **k: calls.append(1) or _stacking.StackedResult())
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 12)).astype(np.float32)
    y = np.arange(40) % 2
    clf = SequenceClassifier(hidden_size=4, max_iter=2, random_state=0,
                             random_biases=0 if how == "no_random_features" else 8)
    if how == "partial_fit":  # one epoch per call: no extra training
        clf.partial_fit(X, y, classes=[0, 1])
    else:
        clf.fit(X, y)
    assert calls == []
    assert clf.kept_ridge_start_ is None and clf.recurrent_improvement_ is None


def test_stage_runs_on_early_stoppings_training_rows(monkeypatch):
    rows = {}
    train = _stacking.train_on_held_out

    def spy(module, data, held_out, *args, **kwargs):
        rows["data"], rows["logits"] = len(data), len(held_out)
        return train(module, data, held_out, *args, **kwargs)

    monkeypatch.setattr(_classification, "train_on_held_out", spy)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 12)).astype(np.float32)
    y = np.arange(50) % 2
    SequenceClassifier(hidden_size=4, max_iter=4, early_stopping=True,
                       validation_fraction=0.2, random_state=0).fit(X, y)
    assert rows == {"data": 40, "logits": 40}


def test_refit_of_a_stacked_start_keeps_the_recurrent_output_weights():
    from sklearn_rnn._initialization import build_network
    from sklearn_rnn._sequences import Sequences

    rng = np.random.RandomState(0)
    seqs = Sequences(rng.normal(size=(30, 10, 1)).astype(np.float32), None, 3)
    targets = np.arange(30) % 2
    module, start = build_network(seqs, targets, 2, standardize=True, cell="lstm",
                                  hidden_size=4, num_layers=1, bidirectional=False,
                                  dropout=0.0, input_noise=0.0, pooling="last",
                                  random_biases=2)
    head, width = module.head, module.random_conv.output_size
    with torch.no_grad():
        head.weight[:, :-width] = 0.5
    start.stacked = True
    start.fit()
    assert torch.all(head.weight[:, :-width] == 0.5)
    start.stacked = False
    start.fit()
    assert torch.all(head.weight[:, :-width] == 0)


def test_verbose_says_what_the_stage_did(capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 12)).astype(np.float32)
    y = np.arange(40) % 2
    SequenceClassifier(hidden_size=4, max_iter=2, verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Recurrent layers on the ridge start's held-out logits" in out
    assert "the ridge start alone" in out


def test_a_warm_fit_does_not_train_them_again(monkeypatch):
    # a warm fit goes on from the fitted network (with early stopping its
    # ridge start is refitted on the training rows, and judged as it was)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 12)).astype(np.float32)
    y = np.arange(60) % 2
    clf = SequenceClassifier(hidden_size=4, max_iter=2, early_stopping=True,
                             warm_start=True, random_state=0).fit(X, y)
    calls = []
    monkeypatch.setattr(_classification, "train_on_held_out",
                        lambda *a, **k: calls.append(1) or _stacking.StackedResult())
    clf.fit(X, y)
    assert calls == []


@pytest.mark.parametrize("early_stopping", [False, True])
def test_rows_of_weight_zero_leave_the_stage_to_the_others(early_stopping, monkeypatch):
    # the start holds no held-out logits for them (they are as if removed):
    # the stage trains on the rest (review s34 F2: it was skipped, and a
    # BaggingClassifier's members, whose out-of-bag rows weigh 0, never ran it)
    rows = {}
    train = _stacking.train_on_held_out

    def spy(module, data, held_out, *args, **kwargs):
        rows["data"], rows["logits"] = len(data), len(held_out)
        rows["weights"] = None if data.weight is None else float(data.weight.min())
        return train(module, data, held_out, *args, **kwargs)

    monkeypatch.setattr(_classification, "train_on_held_out", spy)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 12)).astype(np.float32)
    y = np.arange(50) % 2
    weight = np.ones(50)
    weight[[3, 10, 20, 31]] = 0
    clf = SequenceClassifier(hidden_size=4, max_iter=4, early_stopping=early_stopping,
                             validation_fraction=0.2, random_state=0)
    clf.fit(X, y, sample_weight=weight)
    n = 36 if early_stopping else 46  # the positive rows, less 10 held out for validation
    assert rows["data"] == rows["logits"] == n
    assert rows["weights"] > 0
    assert clf.recurrent_improvement_ is not None


def test_a_warm_fit_keeps_the_recurrent_layers_of_a_kept_stage():
    # review s34 F1: a warm fit with early stopping refits a kept start on
    # its training rows; it zeroed the stage's recurrent output weights
    # (test accuracy 0.92 to 0.55)
    rng = np.random.RandomState(0)
    X, y = _bump_parity(200, 60, rng)
    X_test, y_test = _bump_parity(400, 60, rng)
    clf = SequenceClassifier(early_stopping=True, learning_rate_init=1e-30,
                             warm_start=True, random_state=0).fit(X, y)
    assert clf.kept_ridge_start_ is False and clf.best_epoch_ == 0
    score = clf.score(X_test, y_test)
    assert score > 0.85
    clf.set_params(max_iter=1).fit(X, y)
    head, width = clf.module_.head, clf.module_.random_conv.output_size
    assert head.weight[:, :-width].abs().sum() > 0
    assert clf.score(X_test, y_test) > score - 0.05


def test_holdout_takes_a_row_of_every_class_it_can():
    # review s34b R2: round(0.2 * 2) held out nothing of a class of 2 rows,
    # and the gain was judged on the majority class alone
    labels = torch.tensor([0] * 20 + [1] * 2 + [2])
    train, held = _stacking._holdout(labels, torch.Generator().manual_seed(0))
    assert sorted(torch.cat([train, held]).tolist()) == list(range(23))
    assert labels[held].tolist().count(0) == 4 and labels[held].tolist().count(1) == 1
    assert 2 not in labels[held].tolist()  # a class of one row trains


def test_a_held_out_fifth_of_one_class_does_not_judge(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(21, 12)).astype(np.float32)
    y = np.array([0] * 20 + [1])  # the one row of class 1 is never held out
    clf = SequenceClassifier(hidden_size=4, max_iter=4, random_state=0).fit(X, y)
    assert clf.kept_ridge_start_ is None and clf.recurrent_improvement_ is None


def _stage_spy(monkeypatch, scale=1.0):
    """Record the stage's result and its epochs (held-out logits times ``scale``)."""
    seen = {"epochs": 0}
    train, epoch = _stacking.train_on_held_out, _stacking._train_epoch

    def spy(module, data, held_out, *args, **kwargs):
        seen["result"] = train(module, data, held_out * scale, *args, **kwargs)
        return seen["result"]

    def counted(*args, **kwargs):
        seen["epochs"] += 1
        return epoch(*args, **kwargs)

    monkeypatch.setattr(_classification, "train_on_held_out", spy)
    monkeypatch.setattr(_stacking, "_train_epoch", counted)
    return seen


def test_no_stage_where_the_starts_held_out_loss_is_zero(monkeypatch, capsys):
    # logits so far apart that every held-out row's loss rounds to 0 in
    # float32 (BasicMotions for seeds 0 and 1): no epoch can gain on it
    seen = _stage_spy(monkeypatch, scale=1e4)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 12)).astype(np.float32)
    y = np.arange(40) % 2
    X[y == 1] += 5
    clf = SequenceClassifier(hidden_size=4, max_iter=20, random_state=0, verbose=1)
    clf.fit(X, y)
    assert "not trained, the held-out rows' log-loss is 0" in capsys.readouterr().out
    assert seen["epochs"] == 0
    assert seen["result"].n_epochs == 0 and seen["result"].improvement == 0
    assert clf.kept_ridge_start_ is True


def test_stage_scales_the_loss_as_the_main_loop_does(monkeypatch):
    # under CUDA mixed precision the stage trained without a loss scaler:
    # float16 gradients that underflow leave it nothing to learn. On the CPU
    # (GradScaler("cpu") runs the same code), with gradients that overflow
    # while the scale is above 2**10, the scaler backs off and the stage learns
    rng = np.random.RandomState(2)
    X, y = _bump_parity(200, 60, rng)
    scales, train = record_loss_scales(monkeypatch), _stacking.train_on_held_out

    def scaled(module, *args, **kwargs):
        with overflowing_above(module, scales):
            return train(module, *args, **{**kwargs, "loss_scaling": True})

    monkeypatch.setattr(_classification, "train_on_held_out", scaled)
    clf = SequenceClassifier(random_state=2).fit(X, y)
    assert scales[0] == 2**16 and min(scales) <= 2**10
    assert clf.kept_ridge_start_ is False and clf.recurrent_improvement_ > 0.2
