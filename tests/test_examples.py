"""The examples: under ``python -m numtorch run`` in fresh subprocesses and, where they need nothing but
torch, under real torch in this process (the oracle) — seeded, so both must print the same numbers."""
import contextlib
import io
import os
import re
import runpy
import subprocess
import sys

import numpy as np
import pytest

from conftest import need_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
NUMBER = re.compile(r"-?\d+\.\d+")


def env(runs):
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [e.get("PYTHONPATH")])])
    e["NUMTORCH_RUNS"] = str(runs)
    # One BLAS thread per process: with pytest -n 2 on two cores, OpenBLAS threads in both workers
    # oversubscribe the machine and its spin-waits make LeNet's small GEMMs tens of times slower.
    # Results do not depend on it (threads split the output, not the sums).
    e.setdefault("OPENBLAS_NUM_THREADS", "1")
    return e


def run(*args, runs, cwd=ROOT):
    res = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                         env=env(runs))
    return res.returncode, res.stdout, res.stderr


def under_numtorch(name, *args, runs):
    rc, out, err = run("-m", "numtorch", "run", os.path.join(EXAMPLES, name), *args, runs=runs)
    assert rc == 0, err
    return out


def under_torch(name, *args, runs, monkeypatch):
    """Run the example in this process, where ``import torch`` is real torch; returns what it printed."""
    torch = need_torch()
    # One intra-op thread, for the reason env() gives OpenBLAS one: tiny ops, a busy machine.
    threads = torch.get_num_threads()
    monkeypatch.setattr(sys, "argv", [name, *args])
    monkeypatch.setattr(sys, "path", [EXAMPLES, *sys.path])
    monkeypatch.setenv("NUMTORCH_RUNS", str(runs))
    monkeypatch.delitem(sys.modules, "digits_data", raising=False)
    out = io.StringIO()
    torch.set_num_threads(1)
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
    sys.modules.pop("digits_data", None)
    return out.getvalue()


def numbers(text):
    return [[float(v) for v in NUMBER.findall(line)] for line in text.splitlines()]


def assert_same_numbers(got, want):
    """The same lines with the same numbers; the printed digits may differ by float32 rounding only."""
    got, want = numbers(got), numbers(want)
    assert [len(line) for line in got] == [len(line) for line in want]
    np.testing.assert_allclose(sum(got, []), sum(want, []), rtol=1e-3, atol=2e-4)


def epochs(out, pattern):
    return [m.groups() for m in re.finditer(pattern, out)]


# ------------------------------------------------------------------------------------ linear regression

@pytest.fixture(scope="module")
def linear_regression_numtorch(tmp_path_factory):
    return under_numtorch("linear_regression.py", "--steps", "300", "--every", "50",
                          runs=tmp_path_factory.mktemp("runs"))


def test_linear_regression_converges(linear_regression_numtorch):
    out = linear_regression_numtorch
    losses = [float(v) for v in re.findall(r"loss ([0-9.]+)", out)]
    w, b = map(float, re.search(r"fitted w = (-?[0-9.]+), b = (-?[0-9.]+)", out).groups())
    assert len(losses) == 7 and losses[-1] < losses[0] / 100
    assert all(later <= earlier for earlier, later in zip(losses, losses[1:]))
    assert abs(w - 2) < 0.05 and abs(b - 3) < 0.05


def test_linear_regression_same_under_torch(linear_regression_numtorch, tmp_path, monkeypatch):
    want = under_torch("linear_regression.py", "--steps", "300", "--every", "50", runs=tmp_path,
                       monkeypatch=monkeypatch)
    assert_same_numbers(linear_regression_numtorch, want)


# ------------------------------------------------------------------------------------------------- MLP

def test_mlp_same_under_torch(tmp_path, monkeypatch):
    got = under_numtorch("mlp.py", "--epochs", "3", runs=tmp_path)
    want = under_torch("mlp.py", "--epochs", "3", runs=tmp_path, monkeypatch=monkeypatch)
    assert_same_numbers(got, want)
    accuracy = epochs(got, r"epoch +(\d+) .* test accuracy ([0-9.]+)%")
    assert [int(e) for e, _ in accuracy] == [1, 2, 3]
    assert float(accuracy[-1][1]) > 90


# ----------------------------------------------------------------------------------------- autoencoder

def test_autoencoder_same_under_torch_and_picture(tmp_path, monkeypatch):
    from PIL import Image

    got = under_numtorch("autoencoder.py", "--epochs", "2", runs=tmp_path / "n")
    want = under_torch("autoencoder.py", "--epochs", "2", runs=tmp_path / "t", monkeypatch=monkeypatch)
    mse = [float(m) for _, m in epochs(got, r"epoch +(\d+) .* test mse ([0-9.]+)")]
    assert len(mse) == 2 and mse[1] < mse[0]
    picture = tmp_path / "n" / "autoencoder" / "reconstructions.png"  # $NUMTORCH_RUNS/<example>
    assert f"wrote {picture}" in got
    with Image.open(picture) as im:
        assert im.format == "PNG" and im.size == (16 * 34 + 2, 2 * 34 + 2)
    # Real torch writes the picture only where torchvision is installed; the numbers must agree anyway.
    assert_same_numbers(epoch_lines(got), epoch_lines(want))


def epoch_lines(text):
    return "\n".join(line for line in text.splitlines() if line.startswith("epoch"))


# ---------------------------------------------------------------------------------- the demo: LeNet

def lenet_logits(F, state, x):
    """The seeds' LeNet written with torch's functional ops, for checking the demo's checkpoint."""
    for i in (0, 3):
        x = F.conv2d(x, state[f"conv_block.{i}.weight"], state[f"conv_block.{i}.bias"])
        x = F.max_pool2d(F.relu(x), 2)
    x = x.flatten(1)
    for i in (0, 2, 4):
        x = F.linear(x, state[f"classifier.{i}.weight"], state[f"classifier.{i}.bias"])
        x = F.relu(x) if i < 4 else x
    return x


