"""interpolate's linear/cubic modes give torch's float32/float64 results bit for bit."""
import numpy as np
import pytest

import numtorch
from conftest import check, need_torch, rand
from test_exact_sum import assert_exact

CASES = [((7,), {"size": 13}), ((9,), {"size": 4}), ((13,), {"scale_factor": 1.7}),
         ((13,), {"scale_factor": 2.3, "recompute_scale_factor": True}), ((50,), {"size": 90}),
         ((61,), {"scale_factor": 0.77}), ((5,), {"size": 5}), ((6,), {"scale_factor": 1.0}),
         ((3,), {"size": 1}), ((1,), {"size": 4})]
MODES = [("linear", 1), ("bilinear", 2), ("bicubic", 2), ("trilinear", 3)]


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("mode,n", MODES)
@pytest.mark.parametrize("shape,kw", CASES)
def test_interpolate_exact(shape, kw, mode, n, align, dtype):
    spatial = shape * n if n < 3 else tuple(max(1, v // 3) for v in shape * n)
    x = rand(2, 3, *spatial, dtype=dtype, low=-3, high=3)
    assert_exact(lambda m, t: F(m).interpolate(t, mode=mode, align_corners=align, **kw), x)


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("threads", [1, 2])
def test_bilinear_kernel_switch(channels, threads):
    """Large outputs take torch's generic kernel unless single-threaded with 3 channels."""
    x = rand(1, channels, 40, 50, low=-3, high=3)
    before = numtorch.get_num_threads(), need_torch().get_num_threads()
    try:
        numtorch.set_num_threads(threads)
        need_torch().set_num_threads(threads)
        assert_exact(lambda m, t: F(m).interpolate(t, size=(77, 91), mode="bilinear"), x)
        assert_exact(lambda m, t: F(m).interpolate(t, size=(60, 68), mode="bilinear"), x)
    finally:
        numtorch.set_num_threads(before[0])
        need_torch().set_num_threads(before[1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("channels", [5, 8, 15, 16, 20])
@pytest.mark.parametrize("last", [False, True])
def test_bilinear_vector_channels(channels, dtype, last):
    """torch's channels-last kernel (small outputs, or channels-last inputs) sums the channels that fill
    whole 32-byte vectors in another nesting than its scalar tail: both equal bit for bit."""
    x = rand(2, channels, 12, 12, low=-3, high=3, dtype=dtype)

    def run(m, t):
        t = t.contiguous(memory_format=m.channels_last) if last else t
        return F(m).interpolate(t, scale_factor=1.7, mode="bilinear")
    assert_exact(run, x)
    assert_exact(lambda m, t: F(m).interpolate(t, size=(9, 20), mode="bilinear", align_corners=True), x)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("mode,shape,size,align", [("linear", (2, 3, 13), (21,), False),
                                                   ("linear", (2, 3, 13), (5,), True),
                                                   ("bilinear", (2, 3, 12, 12), (20, 20), False),
                                                   ("bilinear", (2, 16, 12, 12), (7, 9), True),
                                                   ("bilinear", (2, 3, 40, 40), (70, 90), False),
                                                   ("bilinear", (1, 2, 9, 9), (9, 9), False),
                                                   ("trilinear", (2, 2, 5, 6, 7), (9, 4, 11), False)])
def test_linear_gradient_bits(mode, shape, size, align, dtype):
    """torch's derivative adds each tap's weight product times the gradient into a running sum, fused,
    output by output (16-bit gradients summed in float32): input gradients equal bit for bit."""
    x = np.random.default_rng(len(shape)).standard_normal(shape).astype(np.float32)

    def grad(lib):
        t = lib.tensor(x).to(getattr(lib, dtype)).requires_grad_()
        out = F(lib).interpolate(t, size=size, mode=mode, align_corners=align)
        g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
        out.backward(lib.tensor(g).to(out.dtype))
        return t.grad.double().numpy().view(np.int64)
    assert np.array_equal(grad(numtorch), grad(need_torch()))


def test_channels_last_input():
    x = rand(1, 50, 60, 4, low=-3, high=3)
    assert_exact(lambda m, t: F(m).interpolate(t.permute(0, 3, 1, 2), size=(77, 91), mode="bilinear"), x)


@pytest.mark.parametrize("size", [(5, 6), (9, 6), (9, 11), (70, 6), (70, 80)])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_non_finite(mode, size):
    x = rand(1, 2, 5, 6)
    x[0, 0, 2, 3] = np.inf
    x[0, 1, 1, 1] = np.nan
    assert_exact(lambda m, t: F(m).interpolate(t, size=size, mode=mode), x)


@pytest.mark.parametrize("mode,n", MODES)
def test_gradients(mode, n):
    x = rand(1, 2, *(4,) * n, dtype="float64")
    check(lambda m, t: F(m).interpolate(t, scale_factor=1.6, mode=mode, align_corners=False), x)
    check(lambda m, t: F(m).interpolate(t, size=(3,) * n, mode=mode, align_corners=True), x)


def test_fma_is_correctly_rounded():
    from fractions import Fraction

    from numtorch._ops._interp import fma
    rng = np.random.default_rng(0)
    a = rng.standard_normal(2000)
    b = rng.standard_normal(2000) * 2.0 ** rng.integers(-20, 20, 2000)
    c = -(a * b) * (1 + rng.standard_normal(2000) * 1e-9)
    want = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    np.testing.assert_array_equal(fma(a, b, c), np.array(want))
