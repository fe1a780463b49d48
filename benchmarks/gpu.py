"""GPU benchmark: sklearn_rnn on CUDA against a hand-written loop and skorch.

Usage (on a machine with a CUDA device)::

    python -m benchmarks.gpu                       # cases default, small, long, gpu
    python -m benchmarks.gpu --case gpu --repeats 5
    python -m benchmarks.gpu --json gpu.json

Every contender trains the same ``RecurrentNetwork(pooling="last")`` on the
same windows with Adam, in one process, interleaved and rotated every repeat
(the method of :mod:`benchmarks.run`, wall clock, synchronised at the end of
each fit). The hand-written loop keeps the data on the GPU and runs PyTorch's
own cuDNN ``nn.LSTM``/``nn.GRU``: it is the limit. skorch moves every batch
from its DataLoader (or from the slicing iterator) to the GPU, as its users
get it. Mixed precision (bfloat16 autocast) is timed on and off, each against
the hand loop in the same precision. Predict latency is timed for 1 and
100,000 sequences against a bare forward of the fitted module on the GPU
(NumPy in, host copy, forward, NumPy out).

Cases: the CPU benchmark's ``default``, ``small`` and ``long``, and ``gpu``,
a GPU-sized case (262,144 windows of 48 steps, hidden 256, batch 1,024).
Targets (issue 25): ours / hand loop <= 1.05 and ours / skorch <= 1.0 in
time per epoch.
"""

import argparse
import datetime
import json
import statistics
import sys
import time

import numpy as np
import torch

from ._contenders import gpu_contenders
from ._data import CASES, Case, make_data
from .run import (
    _fmt_ratio, machine_description, print_table, report_skorch, report_targets,
    summarise_training, target_records, time_training, training_target, versions,
)

#: The GPU-sized case: enough work per batch for the GPU to be busy.
GPU_CASE = Case("gpu", n_samples=262_144, length=48, hidden_size=256, batch_size=1024,
                epochs=1, repeats=3, n_predict=100_000)
CASES_GPU = {**{k: c for k, c in CASES.items() if c.min_length is None}, "gpu": GPU_CASE}
TRAIN_TARGET = 1.05
PREDICT_MANY = 100_000
#: ... but at most this many sequence steps in one bare forward (the long
#: case predicts fewer sequences).
PREDICT_MAX_STEPS = 5_000_000


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.gpu",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--case", default="default,small,long,gpu",
                   help=f"comma-separated cases among {', '.join(CASES_GPU)}")
    p.add_argument("--repeats", type=int, help="timed fits per contender")
    p.add_argument("--epochs", type=int, help="epochs per timed fit")
    p.add_argument("--only", help="comma-separated contender names")
    p.add_argument("--no-predict", action="store_true")
    p.add_argument("--n-samples", type=int, help="override the number of windows")
    p.add_argument("--device", default="cuda",
                   help="torch device (cpu only to smoke-test this script)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the results to this JSON file")
    return p.parse_args(argv)


def _device_forward(module, device):
    """Bare reference for predict: NumPy -> device -> forward -> NumPy."""
    module.eval()

    def forward(X):
        with torch.inference_mode():
            return module(torch.from_numpy(X).to(device)).float().cpu().numpy()

    return forward


