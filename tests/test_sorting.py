"""Oracle tests for sorting, selection and index-returning reductions."""
import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from conftest import check, check_raises, need_torch, rand, run_both

NAN = float("nan")
TIES = np.array([[2., 1, 2, 1, 3, 3, 1, 2], [0, 0, 5, 5, 5, 0, 4, 4], [1, 1, 1, 1, 1, 1, 1, 1]], "float32")
WITH_NAN = np.array([[1., NAN, 3, NAN, 2], [4, 4, 1, 1, 0], [NAN, NAN, NAN, NAN, NAN]], "float32")


def _inputs():
    return {
        "scalar": rand(),
        "vec": rand(7),
        "mat": rand(4, 5),
        "cube": rand(2, 3, 4, seed=1),
        "4d": rand(2, 1, 3, 2, seed=2),
        "ties": TIES,
        "nan": WITH_NAN,
        "empty_rows": np.zeros((0, 4), "float32"),
    }


INPUTS = _inputs()


def _names(*keys):
    return [pytest.param(INPUTS[k], id=k) for k in keys]


ALL = _names(*INPUTS)
NONEMPTY = _names("scalar", "vec", "mat", "cube", "4d", "ties", "nan")


# ------------------------------------------------------------------------------------------- max / min

@pytest.mark.parametrize("data", ALL)
@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin", "amax", "amin", "median", "nanmedian"])
def test_full_reductions(op, data):
    check(lambda m, x: getattr(m, op)(x), data, grad=op not in ("argmax", "argmin"))


@pytest.mark.parametrize("data", ALL)
@pytest.mark.parametrize("op", ["max", "min", "median", "nanmedian", "mode", "argmax", "argmin", "amax",
                                "amin"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_reductions(op, data, dim, keepdim):
    if op == "mode":  # torch's mode orders NaNs by an unstable sort: that choice is not reproduced
        data = np.nan_to_num(data)
    check(lambda m, x: getattr(m, op)(x, dim, keepdim), data)
    check(lambda m, x: getattr(x.mT if x.ndim >= 2 else x, op)(dim=dim, keepdim=keepdim), data)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float64", "float16", "bool"])
@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin", "amax", "amin", "median", "mode",
                                "aminmax", "sort", "argsort", "cummax", "cummin", "kthvalue", "topk",
                                "msort", "nanmedian", "unique"])
def test_dtypes(op, dtype):
    data = rand(3, 6, dtype=dtype, seed=3)
    if op in ("topk", "kthvalue"):  # their choice among tied values is not reproduced
        data = np.random.default_rng(3).permutation(18).reshape(3, 6).astype(dtype)
    fns = {"kthvalue": lambda m, x: x.kthvalue(2, 1), "topk": lambda m, x: x.topk(2),
           "cummax": lambda m, x: x.cummax(1), "cummin": lambda m, x: x.cummin(0),
           "aminmax": lambda m, x: m.aminmax(x, dim=1)}
    fn = fns.get(op, lambda m, x: getattr(x, op)())
    check(fn, data, grad=False)
    if op not in fns and op not in ("argsort", "msort", "unique", "mode"):
        check(lambda m, x: getattr(x, op)(1), data, grad=False)


def test_return_type_repr():
    need_torch()
    res = run_both(lambda m, x: [repr(x.max(0)), repr(x.sort()), repr(m.aminmax(x)), repr(x.topk(1))],
                   rand(2, 3))
    assert res["numtorch"][0] == res["torch"][0]


def test_return_type_tuple_api():
    r = numtorch.tensor([[1., 5], [7, 2]]).max(1)
    v, i = r
    assert r[0] is v and r.values is v and r.indices is i and isinstance(r, tuple) and len(r) == 2
    assert type(r).__name__ == "max"
    assert numtorch.return_types.max((v, i)).indices is i
    import numtorch.return_types as rt
    assert rt.sort is numtorch.return_types.sort


@pytest.mark.parametrize("fn", [
    lambda m, x, y: m.max(x, y), lambda m, x, y: m.min(x, y), lambda m, x, y: x.max(y),
    lambda m, x, y: m.max(x, other=y), lambda m, x, y: m.min(x, y.mT),
])
def test_binary(fn):
    x = rand(3, 3)
    y = x.copy()
    y[0] = rand(3, seed=4)  # equal elements split the gradient
    y[1, 1] = NAN
    check(fn, x, y)


