"""Side-by-side benchmarks of numtorch against PyTorch, interleaved in one process.

    python bench/run.py [--lib torch,numtorch] [--filter NAME[,NAME...]] [--repeat N]

For each workload every library gets ``N`` samples, taken alternately (torch, numtorch, numtorch,
torch, ...) so that machine noise hits both alike; a sample times a loop of many calls. The table shows
the median time per call, the ratio last library / first library, the difference, and the target.

Adding workloads: create ``bench/workloads_<topic>.py`` (it is imported automatically) and register
functions with the decorator from ``bench/harness.py``::

    from harness import workload

    @workload("sum 1000", target="ratio <= 1.5", check=lambda t: t["numtorch"] <= 1.5 * t["torch"])
    def sum_1000(lib):
        x = lib.ones(1000)
        return lambda: x.sum()

``setup(lib)`` receives the imported library module and returns the zero-argument callable to time.
"""
import argparse
import glob
import importlib
import os
import sys

import harness

HERE = os.path.dirname(os.path.abspath(__file__))


def load_workloads():
    for path in sorted(glob.glob(os.path.join(HERE, "workloads_*.py"))):
        importlib.import_module(os.path.splitext(os.path.basename(path))[0])
    return harness.WORKLOADS


def fmt_time(seconds):
    if seconds >= 0.1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-4:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.3f} us"


def fmt_diff(seconds):
    sign = "-" if seconds < 0 else "+"
    return sign + fmt_time(abs(seconds))


def verdict(wl, times):
    if wl.check is None or not {"torch", "numtorch"} <= set(times):
        return wl.target
    return f"{wl.target} [{'met' if wl.check(times) else 'MISSED'}]"


def table_rows(names, results, workloads):
    first, last = names[0], names[-1]
    for wname, times in results.items():
        row = [wname, *(fmt_time(times[n]) for n in names)]
        if len(names) > 1:
            row += [f"{times[last] / times[first]:.2f}", fmt_diff(times[last] - times[first])]
        yield row + [verdict(workloads[wname], times)]


def print_table(names, results, workloads):
    header = ["workload", *names]
    if len(names) > 1:
        header += [f"{names[-1]}/{names[0]}", f"{names[-1]}-{names[0]}"]
    rows = [header + ["target"], *table_rows(names, results, workloads)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:-1], widths[1:])]
        print("  ".join(cells + [r[-1]]).rstrip())


def parse_args(argv):
    p = argparse.ArgumentParser(description="numtorch vs torch side-by-side benchmarks")
    p.add_argument("--lib", default="torch,numtorch", help="comma-separated libraries to compare")
    p.add_argument("--filter", default="", help="run only workloads whose name contains one of these")
    p.add_argument("--repeat", type=int, default=7, help="samples per library and workload (median)")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    workloads = load_workloads()
    if args.list:
        print("\n".join(workloads))
        return 0
    keys = [k for k in args.filter.split(",") if k]
    chosen = [w for w in workloads.values() if not keys or any(k in w.name for k in keys)]
    if not chosen:
        print(f"no workload matches {args.filter!r}; --list shows them", file=sys.stderr)
        return 2
    names = args.lib.split(",")
    libs = {n: importlib.import_module(n) for n in names}
    results = {}
    for wl in chosen:
        results[wl.name] = harness.measure(wl, libs, max(1, args.repeat))
    print_table(names, results, workloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
