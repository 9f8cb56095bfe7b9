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


PROBE = """
    import sys
    import torch
    import torch.autograd
    from torch import autograd as ag
    import numtorch
    print(torch is numtorch, torch.autograd is numtorch.autograd, ag is numtorch.autograd)
    print(sys.argv[1:], __name__, sys.path[0] == {here!r})
    print(torch.tensor([1.5, 2.0]) * 2)
    try:
        import torch.no_such_module
    except ModuleNotFoundError as e:
        print(type(e).__name__)
"""


def test_runner_aliases_torch(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(PROBE.format(here=str(tmp_path))))
    rc, out, err = run("-m", "numtorch", "run", str(script), "a", "--b")
    assert rc == 0, err
    assert out.splitlines() == ["True True True", "['a', '--b'] __main__ True", "tensor([3., 4.])",
                                "ModuleNotFoundError"]


def test_runner_propagates_script_errors(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("import torch\nraise SystemExit(torch.tensor(3).item())\n")
    assert run("-m", "numtorch", "run", str(script))[0] == 3


@pytest.mark.parametrize("argv", [(), ("run",), ("walk", "x.py"), ("run", "does_not_exist.py")])
def test_runner_usage_errors(argv, capsys):
    from numtorch.__main__ import main
    assert main(list(argv)) == 2
    assert capsys.readouterr().err


def test_bench_harness_runs():  # the harness works; timings are never asserted
    bench = os.path.join("bench", "run.py")
    rc, out, err = run(bench, "--lib", "numtorch", "--filter", "add", "--repeat", "1")
    assert rc == 0, err
    assert out.splitlines()[0].split()[:2] == ["workload", "numtorch"]
    assert "add 100 float32" in out