def test_binary_promotes():
    check(lambda m, x, y: m.max(x, y), rand(3, dtype="int64"), rand(3, dtype="float32"), grad=False)


def test_max_dim_out():
    check(lambda m, x: m.max(x, 1, out=(m.empty(0), m.empty(0, dtype=m.int64))), rand(3, 4), grad=False)
    check(lambda m, x: m.sort(x, 0, out=(m.empty(3, 4), m.empty(3, 4, dtype=m.int64))), rand(3, 4),
          grad=False)
    check(lambda m, x: m.argmax(x, 1, out=m.empty(3, dtype=m.int64)), rand(3, 4), grad=False)
    check(lambda m, x: m.amax(x, 1, out=m.empty(3)), rand(3, 4), grad=False)


# ------------------------------------------------------------------------------------------- amax / aminmax

@pytest.mark.parametrize("dim", [(), 0, (0, 1), (-1, 0), [1]])
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_dims(dim, keepdim):
    data = TIES[:, :4].copy()
    check(lambda m, x: m.amax(x, dim, keepdim), data)
    check(lambda m, x: x.amin(dim, keepdim), data)


@pytest.mark.parametrize("data", ALL)
@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": -1, "keepdim": True}, {"keepdim": True}])
def test_aminmax(data, kw):
    check(lambda m, x: m.aminmax(x, **kw), data)
    check(lambda m, x: x.aminmax(**kw), data)


# ------------------------------------------------------------------------------------------- sort family

@pytest.mark.parametrize("data", ALL)
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("stable", [False, True])
def test_sort(data, dim, descending, stable):
    check(lambda m, x: m.sort(x, dim=dim, descending=descending, stable=stable), data)
    check(lambda m, x: x.argsort(dim=dim, descending=descending, stable=stable), data)
    check(lambda m, x: (x.mT if x.ndim >= 2 else x).sort(dim=dim, descending=descending), data)


@pytest.mark.parametrize("data", ALL)
def test_msort(data):
    check(lambda m, x: m.msort(x), data)


NAN_NO_TIES = np.array([[1., NAN, 3, -1, 2], [0.5, 4, 1, 7, 0]], "float32")


@pytest.mark.parametrize("data", _names("vec", "mat", "cube") + [pytest.param(NAN_NO_TIES, id="nan")])
@pytest.mark.parametrize("k", [0, 1, 3])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(data, k, largest):
    check(lambda m, x: m.topk(x, k, largest=largest), data)
    check(lambda m, x: x.topk(k, 0, largest), data)


@pytest.mark.parametrize("data", _names("vec", "mat", "cube", "scalar") + [pytest.param(NAN_NO_TIES, id="n")])
@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue(data, k, keepdim):
    check(lambda m, x: m.kthvalue(x, k, 0, keepdim), data)
    check(lambda m, x: x.kthvalue(k, keepdim=keepdim), data)


@pytest.mark.parametrize("fn", [
    lambda m, x: x.topk(9), lambda m, x: x.topk(-1), lambda m, x: x.kthvalue(0), lambda m, x: x.kthvalue(9),
    lambda m, x: x.sort(2), lambda m, x: x.max(2), lambda m, x: x.argmax(-3),
    lambda m, x: m.zeros(0).max(), lambda m, x: m.zeros(0, 3).max(0), lambda m, x: m.zeros(0).argmax(),
    lambda m, x: m.zeros(0, 3).amax(), lambda m, x: m.zeros(0, 3).amin(0), lambda m, x: m.zeros(0).aminmax(),
    lambda m, x: m.zeros(2, 0).aminmax(dim=1), lambda m, x: m.zeros(0, 2).median(0),
    lambda m, x: m.zeros(0, 2).mode(0), lambda m, x: x.bool().argmax(), lambda m, x: x.bool().median(),
    lambda m, x: x.bool().kthvalue(1), lambda m, x: x.bool().topk(1), lambda m, x: x.cfloat().sort(),
    lambda m, x: x.cfloat().max(), lambda m, x: x.cfloat().max(0), lambda m, x: x.amax((0, 0)),
    lambda m, x: m.max([1, 2]),
])
def test_errors(fn):
    check_raises(fn, rand(2, 3))


# ------------------------------------------------------------------------------------------- median / mode

