"""matmul, mm, bmm, dot, mv against torch: every rank pair, broadcasting, dtypes, errors, graph."""
import itertools

import numpy as np
import pytest

from conftest import check, check_raises, lib_of, rand
from test_operators import check_grad2

PAIRS = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4,)), ((4,), (2, 4, 5)),
         ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (1, 4, 5)),
         ((1, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((2, 1, 3, 4), (1, 5, 4, 2)), ((0, 3, 4), (4, 2)),
         ((3, 0), (0, 2)), ((2, 3, 4), (3, 2, 4, 5)), ((1, 3, 4), (4,))]


@pytest.mark.parametrize("sa,sb", PAIRS)
def test_matmul_shapes(sa, sb):
    a, b = rand(*sa), rand(*sb, seed=1)
    check(lambda m, x, y: x @ y, a, b, atol=1e-5)
    check(lambda m, x, y: m.matmul(x, y), a, b, grad=False, atol=1e-5)
    if len(sa) >= 2:
        check(lambda m, x, y: x.mT.contiguous().mT @ y, a, b, atol=1e-5)


@pytest.mark.parametrize("sa,sb", PAIRS[:12])
def test_matmul_second_order(sa, sb):
    check_grad2(lambda m, x, y: (x @ y) * (x @ y).detach(), rand(*sa, dtype="float64"),
                rand(*sb, dtype="float64", seed=1))
    check_grad2(lambda m, x, y: (x.sin() @ y) ** 2, rand(*sa, dtype="float64"),
                rand(*sb, dtype="float64", seed=1))


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16", "int64", "int32", "complex64", "bool"])
def test_dtypes(dtype):
    a = rand(3, 4, dtype=dtype if dtype not in ("bfloat16", "complex64") else "float32")
    b = rand(4, 2, dtype=a.dtype.name, seed=1)
    dts = [dtype, dtype] if dtype in ("bfloat16", "complex64") else None
    tol = 0.05 if dtype in ("float16", "bfloat16") else 1e-5
    for fn in (lambda m, x, y: x @ y, lambda m, x, y: x.mm(y), lambda m, x, y: x[0] @ y,
               lambda m, x, y: x @ y[:, 0], lambda m, x, y: x.t()[0].dot(y[:, 0]),
               lambda m, x, y: x.unsqueeze(0).bmm(y.unsqueeze(0))):
        check(fn, a, b, dtypes=dts, grad=False, atol=tol, rtol=tol)


@pytest.mark.parametrize("expr", [
    "m.ones(2, 3) @ m.ones(4, 5)", "m.ones(3) @ m.ones(4, 5)", "m.ones(2, 3) @ m.ones(4)",
    "m.ones(3) @ m.ones(4)",
    "m.ones(2, 2, 3) @ m.ones(4, 5)", "m.ones(2, 2, 3) @ m.ones(2, 4, 5)",
    "m.ones(2, 2, 3) @ m.ones(3, 3, 5)",
    "m.ones(3, 3) @ m.ones(2, 4, 5)", "m.ones(2, 2, 3) @ m.ones(4)", "m.ones(()) @ m.ones(3)",
    "m.ones(2, 3).mm(m.ones(3))", "m.ones(2, 3, 3).mm(m.ones(3, 3))", "m.ones(2, 3).bmm(m.ones(3, 3))",
    "m.ones(2, 3).dot(m.ones(3, 3))", "m.ones(2).mv(m.ones(3))", "m.ones(2, 3).mv(m.ones(4))",
    "m.ones(2, 3).mm(m.ones(3, 2, dtype=m.float64))", "m.ones(3).dot(m.ones(3, dtype=m.float64))",
    "m.ones(2, 3).mv(m.ones(3, dtype=m.float64))", "m.ones(2, 2, 3).bmm(m.ones(2, 3, 2, dtype=m.float64))",
    "m.ones(2, 3, dtype=m.bool) @ m.ones(3, 3, dtype=m.bool)", "m.ones(2, 2, 3).bmm(m.ones(3, 3, 3))",
    "m.ones(3, dtype=m.bool) @ m.ones(3, dtype=m.bool)", "m.ones(2, 3) @ 2",
    "m.matmul(m.ones(2, 3, requires_grad=True), m.ones(3, 2), out=m.empty(2, 2))",
])
def test_errors(expr):
    ne, te = check_raises(lambda m: eval(expr))
    assert str(ne) == str(te)


def _chain(r):
    names, fn = [], r.grad_fn
    while fn is not None and len(names) < 4:
        names.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[-1] if nxt else None
    return names, len(r.grad_fn.next_functions)


@pytest.mark.parametrize("sa,sb", PAIRS)
def test_nodes(sa, sb):
    for ga, gb in itertools.product((True, False), repeat=2):
        if not (ga or gb):
            continue
        got = []
        for name in ("torch", "numtorch"):
            m = lib_of(name)
            a = m.tensor(rand(*sa), requires_grad=ga)
            b = m.tensor(rand(*sb), requires_grad=gb)
            got.append(_chain(a @ b)[1])
            got.append((a @ b).grad_fn.name())
        assert got[:2] == got[2:]


def test_out_and_imatmul():
    check(lambda m, x, y: m.matmul(x, y, out=m.empty(3, 5)), rand(3, 4), rand(4, 5), grad=False)
    check(lambda m, x, y: m.mm(x, y, out=m.empty(0)), rand(3, 4), rand(4, 5), grad=False)

    def imatmul(m, x, y):
        z = x.clone()
        before = z
        z @= y
        return z, z is before, before
    check(imatmul, rand(3, 4), rand(4, 4))
    check(imatmul, rand(3, 4), rand(4, 5))
