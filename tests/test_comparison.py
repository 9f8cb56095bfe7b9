"""isclose / allclose / equal against torch."""
import numpy as np
import pytest

from conftest import check, need_torch, run_both

VALS = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 0.0, 1e-9, 1e10], dtype=np.float64)
NEAR = np.array([1.0, 2.0000001, np.nan, np.inf, np.inf, 1e-9, 0.0, 1.00001e10], dtype=np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("kw", [{}, {"equal_nan": True}, {"rtol": 0, "atol": 0}, {"rtol": 0.1, "atol": 1e-3}])
def test_isclose(dtype, kw):
    check(lambda m, a, b: m.isclose(a, b, **kw), VALS.astype(dtype), NEAR.astype(dtype), grad=False)
    check(lambda m, a, b: a.isclose(b, **kw), VALS.astype(dtype), NEAR.astype(dtype), grad=False)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_isclose_integer(dtype):
    a = np.array([1, 2, 3, 0]).astype(dtype)
    b = np.array([1, 3, 3, 1]).astype(dtype)
    check(lambda m, x, y: m.isclose(x, y), a, b, grad=False)
    check(lambda m, x, y: m.isclose(x, y, atol=1), a, b, grad=False)


@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((), (4,)), ((0, 2), (2,)), ((2, 1), (1, 3))])
def test_isclose_broadcast(shapes):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, shapes[0]).astype(np.float32)
    b = rng.uniform(-1, 1, shapes[1]).astype(np.float32)
    check(lambda m, x, y: m.isclose(x, y, atol=0.5), a, b, grad=False)
    check(lambda m, x, y: m.allclose(x, y, atol=0.5), a, b, grad=False)


def test_isclose_errors():
    for fn in (lambda m, a, b: m.isclose(a, b.double()), lambda m, a, b: m.isclose(a, b, rtol=-1),
               lambda m, a, b: m.isclose(a, b, atol=-1), lambda m, a, b: m.allclose(a, b[:1, :2])):
        check(fn, VALS[:4].astype(np.float32).reshape(2, 2), NEAR[:4].astype(np.float32).reshape(2, 2),
              grad=False)


@pytest.mark.parametrize("case", ["same", "other_dtype", "other_shape", "nan", "noncontig", "empty", "scalar"])
def test_equal_and_allclose(case):
    a = np.arange(6.0).reshape(2, 3).astype(np.float32)
    fns = {
        "same": lambda m, x: (m.equal(x, x.clone()), x.equal(x + 0), m.allclose(x, x + 1e-7)),
        "other_dtype": lambda m, x: (m.equal(x, x.double()), m.equal(x, x.long())),
        "other_shape": lambda m, x: (m.equal(x, x[:1]), m.equal(x, x.t())),
        "nan": lambda m, x: (m.equal(x / 0 * 0, x / 0 * 0), m.allclose(x / 0 * 0, x / 0 * 0, equal_nan=True)),
        "noncontig": lambda m, x: (m.equal(x.t(), x.t().contiguous()), m.allclose(x.t(), x.t().contiguous())),
        "empty": lambda m, x: (m.equal(x[:0], x[:0]), m.allclose(x[:0], x[:0])),
        "scalar": lambda m, x: (m.equal(x[0, 0], x[0, 0]), m.allclose(x.sum(), x.sum() + 1)),
    }
    check(fns[case], a, grad=False)


def test_equal_needs_tensor():
    need_torch()
    res = run_both(lambda m, x: m.equal(x, 1), np.ones(2, np.float32))
    assert type(res["numtorch"][3]) is type(res["torch"][3]) is TypeError
