"""Peak memory of one fit, measured in a fresh process per contender.

Run as ``python -m benchmarks._memory SPEC`` where SPEC is a JSON object
``{"case": {...}, "contender": name, "threads": int, "seed": int}``; prints
one JSON line. The parent (:mod:`benchmarks.run`) starts one such process per
contender, so what one contender allocates, caches or leaves in the C heap
cannot hide or inflate another's peak.

Method: the data are built and the contender is warmed up on 4 rows in
batches of 2 (imports, lazy kernel initialisation, but no batch-sized
buffers left in the heap for the measured fit to reuse unseen). Right before
a one-epoch fit the kernel's peak-RSS mark is reset (``/proc/self/clear_refs``
<- ``5``, Linux) and ``VmRSS`` is read; after the fit the peak (``VmHWM``)
minus that baseline is the fit's peak extra resident memory. This counts
everything: Python, NumPy, torch's CPU allocator, the C heap. The parent
starts this process with ``MALLOC_MMAP_THRESHOLD_=65536``, so glibc gives
every block of 64 KiB or more its own mapping and returns it on free: RSS
then follows the live allocations rather than whatever the heap keeps cached
(without it, repeated runs of one contender differ by 10+ MiB). During the
same fit ``tracemalloc`` records the peak of Python and NumPy allocations
alone (torch's CPU tensors are not traced). Where ``/proc`` cannot be used,
``ru_maxrss`` minus the baseline RSS is reported instead (an upper bound
only if the warm-up's peak was lower), and the method says so.
"""

import gc
import json
import os
import resource
import sys
import tracemalloc


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak():
    """Reset the peak-RSS mark; return (method, baseline bytes)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "VmHWM-after-clear_refs", _status_kib("VmRSS") * 1024
    except OSError:
        pass
    try:
        return "ru_maxrss", _status_kib("VmRSS") * 1024
    except OSError:
        import psutil  # not a dependency; only tried off Linux

        return "ru_maxrss", psutil.Process().memory_info().rss


def _peak(method):
    if method == "VmHWM-after-clear_refs":
        return _status_kib("VmHWM") * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def measure(spec):
    import torch

    from ._contenders import by_name
    from ._data import Case, make_data

    torch.set_num_threads(spec["threads"])
    case = Case(**spec["case"])
    seed = spec["seed"]
    data = make_data(case, seed=seed)
    contender = by_name(spec["contender"], case)
    # Warm up (imports, lazy kernel set-up) on 4 rows in batches of 2, so the
    # heap holds no batch-sized buffers the measured fit could reuse unseen.
    contender(case.with_overrides(batch_size=2), data.head(4), 1, seed)
    gc.collect()
    method, baseline = _reset_peak()
    tracemalloc.start()
    timing = contender(case, data, 1, seed)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = _peak(method)
    del timing
    return {
        "contender": spec["contender"],
        "method": method,
        "baseline_bytes": baseline,
        "peak_delta_bytes": max(0, peak - baseline),
        "tracemalloc_peak_bytes": traced_peak,
        "data_bytes": data.nbytes,
    }


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(argv[0])
    os.environ.setdefault("OMP_NUM_THREADS", str(spec["threads"]))
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=spec["threads"]):
        result = measure(spec)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
