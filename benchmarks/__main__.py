"""Run the suite: ``python -m benchmarks [--cases a,b] [--rounds 3] [--threads 1]``.

Each case runs in fresh processes, alternating ember and torch (never both in one process:
their thread pools fight over the cores), for several rounds. Reports the median step time of
each library and the ember/torch ratio as a table and as JSON (``benchmarks/results/``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

from benchmarks.cases import CASES

TARGETS = {
    "op_add_nograd": 0.6, "op_add_grad": 0.6, "op_chain100": 0.6, "mlp_b32": 1.0, "mlp_b128": 1.0,
    "mlp_b1024": 1.15, "lenet_b64": 1.3, "resnet_b32": 2.0, "lstm_lm": 1.5, "gpt_tiny": 1.5,
    "randn_10m": 3.0, "import_s": 0.1, "import_rss": 0.2, "peak_rss_mlp": 0.6,
}


# Workers import with a bytecode cache, as an installed package does (pip writes .pyc files;
# torch's come precompiled). Without it (PYTHONDONTWRITEBYTECODE, or a source tree whose
# __pycache__ is stale) ``import ember`` measures compiling its sources: about 290 ms of 320.
_PYCACHE = os.path.join(tempfile.gettempdir(), "ember-bench-pycache")


def _env() -> dict:
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONPYCACHEPREFIX=_PYCACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run(lib, case, threads, steps):
    cmd = [sys.executable, "-m", "benchmarks.worker", lib, case, str(threads), str(steps)]
    env = _env()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1:] or ["failed"]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> dict:
    info = {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
            "platform": platform.platform(), "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numpy
    info["numpy"] = numpy.__version__
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001
        pass
    out = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    info["torch"] = out.stdout.strip()
    return info


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", default="1")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply step counts")
    ap.add_argument("--out", default="benchmarks/results")
    args = ap.parse_args()
    rows = []
    threads_list = [int(t) for t in args.threads.split(",")]
    for threads in threads_list:
        # import time and memory (a first, unmeasured import fills the bytecode cache)
        for lib in ("ember", "torch"):
            _run(lib, "import", threads, 0)
        imp = {"ember": [], "torch": []}
        for _ in range(args.rounds):
            for lib in ("ember", "torch"):
                r = _run(lib, "import", threads, 0)
                if "error" not in r:
                    imp[lib].append(r)
        if imp["ember"] and imp["torch"]:
            e = statistics.median(r["import_s"] for r in imp["ember"])
            t = statistics.median(r["import_s"] for r in imp["torch"])
            rows.append(dict(case="import_s", desc="import time (s)", threads=threads, ember=e, torch=t, ratio=e / t))
            e = statistics.median(r["import_rss_kb"] for r in imp["ember"]) / 1024
            t = statistics.median(r["import_rss_kb"] for r in imp["torch"]) / 1024
            rows.append(dict(case="import_rss", desc="resident memory added by import (MiB)", threads=threads,
                             ember=e, torch=t, ratio=e / t))
        for case in args.cases.split(","):
            _, _, steps, desc = CASES[case]
            steps = max(1, int(steps * args.scale))
            base = "numpy" if case == "randn_10m" else "torch"
            got = {"ember": [], base: []}
            extra = {}
            for _ in range(args.rounds):
                for lib in ("ember", base):
                    r = _run(lib, case, threads, steps)
                    if "error" in r:
                        got[lib] = None
                        extra[lib + "_error"] = r["error"]
                        break
                    got[lib].extend(r["times"])
                    extra.setdefault(lib + "_peak_rss_mib", r["peak_rss_kb"] / 1024)
                    if "graph_retained_bytes" in r:
                        extra["graph_retained_bytes"] = r["graph_retained_bytes"]
                        extra["graph_peak_bytes"] = r["graph_peak_bytes"]
                if got["ember"] is None or got[base] is None:
                    break
            row = dict(case=case, desc=desc, threads=threads, baseline=base, **extra)
            if got["ember"] and got[base]:
                row["ember"] = statistics.median(got["ember"])
                row["torch"] = statistics.median(got[base])
                row["ratio"] = row["ember"] / row["torch"]
            rows.append(row)
            if case == "mlp_b128" and "ember_peak_rss_mib" in extra and "torch_peak_rss_mib" in extra:
                rows.append(dict(case="peak_rss_mlp", desc="peak resident memory, MLP batch 128 (MiB)", threads=threads,
                                 ember=extra["ember_peak_rss_mib"], torch=extra["torch_peak_rss_mib"],
                                 ratio=extra["ember_peak_rss_mib"] / extra["torch_peak_rss_mib"]))
            _print_row(rows[-1])
    report = {"machine": machine(), "rows": rows, "targets": TARGETS}
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{report['machine']['date']}.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
    print()
    print(table(report))
    print(f"\nJSON: {path}")


def _fmt(v):
    if v is None:
        return "-"
    if v < 1e-3:
        return f"{v * 1e6:.1f} us"
    if v < 1:
        return f"{v * 1e3:.2f} ms"
    return f"{v:.2f} s"


def _print_row(r):
    if "ratio" in r:
        print(f"{r['case']:<16} threads={r['threads']} ember={r['ember']:.6g} {r.get('baseline', 'torch')}={r['torch']:.6g} ratio={r['ratio']:.2f}", flush=True)
    else:
        print(f"{r['case']:<16} threads={r['threads']} failed: {r}", flush=True)


def table(report) -> str:
    lines = ["| case | threads | ember | torch | ember/torch | target |", "|---|---|---|---|---|---|"]
    for r in report["rows"]:
        unit = (lambda v: f"{v:.1f} MiB") if r["case"] in ("import_rss", "peak_rss_mlp") else _fmt
        tgt = report["targets"].get(r["case"])
        if "ratio" in r:
            mark = "" if tgt is None else (" ok" if r["ratio"] <= tgt else " **missed**")
            base = "" if r.get("baseline", "torch") == "torch" else " (NumPy)"
            lines.append(f"| {r['desc']} | {r['threads']} | {unit(r['ember'])} | {unit(r['torch'])}{base} | {r['ratio']:.2f}{mark} | {'' if tgt is None else f'<= {tgt}'} |")
        else:
            lines.append(f"| {r['desc']} | {r['threads']} | failed | | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
