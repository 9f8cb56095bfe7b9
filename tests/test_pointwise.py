"""Pointwise functions and methods against torch: dtypes, shapes, views, out=, in-place, gradients."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand
from test_operators import check_grad2

DTYPES = ["float32", "float64", "float16", "bfloat16", "int8", "uint8", "int16", "int32", "int64", "bool",
          "complex64"]
SHAPES = [(3, 4), (), (0, 3)]
NAN = np.array([np.nan, -np.inf, np.inf, -1.5, 0.0, 2.0])


def _data(shape, dtype, seed=0, positive=False):
    if dtype == "complex64":
        return (rand(*shape, seed=seed) + 1j * rand(*shape, seed=seed + 7)).astype(dtype)
    if dtype == "bfloat16":
        return np.asarray(rand(*shape, seed=seed, low=0.1 if positive else -2)), "bfloat16"
    return np.asarray(rand(*shape, dtype=dtype, seed=seed, low=0.1 if positive else -2))


def _args(shape, dtype, seed=0, positive=False):
    d = _data(shape, dtype, seed, positive)
    return (d if isinstance(d, tuple) else (d, None))


UNARY = ["neg", "abs", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "sqrt", "reciprocal", "sgn"]
TOL = {"float16": 2e-3, "bfloat16": 2e-2}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, dtype, shape):
    d, dt = _args(shape, dtype, positive=name in ("log", "sqrt"))
    tol = TOL.get(dtype, 1e-5)
    # torch's sgn derivative is a ZeroTensor, which cannot be read back.
    grad = dtype in ("float32", "float64") and name != "sgn"
    check(lambda m, x: getattr(m, name)(x), d, dtypes=[dt], grad=grad, atol=tol, rtol=tol)
    check(lambda m, x: getattr(x, name)(), d, dtypes=[dt], grad=grad, atol=tol, rtol=tol)


@pytest.mark.parametrize("name", UNARY)
def test_unary_views_inplace_out(name):
    d = rand(4, 6, low=0.1)
    grad = name != "sgn"
    check(lambda m, x: getattr(m, name)(x.t()), d, strides=True, grad=grad)
    check(lambda m, x: getattr(m, name)(x.t()[::2]), d, grad=grad)
    check(lambda m, x: getattr(x.t().clone(), name + "_")(), d, grad=False)
    if name != "relu":
        check(lambda m, x: getattr(m, name)(x, out=m.empty(4, 6)), d, grad=False)
    check(lambda m, x: getattr(m, name)(x.expand(2, 4, 6)), d, grad=grad)
    check(lambda m, x: getattr(m, name)(x), NAN, grad=False)


@pytest.mark.parametrize("name", [u for u in UNARY if u != "sgn"])
def test_unary_second_order(name):
    check_grad2(lambda m, x: getattr(m, name)(x), rand(3, 4, dtype="float64", low=0.2))


BINARY = [("add", {}), ("add", {"alpha": 2}), ("sub", {}), ("sub", {"alpha": -0.5}), ("subtract", {}),
          ("mul", {}), ("multiply", {}), ("div", {}), ("divide", {}), ("true_divide", {}),
          ("div", {"rounding_mode": "trunc"}), ("div", {"rounding_mode": "floor"}), ("floor_divide", {}),
          ("remainder", {}), ("fmod", {}), ("pow", {}), ("eq", {}), ("ne", {}), ("lt", {}), ("le", {}),
          ("gt", {}), ("ge", {}), ("bitwise_and", {}), ("bitwise_or", {}), ("bitwise_xor", {}),
          ("bitwise_left_shift", {}), ("bitwise_right_shift", {}), ("logical_and", {}), ("logical_or", {}),
          ("logical_xor", {}), ("greater", {}), ("less_equal", {}), ("not_equal", {})]
NO_GRAD = {"floor_divide", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal", "not_equal"}


def _binary_data(dtype, shapes, seed=0):
    a, dt = _args(shapes[0], dtype, seed)
    b, _ = _args(shapes[1], dtype, seed + 1, positive=True)
    if dtype not in ("bool", "complex64") and np.dtype(dtype).kind in "iu":
        b = np.where(b == 0, 3, b).astype(dtype) % 5 + 1
        a = a % 6 if dtype == "uint8" else a
    return np.asarray(a), np.asarray(b), dt


BSHAPES = [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((), (3,)), ((0, 4), (4,)), ((), ())]


@pytest.mark.parametrize("shapes", BSHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "uint8", "int64", "bool"])
@pytest.mark.parametrize("name,kw", BINARY)
def test_binary(name, kw, dtype, shapes):
    a, b, dt = _binary_data(dtype, shapes)
    grad = dtype in ("float32", "float64") and name not in NO_GRAD
    tol = TOL.get(dtype, 1e-5)
    fn = (lambda m, x, y: getattr(m, name)(abs(x), y, **kw)) if name == "pow" and dtype[0] == "f" else (
        lambda m, x, y: getattr(m, name)(x, y, **kw))
    check(fn, a, b, dtypes=[dt, dt], grad=grad, atol=tol, rtol=tol)


@pytest.mark.parametrize("name,kw", BINARY)
@pytest.mark.parametrize("other", [2, -3, 2.5, True, 0.5j])
def test_binary_scalar(name, kw, other):
    for dtype in ("float32", "int64", "bool", "complex64", "uint8"):
        a, _, dt = _binary_data(dtype, ((3, 4), ()))
        grad = dtype == "float32" and name not in NO_GRAD
        check(lambda m, x: getattr(m, name)(x, other, **kw), a, dtypes=[dt], grad=grad, atol=1e-4, rtol=1e-4)
        check(lambda m, x: getattr(x, name)(other, **kw), a, dtypes=[dt], grad=grad, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name,kw", BINARY)
def test_binary_views_inplace_out(name, kw):
    a, b = rand(4, 6, dtype="float64"), rand(6, 4, dtype="float64", low=0.5)
    grad = name not in NO_GRAD
    check(lambda m, x, y: getattr(m, name)(x.t()[::2], y[::2], **kw), a, b, grad=grad)
    check(lambda m, x, y: getattr(x.t().clone(), name + "_")(y, **kw), a, b, grad=False)
    check(lambda m, x, y: getattr(x.t().clone()[1], name + "_")(y[1], **kw), a, b, grad=False)
    check(lambda m, x, y: getattr(m, name)(x.t(), y, **kw, out=m.empty(0, dtype=m.float64)), a, b, grad=False)


@pytest.mark.parametrize("name,kw", [b for b in BINARY if b[0] not in NO_GRAD and "bitwise" not in b[0]
                                     and "logical" not in b[0]])
def test_binary_second_order(name, kw):
    a, b = rand(3, 4, dtype="float64", low=0.3), rand(4, dtype="float64", low=0.5, seed=2)
    check_grad2(lambda m, x, y: getattr(m, name)(x, y, **kw), a, b)
    check_grad2(lambda m, x: getattr(m, name)(x, 2.5, **kw), a)


def test_inplace_with_grad_on_view():
    def fn(m, x, y):
        z = x * 1
        z[1:].mul_(y[1:])
        z.t().add_(y.t(), alpha=2)
        return z.sin()
    check(fn, rand(3, 4), rand(3, 4, seed=1))


@pytest.mark.parametrize("expr", [
    "m.pow(2, x)", "m.pow(2.5, x)", "m.pow(0, x)", "m.pow(x, 0)", "m.pow(-2, x)", "x.pow(m.zeros(4))",
    "m.pow(m.zeros(4), x)", "m.pow(2, m.tensor([1, 2, -1]))", "m.tensor([2, 3]).pow(2 ** 40)", "m.pow(x, x)",
    "m.add(2, x)", "m.mul(2, x)", "m.ones(3, dtype=m.bool).bitwise_left_shift(1)",
    "m.tensor([0, 5, 200], dtype=m.uint8).clamp(-1, 1)", "m.tensor([0, 5], dtype=m.int8).clamp(max=300)",
    "m.tensor([0, 5, 200], dtype=m.uint8).clamp(300)", "m.ones(3, dtype=m.int32).add(x, alpha=1.5)",
    "m.ones(3, dtype=m.int32).add(2, alpha=1.5)", "m.add(x, 1, out=m.empty(3, dtype=m.long))",
])
def test_pow_forms(expr):
    check(lambda m, x: eval(expr), np.array([-1.0, 0.0, 0.5, 2.0]))


@pytest.mark.parametrize("expr", [
    "m.tensor([2, 3]).pow(-1)", "m.tensor([2, 3]).pow_(-1)",
    "m.tensor([2, 3], dtype=m.uint8).pow(300)", "m.ones(3, dtype=m.bool).pow(m.ones(3, dtype=m.bool))",
    "m.div(x, x, rounding_mode='round')", "m.ones(3, dtype=m.complex64).floor_divide(2)",
    "m.ones(3, dtype=m.complex64).remainder(2)", "m.ones(3, dtype=m.complex64) < 1",
    "m.ones(3).bitwise_and(1)",
    "m.ones(3, dtype=m.bool).abs()", "m.ones(3, dtype=m.bool).relu()", "m.ones(3, dtype=m.complex64).relu()",
    "m.ones(3).bitwise_not()", "x.add(m.ones(2))",
    "x.add_(m.ones(2, 3))", "m.ones(3, dtype=m.long).sub_(1, alpha=1.5)",
])
def test_errors(expr):
    """Each expression raises in torch; numtorch raises the same exception type."""
    check_raises(lambda m, x: eval(expr), np.array([1.0, 2.0, 3.0]))


CLAMP = [(0.0, 1.0), (0.5, None), (None, -0.5), (1.0, 0.0), (float("nan"), None), (-1, 1), (True, None)]


@pytest.mark.parametrize("lo,hi", CLAMP)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "float16"])
def test_clamp_scalar(lo, hi, dtype):
    d = np.array([-2, -0.5, 0, 0.25, 1, 3]).astype(dtype) if dtype[0] == "f" else rand(6, dtype=dtype)
    grad = dtype in ("float32", "float64")
    check(lambda m, x: m.clamp(x, lo, hi), d, grad=grad, atol=1e-3)
    check(lambda m, x: x.clip(min=lo, max=hi), d, grad=grad, atol=1e-3)
    check(lambda m, x: x.clone().clamp_(lo, hi), d, grad=False, atol=1e-3)
    check(lambda m, x: m.clamp(x, lo, hi, out=m.empty(6, dtype=x.dtype)), d, grad=False, atol=1e-3)


def test_clamp_nan_input_and_errors():
    check(lambda m, x: x.clamp(-1, 1), NAN)
    check(lambda m, x: x.clamp(m.zeros(6), None), NAN)
    check_raises(lambda m, x: x.clamp(), NAN)
    check_raises(lambda m, x: x.clamp(m.zeros(6), 1), NAN)


@pytest.mark.parametrize("which", ["both", "min", "max", "crossed"])
def test_clamp_tensor(which):
    x = rand(3, 4, dtype="float64")
    lo = rand(4, dtype="float64", seed=1) - 0.5
    hi = rand(3, 1, dtype="float64", seed=2) + 0.5
    if which == "crossed":
        lo, hi = hi, lo
    fns = {"both": lambda m, x, a, b: x.clamp(a, b), "min": lambda m, x, a, b: m.clamp(x, min=a),
           "max": lambda m, x, a, b: m.clamp(x, max=b), "crossed": lambda m, x, a, b: m.clip(x, a, b)}
    check(fns[which], x, lo, hi)
    check_grad2(fns[which], x, lo, hi)
    check(lambda m, x, a, b: m.clamp(x.int(), a, b), x * 3, lo, hi, grad=False)


WHERE = ["m.where(x > 0, x, y)", "m.where(x > 0, x, 0.)", "m.where(x > 0, 1., y)", "x.where(x > 0, y)",
         "m.where(x > 0, x, 2)", "m.where(x > 0, 1, 0)", "m.where(x > 0, 1., 0)",
         "m.where(x[0] > 0, x, y.t()[0])",
         "m.where(x > 0, x.int(), y)", "m.where(x > 0, x.int(), 2.5)", "m.where(x > 0, x, y.double())",
         "m.where(x > 0)", "m.where(x.t() > 0, x.t(), y.t())", "m.where(x > 0, x, y, out=m.empty(3, 4))"]


@pytest.mark.parametrize("expr", WHERE)
def test_where(expr):
    grad = "out=" not in expr
    check(lambda m, x, y: eval(expr), rand(3, 4), rand(3, 4, seed=1), grad=grad)


def test_where_errors_and_nodes():
    check_raises(lambda m, x: m.where(x, x, x), rand(3))
    check_raises(lambda m, x: m.where(x > 0, x, m.ones(2)), rand(3))
    check_grad2(lambda m, x, y: m.where(x > 0, x * x, y * y), rand(3, 4, dtype="float64"),
                rand(3, 4, dtype="float64", seed=1))
    for name in ("torch", "numtorch"):
        import conftest
        m = conftest.lib_of(name)
        x = m.ones(3, requires_grad=True)
        fn = m.where(x > 0, x, 0.).grad_fn
        assert fn.name() == "WhereBackward0" and len(fn.next_functions) == 2


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "exp", "abs", "neg", "sqrt", "log"])
def test_special_values(name):
    check(lambda m, x: getattr(m, name)(x), NAN, grad=False)
    check(lambda m, x: getattr(m, name)(x), np.array([-0.0, 0.0, 1e-30, -1e30, 88.0, -88.0], "float32"),
          grad=False)


@pytest.mark.parametrize("name", ["add", "mul", "div", "pow", "remainder", "fmod", "floor_divide", "eq",
                                  "lt"])
def test_binary_nan_inf(name):
    a = np.array([np.nan, np.inf, -np.inf, 1.0, -1.0, 0.0, np.inf, 0.0])
    b = np.array([1.0, np.inf, 2.0, np.nan, 0.0, 0.0, -np.inf, -3.0])
    check(lambda m, x, y: getattr(m, name)(x, y), a, b, grad=False)


_SCALAR_OPS = {
    "mul": lambda L, t, s: t * s, "rmul": lambda L, t, s: s * t, "div": lambda L, t, s: t / s,
    "rdiv": lambda L, t, s: s / t, "fn_mul": lambda L, t, s: L.mul(t, s), "fn_div": lambda L, t, s: L.div(t, s),
    "mul_": lambda L, t, s: t.clone().mul_(s), "add": lambda L, t, s: t + s, "rsub": lambda L, t, s: s - t,
    "clamp": lambda L, t, s: t.clamp(-s, s), "clamp_min": lambda L, t, s: L.clamp_min(t, s / 3),
}


@pytest.mark.parametrize("op", sorted(_SCALAR_OPS))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("scalar", [1.0004, 0.33333, 4097, 1.004])
def test_reduced_float_with_python_scalar(op, dtype, scalar):
    # torch multiplies/divides half tensors by the unrounded number in float32; NumPy would round the
    # number to half first.
    data = np.random.default_rng(0).uniform(-4, 4, 500).astype("float32")
    check(lambda m, t: _SCALAR_OPS[op](m, t.to(getattr(m, dtype)), scalar), data, grad=False, atol=0, rtol=0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_reduced_float_add_alpha(dtype):
    # alpha is rounded to the tensor's type, then one float32 multiply-add; a rare element still differs
    data = np.random.default_rng(0).uniform(-4, 4, 500).astype("float32")
    check(lambda m, t: t.to(getattr(m, dtype)).add(t.to(getattr(m, dtype)) * 0.5, alpha=0.33333), data,
          grad=False, atol=0.04, rtol=0.01)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sigmoid_16bit_bits(dtype):
    # torch computes 16-bit sigmoid as 1 / (1 + exp(-x)) in float32, rounded once; its derivative
    # grad * (1 - y) * y rounds every step for half and once (in float32) for bfloat16
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(20000) * 3).astype(np.float32)
    x[:4] = [100, -100, 0, -0.0]
    g = rng.standard_normal(20000).astype(np.float32)

    def run(lib):
        t = lib.tensor(x).to(getattr(lib, dtype)).requires_grad_()
        y = lib.sigmoid(t)
        y.backward(lib.tensor(g).to(y.dtype))
        return [a.detach().float().numpy().view(np.int32) for a in (y, t.grad)]
    for n, t in zip(run(numtorch), run(need_torch())):
        assert np.array_equal(n, t)
