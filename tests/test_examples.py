"""The demo and the ``python -m numtorch run`` runner, in fresh subprocesses."""
import functools
import importlib.util
import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "examples", "linear_regression.py")
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def run(*args, cwd=ROOT):
    res = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return res.returncode, res.stdout, res.stderr


def parse_demo(stdout):
    losses = [float(v) for v in re.findall(r"loss ([0-9.]+)", stdout)]
    w, b = re.search(r"fitted w = (-?[0-9.]+), b = (-?[0-9.]+)", stdout).groups()
    return losses, float(w), float(b)


def demo_result(*runner, args=()):
    rc, out, err = run(*runner, DEMO, *args)
    assert rc == 0, err
    return parse_demo(out)


@functools.lru_cache(maxsize=None)
def numtorch_demo():
    return demo_result("-m", "numtorch", "run")


def assert_converged(losses, w, b):
    assert len(losses) >= 5
    assert losses[-1] < losses[0] / 100
    assert all(later <= earlier + 1e-6 for earlier, later in zip(losses, losses[1:]))
    assert abs(w - 2) < 0.05 and abs(b - 3) < 0.05


def test_demo_under_numtorch():
    assert_converged(*numtorch_demo())


@pytest.mark.skipif(not HAVE_TORCH, reason="real torch is not installed")
def test_demo_under_torch_converges_alike():
    losses_n, w_n, b_n = numtorch_demo()
    losses_t, w_t, b_t = demo_result()
    assert_converged(losses_t, w_t, b_t)
    assert len(losses_n) == len(losses_t)
    assert abs(w_n - w_t) < 0.05 and abs(b_n - b_t) < 0.05
    assert abs(losses_n[-1] - losses_t[-1]) < 0.01


def test_demo_arguments_pass_through():
    losses, _, _ = demo_result("-m", "numtorch", "run", args=("--steps", "30", "--every", "10"))
    assert len(losses) == 4


def test_bench_harness_runs():  # the harness works; timings are never asserted
    bench = os.path.join("bench", "run.py")
    rc, out, err = run(bench, "--lib", "numtorch", "--filter", "add", "--repeat", "1")
    assert rc == 0, err
    assert out.splitlines()[0].split()[:2] == ["workload", "numtorch"]
    assert "add 100 float32" in out
