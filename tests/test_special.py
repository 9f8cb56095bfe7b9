"""Oracle tests for numtorch.special against real torch: values, dtypes, special values, errors, gradients."""
import math
import os

import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand

INF, NAN = math.inf, math.nan

# name -> (low, high): a domain where the function and its derivative are finite (and both branches of
# piecewise kernels are visited).
UNARY = {
    "expit": (-4, 4), "logit": (0.05, 0.95), "erf": (-3, 3), "erfc": (-3, 3), "erfcx": (-3, 6),
    "erfinv": (-0.9, 0.9), "expm1": (-3, 3), "exp2": (-3, 3), "log1p": (-0.9, 3), "gammaln": (0.1, 6),
    "digamma": (0.1, 6), "psi": (0.1, 6), "i0": (-25, 25), "i0e": (-25, 25), "i1": (-25, 25),
    "i1e": (-25, 25), "ndtr": (-5, 5), "ndtri": (0.01, 0.99), "log_ndtr": (-30, 8), "sinc": (-3, 3),
    "entr": (0.05, 3), "round": (-3, 3),
}
WITH_GRAD = [n for n in UNARY if n != "round"]
SHAPES = [(), (0,), (7,), (3, 4)]
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1e-8, 2.5, -2.5, 7.0, 19.5, 20.5, -26.0, 30.0, 90.0, 720.0,
                    INF, -INF, NAN])


def fn(name):
    return lambda m, *xs: getattr(m.special, name)(*xs)


