"""Kernels that split their work over two threads (numtorch/_ops/_parallel.py) give the same results as
torch, with the split forced on small inputs and with one thread."""
import numpy as np
import pytest

import numtorch
from conftest import check, rand


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def split_everything(request, monkeypatch):
    from numtorch._ops import _parallel
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    before = numtorch.get_num_threads()
    numtorch.set_num_threads(request.param)
    yield
    numtorch.set_num_threads(before)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5, 3, 4, 6), (2, 4, 7), (3, 2)])
def test_batch_norm_train_and_eval(split_everything, dtype, shape):
    x = rand(*shape, dtype=dtype)
    c = shape[1]
    w, b = rand(c, dtype=dtype, seed=1), rand(c, dtype=dtype, seed=2)
    rm, rv = rand(c, dtype=dtype, seed=3), np.abs(rand(c, dtype=dtype, seed=4)) + 0.5
    tol = dict(atol=1e-5, rtol=1e-4) if dtype == "float32" else {}
    check(lambda m, x, w, b: m.nn.functional.batch_norm(x, None, None, w, b, training=True), x, w, b, **tol)
    check(lambda m, x, w, b: m.nn.functional.batch_norm(x, m.tensor(rm), m.tensor(rv), w, b), x, w, b, **tol)
    check(lambda m, x: m.nn.functional.batch_norm(x, None, None, training=True), x, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_and_add(split_everything, dtype):
    x = rand(6, 3, 5, dtype=dtype)
    x[0, 0, :2] = [np.nan, -0.0]
    y = rand(6, 3, 5, dtype=dtype, seed=1)
    check(lambda m, x, y: m.relu(x + y) + x, x, y)
    check(lambda m, x: m.relu(x[:, ::2]), x)
