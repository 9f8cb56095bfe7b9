"""F.gumbel_softmax against the torch oracle: same noise for the same seed, soft and hard samples."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand


def _both(fn, x, seed=3):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
        xs = lib.tensor(x, requires_grad=True)
        out = fn(lib, xs)
        g = lib.autograd.grad(out, xs, lib.tensor(rand(*out.shape, seed=9, dtype=str(x.dtype))))[0]
        res.append((out, g))
    return res


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dim", [-1, 0, 1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gumbel_softmax(hard, dim, dtype):
    (t, tg), (n, ng) = _both(lambda m, x: m.nn.functional.gumbel_softmax(x, tau=0.7, hard=hard, dim=dim),
                             rand(4, 5, 3, dtype=dtype))
    assert_same(n, t, 1e-5, 1e-4)
    assert_same(ng, tg, 1e-5, 1e-4)


def test_gumbel_softmax_eps_warning_and_empty():
    torch = need_torch()
    for lib in (torch, numtorch):
        with pytest.warns(UserWarning, match="eps"):
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-5)
    (t, _), (n, _) = _both(lambda m, x: m.nn.functional.gumbel_softmax(x * 1), rand(0, 4))
    assert_same(n, t)


def test_gumbel_softmax_hard_is_one_hot():
    numtorch.manual_seed(0)
    y = numtorch.nn.functional.gumbel_softmax(numtorch.randn(6, 4), hard=True)
    assert np.array_equal(y.detach().numpy().sum(-1), np.ones(6))


def test_gumbel_softmax_bad_dim():
    torch = need_torch()
    for lib in (torch, numtorch):
        with pytest.raises(IndexError):
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), dim=2)
