"""Benchmark suite: sklearn_rnn against a hand-written PyTorch loop.

Run ``python -m benchmarks.run --help`` (or ``make bench``). Everything is
timed in one process with the contenders interleaved (A B A B ...), and the
results are reported as medians and as ratios to the hand-written loop, so
that background load on a shared machine affects all contenders alike.
See ``docs/benchmarks.md`` for the method and the latest results.
"""
