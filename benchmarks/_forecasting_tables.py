"""The tables :mod:`benchmarks.forecasting` prints (Markdown, for the docs)."""

import numpy as np


def _mean(values):
    values = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(values)) if values else np.nan


def _per_origin(row):
    """A fit's MASE at each of its origins."""
    return np.asarray(row.get("per_origin_mase", [row["mase"]]))


def print_single(results, specs, models, seeds):
    """The per-series table and the summary of the single series.

    ``results`` maps ``(series, model, seed)`` to metrics. Where series are
    forecast from several origins, a last line per model counts the fits
    (series, origin and seed) ahead of the seasonal naive at the same origin.
    """
    names = [s.name for s in specs]

    def per_series(series, model):
        rows = [v for (s, m, _), v in results.items() if s == series and m == model]
        return {k: _mean([r.get(k, np.nan) for r in rows])
                for k in ("mase", "smape", "coverage", "msis", "fit")}, rows

    shown = names if len(names) <= 40 else []  # a table per series short enough to read
    if shown:
        print("\nMASE per series (mean over seeds; intervals: coverage of the 80 % interval)\n")
        print("| series | " + " | ".join(models) + " |")
        print("|---|" + "---:|" * len(models))
    for name in shown:
        cells = []
        for model in models:
            agg, rows = per_series(name, model)
            note = rows[0].get("note", "") if rows and len(seeds) == 1 else ""
            cell = f"{agg['mase']:.3f}"
            if model in ("rnn", "linear") and note:
                cell += f" ({note})"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nSummary over the series\n")
    print("| model | median MASE | mean MASE | beats snaive | mean sMAPE (%) | "
          "80% coverage (pooled) | mean MSIS | fit s (total) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    snaive = {n: per_series(n, "snaive")[0]["mase"] for n in names}
    for model in models:
        aggs = [per_series(n, model) for n in names]
        mase = [a[0]["mase"] for a in aggs]
        beats = sum(1 for n, v in zip(names, mase) if v < snaive[n])
        covered = [r.get("n_covered") for a in aggs for r in a[1]]
        points = [r.get("n_points") for a in aggs for r in a[1]]
        cov = (sum(c for c in covered if c is not None)
               / sum(p for c, p in zip(covered, points) if c is not None)
               if any(c is not None for c in covered) else np.nan)
        print(f"| {model} | {np.nanmedian(mase):.3f} | {np.nanmean(mase):.3f} | "
              f"{beats}/{len(names)} | {_mean([a[0]['smape'] for a in aggs]):.1f} | "
              f"{cov:.3f} | {_mean([a[0]['msis'] for a in aggs]):.2f} | "
              f"{np.nansum([a[0]['fit'] for a in aggs]):.1f} |")
    if any(s.origins > 1 for s in specs) and "snaive" in models:
        print("\nFits ahead of the seasonal naive at the same origin (series x "
              "origins x seeds):")
        for model in models:
            ahead = total = 0
            for n in names:
                naive = _per_origin(per_series(n, "snaive")[1][0])
                for row in per_series(n, model)[1]:
                    ahead += int(np.sum(_per_origin(row) < naive))
                    total += len(naive)
            print(f"  {model}: {ahead}/{total}")
    for full, part in (("rnn", "linear"), ("reduction", "reduction_linear")):
        if full in models and part in models:
            ratio = np.array([per_series(n, full)[0]["mase"] / per_series(n, part)[0]["mase"]
                              for n in names])
            print(f"\n{full} against its linear part (MASE, within 0.5 % counts as "
                  f"level): ahead on {np.sum(ratio < 0.995)}/{len(names)} series, "
                  f"behind on {np.sum(ratio > 1.005)}, level on "
                  f"{np.sum(np.abs(ratio - 1) <= 0.005)}")


def print_panel(results, seeds):
    """The panel's summary per model and seed, and the ablation per seed."""
    data = next(iter(results))[0] if results else "us_employment"
    print(f"\n{data} panel (mean over series; coverage pooled over points; "
          "beats snaive: series with a lower MASE than the seasonal naive's)\n")
    print("| model | seed | mean MASE | median MASE | beats snaive | mean sMAPE (%) | "
          "80% coverage | mean MSIS | fit s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    snaive = results.get((data, "snaive", None))
    for (_, model, seed), m in results.items():
        seed_text = "" if seed is None else str(seed)
        note = f" ({m['note']})" if m.get("note") else ""
        mase = np.asarray(m["per_series_mase"])
        beats = ("" if snaive is None else
                 f"{np.sum(mase < np.asarray(snaive['per_series_mase']))}/{len(mase)}")
        print(f"| {model}{note} | {seed_text} | {m['mase']:.3f} | {m['median_mase']:.3f} | "
              f"{beats} | {m['smape']:.2f} | {m['coverage']:.3f} | {m['msis']:.2f} | "
              f"{m['fit']:.1f} |")
    # The ablation per series: the global networks against their own linear
    # part, fitted in the same run.
    for seed in seeds:
        full = results.get((data, "rnn", seed))
        part = results.get((data, "linear", seed))
        if full is None or part is None:
            continue
        ratio = np.asarray(full["per_series_mase"]) / np.asarray(part["per_series_mase"])
        print(f"\nrnn seed {seed} against its linear part, per series (MASE, within "
              f"0.5 % counts as level): ahead on {np.sum(ratio < 0.995)}/{len(ratio)}, "
              f"behind on {np.sum(ratio > 1.005)}, level on "
              f"{np.sum(np.abs(ratio - 1) <= 0.005)}")
