"""What ``SequenceClassifier()``'s defaults cost to set up, against ``random_biases=0``.

Run ``python -m benchmarks.setup_cost`` (``--help`` for options).

The speed benchmark (:mod:`benchmarks.run`) times a network whose options
are pinned to the hand-written loop's, ``random_biases=0`` among them. The
defaults add a branch of random convolutions and start the output layer
from a ridge classifier on its features: this fits a one-epoch
``SequenceClassifier(max_iter=1, random_state=0)`` on ``--n-samples``
sequences of ``--length`` steps (standard normal, three balanced classes),
with the defaults and with ``random_biases=0``, each in a fresh process
(``MALLOC_MMAP_THRESHOLD_=65536``, as :mod:`benchmarks._memory`), after a
warm-up fit on 8 rows, and prints the fit's CPU time and its peak resident
memory over the RSS just before it (``/proc/self/status``, Linux).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _measure(n_samples, length, pinned):
    """One fit in this process; returns (cpu seconds, peak MiB over before)."""
    import warnings

    import numpy as np
    import torch

    from sklearn_rnn import SequenceClassifier

    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, length, 1)).astype(np.float32)
    y = rng.integers(0, 3, n_samples)
    params = dict(max_iter=1, random_state=0, **({"random_biases": 0} if pinned else {}))
    SequenceClassifier(**params).fit(X[:8], np.arange(8) % 3)  # imports, lazy set-up

    def status(key):
        with open("/proc/self/status") as f:
            return int(f.read().split(key + ":")[1].split()[0]) / 1024

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current RSS
    before = status("VmRSS")
    start = time.process_time()
    SequenceClassifier(**params).fit(X, y)
    return time.process_time() - start, status("VmHWM") - before


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.setup_cost",
        description="SequenceClassifier's set-up cost: defaults against random_biases=0.")
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--length", type=int, default=48)
    parser.add_argument("--child", choices=["defaults", "pinned"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        cpu, peak = _measure(args.n_samples, args.length, args.child == "pinned")
        print(json.dumps({"cpu_s": cpu, "peak_mib": peak}))
        return
    print(f"# SequenceClassifier(max_iter=1): {args.n_samples} sequences x {args.length} "
          f"steps x 1 channel, one torch thread, fresh process each")
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", OMP_NUM_THREADS="1")
    for name in ("defaults", "pinned"):
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.setup_cost", "--child", name,
             "--n-samples", str(args.n_samples), "--length", str(args.length)],
            env=env, cwd=Path(__file__).resolve().parents[1], check=True,
            capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        label = "defaults" if name == "defaults" else "random_biases=0"
        print(f"{label:>16}: fit {row['cpu_s']:.2f} s CPU, peak RSS over before "
              f"{row['peak_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
