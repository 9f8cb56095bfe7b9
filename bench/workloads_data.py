"""DataLoader (issue 9): one epoch over a dataset whose __getitem__ costs about 1 ms of NumPy work,
loaded in the main process and by 2 worker processes.

Run directly (``python bench/workloads_data.py``) to print each library's 2-worker / 0-worker epoch
time ratio; on a quiet 2-core machine it should be well below 1. Times are wall-clock (the work happens
in other processes), so they are noisy while the machine is shared.
"""
import time

import numpy as np

from harness import workload

ITEMS = 256
BATCH = 8


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


@workload("DataLoader TensorDataset(1024x32) shuffled epoch, batch 64", target="report ratio")
def tensor_epoch(lib):
    g = lib.Generator()
    g.manual_seed(0)
    data = lib.utils.data.TensorDataset(lib.randn(1024, 32, generator=g), lib.arange(1024))
    loader = lib.utils.data.DataLoader(data, batch_size=64, shuffle=True, generator=g)
    return lambda: list(loader)


def worker_speedup(lib, repeat=5):
    """Median wall time of a 2-worker epoch divided by that of a 0-worker epoch."""
    runs = {n: _epoch(n)(lib) for n in (0, 2)}
    times = {0: [], 2: []}
    for _ in range(repeat):
        for n, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[n].append(time.perf_counter() - start)
    med = {n: sorted(t)[len(t) // 2] for n, t in times.items()}
    return med[2] / med[0], med


if __name__ == "__main__":
    import importlib
    for name in ("torch", "numtorch"):
        try:
            lib = importlib.import_module(name)
        except ImportError:
            continue
        ratio, med = worker_speedup(lib)
        print(f"{name}: 0 workers {med[0] * 1e3:.1f} ms, 2 workers {med[2] * 1e3:.1f} ms, ratio {ratio:.2f}")
