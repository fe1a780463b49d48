"""Benchmark sklearn_rnn against a hand-written PyTorch loop, skorch and MLP.

Usage::

    python -m benchmarks.run                  # cases "default" and "small"
    python -m benchmarks.run --case all       # adds the long and varlen cases
    python -m benchmarks.run --quick          # ~1 minute smoke run
    python -m benchmarks.run --case small --repeats 7 --threads 1

All contenders run in this one process, interleaved (A B C A B C ..., the
order rotated every repeat), on the same data and the same network. Reported:
median seconds per epoch over the repeats, the median of the per-repeat
ratios to the hand-written loop, set-up time, predict latency against a bare
``torch.inference_mode()`` forward of the same fitted module, and the peak
memory of one fit (one fresh subprocess per contender, see
:mod:`benchmarks._memory`). With a CUDA device, training throughput on the
GPU is compared too. The targets of issue 5 are checked and printed as
PASS/FAIL.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from ._contenders import (
    REFERENCE_ROLES, ROLE_TITLES, STOCK_KERNELS, bare_forward, cpu_contenders,
    gpu_contenders, varlen_contenders,
)
from ._data import CASES, QUICK, make_data

#: Issue 5's targets (None: none set for that case).
TRAIN_TARGET = {"default": 1.05, "small": 1.15, "long": 1.05, "varlen": None}
SKORCH_TARGET = 1.0
PREDICT_ONE_MS = 1.0
PREDICT_MANY_RATIO = 1.1
#: --quick measures the memory of these contenders only.
QUICK_MEMORY = ("hand-lstm", "hand-packed-lstm", "ours-lstm")


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--case", default="default,small",
                   help="comma-separated cases among default, small, long, varlen, or all")
    p.add_argument("--repeats", type=int, help="timed fits per contender (case default)")
    p.add_argument("--epochs", type=int, help="epochs per timed fit (case default)")
    p.add_argument("--threads", type=int, default=1, help="torch (and BLAS) threads")
    p.add_argument("--n-samples", type=int, help="override the number of windows")
    p.add_argument("--length", type=int, help="override the window length")
    p.add_argument("--hidden-size", type=int, help="override the hidden size")
    p.add_argument("--batch-size", type=int, help="override the batch size")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: less data and fewer repeats (about a minute)")
    p.add_argument("--only", help="comma-separated contender names, e.g. hand-lstm,ours-lstm")
    p.add_argument("--no-predict", action="store_true", help="skip predict latency")
    p.add_argument("--no-memory", action="store_true", help="skip peak memory")
    p.add_argument("--no-gpu", action="store_true", help="skip the GPU section")
    p.add_argument("--memory-jobs", type=int, default=2,
                   help="memory subprocesses run at once (they are not timed)")
    p.add_argument("--clock", choices=("auto", "cpu", "wall"), default="auto",
                   help="clock for the ratios and targets: process CPU time or "
                        "wall time; auto = cpu with 1 thread (far less disturbed "
                        "by other processes on a shared machine), else wall")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write all results to this JSON file")
    p.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    return p.parse_args(argv)


def selected_cases(args):
    names = [c.strip() for c in args.case.split(",") if c.strip()]
    if "all" in names:
        names = list(CASES)
    unknown = set(names) - set(CASES)
    if unknown:
        sys.exit(f"unknown case(s) {sorted(unknown)}; choose from {list(CASES)} or all")
    cases = []
    for name in names:
        case = CASES[name]
        if args.quick:
            case = case.with_overrides(**QUICK[name])
        case = case.with_overrides(
            repeats=args.repeats, epochs=args.epochs, n_samples=args.n_samples,
            length=args.length, hidden_size=args.hidden_size,
            batch_size=args.batch_size,
        )
        cases.append(case)
    return cases


# ----------------------------------------------------------------------
# Environment
def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPU(s), {platform.system()} {platform.release()}"


def _loadavg():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def versions():
    import sklearn
    import skorch

    import sklearn_rnn

    return (
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}, skorch {skorch.__version__}, "
        f"numpy {np.__version__}, sklearn_rnn {sklearn_rnn.__version__}"
    )


# ----------------------------------------------------------------------
# Training time
def time_training(case, contenders, data, seed, device="cpu"):
    """Interleaved timed fits; returns {name: [Timing per repeat]}."""
    warm = data.head(min(len(data.X), 4 * case.batch_size))
    modules = {}
    for contender in contenders:  # imports, lazy kernel set-up, allocator warm-up
        modules[contender.name] = _module_of(contender(case, warm, 1, seed, device).model)
    check_architectures(contenders, modules)
    timings = {c.name: [] for c in contenders}
    k = len(contenders)
    for r in range(case.repeats):
        order = contenders[r % k :] + contenders[: r % k]
        for contender in order:
            gc.collect()
            timing = contender(case, data, case.epochs, seed + r, device)
            if timings[contender.name]:
                timings[contender.name][-1].model = None  # keep only the last model
            timings[contender.name].append(timing)
        print(f"  repeat {r + 1}/{case.repeats} done", file=sys.stderr, flush=True)
    return timings


def _module_of(model):
    if isinstance(model, torch.nn.Module):
        return model
    return getattr(model, "module_", None)  # sklearn_rnn and skorch


#: Module attributes that choose kernels, not the network (see
#: ``benchmarks._contenders.STOCK_KERNELS``).
IGNORED_OPTIONS = {"training", *STOCK_KERNELS}


def check_architectures(contenders, modules):
    """Warn unless every torch contender of a group trains the same module."""
    problems = []
    for group in dict.fromkeys(c.group for c in contenders):
        signatures = {}
        for c in contenders:
            module = modules.get(c.name)
            if c.group == group and module is not None:
                options = tuple(sorted(
                    (k, v) for k, v in vars(module).items()
                    if k not in IGNORED_OPTIONS and isinstance(v, (bool, int, float, str))))
                signatures[c.name] = (type(module).__name__, options, tuple(
                    (k, tuple(v.shape)) for k, v in module.state_dict().items()))
        if len(set(signatures.values())) > 1:
            problems.append(f"{group}: " + "; ".join(
                f"{name}={sig}" for name, sig in signatures.items()))
    if problems:
        print("WARNING: contenders train different modules, so more than the loop "
              "differs:\n  " + "\n  ".join(problems) + "\n")
    else:
        print("architecture check: within each group every torch contender trains "
              "the same RecurrentNetwork (same options, parameter and buffer shapes)\n")


def summarise_training(case, contenders, timings, clock):
    """Medians over repeats; ratios are medians of the per-repeat ratios."""
    rows = []
    hands = {c.group: c.name for c in contenders if c.role in REFERENCE_ROLES}
    for c in contenders:
        mine = timings[c.name]
        ref = hands.get(c.group, hands.get("lstm"))
        row = {"contender": c.name, "group": c.group, "role": c.role, "vs": ref,
               "clock": clock}
        for name in ("wall", "cpu"):
            per_epoch = [t.get(name)[1] for t in mine]
            row[f"s_per_epoch_{name}"] = statistics.median(per_epoch)
            row[f"setup_s_{name}"] = statistics.median(t.get(name)[0] for t in mine)
            row[f"all_s_per_epoch_{name}"] = per_epoch
            row[f"ratio_to_hand_{name}"] = (
                paired_ratio(timings, c.name, ref, name)
                if ref is not None and ref != c.name else None
            )
        row["s_per_epoch"] = row[f"s_per_epoch_{clock}"]
        row["setup_s"] = row[f"setup_s_{clock}"]
        row["ratio_to_hand"] = row[f"ratio_to_hand_{clock}"]
        row["ratio_range"] = row["ratio_of_best"] = None
        if row["ratio_to_hand"] is not None:
            each = [t.get(clock)[1] / h.get(clock)[1] for t, h in zip(mine, timings[ref])]
            row["ratio_range"] = (min(each), max(each))
            # Load from other processes only ever slows a run down, so the
            # fastest repeat of each is the least disturbed estimate.
            row["ratio_of_best"] = (min(t.get(clock)[1] for t in mine)
                                    / min(h.get(clock)[1] for h in timings[ref]))
        row["samples_per_s"] = case.n_samples / row["s_per_epoch"]
        fresh = [t.fresh_mib_per_epoch for t in mine if t.fresh_mib_per_epoch is not None]
        row["fresh_mib_per_epoch"] = statistics.median(fresh) if fresh else None
        rows.append(row)
    return rows


def paired_ratio(timings, a, b, clock):
    return statistics.median(
        x.get(clock)[1] / y.get(clock)[1] for x, y in zip(timings[a], timings[b])
    )


# ----------------------------------------------------------------------
# Predict latency
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _interleaved(fa, fb, rounds, calls, clock):
    """Median seconds per call of fa and fb, alternating which goes first."""
    now = CLOCKS[clock]
    ta, tb = [], []
    for r in range(rounds):
        pair = [(fa, ta), (fb, tb)] if r % 2 == 0 else [(fb, tb), (fa, ta)]
        for fn, out in pair:
            start = now()
            for _ in range(calls):
                fn()
            out.append((now() - start) / calls)
    return statistics.median(ta), statistics.median(tb)


def time_predict(case, est, data, quick, clock):
    bare = bare_forward(est.module_)
    one = np.ascontiguousarray(data.X[:1])
    reps = -(-case.n_predict // len(data.X))
    many = np.ascontiguousarray(np.concatenate([data.X] * reps)[: case.n_predict])
    # sanity: the same module, so the same numbers (private attributes: the
    # check is skipped, not failed, if the estimator's internals change)
    scale = getattr(est, "_target_scale", None)
    shift = getattr(est, "_target_shift", None)
    if scale is not None and shift is not None:
        expected = (bare(many[:64]) * scale + shift).ravel()
        np.testing.assert_allclose(est.predict(many[:64]), expected, rtol=1e-4, atol=1e-5)
    for _ in range(20):  # warm-up
        est.predict(one), bare(one)
    est.predict(many), bare(many)
    ours_1, bare_1 = _interleaved(lambda: est.predict(one), lambda: bare(one),
                                  rounds=5 if quick else 15, calls=50, clock=clock)
    ours_n, bare_n = _interleaved(lambda: est.predict(many), lambda: bare(many),
                                  rounds=3 if quick else 7, calls=1, clock=clock)
    return {
        "one_ours_s": ours_1, "one_bare_s": bare_1, "one_diff_ms": (ours_1 - bare_1) * 1e3,
        "n": case.n_predict, "many_ours_s": ours_n, "many_bare_s": bare_n,
        "many_ratio": ours_n / bare_n,
    }


# ----------------------------------------------------------------------
# Peak memory (one subprocess per contender)
def measure_memory(case, contenders, args):
    def one(contender):
        spec = {"case": case.to_dict(), "contender": contender.name,
                "threads": args.threads, "seed": args.seed}
        # A fixed mmap threshold: glibc then serves every block of 64 KiB or
        # more with its own mapping, returned on free, so RSS follows the
        # live large allocations instead of what the heap happens to cache.
        env = dict(os.environ, OMP_NUM_THREADS=str(args.threads),
                   MALLOC_MMAP_THRESHOLD_="65536")
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks._memory", json.dumps(spec)],
            capture_output=True, text=True, env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        if proc.returncode:
            return {"contender": contender.name, "error": proc.stderr.strip()[-500:]}
        return json.loads(proc.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(max_workers=max(1, args.memory_jobs)) as pool:
        return list(pool.map(one, contenders))


# ----------------------------------------------------------------------
# Output
def _fmt_ratio(x):
    return "-" if x is None else f"{x:.3f}x"


def _verdict(ok):
    return "PASS" if ok else "FAIL"


def print_table(headers, rows):
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")
    print()


def training_target(case_name, row, limit, targets):
    """The target cell of a training row: ours against the hand loop.

    Rows of our estimators with a ratio to the hand-written loop are checked
    against ``limit`` (the check is appended to ``targets``); other rows, and
    every row where ``limit`` is None, get an empty cell.
    """
    if row["role"] != "ours" or row["ratio_to_hand"] is None or limit is None:
        return ""
    ok = row["ratio_to_hand"] <= limit
    targets.append((case_name, f"train {row['contender']} / {row['vs']}",
                    row["ratio_to_hand"], f"<= {limit:.2f}", ok))
    return f"<= {limit:.2f}x {_verdict(ok)}"


def report_targets(targets):
    """Print the table of every target check; return how many failed."""
    print_table(["case", "check", "value", "target", "result"],
                [[c, what, f"{v:.3f}", t, _verdict(ok)] for c, what, v, t, ok in targets])
    return sum(not t[-1] for t in targets)


def target_records(targets):
    """The target checks as dicts, for the JSON results."""
    return [dict(zip(("case", "check", "value", "target", "pass"), t)) for t in targets]


def report_training(case, rows, targets):
    limit = TRAIN_TARGET.get(case.name, TRAIN_TARGET["default"])
    table = []
    for row in rows:
        target = training_target(case.name, row, limit, targets)
        vs = ""
        if row["ratio_to_hand"] is not None:
            low, high = row["ratio_range"]
            vs = f" [{low:.2f}-{high:.2f}] vs {row['vs']}"
        other = "wall" if row["clock"] == "cpu" else "cpu"
        table.append([
            row["contender"], ROLE_TITLES[row["role"]],
            f"{row['s_per_epoch_cpu']:.3f}", f"{row['s_per_epoch_wall']:.3f}",
            f"{row['samples_per_s']:,.0f}", f"{row['setup_s'] * 1e3:.1f}",
            _fmt_ratio(row["ratio_to_hand"]) + vs, _fmt_ratio(row["ratio_of_best"]),
            _fmt_ratio(row[f"ratio_to_hand_{other}"]),
            "-" if row["fresh_mib_per_epoch"] is None else f"{row['fresh_mib_per_epoch']:.0f}",
            target,
        ])
    clock = rows[0]["clock"]
    other = "wall" if clock == "cpu" else "cpu"
    print_table(["contender", "what", "s/epoch CPU", "s/epoch wall", "samples/s",
                 "setup ms", f"ratio to hand loop ({clock}) [min-max]", "best/best",
                 f"ratio ({other})", "fresh pages MiB/epoch",
                 "target"], table)


def report_skorch(case, contenders, timings, targets, clock):
    names = {c.name for c in contenders}
    table = []
    for cell in ("lstm", "gru"):
        for variant in ("skorch", "skorch-slice"):
            a, b = f"ours-{cell}", f"{variant}-{cell}"
            if a in names and b in names:
                ratio = paired_ratio(timings, a, b, clock)
                ok = ratio <= SKORCH_TARGET
                targets.append((case.name, f"train {a} / {b}", ratio,
                                f"<= {SKORCH_TARGET:.2f}", ok))
                table.append([f"{a} / {b}", _fmt_ratio(ratio),
                              f"<= {SKORCH_TARGET:.2f}x {_verdict(ok)}"])
    if table:
        print_table([f"ours vs skorch (per epoch, {clock})", "ratio", "target"], table)


def report_predict(case, results, targets):
    table = []
    for cell, res in results.items():
        ok1 = res["one_diff_ms"] <= PREDICT_ONE_MS
        okn = res["many_ratio"] <= PREDICT_MANY_RATIO
        targets.append((case.name, f"predict 1 sample, ours-{cell} - bare (ms)",
                        res["one_diff_ms"], f"<= {PREDICT_ONE_MS:.1f} ms", ok1))
        targets.append((case.name, f"predict {res['n']} samples, ours-{cell} / bare",
                        res["many_ratio"], f"<= {PREDICT_MANY_RATIO:.2f}", okn))
        table.append([
            f"ours-{cell}", "1",
            f"{res['one_ours_s'] * 1e6:.0f} us", f"{res['one_bare_s'] * 1e6:.0f} us",
            f"{res['one_diff_ms']:+.3f} ms ({res['one_ours_s'] / res['one_bare_s']:.2f}x)",
            f"<= +{PREDICT_ONE_MS:.0f} ms {_verdict(ok1)}",
        ])
        table.append([
            f"ours-{cell}", f"{res['n']:,}",
            f"{res['many_ours_s'] * 1e3:.1f} ms", f"{res['many_bare_s'] * 1e3:.1f} ms",
            f"{res['many_ratio']:.3f}x",
            f"<= {PREDICT_MANY_RATIO:.2f}x {_verdict(okn)}",
        ])
    print_table(["predict", "samples", "ours", "bare forward", "ours vs bare", "target"],
                table)


def report_memory(results, contenders):
    mib = 1 << 20
    group = {c.name: c.group for c in contenders}
    refs = {c.name for c in contenders if c.role in REFERENCE_ROLES}
    hand = {group[r["contender"]]: r for r in results
            if r["contender"] in refs and "error" not in r}
    table = []
    for res in results:
        if "error" in res:
            table.append([res["contender"], "error", res["error"].splitlines()[-1],
                          "", "", ""])
            continue
        ref = hand.get(group[res["contender"]])
        extra = ("-" if ref is None or ref is res else
                 f"{(res['peak_delta_bytes'] - ref['peak_delta_bytes']) / mib:+.1f}")
        table.append([
            res["contender"], f"{res['peak_delta_bytes'] / mib:.1f}",
            f"{res['peak_delta_bytes'] / res['data_bytes']:.2f}", extra,
            f"{res['tracemalloc_peak_bytes'] / mib:.1f}",
            f"{res['data_bytes'] / mib:.1f}",
        ])
    print_table(["fit, 1 epoch", "peak RSS increase MiB", "x data size",
                 "vs hand loop MiB", "tracemalloc peak MiB", "data MiB (X + y)"], table)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=args.threads)  # sklearn's MLP: BLAS threads too
    cases = selected_cases(args)
    clock = args.clock
    if clock == "auto":
        clock = "cpu" if torch.get_num_threads() == 1 else "wall"
    only = None if not args.only else {s.strip() for s in args.only.split(",")}
    started = time.perf_counter()

    print("# sklearn_rnn benchmark\n")
    command = " ".join(["python -m benchmarks.run", *(sys.argv[1:] if argv is None else argv)])
    now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    clock_name = ("process CPU time, time.process_time" if clock == "cpu"
                  else "wall time, time.perf_counter")
    print(f"- command: `{command}`")
    print(f"- date: {now}")
    print(f"- machine: {machine_description()}")
    print(f"- {versions()}")
    print(f"- torch threads: {torch.get_num_threads()} "
          f"(interop {torch.get_num_interop_threads()}), "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print("- timing: one process, contenders interleaved and rotated every repeat; "
          "medians over repeats; ratios are medians of per-repeat ratios")
    print(f"- clock for ratios and targets: {clock} ({clock_name}); "
          f"load average at start: {_loadavg()}\n")

    all_results = {"args": vars(args), "clock": clock, "machine": machine_description(),
                   "versions": versions(), "threads": torch.get_num_threads(), "cases": {}}
    targets = []
    for case in cases:
        pool = cpu_contenders() if case.min_length is None else varlen_contenders()
        contenders = [c for c in pool if only is None or c.name in only]
        print(f"## case `{case.name}`: {case.describe()}\n", flush=True)
        data = make_data(case, seed=args.seed)
        timings = time_training(case, contenders, data, args.seed)
        rows = summarise_training(case, contenders, timings, clock)
        print("### training (CPU)\n")
        report_training(case, rows, targets)
        report_skorch(case, contenders, timings, targets, clock)
        case_results = {"case": case.to_dict(), "training": rows}

        if case.min_length is not None:  # the predict of equal-length windows only
            print("### predict latency: not measured in this case\n")
        elif not args.no_predict:
            predict = {}
            for cell in ("lstm", "gru"):
                if f"ours-{cell}" in timings:
                    est = timings[f"ours-{cell}"][-1].model
                    predict[cell] = time_predict(case, est, data, args.quick, clock)
            if predict:
                print(f"### predict latency (CPU, {clock} clock; bare = "
                      "module(torch.from_numpy(X)).numpy() in torch.inference_mode())\n")
                report_predict(case, predict, targets)
                case_results["predict"] = predict
        del timings

        if not args.no_memory:
            measured = contenders
            if args.quick and only is None:  # a smoke test of the method only
                measured = [c for c in contenders if c.name in QUICK_MEMORY]
            memory = measure_memory(case, measured, args)
            print("### peak memory of one 1-epoch fit (fresh subprocess per contender; "
                  "peak RSS - RSS before the fit; see benchmarks/_memory.py)\n")
            report_memory(memory, contenders)
            case_results["memory"] = memory
        all_results["cases"][case.name] = case_results

    print("## GPU\n")
    if args.no_gpu:
        print("skipped (--no-gpu)\n")
    elif not torch.cuda.is_available():
        print("not measured: torch.cuda.is_available() is False (no GPU here)\n")
    else:
        all_results["gpu"] = run_gpu(cases, only, args)

    print("## targets\n")
    if args.quick:
        print("(--quick is a smoke run: too little data and too few repeats for "
              "these verdicts to mean anything; run without --quick to check them)\n")
    n_fail = report_targets(targets)
    print(f"{len(targets) - n_fail}/{len(targets)} targets pass; "
          f"total time {time.perf_counter() - started:.0f} s; load average at end: "
          f"{_loadavg()}")
    all_results["targets"] = target_records(targets)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(all_results, f, indent=2, default=str)
    if args.strict and n_fail:
        sys.exit(1)


def run_gpu(cases, only, args):
    device_name = torch.cuda.get_device_name()
    print(f"device: {device_name}\n")
    results = {}
    for case in cases:
        if case.min_length is not None:  # on CUDA, lists run packed (cuDNN)
            print(f"### case `{case.name}`: not measured on the GPU\n")
            continue
        contenders = [c for c in gpu_contenders() if only is None or c.name in only]
        data = make_data(case, seed=args.seed)
        timings = time_training(case, contenders, data, args.seed, device="cuda")
        rows = summarise_training(case, contenders, timings, "wall")
        print(f"### case `{case.name}` on {device_name} (wall clock)\n")
        print_table(
            ["contender", "s/epoch", "samples/s", "ratio to hand loop"],
            [[r["contender"], f"{r['s_per_epoch']:.3f}", f"{r['samples_per_s']:,.0f}",
              _fmt_ratio(r["ratio_to_hand"])] for r in rows],
        )
        results[case.name] = rows
    return results


if __name__ == "__main__":
    main()
