"""Indexing against the torch oracle: __getitem__/__setitem__ and the gather/scatter family."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, rand, run_both


def _node(t):
    fn = t.grad_fn
    return None if fn is None else fn.name().replace("torch::autograd::", "")


def same_nodes(fn, *data):
    """fn(lib, *tensors) returns a tensor; its grad_fn name is the same under both libraries."""
    res = run_both(fn, *data, grad=True)
    t, n = res["torch"][0], res["numtorch"][0]
    assert res["torch"][3] is None and res["numtorch"][3] is None, (res["torch"][3], res["numtorch"][3])
    assert _node(n) == _node(t), f"{_node(n)} != {_node(t)}"


def T(*args, dtype=None):
    """An index tensor built in whichever library runs."""
    return lambda m: m.tensor(*args, dtype=getattr(m, dtype) if dtype else None)


def build(m, index):
    if callable(index):
        return index(m)
    if isinstance(index, tuple):
        return tuple(build(m, i) for i in index)
    return index


S = slice(None)
# (shape, index): basic indexing, a view in both libraries.
BASIC = [
    ((5,), 0), ((5,), -1), ((5,), slice(1, 4)), ((5,), slice(None, None, 2)), ((5,), slice(-3, None)),
    ((5,), slice(4, 1)), ((5,), slice(-100, 100)), ((5,), None), ((5,), ...), ((5,), ()),
    ((3, 4), 1), ((3, 4), (1, 2)), ((3, 4), (S, 1)), ((3, 4), (S, slice(1, None, 2))), ((3, 4), (..., 2)),
    ((3, 4), (None, S, None)), ((3, 4), (1, None)), ((3, 4), (S, S)), ((3, 4), (slice(0, 3),)),
    ((3, 4), (..., None)), ((3, 4), (..., ...)), ((3, 4), slice(None)), ((3, 4), np.int64(2)),
    ((3, 4), T(1)), ((3, 4), (T(-1), T(2))), ((2, 3, 4), (0, ..., 1)), ((2, 3, 4), (S, -1, slice(1, 3))),
    ((2, 3, 4, 5), (1, S, None, slice(0, 5, 3), -2)), ((2, 3, 4, 5), (..., 0, S)), ((0, 3), (S, 1)),
    ((0, 3), slice(1, 2)), ((), ...), ((), None), ((), ()), ((3, 4), [0, S]), ((3, 4), [1, None]),
    ((3, 4), (np.int32(1), np.array(2))),
]


@pytest.mark.parametrize("shape,index", BASIC)
def test_getitem_basic(shape, index):
    check(lambda m, x: x[build(m, index)], rand(*shape), strides=0 not in shape)
    same_nodes(lambda m, x: (x * 1)[build(m, index)], rand(*shape))


@pytest.mark.parametrize("shape,index", BASIC[:30])
def test_getitem_basic_shares_memory(shape, index):
    x = numtorch.tensor(rand(*shape))
    v = x[index(numtorch) if callable(index) else build(numtorch, index)]
    assert v._base is x
    if v.numel():
        v.add_(1)
        assert x._version == 1 and v._version == 1
        assert np.shares_memory(v.numpy(), x.numpy())


# (shape, index): advanced indexing, a copy with IndexBackward0.
ADVANCED = [
    ((5,), [0, 2, 2, -1]), ((5,), T([4, 0, 4])), ((5,), T([[0, 1], [2, 3]])),
    ((5,), T([True, False, True, True, False])),
    ((5,), [True, False, True, True, False]), ((5,), True), ((5,), False), ((5,), []), ((5,), [1.7, 2]),
    ((5,), T([1, 3], dtype="int32")), ((3, 4), ([0, 2], [1, 3])), ((3, 4), ([0, 2], [[1], [3]])),
    ((3, 4), (S, [0, 0, 3])), ((3, 4), (1, [0, 2])), ((3, 4), ([0, 1], 2)),
    ((3, 4), T([[True, False, True, False]] * 3)),
    ((3, 4), (S, T([True, False, True, True]))), ((3, 4), ([[0, 1], [1, 2]],)), ((3, 4), [[0, 1], [1, 2]]),
    ((3, 4), [[0, 1]]), ((3, 4), (T(True), 0)), ((3, 4), (S, T(False))), ((3, 4), (True, True)),
    ((3, 4), [True, 0]), ((3, 4), list(range(3)) * 11), ((3, 4), ([], [])), ((3, 4), (np.array([0, 2]),)),
    ((3, 4), range(2)), ((3, 4), ((0, 1),)), ((3, 3, 3), ([1, 2], [1, 2], [2, 0])),
    ((3, 3, 3), ([2, 1, 0], [0], [1])),
    ((3, 3, 3), ([0, 2], ...)), ((3, 4, 5, 6), ([0, 1], S, 0)), ((3, 4, 5, 6), (0, S, [0, 1])),
    ((3, 4, 5, 6), ([0, 1], S, [1, 2])), ((3, 4, 5, 6), (S, [0, 1], S, [1, 2])),
    ((3, 4, 5, 6), ([[0], [1]], S, [1, 2])),
    ((3, 4, 5, 6), (S, [0, 1], None, [1, 2])), ((3, 4, 5, 6), (None, [0, 1], [1, 2])),
    ((3, 4, 5, 6), ([0, 1], None, [1, 2])),
    ((3, 4, 5, 6), ([0, 1], ..., [1, 2])), ((3, 4, 5, 6), (T(1), [0, 1], S, T(2))),
    ((3, 4, 5, 6), ([0, 1], slice(1, 3), True)),
    ((3, 4, 5, 6), (S, True, [0, 1], None, [1, 2])), ((3, 4, 5), (T([[True, False, True, False]] * 3), 0)),
    ((3, 4, 5), (T([[True, False, True, False]] * 3), slice(1, 3))),
    ((3, 4, 5), (0, T([True, False, True, False]))),
    ((0, 3), []), ((0, 3), (S, [0, 2])), ((0, 3), T(np.zeros((0, 3), bool))), ((), True), ((), T(True)),
]


@pytest.mark.parametrize("shape,index", ADVANCED)
def test_getitem_advanced(shape, index):
    check(lambda m, x: x[build(m, index)], rand(*shape))
    same_nodes(lambda m, x: (x * 1)[build(m, index)], rand(*shape))


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16", "float64", "uint8", "int32"])
def test_getitem_dtypes(dtype):
    x = rand(3, 4, dtype=dtype)
    for index in [(1, slice(0, 3, 2)), ([2, 0], S), (S, T([True, False, False, True]))]:
        check(lambda m, x: x[build(m, index)], x, grad=False)


@pytest.mark.parametrize("index",
                         [(slice(None, None, 2), 1), ([0, 2], S), (S, [1, 0]),
                          (T([[True, False, True]] * 4),)])
def test_getitem_noncontiguous(index):
    check(lambda m, x: x.t()[build(m, index)], rand(3, 4))
    check(lambda m, x: x[:, ::2][build(m, index)], rand(4, 6))
    check(lambda m, x: x.expand(4, 3)[build(m, index)], rand(3))


ERRORS = [
    ((3, 4), 5), ((3, 4), -4), ((3, 4), (0, 9)), ((3, 4), [0, 5]), ((3, 4), ([0, 1], [1, 7])),
    ((3, 4), (0, 0, 0)),
    ((3, 4), (S, S, S)), ((3, 4), slice(None, None, -1)), ((3, 4), slice(None, None, 0)),
    ((3, 4), T([True, False])), ((3, 4), [True]), ((3, 4), T([0.0, 1.0])), ((3, 4), T([0, 1], dtype="int16")),
    ((3, 4), ([0, 1], [])), ((3, 4), 1.5), ((3, 4), "a"), ((3, 4), {1}), ((3, 4), T(1.0)),
    ((3, 4), np.bool_(True)),
    ((3, 4), T([[0, 5]])), ((2, 3, 4), (S, None, 9)), ((), 0), ((), slice(None)), ((), [0]), ((), T(0)),
    ((0, 3), 0), ((3, 4), (T([[True, False, True]] * 3),)), ((), (None, [0])),
]


@pytest.mark.parametrize("shape,index", ERRORS)
def test_getitem_errors(shape, index):
    check_raises(lambda m, x: x[build(m, index)], rand(*shape))


def test_getitem_error_messages():
    x = numtorch.zeros(2, 3, 4)
    for index, msg in [((0, 9), "index 9 is out of bounds for dimension 1 with size 3"),
                       ((S, None, 9), "index 9 is out of bounds for dimension 2 with size 3"),
                       ((..., 7), "index 7 is out of bounds for dimension 1 with size 4"),
                       ([0, 5], "index 5 is out of bounds for dimension 0 with size 2"),
                       ((0, 0, 0, 0), "too many indices for tensor of dimension 3"),
                       (slice(None, None, -1), "step must be greater than zero")]:
        with pytest.raises((IndexError, ValueError), match=msg.replace("[", r"\[")):
            x[index]


def test_getitem_warnings():
    check(lambda m, x: x[[[0, 1], [1, 2]]], rand(3, 4))  # the non-tuple sequence warning is compared
    check(lambda m, x: x[m.tensor([1, 0, 1], dtype=m.uint8)], rand(3, 4))


def test_getitem_double_backward():
    for index in [([0, 2, 2],), (slice(1, None, 2),), (1, S),
                  (T([[True, False], [False, True], [True, True]]),)]:
        res = {}
        for name, m in [("torch", __import__("torch")), ("numtorch", numtorch)]:
            x = m.tensor(rand(3, 2, dtype="float64"), requires_grad=True)
            y = (x ** 3)[build(m, index)]
            (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
            (gg,) = m.autograd.grad((g * g).sum(), x)
            res[name] = g.detach().numpy(), gg.numpy()
        np.testing.assert_allclose(res["numtorch"][0], res["torch"][0])
        np.testing.assert_allclose(res["numtorch"][1], res["torch"][1])


# ---------------------------------------------------------------------------------------- __setitem__

def _set(index, value):
    def fn(m, x, z):
        y = x * 2
        y[build(m, index)] = value(m, z) if callable(value) else value
        return y
    return fn


SETS = [
    (0, 5.0), (0, lambda m, z: z[0]), ((S, 1), lambda m, z: z[:, 0]), (slice(1, None), lambda m, z: z[:2]),
    (..., 3.0), (..., lambda m, z: z[0, 0]), (None, 3.0), ((S, S), 3.0), (S, lambda m, z: z), (True, 3.0),
    ((1, slice(0, 4, 2)), lambda m, z: z[0, :2]), ((S, 0), lambda m, z: z[:1, :1]),
    ([0, 2], 7.0), ([0, 2], lambda m, z: z[1]), (([0, 1], [1, 2]), lambda m, z: z[:2, 0]),
    (([0, 0], [1, 1]), lambda m, z: z[:2, 0]), ((S, [0, 3]), lambda m, z: z[:, :1]),
    ([2, 0], lambda m, z: z[:1, None]),
    (lambda m: m.tensor([True, False, True]), 0.0),
    (lambda m: m.tensor([True, False, True]), lambda m, z: z[0]),
    ((S, lambda m: m.tensor([True, False, True, False])), lambda m, z: z[:, :2]),
    (lambda m: m.tensor([[True, False, True, False]] * 3), lambda m, z: z[0, :2].repeat(3)),
    ([[0, 1]], 1.0), (0, True), (0, np.float64(2)), (0, lambda m, z: m.ones(1, 1, 1, 4)),
    ([0, 1], lambda m, z: m.ones(1, 1, 1, 4)), (0, lambda m, z: z[0].double()), (0, lambda m, z: m.tensor(3)),
]


@pytest.mark.parametrize("index,value", SETS)
def test_setitem(index, value):
    check(_set(index, value), rand(3, 4), rand(3, 4, seed=1))
    same_nodes(_set(index, value), rand(3, 4), rand(3, 4, seed=1))


def _set_nograd(index, value, dtype):
    def fn(m, x):
        x[build(m, index)] = value(m) if callable(value) else value
        return x
    return fn


@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8", "bool", "float16", "float64", "int32"])
@pytest.mark.parametrize("index,value", [(0, 1), ((S, 1), -1), ([0, 2], 3), (([0, 1], [1, 0]), True),
                                         (slice(0, 2), 2.7), (lambda m: m.tensor([True, False, True]), 1)])
def test_setitem_dtypes(dtype, index, value):
    check(_set_nograd(index, value, dtype), rand(3, 4, dtype=dtype), grad=False)


SET_ERRORS = [
    (0, 300, "int8"), (0, float("inf"), "int32"), (0, 1 + 2j, "float32"), (0, 1e40, "float32"),
    (0, 2 ** 63, "int64"),
    (0, [1, 2, 3, 4], "float32"), (0, (1, 2), "float32"), (0, "a", "float32"), (0, np.ones(4), "float32"),
    ([0, 1], lambda m: m.tensor([1, 2, 3, 4]), "float32"), ([0, 1], lambda m: m.tensor(1), "float32"),
    ([0, 1], lambda m: m.ones(3, 4), "float32"), (0, lambda m: m.ones(2, 4), "float32"),
    (lambda m: m.tensor([True, False, True]), lambda m: m.ones(3), "float32"),
    (slice(None, None, -1), 1, "float32"),
    (5, 1, "float32"), ([5], 1, "float32"), (0, -1, "uint8"),
]


@pytest.mark.parametrize("index,value,dtype", SET_ERRORS)
def test_setitem_errors(index, value, dtype):
    fn = _set_nograd(index, value, dtype)
    res = run_both(fn, rand(3, 4, dtype=dtype))
    assert type(res["numtorch"][3]) is type(res["torch"][3]), (res["numtorch"][3], res["torch"][3])
    if res["torch"][3] is None:
        check(fn, rand(3, 4, dtype=dtype), grad=False)


@pytest.mark.parametrize("index", [0, (S, 1), [0, 1], lambda m: m.tensor([True, False, True])])
def test_setitem_leaf_errors(index):
    check_raises(lambda m, x: x.requires_grad_().__setitem__(build(m, index), 1.0), rand(3, 4))


@pytest.mark.parametrize("index", [0, [0, 1], lambda m: m.tensor([True, False, True])])
def test_setitem_leaf_no_grad(index):
    def fn(m, x):
        with m.no_grad():
            x[build(m, index)] = 1.0
        return x.detach().clone()
    check(fn, rand(3, 4), grad=False)


def _set_expanded(index):
    def fn(m, x):
        e = x.expand(3, 4)
        e[build(m, index)] = 1.0
        return x.clone()
    return fn


@pytest.mark.parametrize("index", [lambda m: m.tensor([True, False, True]), [0, 1], (S, 0), (S, [0, 1])])
def test_setitem_expanded(index):
    check(_set_expanded(index), rand(4), grad=False)  # advanced writes warn, basic ones raise


def test_setitem_graph_and_version():
    def fn(m, x, z):
        b = m.zeros(3, 4)
        b[1:] = x[:2]
        assert b.requires_grad and _node(b) == "CopySlices"
        b[:, 0] = z[:, 0] * 3
        b[[0, 0], [1, 2]] = z[0, :2]
        b[b > 1] = 0
        return b
    check(fn, rand(3, 4), rand(3, 4, seed=1))
    x = numtorch.zeros(3, 4)
    v = x[1]
    x[[0]] = 1.0
    x[1] = 2.0
    x[x > 1] = 3.0
    assert x._version == 3 and v._version == 3 and v.tolist() == [3.0] * 4


def test_setitem_through_view():
    def fn(m, x, z):
        y = x * 1
        v = y[1:]
        v[:, [0, 2]] = z[:2, :2]
        v[0] = 4.0
        return y
    check(fn, rand(3, 4), rand(3, 4, seed=1))


# ---------------------------------------------------------------------------------------- the function family

def L(*a):
    return lambda m: m.tensor(*a)


I2 = [[0, 1], [2, 0]]
FUNCS = [
    lambda m, x, s: x.gather(1, m.tensor(I2)),
    lambda m, x, s: m.gather(x, 0, m.tensor([[2, 0, 1, 1]])),
    lambda m, x, s: x.gather(-1, m.tensor(I2, dtype=m.int32)),
    lambda m, x, s: x.t().gather(0, m.tensor(I2)),
    lambda m, x, s: x[0, 0].gather(0, m.tensor(0)),
    lambda m, x, s: x.scatter(1, m.tensor(I2), s[:2, :2]),
    lambda m, x, s: x.scatter(0, m.tensor([[2, 0, 1, 1]]), 1.5),
    lambda m, x, s: m.scatter(x, 1, m.tensor([[3]]), s[:1, :1]),
    lambda m, x, s: x.detach().scatter(1, m.tensor(I2), 2.0, reduce="add"),
    lambda m, x, s: x.detach().scatter(1, m.tensor(I2), s.detach()[:2, :2], reduce="multiply").sum(1),
    lambda m, x, s: x.scatter_add(1, m.tensor([[0, 0, 0], [1, 1, 3]]), s[:2, :3]),
    lambda m, x, s: m.scatter_add(x, 0, m.tensor([[0, 0, 0, 0], [0, 1, 2, 0]]), s[:2]),
    lambda m, x, s: x.scatter_add(0, m.tensor([[0, 0, 0, 0]]), s.detach()),
    lambda m, x, s: x.index_select(1, m.tensor([3, 0, 3])),
    lambda m, x, s: m.index_select(x, 0, m.tensor([1], dtype=m.int32)),
    lambda m, x, s: x.index_select(-1, m.tensor(2)),
    lambda m, x, s: x.t().index_select(0, m.tensor([], dtype=m.long)),
    lambda m, x, s: x.masked_select(x > 0),
    lambda m, x, s: m.masked_select(x[0], x > 0),
    lambda m, x, s: x.masked_select(m.tensor([[True], [False], [True]])),
    lambda m, x, s: x.masked_fill(x > 0, 0.5),
    lambda m, x, s: x.masked_fill(m.tensor([True, False, True, False]), s[0, 0]),
    lambda m, x, s: m.masked_fill(x[0], x > 0, -1),
    lambda m, x, s: x.index_add(1, m.tensor([0, 0]), s[:, :2]),
    lambda m, x, s: x.index_add(0, m.tensor([2, 1]), s[:2], alpha=2.5),
    lambda m, x, s: x.index_fill(1, m.tensor([0, 2, 2]), -2.0),
    lambda m, x, s: x.index_fill(0, m.tensor([1]), s[0, 0]),
    lambda m, x, s: x.index_copy(1, m.tensor([3, 1]), s[:, :2]),
    lambda m, x, s: x.take(m.tensor([[0, 11], [-12, 5]])),
    lambda m, x, s: x.t().take(m.tensor([1, 1, 4])),
    lambda m, x, s: x.put(m.tensor([0, 5]), s[0, :2]),
    lambda m, x, s: x.put(m.tensor([[0, 0, 11]]), s[1, :3], accumulate=True),
    lambda m, x, s: m.take_along_dim(x, m.tensor([[0], [1], [2]]), 1),
    lambda m, x, s: m.take_along_dim(x, m.tensor([[0, 1]]), 1),
    lambda m, x, s: x.take_along_dim(m.tensor([3, 0])),
    lambda m, x, s: m.index_put(x, (m.tensor([0, 0]), m.tensor([1, 1])), s[0, :2], accumulate=True),
    lambda m, x, s: x.index_put((m.tensor([0, 2]),), s[0]),
    lambda m, x, s: x.index_put([x > 0], s[0, 0]),
]


@pytest.mark.parametrize("fn", FUNCS)
def test_functions(fn):
    check(fn, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64", seed=1))
    same_nodes(fn, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64", seed=1))


INPLACE = [
    lambda m, x, s: x.scatter_(1, m.tensor(I2), s[:2, :2]),
    lambda m, x, s: x.scatter_(1, m.tensor(I2), 7.0),
    lambda m, x, s: x.scatter_add_(0, m.tensor([[0, 0, 0, 0]]), s[:1]),
    lambda m, x, s: x.masked_fill_(x > 0, 1.0),
    lambda m, x, s: x.masked_fill_(x > 0, s[0, 0]),
    lambda m, x, s: x.index_add_(1, m.tensor([0, 0]), s[:, :2]),
    lambda m, x, s: x.index_fill_(1, m.tensor([0, 2]), 3.0),
    lambda m, x, s: x.index_copy_(0, m.tensor([2, 0]), s[:2]),
    lambda m, x, s: x.put_(m.tensor([0, 3]), s[0, :2]),
    lambda m, x, s: x.index_put_((m.tensor([0, 1]), m.tensor([1, 1])), s[0, :2], accumulate=True),
    lambda m, x, s: x.index_put_((m.tensor([0, 1]), m.tensor([1, 1])), s[0, 0]),
]


@pytest.mark.parametrize("fn", INPLACE)
def test_inplace_functions(fn):
    def through_view(m, x, s):
        y = x * 1
        v = y[:, 1:]
        r = fn(m, v.contiguous() if False else y, s)
        assert r is y
        return y
    check(through_view, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64", seed=1))
    same_nodes(through_view, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64", seed=1))

    def on_view(m, x, s):
        y = x * 1
        fn(m, y.t(), s.t())
        return y
    check(on_view, rand(4, 4, dtype="float64"), rand(4, 4, dtype="float64", seed=1))

    def no_grad(m, x, s):
        v = fn(m, x, s)
        assert v is x and x._version == 1
        return x
    check(no_grad, rand(3, 4), rand(3, 4, seed=1), grad=False)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16", "int32"])
def test_functions_dtypes(dtype):
    for fn in [lambda m, x: x.gather(1, m.tensor(I2)), lambda m, x: x.index_select(0, m.tensor([2, 2])),
               lambda m, x: x.masked_select(x != 0), lambda m, x: x.masked_fill(x != 0, 1),
               lambda m, x: x.take(m.tensor([3, 1])), lambda m, x: x.nonzero(),
               lambda m, x: x.nonzero(as_tuple=True),
               lambda m, x: x.scatter(0, m.tensor([[1, 1]]), 1), lambda m, x: m.argwhere(x)]:
        check(fn, rand(3, 4, dtype=dtype), grad=False)


@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 0, 3), (2, 3, 4)])
def test_nonzero(shape):
    check(lambda m, x: m.nonzero(x > 0), rand(*shape), grad=False)
    check(lambda m, x: (x > 0).nonzero(as_tuple=True), rand(*shape), grad=False)


FUNC_ERRORS = [
    lambda m, x: x.gather(1, m.tensor([0, 1])),
    lambda m, x: x.gather(1, m.tensor([[0, 5]])),
    lambda m, x: x.gather(1, m.zeros(4, 2, dtype=m.long)),
    lambda m, x: x.gather(2, m.tensor(I2)),
    lambda m, x: x.gather(1, m.tensor([[0.0]])),
    lambda m, x: x.scatter(1, m.tensor(I2), m.ones(2, 2, dtype=m.float64)),
    lambda m, x: x.scatter(1, m.tensor(I2), m.ones(1, 1)),
    lambda m, x: x.scatter(1, m.tensor(I2), 1.0, reduce="max"),
    lambda m, x: x.scatter(1, m.tensor([[9]]), 1.0),
    lambda m, x: x.index_select(1, m.tensor(I2)),
    lambda m, x: x.index_select(1, m.tensor([0.0])),
    lambda m, x: x.index_select(1, m.tensor([5])),
    lambda m, x: x.masked_select(m.tensor([1, 0, 1, 0])),
    lambda m, x: x.masked_select(m.tensor([True, False])),
    lambda m, x: x.masked_fill(m.tensor([1, 0, 1, 0]), 1.0),
    lambda m, x: x.masked_fill(x > 0, m.tensor([1.0])),
    lambda m, x: x[0].masked_fill_(x > 0, 2),
    lambda m, x: x.index_add(1, m.tensor([0, 0]), m.ones(3, 3)),
    lambda m, x: x.index_add(1, m.tensor([0, 0]), m.ones(3, 2).double()),
    lambda m, x: x.index_add(1, m.tensor([0, 9]), m.ones(3, 2)),
    lambda m, x: x.index_add(1, m.tensor([0.0, 1]), m.ones(3, 2)),
    lambda m, x: x.index_add(1, m.tensor([[0, 1]]), m.ones(3, 2)),
    lambda m, x: x.index_fill(1, m.tensor([0, 9]), 1.0),
    lambda m, x: x.index_fill(1, m.tensor([0, 2]), m.tensor([1.0])),
    lambda m, x: x.index_fill(1, m.tensor([0.0]), 1),
    lambda m, x: x.index_copy(1, m.tensor([0, 2]), m.ones(3, 3)),
    lambda m, x: x.index_copy(1, m.tensor([0, 9]), m.ones(3, 2)),
    lambda m, x: x.index_copy(1, m.tensor([0, 2]), m.ones(3, 2).double()),
    lambda m, x: x.index_copy(1, m.tensor([0, 2]).int(), m.ones(3, 2)),
    lambda m, x: x.take(m.tensor([12])),
    lambda m, x: x.take(m.tensor([1]).int()),
    lambda m, x: x.put(m.tensor([0, 1]), m.ones(3)),
    lambda m, x: x.put(m.tensor([0, 1]), m.ones(2).double()),
    lambda m, x: x.put(m.tensor([0, 12]), m.ones(2)),
    lambda m, x: x.put(m.tensor([0, 1]).int(), m.ones(2)),
    lambda m, x: x.index_put_((m.tensor([0, 1]),), m.ones(3, 3)),
    lambda m, x: x.index_put_((m.tensor([0, 1]),), m.ones(4).long()),
    lambda m, x: x.index_put_(m.tensor([0, 1]), m.ones(4)),
    lambda m, x: m.take_along_dim(x, m.tensor(I2), 1),
    lambda m, x: x.requires_grad_().scatter_(1, m.tensor(I2), 1.0),
    lambda m, x: x.requires_grad_().masked_fill_(x > 0, 1.0),
    lambda m, x: x.expand(2, 3, 4).scatter_(0, m.tensor([[[0]]]), 1.0),
    lambda m, x: x.expand(2, 3, 4).index_add_(0, m.tensor([0]), m.ones(1, 3, 4)),
    lambda m, x: x.index_add(0, m.tensor([-1]), m.ones(1, 4)),
    lambda m, x: x.index_add(0, m.tensor([-1]), m.ones(1, 4), alpha=2),
    lambda m, x: x.requires_grad_().index_add(0, m.tensor([2, -1]), m.ones(2, 4)),
]


@pytest.mark.parametrize("fn", FUNC_ERRORS)
def test_function_errors(fn):
    check_raises(fn, rand(3, 4))


def test_scatter_reduce_backward_not_implemented():
    check_raises(lambda m, x: x.requires_grad_().scatter(1, m.tensor(I2), 2.0, reduce="add").sum().backward(),
                 rand(3, 4))
    check(lambda m, x, s: x.scatter(1, m.tensor(I2), s[:2, :2], reduce="add").detach(), rand(3, 4),
          rand(3, 4), warns=False)  # torch warns once per process


@pytest.mark.parametrize("fn",
                         [lambda m, e: e.masked_fill_(e > 0, 1.0),
                          lambda m, e: e.index_fill_(0, m.tensor([1]), 2.0),
                                lambda m, e: e.index_put_((m.tensor([1]),), m.tensor(2.0))])
def test_expanded_warns(fn):
    def run(m, x):
        fn(m, x.expand(3, 4))
        return x.clone()
    check(run, rand(4), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: x.gather(1, m.tensor([[0, 0], [2, 1], [1, 1]])),
    lambda m, x: x.index_select(0, m.tensor([0, 0, 2])),
    lambda m, x: x.masked_select(x > 0),
    lambda m, x: x.take(m.tensor([0, 0, 5])),
    lambda m, x: x.scatter_add(1, m.tensor([[0, 0]]), x[:1, :2] ** 2),
    lambda m, x: x.index_add(0, m.tensor([1, 1]), x[:2] ** 2),
    lambda m, x: x.put(m.tensor([0, 1]), x[2, :2] ** 2, accumulate=True),
])
def test_functions_double_backward(fn):
    import torch
    res = {}
    for name, m in [("torch", torch), ("numtorch", numtorch)]:
        x = m.tensor(rand(3, 3, dtype="float64"), requires_grad=True)
        y = fn(m, x ** 3)
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), x)
        res[name] = g.detach().numpy(), gg.numpy()
    np.testing.assert_allclose(res["numtorch"][0], res["torch"][0])
    np.testing.assert_allclose(res["numtorch"][1], res["torch"][1])