def digits_test_set_for_torch(torch):
    """The demo's test inputs made with torch alone, as torchvision's Resize(32) (bilinear, rounded back
    to uint8), ConvertImageDtype and Normalize((0.5,), (0.5,)) compute them."""
    from numtorch.vision.datasets import Digits

    ds = Digits(train=False)
    images = torch.from_numpy(ds.data.numpy()).unsqueeze(1).float()
    images = torch.nn.functional.interpolate(images, size=(32, 32), mode="bilinear", align_corners=False,
                                             antialias=True).round().clamp(0, 255)
    return images.div(255).sub(0.5).div(0.5), torch.from_numpy(ds.targets.numpy())


def test_train_digits_demo(tmp_path):
    torch = need_torch()
    from PIL import Image

    out = under_numtorch("train_digits.py", "--epochs", "3", "--out", str(tmp_path), runs=tmp_path / "unused")
    per_epoch = epochs(out, r"epoch +(\d+)/3  loss ([0-9.]+)  test accuracy ([0-9.]+)%")
    assert [int(e) for e, _, _ in per_epoch] == [1, 2, 3]
    assert float(per_epoch[2][1]) < float(per_epoch[1][1]) < float(per_epoch[0][1])
    accuracy = float(per_epoch[-1][2])
    assert accuracy >= 95.0  # the README's promise (5 epochs by default), kept by the third
    assert f"final test accuracy {accuracy:.2f}%" in out
    assert not (tmp_path / "unused").exists()

    # The checkpoint is a torch file: real torch loads it and, running the seeds' LeNet on the test
    # digits, gets the accuracy the demo printed.
    state = torch.load(tmp_path / "lenet_digits.pt", weights_only=True)
    shapes = {"conv_block.0.weight": (16, 1, 5, 5), "conv_block.0.bias": (16,),
              "conv_block.3.weight": (32, 16, 5, 5), "conv_block.3.bias": (32,),
              "classifier.0.weight": (120, 800), "classifier.0.bias": (120,),
              "classifier.2.weight": (84, 120), "classifier.2.bias": (84,),
              "classifier.4.weight": (10, 84), "classifier.4.bias": (10,)}
    assert {k: tuple(v.shape) for k, v in state.items()} == shapes
    assert all(v.dtype == torch.float32 for v in state.values())
    x, y = digits_test_set_for_torch(torch)
    with torch.no_grad():
        torch_accuracy = (lenet_logits(torch.nn.functional, state, x).argmax(1) == y).float().mean().item()
    assert abs(100 * torch_accuracy - accuracy) <= 100 / len(y) + 0.005

    with Image.open(tmp_path / "predictions.png") as im:
        assert im.format == "PNG" and im.mode == "RGB" and im.size == ((12 * 34 + 2) * 3, (4 * 34 + 2) * 3)
    have_matplotlib = run("-c", "import matplotlib", runs=tmp_path)[0] == 0
    assert (tmp_path / "loss_curve.png").exists() == have_matplotlib
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


def test_train_digits_arguments(tmp_path):
    rc, out, err = run("-m", "numtorch", "run", os.path.join(EXAMPLES, "train_digits.py"), "--epochs", "1",
                       "--train-size", "64", "--no-progress", runs=tmp_path)
    assert rc == 0, err
    assert "64 training and 360 test digits" in out
    assert os.path.exists(tmp_path / "train_digits" / "lenet_digits.pt")
    rc, out, err = run("-m", "numtorch", "run", os.path.join(EXAMPLES, "train_digits.py"), "--epochs", "x",
                       runs=tmp_path)
    assert rc == 2 and "invalid int value: 'x'" in err and out == ""


# ------------------------------------------------------------------------- the seeds' CIFAR-10 case

SEED_LINE = re.compile(r"^\[(\d+), +(\d+)\] train_loss: (\d+\.\d{3})  test_accuracy: (\d\.\d{3})$")


def test_lenet_cifar10_seed_case(tmp_path):
    torch = need_torch()
    from make_vision_model_fixtures import build_cifar

    build_cifar(tmp_path)  # a tiny CIFAR-10 in the official pickle layout (10 training images)
    script = os.path.join(EXAMPLES, "lenet_cifar10.py")
    args = ["--root", str(tmp_path), "--print-every", "1", "--out", str(tmp_path)]
    rc, out, err = run("-m", "numtorch", "run", script, "--epochs", "2", *args, runs=tmp_path)
    assert rc == 0, err
    lines = out.splitlines()
    assert [SEED_LINE.match(line).groups()[:2] for line in lines[:-1]] == [("1", "1"), ("2", "1")]
    assert lines[-1] == "Finished Training"
    state = torch.load(tmp_path / "Lenet.pth", weights_only=True)
    assert tuple(state["conv_block.0.weight"].shape) == (16, 3, 5, 5)
    assert tuple(state["classifier.4.weight"].shape) == (10, 84)
    rc, out, err = run("-m", "numtorch", "run", script, "--epochs", "1", *args, runs=tmp_path)
    assert rc == 0, err
    assert out.splitlines()[0] == "loaded the saved model" and SEED_LINE.match(out.splitlines()[1])


def test_bench_harness_runs(tmp_path):  # the harness works; timings are never asserted
    bench = os.path.join("bench", "run.py")
    rc, out, err = run(bench, "--lib", "numtorch", "--filter", "add", "--repeat", "1", runs=tmp_path)
    assert rc == 0, err
    assert out.splitlines()[0].split()[:2] == ["workload", "numtorch"]
    assert "add 100 float32" in out