def test_tie_indices():
    data = np.random.default_rng(5).integers(0, 4, (6, 10)).astype("float32")
    for fn in (lambda m, x: x.median(1), lambda m, x: x.nanmedian(1), lambda m, x: x.mode(1),
               lambda m, x: x.max(1), lambda m, x: x.min(1), lambda m, x: x.sort(1),
               lambda m, x: x.sort(1, descending=True), lambda m, x: x.cummax(1), lambda m, x: x.cummin(1),
               lambda m, x: x.argmax(1), lambda m, x: x.argmin(1), lambda m, x: x.median(),
               lambda m, x: x.max(), lambda m, x: x.amax(1)):
        check(fn, data)


@pytest.mark.parametrize("data", _names("scalar", "vec", "mat", "nan", "ties"))
@pytest.mark.parametrize("op", ["median", "nanmedian"])
def test_median_nan(data, op):
    check(lambda m, x: getattr(x, op)(0), data)
    check(lambda m, x: getattr(m, op)(x), data)


def test_mode_empty_rows():
    check(lambda m, x: x.mode(1), np.zeros((0, 3), "float32"))


# ------------------------------------------------------------------------------------------- cummax / cummin

@pytest.mark.parametrize("data", ALL)
@pytest.mark.parametrize("op", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, -1])
def test_cummax(data, op, dim):
    check(lambda m, x: getattr(m, op)(x, dim), data)
    check(lambda m, x: getattr(x.mT if x.ndim >= 2 else x, op)(dim=dim), data)


# ------------------------------------------------------------------------------------------- unique

UNIQ = np.array([[3, 1, 3, 2], [1, 1, 2, 2], [3, 1, 3, 2]], "int64")


@pytest.mark.parametrize("data", [UNIQ, UNIQ.astype("float32"), np.zeros((0, 2), "int64"), np.array(4),
                                  np.array([1., NAN, NAN, 1]), np.array([True, False, True])])
@pytest.mark.parametrize("inv", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_unique(data, inv, counts):
    check(lambda m, x: m.unique(x, return_inverse=inv, return_counts=counts), data, grad=False)
    check(lambda m, x: x.unique(sorted=True, return_inverse=inv, return_counts=counts), data, grad=False)
    check(lambda m, x: m.unique_consecutive(x, return_inverse=inv, return_counts=counts), data, grad=False)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("fn", ["unique", "unique_consecutive"])
@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0), (2, 0, 3)])
def test_unique_dim_empty(dim, fn, shape):
    check(lambda m, x: getattr(m, fn)(x, dim=dim, return_inverse=True, return_counts=True), np.zeros(shape),
          grad=False)


def test_unique_dim_scalar():
    check_raises(lambda m, x: x.unique(dim=0), np.array(3.))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("fn", ["unique", "unique_consecutive"])
def test_unique_dim(dim, fn):
    check(lambda m, x: getattr(m, fn)(x, dim=dim, return_inverse=True, return_counts=True), UNIQ, grad=False)
    check(lambda m, x: getattr(m, fn)(x.float(), dim=dim), UNIQ, grad=False)


def test_unique_autograd():
    check(lambda m, x: x.unique().grad_fn.name(), rand(5))
    check(lambda m, x: x.unique_consecutive(dim=0).grad_fn.name(), rand(5))
    check_raises(lambda m, x: x.unique().sum().backward(), rand(5))


# ------------------------------------------------------------------------------------------- searchsorted

SEQ = np.array([1., 2, 2, 3, 5])


@pytest.mark.parametrize("vals", [np.array([0., 1, 2, 2.5, 5, 6]), np.array(2.), np.array([[2., 7], [1, 3]]),
                                  np.zeros((0,))])
@pytest.mark.parametrize("kw", [{}, {"right": True}, {"side": "right"}, {"out_int32": True}])
def test_searchsorted(vals, kw):
    check(lambda m, s, v: m.searchsorted(s, v, **kw), SEQ, vals, grad=False)
    check(lambda m, s, v: m.bucketize(v, s, **{k: w for k, w in kw.items() if k != "side"}), SEQ, vals,
          grad=False)


