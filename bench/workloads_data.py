"""DataLoader (issue 9): one epoch over a dataset whose __getitem__ costs about 1 ms of NumPy work,
loaded in the main process and by 2 worker processes.

Run directly (``python bench/workloads_data.py``) to print each library's 2-worker / 0-worker epoch
time ratio; on a quiet 2-core machine it should be well below 1. Times are wall-clock (the work happens
in other processes), so they are noisy while the machine is shared.
"""
import os
import resource
import subprocess
import sys
import time

import numpy as np

from harness import workload

ITEMS = 256
BATCH = 32


class HeavyItems:
    """Each item: about 1 ms of vectorised NumPy math on 25.6k values, reduced to a 64-float feature."""

    def __init__(self, lib):
        self.lib = lib
        self.base = np.linspace(0.0, 10.0, 64 * 400)

    def __getitem__(self, i):
        x = np.sin(self.base * (i + 1)) * np.cos(self.base + i)
        return self.lib.from_numpy(x.reshape(64, -1).mean(axis=1)), i

    def __len__(self):
        return ITEMS


def _epoch(num_workers):
    def setup(lib):
        loader = lib.utils.data.DataLoader(HeavyItems(lib), batch_size=BATCH, num_workers=num_workers)
        return lambda: sum(len(y) for _, y in loader)
    return setup


workload("DataLoader epoch 256 x 1ms items, num_workers=0", target="report ratio", max_repeat=5)(_epoch(0))
workload("DataLoader epoch 256 x 1ms items, num_workers=2", target="report ratio", max_repeat=5)(_epoch(2))


def _own_process_ratio(lib):
    """2-worker / 0-worker epoch time of ``lib`` measured in a process of its own: forking workers from a
    process that also holds the other library (and its threads) measures that process, not the loader."""
    cmd = [sys.executable, os.path.abspath(__file__), "--ratio", lib.__name__]

    def run():
        out = subprocess.run(cmd, cwd=os.path.dirname(os.path.abspath(__file__)), capture_output=True,
                             text=True, check=True).stdout
        return float(out.split()[-1])
    return run


workload("DataLoader 2-worker / 0-worker epoch time, own process (a ratio, not seconds)",
         target="ratio < 1 (issue 9)", check=lambda t: t["numtorch"] < 1, self_timed=True,
         max_repeat=3)(_own_process_ratio)


@workload("DataLoader TensorDataset(1024x32) shuffled epoch, batch 64", target="report ratio")
def tensor_epoch(lib):
    g = lib.Generator()
    g.manual_seed(0)
    data = lib.utils.data.TensorDataset(lib.randn(1024, 32, generator=g), lib.arange(1024))
    loader = lib.utils.data.DataLoader(data, batch_size=64, shuffle=True, generator=g)
    return lambda: list(loader)


def _cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def worker_speedup(lib, repeat=5):
    """Median wall time of 2-worker and 0-worker epochs, and the CPU seconds (workers included) of each."""
    runs = {n: _epoch(n)(lib) for n in (0, 2)}
    wall = {0: [], 2: []}
    cpu = {0: 0.0, 2: 0.0}
    for _ in range(repeat):
        for n, fn in runs.items():
            start, start_cpu = time.perf_counter(), _cpu_seconds()
            fn()
            wall[n].append(time.perf_counter() - start)
            cpu[n] += (_cpu_seconds() - start_cpu) / repeat
    med = {n: sorted(t)[len(t) // 2] for n, t in wall.items()}
    return med, cpu


if __name__ == "__main__":
    import importlib
    if sys.argv[1:2] == ["--ratio"]:
        med, _ = worker_speedup(importlib.import_module(sys.argv[2]))
        print(med[2] / med[0])
        sys.exit()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name in ("torch", "numtorch"):
        try:
            lib = importlib.import_module(name)
        except ImportError:
            continue
        med, cpu = worker_speedup(lib)
        print(f"{name}: epoch wall 0 workers {med[0] * 1e3:.0f} ms, 2 workers {med[2] * 1e3:.0f} ms "
              f"(ratio {med[2] / med[0]:.2f}); CPU {cpu[0] * 1e3:.0f} ms vs {cpu[2] * 1e3:.0f} ms")
