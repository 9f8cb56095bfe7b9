"""Checkpoints (issue 8): save and load of a ResNet-18-sized state dict (about 45 MB of float32)."""
import os
import tempfile
from collections import OrderedDict

import numpy as np

from harness import workload

_DIR = tempfile.mkdtemp(prefix="numtorch-bench-ser-")


def _resnet18_shapes():
    shapes = [("conv1.weight", (64, 3, 7, 7))] + _bn("bn1", 64)
    cin = 64
    for layer, width in enumerate((64, 128, 256, 512), 1):
        for block in range(2):
            pre = f"layer{layer}.{block}"
            stride_in = cin if block == 0 else width
            shapes += [(f"{pre}.conv1.weight", (width, stride_in, 3, 3))] + _bn(f"{pre}.bn1", width)
            shapes += [(f"{pre}.conv2.weight", (width, width, 3, 3))] + _bn(f"{pre}.bn2", width)
            if block == 0 and cin != width:
                shapes += [(f"{pre}.downsample.0.weight", (width, cin, 1, 1))]
                shapes += _bn(f"{pre}.downsample.1", width)
        cin = width
    return shapes + [("fc.weight", (1000, 512)), ("fc.bias", (1000,))]


def _bn(prefix, n):
    return [(f"{prefix}.{k}", (n,)) for k in ("weight", "bias", "running_mean", "running_var")] + [
        (f"{prefix}.num_batches_tracked", ())]


def _state_dict(lib):
    rng = np.random.default_rng(0)
    sd = OrderedDict()
    for name, shape in _resnet18_shapes():
        if name.endswith("num_batches_tracked"):
            sd[name] = lib.tensor(0)
        else:
            sd[name] = lib.tensor(rng.standard_normal(shape).astype("float32"))
    return sd


def _ratio(t):
    return t["numtorch"] <= 1.5 * t["torch"]


@workload("save ResNet-18 state dict (45 MB) to a file", target="ratio <= 1.5", check=_ratio, max_repeat=7)
def save_resnet18(lib):
    sd = _state_dict(lib)
    path = os.path.join(_DIR, f"save-{lib.__name__}.pt")
    return lambda: lib.save(sd, path)


def _saved(lib):
    path = os.path.join(_DIR, f"load-{lib.__name__}.pt")
    lib.save(_state_dict(lib), path)
    return path


@workload("load ResNet-18 state dict (45 MB) from a file", target="ratio <= 1.5", check=_ratio, max_repeat=7)
def load_resnet18(lib):
    path = _saved(lib)
    return lambda: lib.load(path)


@workload("load(mmap=True) ResNet-18 state dict (storages untouched)", target="ratio <= 1.5", check=_ratio,
          max_repeat=7)
def load_resnet18_mmap(lib):
    path = _saved(lib)
    return lambda: lib.load(path, mmap=True)
