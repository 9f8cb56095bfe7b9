"""Oracle tests for the unary math ops (numtorch/_ops/unary.py) against real torch."""
import math

import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand

INF, NAN = math.inf, math.nan
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 1e-30, 30.0, INF, -INF, NAN])

# name -> (low, high) of a domain where the function and its derivative are finite.
FLOAT_FNS = {
    "exp2": (-3, 3), "expm1": (-3, 3), "log2": (0.1, 3), "log10": (0.1, 3), "log1p": (-0.9, 3),
    "rsqrt": (0.1, 3), "tan": (-1.2, 1.2), "asin": (-0.95, 0.95), "arcsin": (-0.95, 0.95),
    "acos": (-0.95, 0.95), "arccos": (-0.95, 0.95), "atan": (-3, 3), "arctan": (-3, 3), "sinh": (-3, 3),
    "cosh": (-3, 3), "asinh": (-3, 3), "arcsinh": (-3, 3), "acosh": (1.1, 3), "arccosh": (1.1, 3),
    "atanh": (-0.95, 0.95), "arctanh": (-0.95, 0.95), "logit": (0.05, 0.95), "erf": (-3, 3),
    "erfc": (-3, 3), "erfinv": (-0.95, 0.95), "lgamma": (0.1, 6), "digamma": (0.1, 6), "sinc": (-3, 3),
    "deg2rad": (-3, 3), "rad2deg": (-3, 3), "frac": (-3, 3), "reciprocal": (0.2, 3), "square": (-3, 3),
    "nan_to_num": (-3, 3),
}
ZERO_GRAD = ["ceil", "floor", "round", "trunc", "fix", "sign"]
PREDICATES = ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit"]
ALL = list(FLOAT_FNS) + ZERO_GRAD + PREDICATES + ["angle", "sgn", "positive"]
SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4)]


def data(name, shape, dtype="float64", seed=0):
    lo, hi = FLOAT_FNS.get(name, (-3, 3))
    return rand(*shape, dtype=dtype, seed=seed, low=lo, high=hi)


def fn(name):
    return lambda m, x: getattr(m, name)(x)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", list(FLOAT_FNS) + ZERO_GRAD)
def test_float64_values_and_grads(name, shape):
    check(fn(name), data(name, shape), atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("name", list(FLOAT_FNS) + ZERO_GRAD + ["angle"])
def test_float32_method_and_views(name):
    x = data(name, (4, 6), "float32", seed=3)
    check(lambda m, t: getattr(t, name)(), x)
    check(lambda m, t: getattr(m, name)(t.t()), x)
    check(lambda m, t: getattr(m, name)(t[:, ::2]), x)
    check(lambda m, t: getattr(m, name)(t[:1].expand(3, 6)), x)


@pytest.mark.parametrize("dtype,tol", [("float16", 2e-3), ("bfloat16", 1.6e-2)])
@pytest.mark.parametrize("name", list(FLOAT_FNS) + ZERO_GRAD + PREDICATES + ["angle", "sgn"])
def test_half_types(name, dtype, tol):
    x = data(name, (3, 5), "float32", seed=5)
    check(fn(name), x, dtypes=[dtype], grad=False, atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64"])
@pytest.mark.parametrize("name", ALL)
def test_integer_inputs(name, dtype):
    # Integers become the default float dtype, keep their dtype, or raise torch's error type.
    check(fn(name), rand(3, 4, dtype=dtype, seed=7, low=-2, high=3), grad=False)


@pytest.mark.parametrize("name", ALL)
def test_complex_inputs(name):
    x = (rand(6, seed=1) + 1j * rand(6, seed=2)).astype("complex128")
    check(fn(name), x, grad=False, atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("name", ALL)
def test_special_values(name):
    check(fn(name), SPECIAL.copy(), grad=False, atol=1e-9, rtol=1e-9)
    check(fn(name), SPECIAL.astype("float32"), grad=False)


def test_special_functions_wide_range():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-20, 20, 2000), np.exp(rng.uniform(-20, 20, 500)), rng.normal(0, 4, 500),
                        [0.0, -0.0, -1.0, -2.0, 1e-300, -1e20, 1e20, 171.5, INF, -INF, NAN]])
    for name in ["erf", "erfc", "lgamma", "digamma"]:
        check(fn(name), x, grad=False, atol=1e-12, rtol=1e-9)
        # torch's float32 kernels are a little less accurate near the roots of lgamma and digamma.
        check(fn(name), x.astype("float32"), grad=False, atol=1e-6, rtol=3e-6)
    y = np.concatenate([rng.uniform(-1, 1, 2000), 1 - np.exp(rng.uniform(-36, 0, 300)), SPECIAL])
    check(fn("erfinv"), y, grad=False, atol=1e-12, rtol=1e-9)
    check(fn("erfinv"), y.astype("float32"), grad=False, atol=1e-30, rtol=3e-6)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6])