def test_searchsorted_batched_and_sorter():
    seq = np.array([[1, 3, 5, 7], [2, 2, 4, 9]])
    vals = np.array([[3, 6], [2, 10]])
    check(lambda m, s, v: m.searchsorted(s, v), seq, vals, grad=False)
    check(lambda m, s, v: m.searchsorted(s, v, right=True), seq, vals, grad=False)
    check(lambda m, s, v: m.searchsorted(s, v.float()), seq, vals, grad=False)
    unsorted = np.array([5., 1, 3])
    check(lambda m, s, v: m.searchsorted(s, v, sorter=s.argsort()), unsorted, np.array([2., 4]), grad=False)
    check(lambda m, s: m.searchsorted(s, 3), SEQ, grad=False)
    check(lambda m, s: m.bucketize(3, s, right=True), SEQ, grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, s, v: m.searchsorted(s.reshape(1, 5), v), lambda m, s, v: m.bucketize(v, s.reshape(1, 5)),
    lambda m, s, v: m.searchsorted(s, v, side="left", right=True),
    lambda m, s, v: m.searchsorted(s, v, side="x"),
])
def test_searchsorted_errors(fn):
    check_raises(fn, SEQ, np.array([1., 2]))


# ------------------------------------------------------------------------------------------- autograd

def test_node_names():
    need_torch()
    res = run_both(lambda m, x: [t.grad_fn.name() for t in (
        x.max(), x.min(), x.max(0).values, x.min(0)[0], x.amax(), x.amin(1), x.median(), x.nanmedian(),
        x.median(0).values, x.nanmedian(1).values, x.mode(0).values, x.sort().values, x.sort(stable=True)[0],
        x.topk(1).values, x.kthvalue(1).values, x.cummax(0).values, x.cummin(1).values, x.aminmax().min,
        m.max(x, x), m.min(x, x), x.msort())], rand(3, 4), grad=True)
    assert res["numtorch"][0] == res["torch"][0]
    res = run_both(lambda m, x: [x.max(0).indices.requires_grad, x.argmax().requires_grad], rand(3, 4),
                   grad=True)
    assert res["numtorch"][0] == res["torch"][0]


@pytest.mark.parametrize("fn", [
    lambda x: x.max(), lambda x: x.max(1)[0], lambda x: x.amin((0, 1)), lambda x: x.sort(0)[0] * 2,
    lambda x: x.topk(2)[0], lambda x: x.kthvalue(2, 0)[0], lambda x: x.median(1)[0], lambda x: x.median(),
    lambda x: x.cummax(1)[0], lambda x: x.cummin(0)[0], lambda x: numtorch.aminmax(x, dim=0)[1],
    lambda x: x.mode(1)[0], lambda x: x.nanmedian(), lambda x: numtorch.max(x, x.flip(0)),
])
def test_gradgradcheck(fn):
    x = numtorch.tensor(rand(3, 4, dtype="float64", seed=7), requires_grad=True)
    assert gradcheck(lambda t: fn(t) ** 2, (x,))
    assert gradgradcheck(lambda t: fn(t) ** 2, (x,))


def test_tied_gradients():
    data = np.array([[1., 3, 3], [2, 2, 2]])
    for fn in (lambda m, x: x.max(), lambda m, x: x.amax(1), lambda m, x: x.amin(), lambda m, x: x.median(),
               lambda m, x: m.aminmax(x, dim=1), lambda m, x: x.cummax(1), lambda m, x: x.cummin(0)):
        check(fn, data)


def _tie_rows(seed, shape, levels, nans=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, levels, shape).astype("float32")
    if nans:
        a.reshape(-1)[rng.integers(0, a.size, nans)] = NAN
    return a


@pytest.mark.parametrize("seed", range(6))
def test_tie_breaking_matches_torch_cpu(seed):
    # torch's CPU topk/kthvalue/mode run unstable std:: and quickselect kernels: among equal values the
    # reported index is the one those algorithms leave, for short rows and long ones alike.
    a = _tie_rows(seed, (5, [7, 20, 70, 150, 300, 1000][seed]), [1, 2, 3, 4, 5, 9][seed], nans=seed % 3)
    n = a.shape[1]
    for k in sorted({1, 2, n // 64 or 1, n // 3 or 1, n}):
        check(lambda m, x: x.topk(k), a, grad=False)
        check(lambda m, x: x.topk(k, largest=False), a, grad=False)
        check(lambda m, x: x.topk(k, sorted=False), a, grad=False)
        check(lambda m, x: m.topk(x.t(), k, dim=0), a, grad=False)
        check(lambda m, x: x.kthvalue(k), a, grad=False)
    check(lambda m, x: x.mode(), a, grad=False)
    check(lambda m, x: m.mode(x.t(), 0, keepdim=True), a, grad=False)
    check(lambda m, x: x.double().topk(2, dim=0), a, grad=False)
    check(lambda m, x: x.half().mode(), a, grad=False)
