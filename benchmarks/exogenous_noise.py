"""What exogenous data that has nothing to do with a series costs.

``python -m benchmarks.exogenous_noise --seeds 0 1 2 3``: the 13 named and 8
unnamed single series of ``benchmarks.forecasting``, each forecast by
``RNNForecaster(recurrent=False)`` (the linear start, which reads ``X`` as a
regression with time-series errors where it holds up on held-out data)
with two columns of ``X`` drawn at random, white noise or random walks,
against the same model without ``X``; the last two seasons held out.
Prints the geometric mean over the series of the ratio of the MAEs (1: no
cost) and how many series let ``X`` in (``exog_coef_`` not None).
"""

import argparse
import warnings

import numpy as np
import pandas as pd

from benchmarks._forecasting_data import EXTRA, SERIES, horizon, load_series


def unrelated_x_cost(seed, kind):
    """(geometric mean MAE ratio with / without ``X``, series letting it in)."""
    from sklearn_rnn.sktime import RNNForecaster

    rng = np.random.default_rng(seed)
    ratios, admitted = [], 0
    for spec in SERIES + EXTRA:
        y = load_series(spec)
        h = horizon(spec, len(y))
        train, test, fh = y.iloc[:-h], y.iloc[-h:].to_numpy(), np.arange(1, h + 1)
        draws = rng.standard_normal((len(y), 2))
        X = pd.DataFrame(draws.cumsum(axis=0) if kind == "walk" else draws,
                         index=y.index, columns=["a", "b"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with_x = RNNForecaster(recurrent=False).fit(train, X=X.iloc[:-h], fh=fh)
            without = RNNForecaster(recurrent=False).fit(train, fh=fh)
            error_with = np.abs(with_x.predict(X=X.iloc[-h:]).to_numpy() - test).mean()
        ratios.append(error_with / np.abs(without.predict().to_numpy() - test).mean())
        admitted += with_x.exog_coef_ is not None
    return float(np.exp(np.mean(np.log(ratios)))), admitted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args(argv)
    n = len(SERIES + EXTRA)
    print("| seed | X | MAE ratio (geometric mean) | series letting X in |")
    print("|---:|---|---:|---:|")
    for seed in args.seeds:
        for kind in ("noise", "walk"):
            ratio, admitted = unrelated_x_cost(seed, kind)
            print(f"| {seed} | {kind} | {ratio:.3f} | {admitted} of {n} |", flush=True)


if __name__ == "__main__":
    main()
