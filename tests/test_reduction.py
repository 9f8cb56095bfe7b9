"""sum and mean against torch: dims, keepdim, dtype=, empty and 0-d inputs, gradients, nodes."""
import numpy as np
import pytest

from conftest import check, check_raises, lib_of, rand
from test_operators import check_grad2

CASES = ["x.sum()", "x.sum(0)", "x.sum(-1)", "x.sum((0, 1))", "x.sum([0, -1])", "x.sum(())", "x.sum([])",
         "x.sum(0, keepdim=True)", "x.sum(dim=None, keepdim=True)", "x.sum(dtype=m.float64)", "x.mean()",
         "x.mean(0)", "x.mean((0, 1), True)", "x.mean(dtype=m.float64)", "m.sum(x, 1)",
         "m.mean(x, -1, keepdim=True)",
         "x.sum(2)", "x.sum((0, 0))", "x.mean(())", "x.mean(-3)", "x.sum(dim=0)", "x.t().sum(0)",
         "x.t().mean(1)",
         "x.expand(2, *x.shape).sum(0)", "m.sum(x, 0, out=m.empty(0, dtype=x.dtype))",
         "x.sum(1, dtype=m.int32)"]
SHAPES = [(3, 4), (), (0, 3), (2, 0)]


def _data(dtype, shape):
    if dtype == "complex64":
        return (rand(*shape) + 1j * rand(*shape, seed=2)).astype(dtype)
    return np.asarray(rand(*shape, dtype=dtype))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int64", "uint8", "bool",
                                   "complex64"])
def test_sum_mean(dtype, shape):
    d = _data(dtype, shape)
    for expr in CASES:
        if (".t()" in expr or "expand" in expr) and len(shape) != 2:
            continue
        if dtype == "complex64" and ("dtype=" in expr or "out=" in expr):
            continue  # torch warns once per process about discarding the imaginary part
        grad = dtype in ("float32", "float64") and "out=" not in expr
        check(lambda m, x: eval(expr), d, grad=grad, atol=1e-3, rtol=1e-3)


def test_bfloat16_and_large():
    check(lambda m, x: (x.sum(), x.mean(1)), rand(64, 33), dtypes=["bfloat16"], grad=False, atol=0.1,
          rtol=0.02)
    check(lambda m, x: (x.sum(), x.mean(0)), rand(1000, 3), dtypes=["float16"], grad=False, atol=0.05,
          rtol=1e-2)
    check(lambda m, x: x.sum(), np.array([np.nan, 1.0, np.inf]), grad=False)


@pytest.mark.parametrize("expr", ["x.sum()", "x.sum(1)", "x.mean()", "x.mean((0, 1), keepdim=True)",
                                  "(x * x).sum(0)", "(x * x).mean(-1)"])
def test_second_order(expr):
    check_grad2(lambda m, x: eval(expr) * eval(expr), rand(3, 4, dtype="float64"))


@pytest.mark.parametrize("expr", ["x.sum()", "x.sum(0)", "x.sum(dtype=m.float64)", "x.mean()", "x.mean(1)",
                                  "x.sum(())", "x.mean([0, 1])"])
def test_node_names(expr):
    names = []
    for name in ("torch", "numtorch"):
        m = lib_of(name)
        x = m.ones(3, 4, requires_grad=True)
        fn = eval(expr).grad_fn
        names.append((fn.name(), len(fn.next_functions)))
    assert names[0] == names[1]


@pytest.mark.parametrize("expr", ["x.long().mean()", "x.sum(5)", "x.mean(-3)", "x.sum((0, -2))",
                                  "x.int().mean(0)", "x.requires_grad_().sum(dtype=m.int64)"])
def test_errors(expr):
    check_raises(lambda m, x: eval(expr), rand(3, 4))


def test_sum_to_size():
    check(lambda m, x: x.sum_to_size(3, 1), rand(3, 4))
    check(lambda m, x: x.sum_to_size((1, 4)), rand(3, 4))
    check_raises(lambda m, x: x.sum_to_size(5), rand(3, 4))


@pytest.mark.parametrize("p,dim", [("fro", [1, 2, 3]), ("nuc", None), ("nuc", 1), ("bad", (0, 1)), ("nuc", (0, 2)),
                                   ("fro", (0, 2)), ("fro", None), ("fro", 1)])
def test_norm_with_named_orders_routes_as_torch(p, dim):
    # torch.norm sends 'fro' over at most two dims to vector_norm, everything else named to matrix_norm
    x = rand(3, 2, 2, 2, seed=8)
    fn = lambda m, t: m.norm(t, p=p, dim=dim, keepdim=True)  # noqa: E731
    if p == "nuc" and dim == (0, 2) or p == "fro" and dim != [1, 2, 3]:
        check(fn, x)
    else:
        check_raises(fn, x)