def test_polygamma(n):
    rng = np.random.default_rng(n)
    x = np.concatenate([rng.uniform(-6, 8, 300), [0.0, 1.0, 1e-300, 50.0, 1e20, -INF, NAN, -2.5]])
    check(lambda m, t: m.polygamma(n, t), x, grad=False, atol=1e-12, rtol=1e-8)
    check(lambda m, t: t.polygamma(n), rand(3, 4, dtype="float64", low=0.2, high=4), atol=1e-9, rtol=1e-8)
    check(lambda m, t: t.clone().polygamma_(n), rand(3, dtype="float32", low=0.2, high=4), grad=False)
    check(lambda m, t: m.polygamma(n, t), rand(3, dtype="int64", low=1, high=4), grad=False)


def test_polygamma_errors():
    check_raises(lambda m, t: m.polygamma(-1, t), rand(3))
    check_raises(lambda m, t: m.polygamma(1.5, t), rand(3))
    check_raises(lambda m, t: m.polygamma(1, t), rand(3).astype("complex64"))


@pytest.mark.parametrize("eps", [None, 0.1, 0.25, -1.0, 0.6])
def test_logit_eps(eps):
    x = np.array([-0.5, 0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.5, NAN])
    check(lambda m, t: m.logit(t, eps), x)
    check(lambda m, t: m.logit(t, eps=eps), x.astype("float32"))
    check(lambda m, t: t.logit(eps), x[2:8])


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, -1, -2, 400, -400])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_round_decimals(decimals, dtype):
    x = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 1.15, 2.25, 15.0, 25.0, -35.0, 1234.5678, 0.0, -0.0, INF, NAN])
    dts = [dtype] if dtype == "bfloat16" else None
    x = x.astype("float32" if dts else dtype)
    check(lambda m, t: m.round(t, decimals=decimals), x, dtypes=dts, grad=dts is None)
    check(lambda m, t: t.round(decimals=decimals), x, dtypes=dts, grad=False)
    check(lambda m, t: t.clone().round_(decimals=decimals), x, dtypes=dts, grad=False)


def test_round_integers():
    check(lambda m, t: m.round(t), rand(5, dtype="int64"), grad=False)
    check_raises(lambda m, t: m.round(t, decimals=1), rand(5, dtype="int64"))
    check_raises(lambda m, t: m.round(t), rand(5, dtype="bool"))


@pytest.mark.parametrize("kw", [{}, {"nan": 2.0}, {"posinf": 1e300, "neginf": -7},
                                {"nan": -1, "posinf": 3.5}])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "bool", "complex64"])
def test_nan_to_num(kw, dtype):
    x = np.array([NAN, INF, -INF, 1.5, -0.0, 3.0])
    if dtype == "complex64":
        x = x + 1j * x[::-1]
    dts = [dtype]
    check(lambda m, t: m.nan_to_num(t, **kw), x, dtypes=dts, grad=dtype in ("float32", "float64"))
    check(lambda m, t: t.clone().nan_to_num_(**kw), x, dtypes=dts, grad=False)


