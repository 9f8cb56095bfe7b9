"""Oracle tests for the binary and ternary math ops (numtorch/_ops/binary.py) against real torch."""
import math

import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand

INF, NAN = math.inf, math.nan
EDGE = np.array([0.0, -0.0, 1.0, -1.0, 2.5, INF, -INF, NAN])

# name -> (low, high) for the first and second operand, where values and derivatives are finite.
BINARY = {
    "atan2": ((-3, 3), (-3, 3)), "arctan2": ((-3, 3), (-3, 3)), "hypot": ((-3, 3), (-3, 3)),
    "logaddexp": ((-5, 5), (-5, 5)), "logaddexp2": ((-5, 5), (-5, 5)), "xlogy": ((-3, 3), (0.1, 3)),
    "copysign": ((-3, 3), (-3, 3)), "maximum": ((-3, 3), (-3, 3)), "minimum": ((-3, 3), (-3, 3)),
    "fmax": ((-3, 3), (-3, 3)), "fmin": ((-3, 3), (-3, 3)), "ldexp": ((-3, 3), (-3, 3)),
    "nextafter": ((-3, 3), (-3, 3)), "float_power": ((0.2, 3), (-2, 2)),
}
SHAPES = [((), ()), ((0,), (0,)), ((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((0, 4), (4,)), ((3, 4), ())]
INT_DTYPES = ["bool", "uint8", "int32", "int64"]


def data(name, shape, which, dtype="float64", seed=0):
    lo, hi = BINARY.get(name, ((-3, 3), (-3, 3)))[which]
    return rand(*shape, dtype=dtype, seed=seed + which, low=lo, high=hi)


def fn(name):
    return lambda m, x, y: getattr(m, name)(x, y)


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("name", list(BINARY))
def test_float64(name, shapes):
    check(fn(name), data(name, shapes[0], 0), data(name, shapes[1], 1), atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("name", list(BINARY))
def test_float32_methods_and_views(name):
    x, y = data(name, (4, 6), 0, "float32"), data(name, (6, 4), 1, "float32")
    check(lambda m, a, b: getattr(a, name)(b.t()), x, y)
    check(lambda m, a, b: getattr(m, name)(a[:, ::2], b.t()[:, 1::2]), x, y)
    check(lambda m, a, b: getattr(m, name)(a[:1].expand(4, 6), b.t()), x, y)


@pytest.mark.parametrize("dtype,tol", [("float16", 2e-3), ("bfloat16", 1.6e-2)])
@pytest.mark.parametrize("name", list(BINARY) + ["heaviside", "gcd", "lcm"])
def test_half_types(name, dtype, tol):
    x, y = data(name, (3, 5), 0, "float32"), data(name, (3, 5), 1, "float32")
    check(fn(name), x, y, dtypes=[dtype, dtype], grad=False, atol=tol, rtol=tol)


@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("bool", "bool"), ("uint8", "int32"),
                                    ("int32", "float32"), ("int64", "float16"), ("uint8", "int8"),
                                    ("complex64", "complex64"), ("float32", "float64")])
@pytest.mark.parametrize("name", list(BINARY) + ["heaviside", "gcd", "lcm"])
def test_dtype_rules(name, dtypes):
    x, y = rand(3, 4, dtype="float64", seed=1), rand(4, dtype="float64", seed=2, low=0.5, high=3)
    # Half results may differ from torch's by one float16 ulp (torch rounds intermediate results).
    check(fn(name), np.round(x * 3), np.round(y * 2), dtypes=list(dtypes), grad=False, rtol=1e-3)


@pytest.mark.parametrize("name", list(BINARY) + ["heaviside"])
def test_edge_values(name):
    x, y = np.repeat(EDGE, EDGE.size), np.tile(EDGE, EDGE.size)
    check(fn(name), x, y, grad=False, atol=1e-9, rtol=1e-9)
    check(fn(name), x.astype("float32"), y.astype("float32"), grad=False)


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_extrema_ties_and_nan_grads(name):
    x = np.array([1.0, 2.0, NAN, 3.0, NAN, -0.0])
    y = np.array([1.0, 1.0, 1.0, NAN, NAN, 0.0])
    check(fn(name), x, y)


@pytest.mark.parametrize("name", ["xlogy", "copysign"])
@pytest.mark.parametrize("other", [2, 2.5, -1.0, 0.0, -0.0, True])
def test_scalar_other(name, other):
    x = np.array([0.0, -0.0, 1.5, -2.0, NAN, INF])
    check(lambda m, a: getattr(m, name)(a, other), x)
    check(lambda m, a: getattr(a, name)(other), x.astype("float32"))
    check(lambda m, a: getattr(m, name)(a, other), rand(4, dtype="int64"), grad=False)
    check(lambda m, a: getattr(a.clone(), name + "_")(other), x, grad=False)
    check(lambda m, a: getattr(a.clone(), name + "_")(other), rand(4, dtype="int64"), grad=False)


@pytest.mark.parametrize("name", list(BINARY) + ["heaviside", "gcd", "lcm"])
def test_scalar_errors(name):
    check(lambda m, a: getattr(m, name)(a, 2), rand(3))
    check(lambda m, a: getattr(m, name)(a, 2.5), rand(3))


def test_xlogy_scalar_self():
    check(lambda m, y: m.xlogy(2, y), rand(4, low=0.1, high=3))
    check(lambda m, y: m.xlogy(0.0, y), np.array([0.0, -1.0, NAN, 2.0]))
    check(lambda m, y: m.xlogy(3, y), rand(4, dtype="int64", low=1, high=3), grad=False)
    check_raises(lambda m, y: m.xlogy(2.5, 3), rand(1))


@pytest.mark.parametrize("weight", [0.3, 0.5, 0.7, 1.0, -0.2, 2, True, "tensor", "tensor0d", "tensor0d64"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lerp(weight, dtype):
    x, y = rand(3, 4, dtype=dtype, seed=1), rand(4, dtype=dtype, seed=2)
    w = rand(3, 4, dtype=dtype, seed=3, low=-1, high=2)
    if weight == "tensor":
        check(lambda m, a, b, c: m.lerp(a, b, c), x, y, w)
        check(lambda m, a, b, c: a.clone().lerp_(b, c), x, y, w, grad=False)
        check(lambda m, a, b, c: a.lerp(b, c[:1]), x, y, w)
        return
    if weight.__class__ is str:
        w0 = np.array(0.75, dtype="float64" if weight == "tensor0d64" else dtype)
        check(lambda m, a, b, c: m.lerp(a, b, c), x, y, w0)
        return
    check(lambda m, a, b: m.lerp(a, b, weight), x, y)
    check(lambda m, a, b: a.lerp(b, weight), x[0, 0], y[1], grad=False)
    check(lambda m, a, b: a.clone().lerp_(b, weight), x, y, grad=False)
    check(lambda m, a, b: m.lerp(a, b, weight), x, y, dtypes=["float16", "float16"], grad=False, atol=2e-3)


def test_lerp_errors():
    f32, f64 = rand(3), rand(3, dtype="float64")
    check_raises(lambda m, a, b: m.lerp(a, b, 0.5), f32, f64)
    check_raises(lambda m, a, b: m.lerp(a, a, b), f32, f64)
    check_raises(lambda m, a: m.lerp(a, a, 0.5), rand(3, dtype="int64"))
    check_raises(lambda m, a: m.lerp(a, a, a), rand(3, dtype="int64"))
    check_raises(lambda m, a: m.lerp(a, a, 1j), f32)
    check_raises(lambda m, a, b: a.clone().lerp_(b, 0.5), f32, rand(2, 3))
    check_raises(lambda m, a, b: m.lerp(a, b, 0.5), f32, rand(4))


@pytest.mark.parametrize("value", [1, 2, -0.5, True])
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_addcdiv(name, value):
    x, y = rand(3, 4, dtype="float64"), rand(4, dtype="float64", seed=1)
    z = rand(3, 1, dtype="float64", seed=2)
    z = np.where(np.abs(z) < 0.3, 0.7, z)
    check(lambda m, a, b, c: getattr(m, name)(a, b, c, value=value), x, y, z, atol=1e-9, rtol=1e-9)
    check(lambda m, a, b, c: getattr(a, name)(b, c, value=value), x, y, z, dtypes=["float32"] * 3)
    check(lambda m, a, b, c: getattr(a.clone(), name + "_")(b, c, value=value), x, y, z, grad=False)
    check(lambda m, a, b, c: getattr(m, name)(a.t(), b[:3], c.t()), x, y, z)
    for dts in (["int64", "int64", "float32"], ["int64", "float32", "int64"], ["int32", "int32", "int32"],
                ["float32", "int64", "int64"], ["bool", "bool", "bool"], ["float16", "float16", "float16"],
                ["float32", "float64", "float32"], ["complex64", "complex64", "complex64"]):
        check(lambda m, a, b, c: getattr(m, name)(a, b, c, value=value), x, y, z, dtypes=dts, grad=False,
              atol=2e-3, rtol=2e-3)


def test_addc_value_conversions():
    i = rand(3, dtype="int64", low=1, high=3)
    check(lambda m, a: m.addcmul(a, a, a, value=2.5), i, grad=False)
    check(lambda m, a: m.addcmul(a, a, a, value=m.tensor(2.0)), rand(3), grad=False)
    check_raises(lambda m, a: m.addcmul(a, a, a, value=1j), rand(3))
    check_raises(lambda m, a: m.addcdiv(a, a, a), i)
    check_raises(lambda m, a: a.clone().addcdiv_(a, a), i)


@pytest.mark.parametrize("exponent", [2, -1, 0.5, 2j, "tensor", "int_tensor"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "float64", "complex64"])
def test_float_power(exponent, dtype):
    x = rand(3, 4, dtype=dtype, low=1, high=3)
    if exponent == "tensor":
        check(lambda m, a, b: m.float_power(a, b), x, rand(4, seed=1), grad=dtype != "complex64")
        return
    if exponent == "int_tensor":
        check(lambda m, a, b: m.float_power(a, b), x, rand(4, dtype="int64", seed=1, low=0, high=1))
        check(lambda m, b: m.float_power(2, b), rand(4, dtype="int64", seed=1, low=0, high=1))
        return
    check(lambda m, a: m.float_power(a, exponent), x)
    check(lambda m, a: a.float_power(exponent), x)
    check(lambda m, a: a.clone().float_power_(exponent), x, grad=False)


def test_float_power_nodes_and_errors():
    t = need_torch()
    for m in (numtorch, t):
        x = m.tensor([1.5, 2.0], requires_grad=True)
        assert m.float_power(x, 2).grad_fn.name() == "PowBackward0"
        assert m.float_power(2, x).grad_fn.name() == "PowBackward2"
        assert m.float_power(x, x).grad_fn.name() == "PowBackward1"
    check_raises(lambda m: m.float_power(2, 3))


def test_ldexp_and_gcd_lcm_values():
    exps = np.array([1.5, 2.0, 1000.0, -1000.0, 0.0]).astype("float32")
    check(lambda m, a, b: m.ldexp(a, b), rand(5), exps)
    check(lambda m, a, b: m.ldexp(a, b), rand(5), rand(5, dtype="int64"))
    check(lambda m, a, b: a.clone().ldexp_(b), rand(5), rand(5, dtype="int32"), grad=False)
    a = np.array([0, -4, 6, -2 ** 63, 5, -2 ** 63, 12])
    b = np.array([0, 6, -9, 4, 0, 0, -18])
    check(lambda m, x, y: m.gcd(x, y), a, b, grad=False)
    check(lambda m, x, y: m.lcm(x, y), a[[0, 1, 2, 4, 6]], b[[0, 1, 2, 4, 6]], grad=False)
    check(lambda m, x, y: m.lcm(x, y), np.array([100, -7], dtype="int8"), np.array([3, 9], dtype="int8"),
          grad=False)
    check(lambda m, x, y: x.clone().gcd_(y), a, b, grad=False)
    check(lambda m, x, y: x.clone().lcm_(y), a[:3], b[:3], grad=False)


def test_heaviside():
    x = np.array([-1.0, 0.0, -0.0, 2.0, NAN])
    check(lambda m, a, b: m.heaviside(a, b), x, np.array([0.5]), grad=False)
    check(lambda m, a, b: a.clone().heaviside_(b), np.array([-1, 0, 2]), np.array(7), grad=False)
    check(lambda m, a, b: m.heaviside(a, b), np.array([True, False]), np.array(True), grad=False)
    check_raises(lambda m, a, b: m.heaviside(a, b), rand(3), rand(3, dtype="float64"))
    check_raises(lambda m, a: m.heaviside(a, a), rand(3).astype("complex64"))
    need_torch()
    x = numtorch.tensor([1.0, 0.0], requires_grad=True)
    r = numtorch.heaviside(x, x)
    assert r.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
        r.sum().backward()


def test_logaddexp_complex():
    x = np.array([1 + 1j, 1000 + 2j, -3 - 1j])
    y = np.array([2 - 1j, 1 + 1j, 0.5 + 0.5j])
    check(fn("logaddexp"), x, y, grad=False, atol=1e-9, rtol=1e-9)
    check(fn("logaddexp"), x.astype("complex64"), y.astype("complex64"), grad=False)


def test_node_names():
    t = need_torch()
    for name in list(BINARY) + ["lerp", "addcmul", "addcdiv"]:
        res = []
        for m in (numtorch, t):
            x = m.tensor([0.5, 1.5], requires_grad=True)
            y = m.tensor([1.5, 2.0], requires_grad=True)
            args = (x, y, y) if name in ("lerp", "addcmul", "addcdiv") else (x, y)
            r = getattr(m, name)(*args)
            res.append((r.grad_fn.name(), len(r.grad_fn.next_functions)))
        assert res[0] == res[1], name
    for m in (numtorch, t):
        x = m.tensor([0.5, 1.5], requires_grad=True)
        assert m.xlogy(x, 2.0).grad_fn.name() == "XlogyBackward2"
        assert m.xlogy(2.0, x).grad_fn.name() == "XlogyBackward1"
        assert m.copysign(x, -1).grad_fn.name() == "CopysignBackward1"
        assert m.lerp(x, x, 0.5).grad_fn.name() == "LerpBackward0"


@pytest.mark.parametrize("name", [n for n in BINARY if n != "nextafter"])
def test_out_and_inplace(name):
    x, y = data(name, (2, 3), 0, "float32"), data(name, (2, 3), 1, "float32")

    def with_out(m, a, b):
        o = m.empty(0, dtype=getattr(m, name)(a, b).dtype)
        assert getattr(m, name)(a, b, out=o) is o
        return o
    check(with_out, x, y, grad=False)
    check(lambda m, a, b: getattr(a.clone(), name + "_")(b), x, y, grad=False)
    check(lambda m, a, b: getattr(a.clone(), name + "_")(b), rand(3, dtype="int64"), rand(3, dtype="int64"),
          grad=False)


def test_inplace_on_view_with_grad():
    def f(m, a, b):
        c = a * 1
        c[:, 1].atan2_(b[:, 0])
        c[0].lerp_(b[1], 0.25)
        c[1:].addcmul_(b[1:], b[1:], value=0.5)
        return c
    check(f, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64", seed=1))


GG = {
    "atan2": lambda a, b: numtorch.atan2(a, b), "hypot": lambda a, b: numtorch.hypot(a, b),
    "logaddexp": lambda a, b: numtorch.logaddexp(a, b), "logaddexp2": lambda a, b: numtorch.logaddexp2(a, b),
    "xlogy": lambda a, b: numtorch.xlogy(a, b.abs() + 0.5), "xlogy_s": lambda a, b: numtorch.xlogy(a, 2.5),
    "copysign": lambda a, b: numtorch.copysign(a, b), "maximum": lambda a, b: numtorch.maximum(a, b),
    "minimum": lambda a, b: numtorch.minimum(a, b), "fmax": lambda a, b: numtorch.fmax(a, b),
    "fmin": lambda a, b: numtorch.fmin(a, b), "ldexp": lambda a, b: numtorch.ldexp(a, b),
    "lerp_s": lambda a, b: numtorch.lerp(a, b, 0.7), "lerp_t": lambda a, b: numtorch.lerp(a, b, b.sin()),
    "addcmul": lambda a, b: numtorch.addcmul(a, b, a, value=0.5),
    "addcdiv": lambda a, b: numtorch.addcdiv(a, a, b.abs() + 0.5, value=2),
    "float_power": lambda a, b: numtorch.float_power(a.abs() + 0.5, b),
}


@pytest.mark.parametrize("name", list(GG))
def test_gradgradcheck(name):
    a = numtorch.tensor(rand(4, dtype="float64", seed=5), requires_grad=True)
    b = numtorch.tensor(rand(4, dtype="float64", seed=6), requires_grad=True)
    assert numtorch.autograd.gradcheck(GG[name], (a, b))
    assert numtorch.autograd.gradgradcheck(GG[name], (a, b))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("op,arg", [("lerp", 0.3), ("lerp", 0.7), ("lerp", -0.2), ("lerp", 1.0), ("lerp", "tensor"),
                                    ("addcmul", 1), ("addcmul", 0.3), ("addcmul", -2.5)])
def test_fused_multiply_add_bits(dtype, op, arg):
    # torch's kernels fuse these multiply-adds (lerp: start + weight * diff below |weight| 0.5, end - diff *
    # (1 - weight) above; addcmul: (value * t1) * t2 + input), rounding once: equal bit for bit
    rng = np.random.default_rng(7)
    a, b, c = (rng.standard_normal((3, 40, 50)) * 2).astype(np.float32)
    w = (rng.random((40, 50)) * 1.4 - 0.2).astype(np.float32)

    def bits(lib):
        t = lambda v: lib.tensor(v).to(getattr(lib, dtype))  # noqa: E731
        if op == "lerp":
            out = lib.lerp(t(a), t(b), t(w) if arg == "tensor" else arg)
        else:
            out = lib.addcmul(t(a), t(b), t(c), value=arg)
        return out.double().numpy().view(np.int64)
    assert np.array_equal(bits(numtorch), bits(need_torch()))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_div_grad_bits(dtype):
    # torch's divisor gradient is -grad * ((a / b) / b): equal bit for bit (a / (b * b) was ~45% 1-ulp off)
    rng = np.random.default_rng(8)
    a, g = (rng.standard_normal((2, 40, 50)) * 2).astype(np.float32)
    b = (np.abs(rng.standard_normal((40, 50))) + 1).astype(np.float32)

    def bits(lib):
        ta, tb = (lib.tensor(v).to(getattr(lib, dtype)).requires_grad_() for v in (a, b))
        (ta / tb).backward(lib.tensor(g).to(getattr(lib, dtype)))
        return [t.grad.double().numpy().view(np.int64) for t in (ta, tb)]
    for n, t in zip(bits(numtorch), bits(need_torch())):
        assert np.array_equal(n, t)