def data(name, shape, dtype="float64", seed=0):
    lo, hi = UNARY[name]
    return rand(*shape, dtype=dtype, seed=seed, low=lo, high=hi)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary(name, shape, dtype):
    tol = (1e-5, 1e-5) if dtype == "float32" else (1e-12, 1e-10)
    check(fn(name), data(name, shape, dtype), atol=tol[0], rtol=tol[1])


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_values(name, dtype):
    tol = (1e-6, 1e-5) if dtype == "float32" else (1e-13, 1e-11)
    check(fn(name), SPECIAL.astype(dtype), grad=False, atol=tol[0], rtol=tol[1])


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16", "bfloat16", "complex64"])
def test_unary_other_dtypes(name, dtype):
    x = data(name, (5,), "float64") if dtype.startswith("complex") else data(name, (2, 3), "float32")
    if dtype == "complex64":
        x = (x + 0.25j).astype(dtype)
    elif dtype in ("float16", "bfloat16"):
        check(lambda m, t: getattr(m.special, name)(t.to(getattr(m, dtype))), x, grad=False, atol=2e-2,
              rtol=2e-2)
        return
    else:
        x = rand(2, 3, dtype=dtype, low=0, high=1)
    check(fn(name), x, grad=False, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", list(UNARY))
def test_non_contiguous(name):
    lo, hi = UNARY[name]
    x = rand(4, 6, dtype="float64", low=lo, high=hi)
    check(lambda m, t: getattr(m.special, name)(t.mT[::2]), x, atol=1e-12, rtol=1e-10)
    check(lambda m, t: getattr(m.special, name)(t[:1].expand(3, 6)), x, atol=1e-12, rtol=1e-10)


def _positive_data(name):
    lo, hi = UNARY[name]
    return rand(6, dtype="float64", seed=4, low=lo, high=hi)


@pytest.mark.parametrize("name", WITH_GRAD)
def test_gradcheck(name):
    x = numtorch.tensor(_positive_data(name), requires_grad=True)
    f = getattr(numtorch.special, name)
    assert numtorch.autograd.gradcheck(f, (x,))
    assert numtorch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("name", ["i0", "i0e", "i1", "i1e", "entr", "ndtri", "log_ndtr", "erfcx"])
def test_gradient_edges(name):
    check(fn(name), np.array([0.0, -0.0, 1.0, 1e-300, 5.0]))


@pytest.mark.parametrize("name,node", [("i0", "I0Backward0"), ("i0e", "SpecialI0EBackward0"),
                                       ("i1", "SpecialI1Backward0"), ("i1e", "SpecialI1EBackward0"),
                                       ("erfcx", "SpecialErfcxBackward0"), ("ndtri", "SpecialNdtriBackward0"),
                                       ("log_ndtr", "SpecialLogNdtrBackward0"),
                                       ("entr", "SpecialEntrBackward0"),
                                       ("expit", "SigmoidBackward0"), ("gammaln", "LgammaBackward0"),
                                       ("round", "RoundBackward1")])
def test_node_names(name, node):
    torch = need_torch()
    for lib in (torch, numtorch):
        x = lib.tensor([0.3, 0.6], requires_grad=True)
        assert getattr(lib.special, name)(x).grad_fn.name() == node


# ---------------------------------------------------------------------------------------- binary functions

BINARY_SHAPES = [((), ()), ((5,), (5,)), ((2, 1, 3), (4, 1)), ((0, 3), (3,)), ((3,), ())]


@pytest.mark.parametrize("shapes", BINARY_SHAPES)
@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_xlog(name, shapes, dtype):
    a = rand(*shapes[0], dtype=dtype, seed=1)
    b = rand(*shapes[1], dtype=dtype, seed=2, low=0.1, high=3)
    check(fn(name), a, b, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_xlog_special_values(name):
    x = np.array([0.0, 0.0, 0.0, 1.0, NAN, 0.0, 2.0, -1.0, INF])
    y = np.array([NAN, -1.0, -2.0, -1.0, 0.0, 0.0, INF, 3.0, 1.0])
    check(fn(name), x, y)
    check(fn(name), x.astype("float32"), y.astype("float32"), grad=False)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py", "zeta"])
@pytest.mark.parametrize("case", ["scalar_first", "scalar_second", "ints", "int_float", "half", "bool"])
def test_binary_operand_kinds(name, case):
    a = rand(4, dtype="float64", low=1.5, high=4)
    b = rand(4, dtype="float64", seed=3, low=0.5, high=3)
    cases = {
        "scalar_first": lambda m, x, y: getattr(m.special, name)(3, y),
        "scalar_second": lambda m, x, y: getattr(m.special, name)(x, 2.5),
        "ints": lambda m, x, y: getattr(m.special, name)(x.long(), y.int() + 1),
        "int_float": lambda m, x, y: getattr(m.special, name)(x.long(), y.float()),
        "half": lambda m, x, y: getattr(m.special, name)(x.half(), y.half()),
        "bool": lambda m, x, y: getattr(m.special, name)(x > 2, y > 1),
    }
    # zeta has no derivative in its first argument (tested below).
    grad = case not in ("ints", "bool") and not (name == "zeta" and case == "scalar_second")
    check(cases[case], a, b, grad=grad, atol=1e-3, rtol=1e-3)


def test_zeta_values():
    s = np.array([1.0, 0.5, 2, 2, 2, 2, 3, 2.5, -1, INF, 2, NAN, 1.0000001, 30, 1.5, 4.2, 2, 100, 2, 3])
    q = np.array([1.0, 1, 0, -1, -1.5, 0.5, -2.5, -1.5, 2, 1, INF, 1, 1, 0.1, 3, 0.02, 1e6, 0.9, NAN, 1e-3])
    check(fn("zeta"), s, q, grad=False, atol=0, rtol=1e-12)
    check(fn("zeta"), s.astype("float32"), q.astype("float32"), grad=False, atol=0, rtol=1e-5)


@pytest.mark.parametrize("shapes", BINARY_SHAPES)
def test_zeta_gradient_in_q(shapes):
    s = rand(*shapes[0], dtype="float64", low=1.5, high=5)
    q = rand(*shapes[1], dtype="float64", seed=2, low=0.2, high=4)
    check(lambda m, x, y: m.special.zeta(x.detach(), y), s, q, atol=1e-10, rtol=1e-9)
    y = numtorch.tensor(q, requires_grad=True)
    if y.numel():
        assert numtorch.autograd.gradcheck(lambda t: numtorch.special.zeta(numtorch.tensor(s), t), (y,))


def test_zeta_gradient_in_s_is_not_implemented():
    torch = need_torch()
    for lib, err in ((torch, NotImplementedError), (numtorch, NotImplementedError)):
        s = lib.tensor([2.0, 3.0], requires_grad=True)
        with pytest.raises(err):
            lib.special.zeta(s, lib.tensor([1.0, 2.0])).sum().backward()


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_binary_gradcheck(name):
    x = numtorch.tensor(rand(2, 3, dtype="float64"), requires_grad=True)
    y = numtorch.tensor(rand(3, dtype="float64", seed=5, low=0.2, high=2), requires_grad=True)
    assert numtorch.autograd.gradcheck(getattr(numtorch.special, name), (x, y))
    assert numtorch.autograd.gradgradcheck(getattr(numtorch.special, name), (x, y))


# ------------------------------------------------------------------------------------ polygamma, multigammaln

@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_polygamma(n, shape):
    check(lambda m, x: m.special.polygamma(n, x), rand(*shape, dtype="float64", low=0.3, high=5), atol=1e-9,
          rtol=1e-8)


@pytest.mark.parametrize("p", [1, 2, 3, 5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (0,), (6,), (2, 3)])
def test_multigammaln(p, dtype, shape):
    check(lambda m, x: m.special.multigammaln(x, p), rand(*shape, dtype=dtype, low=(p - 1) / 2 + 0.1, high=6),
          atol=1e-5, rtol=1e-5)


def test_mvlgamma_method_inplace_and_ints():
    check(lambda m, x: m.mvlgamma(x, p=2), rand(4, dtype="int64", low=1, high=3), grad=False)
    check(lambda m, x: x.mvlgamma(3), rand(4, dtype="float64", low=1.2, high=5))
    check(lambda m, x: x.clone().mvlgamma_(2), rand(4, dtype="float64", low=1.2, high=5))
    x = numtorch.tensor(rand(4, dtype="float64", low=1.5, high=4), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda t: numtorch.special.multigammaln(t, 3), (x,))


def test_i0_top_level():
    check(lambda m, x: m.i0(x), rand(5, dtype="float64", low=-9, high=9))
    check(lambda m, x: x.i0(), rand(5, dtype="float32", low=-9, high=9), atol=1e-5)
    check(lambda m, x: x.clone().i0_(), rand(5, dtype="float64", low=-9, high=9))


# ---------------------------------------------------------------------------------------- reductions, softmax

@pytest.mark.parametrize("dim", [0, -1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp(dim, keepdim):
    check(lambda m, x: m.special.logsumexp(x, dim, keepdim), rand(3, 4, dtype="float64"))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_softmax(name, dim, dtype):
    def run(m, x):
        return getattr(m.special, name)(x, dim, dtype=dtype and getattr(m, dtype))
    check(run, rand(3, 4), atol=1e-6, rtol=1e-5)


def test_round_decimals():
    check(lambda m, x: m.special.round(x), rand(6, dtype="float64") * 10)
    check(lambda m, x: m.special.round(x, decimals=2), rand(6, dtype="float64"))
    check(lambda m, x: m.special.round(x, decimals=-1), rand(6, dtype="float32") * 100)


@pytest.mark.parametrize("name", ["i0e", "ndtri", "erfcx", "entr", "ndtr", "expit", "multigammaln"])
def test_out(name):
    args = (2,) if name == "multigammaln" else ()

    def run(m, x):
        out = m.empty(0, dtype=m.float64)
        r = getattr(m.special, name)(x, *args, out=out)
        return r, out
    check(run, rand(5, dtype="float64", low=0.6, high=0.9), grad=False)


ERRORS = [
    ("not a tensor", lambda m, x: m.special.i0e([1.0])),
    ("ndtri not a tensor", lambda m, x: m.special.ndtri(0.5)),
    ("polygamma negative n", lambda m, x: m.special.polygamma(-1, x)),
    ("multigammaln p 0", lambda m, x: m.special.multigammaln(x, 0)),
    ("multigammaln bool", lambda m, x: m.special.multigammaln(x > 0, 1)),
    ("multigammaln complex", lambda m, x: m.special.multigammaln(x.to(m.complex64), 1)),
    ("zeta two numbers", lambda m, x: m.special.zeta(2, 3)),
    ("xlog1py two numbers", lambda m, x: m.special.xlog1py(2.0, 3.0)),
    ("zeta complex", lambda m, x: m.special.zeta(x.to(m.complex64), x)),
    ("xlog1py complex", lambda m, x: m.special.xlog1py(x.to(m.complex128), x)),
    ("zeta broadcast", lambda m, x: m.special.zeta(x, x[:2])),
    ("xlog1py broadcast", lambda m, x: m.special.xlog1py(x[:3], x)),
    ("round int", lambda m, x: m.special.round(x.long())),
    ("softmax dim", lambda m, x: m.special.softmax(x, 2)),
    ("logsumexp dim", lambda m, x: m.special.logsumexp(x, 3)),
    ("in-place int result", lambda m, x: x.long().i0_()),
]


@pytest.mark.parametrize("fn_", [e[1] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(fn_):
    check_raises(fn_, rand(5))


@pytest.mark.parametrize("name", ["bessel_j0", "bessel_j1"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bessel_j(name, dtype):
    x = np.r_[np.linspace(-60, 60, 2401), 0.0, -0.0, 1e-10, 2.404825557695773, 3.8317059702075125, 7.99,
              8.01, 24.99, 25.01, 150.5, INF, -INF, NAN].astype(dtype)
    # torch's float64 kernel is itself only good to ~5e-7 near its internal switch at |x| = 5.
    check(fn(name), x, grad=False, atol=1e-6 if dtype == "float64" else 2e-6, rtol=1e-5)


@pytest.mark.parametrize("name", ["bessel_j0", "bessel_j1"])
def test_bessel_j_dtypes_and_no_grad(name):
    check(lambda m, x: getattr(m.special, name)(x.long()), rand(4, low=-9, high=9), grad=False, atol=1e-6)
    check(lambda m, x: getattr(m.special, name)(x), rand(3, 2, dtype="float64").T, grad=False, atol=1e-6)
    for dtype in ("float16", "bfloat16", "complex64"):
        check_raises(lambda m, x: getattr(m.special, name)(x.to(getattr(m, dtype))), rand(3))
    x = numtorch.ones(2, requires_grad=True)
    assert getattr(numtorch.special, name)(x).grad_fn is None


API = "/work/shared/api/misc.txt"
IMPLEMENTED = {"expit", "logit", "erf", "erfc", "erfcx", "erfinv", "expm1", "exp2", "log1p", "gammaln",
               "digamma", "psi", "polygamma", "multigammaln", "i0", "i0e", "i1", "i1e", "ndtr", "ndtri",
               "log_ndtr", "sinc", "round", "xlogy", "xlog1py", "zeta", "entr", "logsumexp", "softmax",
               "log_softmax", "bessel_j0", "bessel_j1"}


def test_names_match_torch():
    torch = need_torch()
    for name in numtorch.special.__all__:
        assert hasattr(torch.special, name), name
    for name in IMPLEMENTED:
        assert callable(getattr(numtorch.special, name)), name
    if not os.path.exists(API):
        pytest.skip("no API list")
    with open(API) as f:
        listed = {ln.split()[1].rsplit(".", 1)[1] for ln in f if ln.split()[1:2] and "torch.special." in ln}
    assert IMPLEMENTED <= listed
