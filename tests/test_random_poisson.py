"""torch.poisson: torch's CPU sampler (product method below rate 10, PTRS from 10), bit for bit."""
import numpy as np
import pytest

import numtorch
from conftest import need_torch, to_np
from test_random import SEEDS, _raises, _seeded

RATES = np.concatenate([np.linspace(0, 30, 121), [0, 1e-3, 9.999, 10, 10.0001, 1e3, 1e5, 1e7, np.inf]])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_poisson_rates(seed, dtype):
    # The trailing rand() shows the generator consumed exactly torch's number of words.
    _seeded(seed, lambda m: (m.poisson(m.tensor(RATES, dtype=getattr(m, dtype))), m.rand(5, dtype=m.float64)))


@pytest.mark.parametrize("fn", [
    lambda m: m.poisson(m.full((4, 50), 3.5)),
    lambda m: m.poisson(m.linspace(0, 40, 60).reshape(6, 10).t()),
    lambda m: m.poisson(m.tensor(12.5)),
    lambda m: m.poisson(m.zeros(0, 3)),
    lambda m: (m.poisson(m.ones(3) * 5), m.randn(3), m.poisson(m.ones(17) * 50), m.randn(3)),
    lambda m: m.poisson(m.arange(20.).expand(3, 20)),
], ids=["constant", "transposed", "0-d", "empty", "interleaved", "expanded"])
def test_poisson_layouts(fn):
    for seed in SEEDS[:2]:
        _seeded(seed, fn)


def test_poisson_generator_argument():
    torch = need_torch()
    outs = []
    for lib in (torch, numtorch):
        lib.manual_seed(1)
        g = lib.Generator().manual_seed(5)
        rates = lib.linspace(0, 25, 40)
        outs.append((lib.poisson(rates, generator=g), lib.poisson(rates, g), lib.rand(4)))
    for n, t in zip(outs[1], outs[0]):
        np.testing.assert_array_equal(to_np(n), to_np(t))


def test_poisson_grad():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        x = lib.tensor([0.5, 20.0], requires_grad=True)
        y = lib.poisson(x)
        y.backward(lib.ones(2))
        res.append((type(y.grad_fn).__name__ if lib is torch else y.grad_fn.name(), to_np(x.grad)))
    assert res[0][0] == res[1][0]
    np.testing.assert_array_equal(res[0][1], res[1][1])


@pytest.mark.parametrize("fn", [
    lambda m: m.poisson(m.tensor([1, 2])), lambda m: m.poisson(m.tensor([-1.0])),
    lambda m: m.poisson(m.tensor([float("nan")])), lambda m: m.poisson([1.0]),
])
def test_poisson_errors(fn):
    _raises(fn)


BIN_N = np.concatenate([np.random.default_rng(0).integers(0, 200, 120), [0, 5, 1000, 1e5, 50, 33]])
BIN_P = np.concatenate([np.random.default_rng(1).uniform(0, 1, 120), [0.5, 1.0, 0.01, 0.7, 0.9, 0.3]])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binomial(seed, dtype):
    # Inversion below a mean of 10, BTRS above, on p or 1 - p; torch's float32 roundings reproduced.
    _seeded(seed, lambda m: (m.binomial(m.tensor(BIN_N, dtype=getattr(m, dtype)),
                                        m.tensor(BIN_P, dtype=getattr(m, dtype))),
                             m.rand(4, dtype=m.float64)))


def test_binomial_shapes_and_generator():
    _seeded(3, lambda m: (m.binomial(m.full((3, 4), 30.0), m.tensor(0.25)),
                          m.binomial(m.tensor([5.0, 10, 20]), m.tensor([float("nan"), 2.0, -1.0])),
                          m.binomial(m.full((2, 3), 12.0).t(), m.full((3, 2), 0.6)),
                          m.binomial(m.ones(0), m.ones(0)),
                          m.binomial(m.full((5,), 40.0), m.full((5,), 0.5),
                                     generator=m.Generator().manual_seed(9))))


@pytest.mark.parametrize("fn", [
    lambda m: m.binomial(m.ones(3), m.ones(3, dtype=m.float64)),
    lambda m: m.binomial(m.ones(3, dtype=m.int64), m.ones(3)),
    lambda m: m.binomial(m.ones(3, dtype=m.float16), m.ones(3, dtype=m.float16)),
])
def test_binomial_errors(fn):
    _raises(fn)