@pytest.mark.parametrize("dim", [0, 1, -1, -2])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax(name, dim):
    x = rand(3, 5, dtype="float64", low=-4, high=4)
    check(lambda m, t: getattr(m, name)(t, dim), x, atol=1e-10, rtol=1e-10)
    check(lambda m, t: getattr(t, name)(dim), x.astype("float32"))
    check(lambda m, t: getattr(m, name)(t.t(), dim), x.astype("float32"))
    check(lambda m, t: getattr(m, name)(t, dim, dtype=m.float64), x.astype("float32"))
    check(lambda m, t: getattr(m, name)(t, dim), x, dtypes=["float16"], grad=False, atol=2e-3, rtol=2e-3)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_against_composed_definition(name):
    need_torch()
    x = numtorch.tensor(rand(4, 6, dtype="float64", low=-30, high=30), requires_grad=True)
    fused = getattr(numtorch, name)(x, 1)
    composed = x.exp() / x.exp().sum(1, keepdim=True)
    if name == "log_softmax":
        composed = composed.log()
    np.testing.assert_allclose(fused.detach().numpy(), composed.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = numtorch.tensor(rand(4, 6, dtype="float64", seed=2))
    g1, = numtorch.autograd.grad((fused * w).sum(), x)
    g2, = numtorch.autograd.grad((composed * w).sum(), x)
    np.testing.assert_allclose(g1.numpy(), g2.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_edges(name):
    check(lambda m, t: getattr(m, name)(t, 0), np.array(3.0))
    check(lambda m, t: getattr(m, name)(t, -1), np.array(3.0))
    check(lambda m, t: getattr(m, name)(t, 1), np.zeros((0, 3)))
    check(lambda m, t: getattr(m, name)(t, 0), np.array([INF, 1.0]), grad=False)
    check(lambda m, t: getattr(m, name)(t, 0), np.array([-INF, -INF]), grad=False)
    check(lambda m, t: getattr(m, name)(t, 0), np.array([-INF, 1.0]), grad=False)
    check(lambda m, t: getattr(m, name)(t, 0, dtype=m.float32), rand(4, dtype="int64"))
    check_raises(lambda m, t: getattr(m, name)(t, 1), np.array(3.0))
    check_raises(lambda m, t: getattr(m, name)(t, 2), rand(2, 3))
    for dt in ("int64", "bool"):
        check_raises(lambda m, t: getattr(m, name)(t, 0), rand(4, dtype=dt))
        check_raises(lambda m, t: getattr(m, name)(t, 0), rand(4, 2, dtype=dt))
    check_raises(lambda m, t: getattr(m, name)(t), rand(4))


def test_node_names():
    need_torch()
    for name in list(FLOAT_FNS) + ZERO_GRAD + ["angle"]:
        if name in ("reciprocal", "nan_to_num", "frac"):
            continue
        res = []
        for m in (numtorch, need_torch()):
            t = m.tensor(data(name, (3,)), requires_grad=True)
            res.append(getattr(m, name)(t).grad_fn.name())
        assert res[0] == res[1], name
    for m in (numtorch, need_torch()):
        t = m.tensor([0.5, 0.3], requires_grad=True)
        assert m.round(t, decimals=1).grad_fn.name() == "RoundBackward1"
        assert m.softmax(t, 0).grad_fn.name() == "SoftmaxBackward0"


@pytest.mark.parametrize("name", list(FLOAT_FNS) + ZERO_GRAD)
def test_inplace(name):
    if name == "nan_to_num":
        return
    x = data(name, (3, 4), "float32", seed=4)
    check(lambda m, t: getattr(t.clone(), name + "_")(), x, grad=False)

    def on_view(m, t):
        y = t.clone()
        getattr(y[:, 1:3], name + "_")()
        return y
    # torch has no derivative for the in-place inverse hyperbolic functions.
    check(on_view, x, grad=name not in ("asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh"))
    check(lambda m, t: getattr(t.clone(), name + "_")(), rand(3, dtype="int64", low=1, high=3), grad=False)


@pytest.mark.parametrize("name", list(FLOAT_FNS) + ZERO_GRAD + ["signbit", "isposinf", "isneginf", "angle"])
def test_out(name):
    def with_out(m, t):
        r = getattr(m, name)(t)
        o = m.empty(0, dtype=r.dtype)
        res = getattr(m, name)(t, out=o)
        assert res is o
        return o
    check(with_out, data(name, (2, 3), "float32"), grad=False)


def test_positive_and_aliases():
    need_torch()
    x = numtorch.tensor([1.0, -2.0])
    assert numtorch.positive(x) is x and x.positive() is x
    check_raises(lambda m, t: m.positive(t), rand(3, dtype="bool"))
    for alias, name in [("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"), ("arcsinh", "asinh"),
                        ("arccosh", "acosh"), ("arctanh", "atanh"), ("fix", "trunc")]:
        assert getattr(numtorch, alias) is getattr(numtorch, name)
        assert getattr(numtorch.Tensor, alias + "_") is getattr(numtorch.Tensor, name + "_")


@pytest.mark.parametrize("name", [n for n in FLOAT_FNS if n not in ("square",)] + ZERO_GRAD)
def test_gradgradcheck(name):
    need_torch()
    x = numtorch.tensor(data(name, (4,), seed=9), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(getattr(numtorch, name), (x,))
    assert numtorch.autograd.gradcheck(getattr(numtorch, name), (x,))


def test_gradgradcheck_softmax_and_polygamma():
    x = numtorch.tensor(rand(3, 4, dtype="float64"), requires_grad=True)
    for f in (lambda t: numtorch.softmax(t, 1), lambda t: numtorch.log_softmax(t, 0),
              lambda t: numtorch.polygamma(2, t.abs() + 0.5),
              lambda t: numtorch.square(t)):
        assert numtorch.autograd.gradgradcheck(f, (x,))
