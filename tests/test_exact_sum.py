"""sum/mean give torch's CPU results bit for bit (torch's cascade summation order, not NumPy's)."""
import numpy as np
import pytest

import numtorch
from conftest import need_torch, run_both, to_np

SIZES = list(range(1, 70)) + [127, 128, 129, 255, 256, 257, 1000, 4095, 4096, 4097, 5003, 10000, 33001,
                              65536, 70001]
SHAPES = [(3, 17), (5, 100), (7, 1000), (2, 5000), (17, 3), (100, 5), (1000, 7), (300, 70), (40, 33),
          (10, 64), (3, 200, 20), (300, 200), (33, 1001), (1001, 33), (5, 7, 1000), (40, 40, 40),
          (1, 50, 1, 40)]


@pytest.fixture(autouse=True)
def exact_sum():
    # torch's summation order is opt-in (it costs several times NumPy's pairwise sum)
    numtorch._config.set_exact_sum(True)
    yield
    numtorch._config.set_exact_sum(False)


def test_default_is_numpy_order():
    numtorch._config.set_exact_sum(False)
    x = data(1000, "float32", 3)
    assert numtorch.tensor(x).sum().item() == np.float32(x.sum())


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    # a wide spread of magnitudes makes every change of association order visible
    x = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)
    return x.astype(dtype)


def assert_exact(fn, x):
    need_torch()
    res = run_both(fn, x)
    (t, _, _, te), (n, _, _, ne) = res["torch"], res["numtorch"]
    assert te is None and ne is None, (te, ne)
    a, b = to_np(n), to_np(t)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True), f"{int(np.sum(a != b))} of {a.size} differ"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_full_sum_sizes(dtype):
    for n in SIZES:
        x = data(n, dtype, n)
        assert_exact(lambda m, t: t.sum(), x)
        assert_exact(lambda m, t: t[::3].sum(), x)
        assert_exact(lambda m, t: t.mean(), x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dims(shape, dtype):
    x = data(shape, dtype)
    nd = len(shape)
    for d in range(nd):
        assert_exact(lambda m, t: t.sum(d), x)
        assert_exact(lambda m, t: t.mean(d, keepdim=True), x)
        assert_exact(lambda m, t: t.transpose(0, -1).sum(d), x)
        assert_exact(lambda m, t: t[..., ::3].sum(d, keepdim=True), x)
    assert_exact(lambda m, t: t.sum(tuple(range(nd))), x)
    assert_exact(lambda m, t: t.transpose(0, -1)[1:].sum(), x)
    if nd == 3:
        for dims in [(0, 2), (1, 2), (0, 1), (-1, 0)]:
            assert_exact(lambda m, t: t.sum(dims), x)
            assert_exact(lambda m, t: t.permute(2, 0, 1).mean(dims, keepdim=True), x)


def test_dtype_argument():
    x = data((37, 501), "float32")
    assert_exact(lambda m, t: t.sum(dtype=m.float64), x)
    assert_exact(lambda m, t: t.double().sum(1, dtype=m.float32), x)
    assert_exact(lambda m, t: t.mean(0, dtype=m.float64), x)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_reduced_precision(dtype):
    for shape in [(7,), (100,), (1000,), (3, 333), (333, 3), (40, 50)]:
        x = data(shape, "float32")
        for fn in (lambda m, t: t.sum(), lambda m, t: t.sum(0), lambda m, t: t.sum(-1),
                   lambda m, t: t.mean(-1)):
            assert_exact(lambda m, t: fn(m, t.to(getattr(m, dtype))), x)


@pytest.mark.parametrize("threads", [1, 3])
def test_thread_count(threads):
    torch = need_torch()
    before = numtorch.get_num_threads(), torch.get_num_threads()
    try:
        numtorch.set_num_threads(threads)
        torch.set_num_threads(threads)
        for shape in [(100001,), (300, 200), (70, 1000)]:
            x = data(shape, "float32")
            assert_exact(lambda m, t: t.sum(), x)
            assert_exact(lambda m, t: t.sum(0), x)
    finally:
        numtorch.set_num_threads(before[0])
        torch.set_num_threads(before[1])


def test_special_values():
    x = np.array([-0.0] * 20, dtype=np.float32)
    assert_exact(lambda m, t: t.sum(), x)
    y = data(50, "float32")
    y[[3, 30]] = [np.inf, -np.inf]
    assert_exact(lambda m, t: t.sum(), y)
    y[7] = np.nan
    assert_exact(lambda m, t: t.sum(), y)
    assert_exact(lambda m, t: t.sum(), np.zeros((0, 3), dtype=np.float32))
    assert_exact(lambda m, t: t.sum(0), np.zeros((0, 3), dtype=np.float32))
    assert_exact(lambda m, t: t.sum(), np.array(2.5, dtype=np.float32))


def test_gradient_unchanged():
    x = numtorch.tensor(data((4, 20), "float32"), requires_grad=True)
    x.sum(1).mean().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((4, 20), 0.25, dtype=np.float32))


def test_deep_levels():
    """Rows long enough to use all four accumulator levels (more than 16**3 blocks)."""
    assert_exact(lambda m, t: t.sum(0), data((70000, 9), "float32"))
    assert_exact(lambda m, t: t.sum(1), data((2, 300007), "float32"))


NORM_SHAPES = [((64, 96), 1), ((4, 5, 37), 1), ((2, 3, 8, 16), 2), ((16, 768), 1), ((3, 1000), 1), ((2, 7), 1),
               ((5, 1), 1), ((2, 3000), 1)]


@pytest.mark.parametrize("shape,k", NORM_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["none", "weight", "bias", "both"])
def test_layer_norm_exact(shape, k, dtype, affine):
    # torch's row-wise Welford/cascade statistics and its fused affine step: outputs equal bit for bit
    rng = np.random.default_rng(len(shape) * 7 + k)
    x = (rng.standard_normal(shape) * 2 + 0.3).astype(dtype)
    w, b = rng.standard_normal((2,) + shape[-k:]).astype(dtype)

    def run(m, t):
        return m.nn.functional.layer_norm(t, shape[-k:], m.tensor(w) if affine in ("weight", "both") else None,
                                          m.tensor(b) if affine in ("bias", "both") else None)
    assert_exact(run, x)


@pytest.mark.parametrize("shape,groups", [((4, 8, 5, 6), 4), ((2, 16, 12, 12), 4), ((3, 6, 7), 3), ((2, 32, 4, 4), 8),
                                          ((2, 4), 2), ((1, 6, 33), 6)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["none", "weight", "bias", "both"])
def test_group_norm_exact(shape, groups, dtype, affine):
    # the same statistics per (sample, group), 1/std in double, x * scale + (bias - scale * mean) fused
    rng = np.random.default_rng(groups)
    x = (rng.standard_normal(shape) * 2 + 0.3).astype(dtype)
    w, b = rng.standard_normal((2, shape[1])).astype(dtype)

    def run(m, t):
        return m.nn.functional.group_norm(t, groups, m.tensor(w) if affine in ("weight", "both") else None,
                                          m.tensor(b) if affine in ("bias", "both") else None)
    assert_exact(run, x)
