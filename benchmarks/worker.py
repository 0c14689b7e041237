"""One measurement in a fresh process: ``python -m benchmarks.worker LIB CASE THREADS STEPS``.

Thread pools are sized before NumPy or torch is imported, so a 1-thread run really is one
thread. Prints one JSON line: the per-step times and the peak resident memory.
"""
from __future__ import annotations

import json
import os
import sys
import time


def _rss_kb(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    lib_name, case, threads, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    rss0 = _rss_kb()
    t0 = time.perf_counter()
    if lib_name == "torch":
        import torch as lib
        lib.set_num_threads(threads)
    elif lib_name == "numpy":
        import numpy as lib
    else:
        import ember as lib
    import_s = time.perf_counter() - t0
    rss_import = _rss_kb() - rss0
    out = {"lib": lib_name, "case": case, "threads": threads, "import_s": import_s, "import_rss_kb": rss_import}
    if case == "import":
        print(json.dumps(out))
        return
    from benchmarks.cases import CASES, numpy_randn_10m
    make, params, _, _ = CASES[case]
    step = numpy_randn_10m(None) if lib_name == "numpy" else make(lib, **params)
    for _ in range(2 if steps > 3 else 1):
        step()
    base_rss = _rss_kb()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    out.update(times=times, peak_rss_kb=_rss_kb("VmHWM"), rss_before_kb=base_rss, rss_after_kb=_rss_kb())
    if case.startswith("graph") and lib_name == "ember":
        import gc
        import tracemalloc
        tracemalloc.start()
        # one traced step first: it refills CPython's free lists (tuples, floats...) with blocks
        # tracemalloc sees; without it about 200 KB of recycled free-list blocks, whatever the
        # graph's size, would read as memory the graph kept
        step()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        gc.collect()
        after = tracemalloc.get_traced_memory()
        out.update(graph_retained_bytes=after[0] - before, graph_peak_bytes=after[1] - before)
        tracemalloc.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