def _median_time(fn, rounds, calls):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def time_predict_gpu(est, data, device):
    """Predict latency of a fitted estimator for 1 and 100,000 sequences."""
    bare = _device_forward(est.module_, device)
    one = np.ascontiguousarray(data.X[:1])
    n_many = min(PREDICT_MANY, PREDICT_MAX_STEPS // data.X.shape[1])
    reps = -(-n_many // len(data.X))
    many = np.ascontiguousarray(np.concatenate([data.X] * reps)[:n_many])
    for _ in range(10):
        est.predict(one), bare(one)
    est.predict(many), bare(many)
    result = {}
    for label, X, rounds, calls in (("1", one, 15, 20), (f"{n_many:,}", many, 5, 1)):
        ours, ref = [], []
        for r in range(rounds):  # interleaved, alternating who goes first
            pair = [(est.predict, ours), (bare, ref)]  # noqa: B023
            for fn, out in pair if r % 2 == 0 else pair[::-1]:
                out.append(_median_time(lambda fn=fn: fn(X), 1, calls))
        result[label] = {"ours_s": statistics.median(ours), "bare_s": statistics.median(ref)}
    return result


def main(argv=None):
    args = parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("benchmarks.gpu needs a CUDA device (torch.cuda.is_available() is False)")
    names = [c.strip() for c in args.case.split(",") if c.strip()]
    unknown = set(names) - set(CASES_GPU)
    if unknown:
        sys.exit(f"unknown case(s) {sorted(unknown)}; choose from {list(CASES_GPU)}")
    only = None if not args.only else {s.strip() for s in args.only.split(",")}
    torch.backends.cudnn.benchmark = False  # PyTorch's default, for every contender
    started = time.perf_counter()
    device = args.device
    device_name = torch.cuda.get_device_name() if device == "cuda" else device
    print("# sklearn_rnn GPU benchmark\n")
    command = " ".join(["python -m benchmarks.gpu", *(sys.argv[1:] if argv is None else argv)])
    print(f"- command: `{command}`")
    print(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"- device: {device_name}; torch {torch.__version__}, CUDA {torch.version.cuda}, "
          f"cuDNN {torch.backends.cudnn.version()}")
    print(f"- host: {machine_description()}")
    print(f"- {versions()}")
    print(f"- torch CPU threads: {torch.get_num_threads()}")
    print("- timing: wall clock, synchronised at the end of each fit; contenders "
          "interleaved and rotated every repeat; medians over repeats; ratios are "
          "medians of per-repeat ratios\n")
    results = {"device": device_name, "cuda": torch.version.cuda,
               "cudnn": torch.backends.cudnn.version(), "versions": versions(), "cases": {}}
    targets = []
    for name in names:
        case = CASES_GPU[name].with_overrides(repeats=args.repeats, epochs=args.epochs,
                                              n_samples=args.n_samples)
        contenders = [c for c in gpu_contenders() if only is None or c.name in only]
        print(f"## case `{case.name}`: {case.describe()}\n", flush=True)
        data = make_data(case, seed=args.seed)
        timings = time_training(case, contenders, data, args.seed, device=device)
        rows = summarise_training(case, contenders, timings, "wall")
        table = []
        for row in rows:
            verdict = training_target(case.name, row, TRAIN_TARGET, targets)
            low_high = ("" if row["ratio_range"] is None
                        else " [{:.2f}-{:.2f}]".format(*row["ratio_range"]))
            table.append([row["contender"], f"{row['s_per_epoch']:.4f}",
                          f"{row['samples_per_s']:,.0f}", f"{row['setup_s'] * 1e3:.0f}",
                          _fmt_ratio(row["ratio_to_hand"]) + low_high, verdict])
        print_table(["contender", "s/epoch", "sequences/s", "setup ms",
                     "ratio to hand loop [min-max]", "target"], table)
        report_skorch(case, contenders, timings, targets, "wall")
        case_results = {"case": case.to_dict(), "training": rows}
        if not args.no_predict:
            predict = {}
            for cell in ("lstm", "gru"):
                if f"ours-{cell}" in timings:
                    predict[cell] = time_predict_gpu(timings[f"ours-{cell}"][-1].model, data,
                                                    device)
            if predict:
                print("### predict latency on the GPU (wall; bare = NumPy -> cuda -> "
                      "module in inference_mode -> NumPy)\n")
                print_table(
                    ["estimator", "sequences", "ours", "bare forward", "ours - bare"],
                    [[f"ours-{cell}", n, f"{r['ours_s'] * 1e3:.3f} ms",
                      f"{r['bare_s'] * 1e3:.3f} ms",
                      f"{(r['ours_s'] - r['bare_s']) * 1e3:+.3f} ms "
                      f"({r['ours_s'] / r['bare_s']:.2f}x)"]
                     for cell, res in predict.items() for n, r in res.items()])
                case_results["predict"] = predict
        for runs in timings.values():
            for t in runs:
                t.model = None
        del timings
        if device == "cuda":
            torch.cuda.empty_cache()
        results["cases"][case.name] = case_results
    print("## targets\n")
    n_fail = report_targets(targets)
    print(f"{len(targets) - n_fail}/{len(targets)} targets pass; "
          f"total time {time.perf_counter() - started:.0f} s")
    results["targets"] = target_records(targets)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=str)


if __name__ == "__main__":
    main()
