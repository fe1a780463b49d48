"""The optimizer runs on PyTorch's fused kernel where one exists."""

import numpy as np
import pytest
import torch

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier
from sklearn_rnn._optimizers import fused_optimizer

OPTIMIZERS = [
    (torch.optim.Adam, {}),
    (torch.optim.AdamW, {}),
    (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(96, 8)).astype(np.float32)
    return X, X.sum(axis=1)


@pytest.mark.parametrize("cls, options", OPTIMIZERS)
def test_fused_kernel_follows_the_plain_implementation(cls, options):
    """Same arithmetic: 50 steps of both stay within float32 rounding."""
    torch.manual_seed(0)
    plain_net = torch.nn.GRU(3, 8, batch_first=True)
    fused_net = torch.nn.GRU(3, 8, batch_first=True)
    fused_net.load_state_dict(plain_net.state_dict())
    plain = cls(plain_net.parameters(), lr=1e-2, weight_decay=1e-3, **options)
    fused = fused_optimizer(
        cls, fused_net.parameters(), lr=1e-2, weight_decay=1e-3, **options
    )
    assert fused.defaults["fused"] is True
    assert not plain.defaults.get("fused")
    X = torch.randn(50, 16, 5, 3)
    for batch in X:
        for net, opt in ((plain_net, plain), (fused_net, fused)):
            opt.zero_grad(set_to_none=True)
            net(batch)[0].square().mean().backward()
            opt.step()
    for a, b in zip(plain_net.parameters(), fused_net.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_falls_back_where_no_fused_kernel_exists():
    # An optimizer (or a device, or a PyTorch version) without the fused
    # kernel raises when asked for it; the plain implementation is built.
    param = torch.zeros(3, requires_grad=True)

    class NoFused(torch.optim.SGD):
        def __init__(self, params, fused=None, **kwargs):
            if fused:
                raise RuntimeError("`fused=True` requires supported devices")
            super().__init__(params, **kwargs)

    opt = fused_optimizer(NoFused, [param], lr=0.1)
    assert isinstance(opt, NoFused)
    assert not opt.defaults.get("fused")


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
@pytest.mark.parametrize("est_cls", [LSTMRegressor, GRURegressor])
def test_estimators_train_with_the_fused_kernel(est_cls, optimizer):
    X, y = _data()
    est = est_cls(hidden_size=8, max_iter=2, optimizer=optimizer, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    assert all(group["fused"] is True for group in est.optimizer_.param_groups)


def test_warm_start_takes_the_kernel_of_this_fit():
    """A saved optimizer state that was not fused (an older fit, another
    device) is loaded with this fit's choice of kernel, moments intact."""
    X, y = _data()
    est = SequenceClassifier(hidden_size=8, max_iter=2, random_state=0)
    yc = (y > 0).astype(int)
    est.fit(X, yc)  # cosine schedule (the classifier's default): no ConvergenceWarning
    state = est.optimizer_.state_dict()
    for group in state["param_groups"]:
        group["fused"] = None
    moments = {k: v["exp_avg"].clone() for k, v in state["state"].items()}
    est.optimizer_ = state
    est.set_params(warm_start=True, max_iter=1)
    optimizer = est._rebuild_optimizer(est._batch_size(len(X)))
    assert all(group["fused"] is True for group in optimizer.param_groups)
    for key, moment in moments.items():
        torch.testing.assert_close(optimizer.state_dict()["state"][key]["exp_avg"],
                                   moment)
