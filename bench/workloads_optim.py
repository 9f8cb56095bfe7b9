"""Optimizers (issue 7): ``optimizer.step()`` alone over fixed gradients, Adam and SGD with momentum."""
import numpy as np

from harness import workload

LENET = [(6, 3, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)]
MLP = [(256, 256), (256,)] * 10


def _step(shapes, make):
    def setup(lib):
        rng = np.random.default_rng(0)
        params = [lib.tensor(rng.standard_normal(s).astype("float32"), requires_grad=True) for s in shapes]
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(p.shape).astype("float32") * 1e-3)
        opt = make(lib, params)
        opt.step()
        return opt.step
    return setup


def _adam(lib, params):
    return lib.optim.Adam(params, lr=1e-3)


def _sgd(lib, params):
    return lib.optim.SGD(params, lr=1e-2, momentum=0.9)


def _ratio(t):
    return t["numtorch"] <= 1.5 * t["torch"]


for label, shapes in (("LeNet", LENET), ("MLP 10x256", MLP)):
    workload(f"Adam.step {label}", target="ratio <= 1.5", check=_ratio)(_step(shapes, _adam))
    workload(f"SGD(momentum).step {label}", target="ratio <= 1.5", check=_ratio)(_step(shapes, _sgd))
