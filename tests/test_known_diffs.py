"""Fixed differences from torch: complex scalar divisors in div's derivative and the strides that
``*_like`` factories and clone give non-dense (expanded, sliced, permuted) inputs."""
import numpy as np
import pytest

from conftest import check, need_torch


@pytest.mark.parametrize("fn", [
    lambda m, x: x / (2 + 1j),
    lambda m, x: m.div(x, -0.5j),
    lambda m, x: x.div(1 - 3j, rounding_mode=None),
    lambda m, x: (x * 1j) / (0.25 + 2j),
])
def test_div_by_complex_scalar_gradient(fn):
    data = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j], np.complex128)
    check(lambda m, x: fn(m, x).abs().sum(), data)
    check(lambda m, x: fn(m, x).real.sum(), data.real.copy())


LAYOUTS = {
    "expanded-middle": lambda m: m.zeros(3, 1, 4).expand(3, 5, 4),
    "expanded-transposed": lambda m: m.zeros(4, 1).expand(4, 6).t(),
    "expanded-1d": lambda m: m.zeros(1).expand(5),
    "permuted-sliced": lambda m: m.zeros(2, 3, 4).permute(2, 0, 1)[:, :, ::2],
    "permuted": lambda m: m.zeros(2, 3, 4).permute(2, 0, 1),
    "zero-strides": lambda m: m.zeros(6, 5, 4, 3, 2).as_strided((6, 5, 4, 3, 2), (6, 0, 120, 0, 1)),
    "sliced-transposed": lambda m: m.zeros(3, 4, 5)[:, ::2, 1:].transpose(0, 2),
    "step-sliced": lambda m: m.zeros(3, 3)[::2, ::2],
}
LIKES = {
    "empty_like": lambda m, t: m.empty_like(t), "zeros_like": lambda m, t: m.zeros_like(t),
    "ones_like": lambda m, t: m.ones_like(t, dtype=m.float64), "full_like": lambda m, t: m.full_like(t, 2),
    "rand_like": lambda m, t: m.rand_like(t), "randn_like": lambda m, t: m.randn_like(t),
    "randint_like": lambda m, t: m.randint_like(t, 5), "clone": lambda m, t: t.clone(),
}


@pytest.mark.parametrize("like", list(LIKES))
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_like_strides(layout, like):
    torch = need_torch()
    import numtorch
    res = [LIKES[like](m, LAYOUTS[layout](m)) for m in (torch, numtorch)]
    assert res[1].stride() == res[0].stride()
    assert tuple(res[1].shape) == tuple(res[0].shape) and str(res[1].dtype) == str(res[0].dtype)


def test_like_draws_follow_layout():
    torch = need_torch()
    import numtorch
    outs = []
    for m in (torch, numtorch):
        m.manual_seed(3)
        outs.append([m.rand_like(LAYOUTS["permuted-sliced"](m)).numpy(),
                     m.randn_like(LAYOUTS["expanded-middle"](m)).numpy()])
    for n, t in zip(outs[1], outs[0]):
        np.testing.assert_array_equal(n, t)
