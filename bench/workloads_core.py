"""Core overhead workloads: one small op, a small autograd graph, tensor creation, import time."""
import os
import subprocess
import sys

import numpy as np

from harness import workload

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def small(lib, seed, requires_grad=False):
    data = np.random.default_rng(seed).uniform(-1, 1, 100).astype(np.float32)
    return lib.tensor(data, requires_grad=requires_grad)


@workload("add 100 float32", target="ratio <= 1.2", check=lambda t: t["numtorch"] <= 1.2 * t["torch"])
def add_small(lib):
    a, b = small(lib, 0), small(lib, 1)
    return lambda: a + b


@workload("chain 50 ops + backward", target="ratio <= 2.0",
          check=lambda t: t["numtorch"] <= 2.0 * t["torch"])
def chain_backward(lib):
    x = small(lib, 0, requires_grad=True)
    w = small(lib, 1) * 0.5

    def step():
        y = x
        for _ in range(12):
            y = (y * w + x).tanh().exp()
        (y * w).sum().backward()
        x.grad = None
    return step


def overhead_under_1us(t):
    return t["numtorch"] - t["torch"] < 1e-6


@workload("from_numpy", target="numtorch-torch < 1 us", check=overhead_under_1us)
def from_numpy(lib):
    arr = np.ones(100, dtype=np.float32)
    return lambda: lib.from_numpy(arr)


@workload("as_tensor", target="numtorch-torch < 1 us", check=overhead_under_1us)
def as_tensor(lib):
    arr = np.ones(100, dtype=np.float32)
    return lambda: lib.as_tensor(arr)


IMPORT_PROBE = "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"


@workload("import (fresh process)", target="numtorch < 0.5 s", check=lambda t: t["numtorch"] < 0.5,
          self_timed=True, max_repeat=5)
def import_time(lib):
    cmd = [sys.executable, "-c", IMPORT_PROBE.format(lib.__name__)]
    # As after a pip install: bytecode cached (PYTHONDONTWRITEBYTECODE would recompile every module).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, cwd=ROOT, capture_output=True, env=env, check=True)

    def run():
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=True).stdout
        return float(out.split()[-1])
    return run
