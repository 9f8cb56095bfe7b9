"""Reducing and embedding scatters against torch: scatter_reduce, index_reduce, masked_scatter and the
select/slice/diagonal/as_strided scatters (values, dtypes, strides, gradients, errors)."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand

REDUCES = ["sum", "prod", "mean", "amax", "amin"]


def _ints(*shape, high, seed=1):
    return np.random.default_rng(seed).integers(0, high, shape)


def _ties(*shape, seed=0):
    # Small integers in floats: ties for amax/amin and zeros for prod's special cases.
    return np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float64)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce(reduce, include_self):
    idx = _ints(3, 5, high=4)
    fn = lambda m, x, s, i: x.scatter_reduce(0, i, s, reduce, include_self=include_self)  # noqa: E731
    check(fn, _ties(4, 5), _ties(3, 5, seed=1), idx)
    check(fn, rand(4, 5, dtype="float64"), rand(3, 5, dtype="float64", seed=2), idx)
    fn1 = lambda m, x, s, i: m.scatter_reduce(x, -1, i, s, reduce=reduce, include_self=include_self)  # noqa
    check(fn1, _ties(2, 6), _ties(2, 4, seed=3), _ints(2, 3, high=6), grad=False)  # src larger than index


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float16", "bfloat16", "float32"])
def test_scatter_reduce_dtypes(reduce, dtype):
    fn = lambda m, x, s, i: x.scatter_reduce(1, i, s, reduce, include_self=False)  # noqa: E731
    data = (rand(3, 4, dtype="float32") * 3).round()
    src = (rand(3, 4, dtype="float32", seed=5) * 3).round()
    check(fn, data, src, _ints(3, 4, high=4), grad=False, dtypes=[dtype, dtype, None], atol=1e-2, rtol=1e-2)
    check(lambda m, x, s, i: x.scatter_reduce(1, i, s, reduce), data, src, _ints(3, 4, high=4), grad=False,
          dtypes=[dtype, dtype, None], atol=1e-2, rtol=1e-2)


def test_scatter_reduce_edges():
    check(lambda m, x, s, i: x.scatter_reduce(0, i, s, "sum"), rand(), rand(seed=1), np.array(0))
    check(lambda m, x, s, i: x.scatter_reduce(0, i, s, "amax"), rand(0, 3), rand(0, 3), _ints(0, 3, high=1))
    check(lambda m, x, s, i: x.clone().scatter_reduce_(1, i, s, "mean"), rand(3, 4), rand(3, 4, seed=2),
          _ints(3, 4, high=4))
    check(lambda m, x, s, i: x.t().scatter_reduce(0, i, s, "prod"), rand(4, 3), rand(2, 4, seed=2),
          _ints(2, 4, high=3))
    nan = np.array([1.0, np.nan, 3.0])
    check(lambda m, x, s, i: x.scatter_reduce(0, i, s, "amin"), rand(2), nan, np.array([0, 0, 1]),
          grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x, s, i: x.scatter_reduce(0, i, s, "median"),
    lambda m, x, s, i: x.scatter_reduce(0, i, s.double(), "sum"),
    lambda m, x, s, i: x.scatter_reduce(0, i.float(), s, "sum"),
    lambda m, x, s, i: x.scatter_reduce(0, i + 10, s, "sum"),
    lambda m, x, s, i: x.scatter_reduce(3, i, s, "sum"),
    lambda m, x, s, i: x.bool().scatter_reduce(0, i, s.bool(), "mean"),
    lambda m, x, s, i: x.scatter_reduce(0, i, s[:1, :1], "sum"),
    lambda m, x, s, i: x.to(m.complex64).scatter_reduce(0, i, s.to(m.complex64), "amax"),
])
def test_scatter_reduce_errors(fn):
    check_raises(fn, rand(4, 5), rand(3, 5, seed=1), _ints(3, 5, high=4))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce(reduce, include_self):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn = lambda m, x, s, i: x.index_reduce(1, i, s, reduce, include_self=include_self)  # noqa: E731
        check(fn, _ties(3, 4), _ties(3, 5, seed=2), _ints(5, high=4), warns=False)
        fn0 = lambda m, x, s, i: m.index_reduce(x, 0, i, s, reduce, include_self=include_self)  # noqa
        check(fn0, rand(4, 2, dtype="float64"), rand(3, 2, dtype="float64", seed=1), np.array([3, 0, 3]),
              warns=False)
        check(lambda m, x, s, i: x.clone().index_reduce_(0, i, s, reduce), rand(5, dtype="int64"),
              rand(3, dtype="int64", seed=1), np.array([1, 1, 4]), grad=False, warns=False)


@pytest.mark.parametrize("fn", [
    lambda m, x, s, i: x.index_reduce(0, i, s, "sum"),
    lambda m, x, s, i: x.index_reduce(0, i.float(), s, "prod"),
    lambda m, x, s, i: x.index_reduce(0, i[None], s, "prod"),
    lambda m, x, s, i: x.index_reduce(0, i - 5, s, "prod"),
    lambda m, x, s, i: x.index_reduce(0, i, s.double(), "prod"),
    lambda m, x, s, i: x.index_reduce(0, i[:2], s, "prod"),
    lambda m, x, s, i: x[:, 0].bool().index_reduce(0, i, s[:, 0].bool(), "prod"),
    lambda m, x, s, i: x.bool().index_reduce(0, i, s.bool(), "mean"),
    lambda m, x, s, i: x.to(m.complex64).index_reduce(0, i, s.to(m.complex64), "amax"),
])
def test_index_reduce_errors(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_raises(fn, rand(4, 2), rand(3, 2, seed=1), np.array([3, 0, 3]))


def test_reduce_gradcheck():
    need_torch()
    x = numtorch.tensor(rand(4, 3, dtype="float64"), requires_grad=True)
    s = numtorch.tensor(rand(5, 3, dtype="float64", seed=1), requires_grad=True)
    i = numtorch.tensor(_ints(5, 3, high=4))
    for red in REDUCES:
        for inc in (True, False):
            f = lambda x, s: x.scatter_reduce(0, i, s, red, include_self=inc)  # noqa: E731
            assert numtorch.autograd.gradcheck(f, (x, s))
    assert numtorch.autograd.gradgradcheck(lambda x, s: x.scatter_reduce(0, i, s, "mean"), (x, s))
    assert numtorch.autograd.gradgradcheck(lambda x, s: x.scatter_reduce(0, i, s, "prod"), (x, s))


# ---------------------------------------------------------------------------------------- masked_scatter

@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((2, 3), (2, 3)), ((3,), (2, 3)), ((), ()),
                                    ((0, 3), (3,)), ((4, 1), (1, 5))])
def test_masked_scatter(shapes):
    xs, ms = shapes
    check(lambda m, x, mask, s: m.masked_scatter(x, mask, s), rand(*xs), rand(*ms, dtype="bool"), rand(3, 5))
    check(lambda m, x, mask, s: x.masked_scatter(mask, s), rand(*xs, dtype="int64"), rand(*ms, dtype="bool"),
          rand(30, dtype="int64"), grad=False)


def test_masked_scatter_inplace_and_views():
    check(lambda m, x, mask, s: x.clone().masked_scatter_(mask, s), rand(3, 4), rand(4, dtype="bool"),
          rand(12))
    check(lambda m, x, mask, s: x.t().masked_scatter(mask, s[::2]), rand(4, 3), rand(3, 4, dtype="bool"),
          rand(30))
    need_torch()
    assert numtorch.autograd.gradgradcheck(
        lambda x, s: x.masked_scatter(numtorch.tensor([True, False, True]), s),
        (numtorch.tensor(rand(2, 3, dtype="float64"), requires_grad=True),
         numtorch.tensor(rand(5, dtype="float64"), requires_grad=True)))


@pytest.mark.parametrize("fn", [
    lambda m, x, mask, s: x.masked_scatter(mask, s[:1]),
    lambda m, x, mask, s: x.masked_scatter(mask.long(), s),
    lambda m, x, mask, s: x.masked_scatter(mask, s.double()),
    lambda m, x, mask, s: x[0].masked_scatter_(mask, s),
    lambda m, x, mask, s: x.masked_scatter(mask[:2], s),
])
def test_masked_scatter_errors(fn):
    check_raises(fn, rand(3, 3), np.ones((3, 3), bool), rand(9))


# ---------------------------------------------------------------------------------------- view scatters

@pytest.mark.parametrize("fn, xs, ss", [
    (lambda m, x, s: m.select_scatter(x, s, 0, 1), (3, 4), (4,)),
    (lambda m, x, s: m.select_scatter(x, s, -1, -2), (3, 4), (3,)),
    (lambda m, x, s: x.select_scatter(s, 0, 0), (3,), ()),
    (lambda m, x, s: m.select_scatter(x.expand(2, 3, 4), s, 0, 0), (3, 4), (3, 4)),
    (lambda m, x, s: m.slice_scatter(x, s, 1, 0, 4, 2), (3, 4), (3, 2)),
    (lambda m, x, s: m.slice_scatter(x.t(), s, 0, 1, None, 2), (3, 4), (2, 3)),
    (lambda m, x, s: x.slice_scatter(s, start=-2), (3, 4), (2, 4)),
    (lambda m, x, s: m.slice_scatter(x, s, 0, 5), (3, 4), (0, 4)),
    (lambda m, x, s: m.diagonal_scatter(x, s), (3, 4), (3,)),
    (lambda m, x, s: m.diagonal_scatter(x, s, 1, 1, 0), (3, 4), (2,)),
    (lambda m, x, s: x.diagonal_scatter(s, -1, 0, 2), (3, 2, 4), (2, 2)),
], ids=lambda v: "" if callable(v) else str(v))
def test_view_scatters(fn, xs, ss):
    check(fn, rand(*xs), rand(*ss, seed=1), strides=True)
    check(fn, rand(*xs, dtype="int32"), rand(*ss, dtype="int32", seed=1), grad=False, strides=True)


@pytest.mark.parametrize("fn", [
    lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (1, 2)),
    lambda m, x, s: m.as_strided_scatter(x.t(), s, (2, 2), (1, 2)),
    lambda m, x, s: m.as_strided_scatter(x[1:], s, (2, 2), (1, 2)),
    lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (1, 2), 5),
    lambda m, x, s: m.select_scatter(x, s.double()[0], 0, 1),
    lambda m, x, s: m.slice_scatter(x.t(), s.long(), 1, 1, 3),
])
def test_view_scatters_layouts_and_dtypes(fn):
    check(fn, rand(3, 4), rand(2, 2, seed=1), grad=False, strides=True)


def test_as_strided_scatter_gradient():
    # torch's self-gradient for as_strided_scatter keeps grad inside the window instead of outside it
    # (it fails torch's own gradcheck); numtorch gives the true derivative, and the src gradient as torch.
    need_torch()
    x = numtorch.tensor(rand(3, 4, dtype="float64"), requires_grad=True)
    s = numtorch.tensor(rand(2, 2, dtype="float64", seed=1), requires_grad=True)
    f = lambda x, s: numtorch.as_strided_scatter(x, s, (2, 2), (1, 2), 3)  # noqa: E731
    assert numtorch.autograd.gradcheck(f, (x, s))
    check(lambda m, x, s: m.as_strided_scatter(x.detach(), s, (2, 2), (1, 2)), rand(3, 4), rand(2, 2))
    for f in (lambda x, s: numtorch.select_scatter(x, s[:, 0], 1, 2),
              lambda x, s: numtorch.slice_scatter(x, s[:, :2], 1, 1, 4, 2),
              lambda x, s: numtorch.diagonal_scatter(x, s.reshape(-1)[:3], 1)):
        assert numtorch.autograd.gradcheck(f, (x, s.repeat(2, 2)[:3].detach().requires_grad_()))
        assert numtorch.autograd.gradgradcheck(f, (x, s.repeat(2, 2)[:3].detach().requires_grad_()))


@pytest.mark.parametrize("fn", [
    lambda m, x, s: m.select_scatter(x, s, 0, 1),
    lambda m, x, s: m.select_scatter(x, s[0], 0, 5),
    lambda m, x, s: m.slice_scatter(x, s, 1, 0, 4, 2),
    lambda m, x, s: m.slice_scatter(x, s, 1, 0, 4, 0),
    lambda m, x, s: m.diagonal_scatter(x, s),
    lambda m, x, s: m.diagonal_scatter(x, s[0], 0, 1, 1),
    lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (1, 2), 20),
    lambda m, x, s: m.as_strided_scatter(x, s, (2, 3), (1, 2)),
])
def test_view_scatter_errors(fn):
    check_raises(fn, rand(3, 4), rand(2, 2))


@pytest.mark.parametrize("fn", [
    lambda m, x: x.clone().fill_diagonal_(5, wrap=True), lambda m, x: x.clone().fill_diagonal_(5),
    lambda m, x: x.t().clone().fill_diagonal_(2, True), lambda m, x: x.clone().t().fill_diagonal_(3),
    lambda m, x: x[1:, 1:].clone().fill_diagonal_(-1), lambda m, x: (x * 2).fill_diagonal_(0),
    lambda m, x: m.zeros(3, 3, 3).fill_diagonal_(1), lambda m, x: m.zeros(8, 2).fill_diagonal_(4, wrap=True),
])
def test_fill_diagonal(fn):
    check(fn, rand(7, 3))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.zeros(3, 4, 3).fill_diagonal_(1), lambda m, x: m.zeros(3).fill_diagonal_(1),
    lambda m, x: m.nonzero_static(x, size=-1),
])
def test_fill_diagonal_errors(fn):
    check_raises(fn, rand(7, 3))


@pytest.mark.parametrize("size", [0, 2, 5, 9])
def test_nonzero_static(size):
    data = np.array([[0, 1, 0], [2, 3, 0], [0, 0, 4]])
    check(lambda m, x: m.nonzero_static(x, size=size), data, grad=False)
    check(lambda m, x: x.reshape(-1).nonzero_static(size=size, fill_value=-7), data, grad=False)
