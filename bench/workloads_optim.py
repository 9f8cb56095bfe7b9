"""Optimizers (issue 7): ``optimizer.step()`` alone over fixed gradients, Adam and SGD with momentum.

Timed in CPU seconds of the calling thread (``time.thread_time``) with both libraries on one thread: on a
shared two-core machine an idle thread pool (torch's, or the OpenBLAS pool numtorch's fused multiply-adds
run on) spins for a while after the previous workload, which process-wide CPU time would charge to
whichever library runs next.
"""
import gc
import time

import numpy as np

from harness import workload

LENET = [(6, 3, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)]
MLP = [(256, 256), (256,)] * 10
CALLS = 20


def _one_thread(lib):
    """The library's thread count to restore afterwards, after setting it to one."""
    n = lib.get_num_threads()
    lib.set_num_threads(1)
    return n


def _step(shapes, make):
    def setup(lib):
        rng = np.random.default_rng(0)
        params = [lib.tensor(rng.standard_normal(s).astype("float32"), requires_grad=True) for s in shapes]
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(p.shape).astype("float32") * 1e-3)
        opt = make(lib, params)
        opt.step()

        def timed():
            threads = _one_thread(lib)
            enabled = gc.isenabled()
            gc.disable()
            try:
                start = time.thread_time()
                for _ in range(CALLS):
                    opt.step()
                return (time.thread_time() - start) / CALLS
            finally:
                if enabled:
                    gc.enable()
                if threads is not None:
                    lib.set_num_threads(threads)
        return timed
    return setup


def _adam(lib, params):
    return lib.optim.Adam(params, lr=1e-3)


def _sgd(lib, params):
    return lib.optim.SGD(params, lr=1e-2, momentum=0.9)


def _ratio(t):
    return t["numtorch"] <= 1.5 * t["torch"]


for label, shapes in (("LeNet", LENET), ("MLP 10x256", MLP)):
    for name, make in (("Adam", _adam), ("SGD(momentum)", _sgd)):
        workload(f"{name}.step {label}", target="ratio <= 1.5 (CPU time, 1 thread)", check=_ratio,
                 self_timed=True)(_step(shapes, make))
