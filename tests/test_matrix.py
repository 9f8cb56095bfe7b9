"""Matrix ops at torch level (addmm & co., outer, cross, diagonals, einsum, tensordot, kron, cdist, meshgrid,
counting, assembling, diff, vander, inverse/det/svd aliases) against the torch oracle."""
import math

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from conftest import check, check_raises, need_torch, rand, run_both

F64 = "float64"


def _spd(n, seed=0, batch=()):
    a = rand(*batch, n, n, dtype=F64, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


# ---------------------------------------------------------------------------------------- scaled products

PRODUCTS = [
    ("addmm", lambda m, i, a, b: m.addmm(i, a, b), (3, 5), (3, 4), (4, 5)),
    ("addmm_bcast", lambda m, i, a, b: m.addmm(i, a, b, beta=0.5, alpha=2), (5,), (3, 4), (4, 5)),
    ("addmm_T", lambda m, i, a, b: m.addmm(i, a.mT, b[:, ::2]), (1, 3), (4, 3), (4, 6)),
    ("addmm_empty", lambda m, i, a, b: m.addmm(i, a, b), (3, 5), (3, 0), (0, 5)),
    ("addmv", lambda m, i, a, v: m.addmv(i, a, v, beta=2, alpha=-1), (3,), (3, 4), (4,)),
    ("addmv_0d", lambda m, i, a, v: m.addmv(i, a, v), (), (3, 4), (4,)),
    ("addr", lambda m, i, u, v: m.addr(i, u, v, alpha=3), (3, 4), (3,), (4,)),
    ("baddbmm", lambda m, i, a, b: m.baddbmm(i, a, b, beta=0.5), (2, 3, 5), (2, 3, 4), (2, 4, 5)),
    ("baddbmm_bcast", lambda m, i, a, b: m.baddbmm(i, a, b), (5,), (2, 3, 4), (2, 4, 5)),
    ("addbmm", lambda m, i, a, b: m.addbmm(i, a, b, alpha=0.5), (3, 5), (2, 3, 4), (2, 4, 5)),
    ("method", lambda m, i, a, b: i.addmm(a, b), (3, 5), (3, 4), (4, 5)),
]


@pytest.mark.parametrize("name,fn,s0,s1,s2", PRODUCTS, ids=[p[0] for p in PRODUCTS])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_products(name, fn, s0, s1, s2, dtype):
    check(fn, rand(*s0, dtype=dtype), rand(*s1, dtype=dtype, seed=1), rand(*s2, dtype=dtype, seed=2))


def test_products_int_and_complex():
    a, b, c = rand(3, 5, dtype="int64"), rand(3, 4, dtype="int64", seed=1), rand(4, 5, dtype="int64", seed=2)
    check(lambda m, i, x, y: m.addmm(i, x, y, beta=2, alpha=3), a, b, c, grad=False)
    z = [rand(*s, seed=i) + 1j * rand(*s, seed=i + 5) for i, s in enumerate([(3, 5), (3, 4), (4, 5)])]
    check(lambda m, i, x, y: m.addmm(i, x, y, alpha=2), *z)
    check(lambda m, i, u, v: m.addr(i, u, v), rand(2, 3, dtype="bool"), rand(2, dtype="bool"),
          rand(3, dtype="bool", seed=3), grad=False)


def test_beta_zero_ignores_nan():
    i = np.full((3, 5), np.nan, np.float32)
    check(lambda m, i, a, b: m.addmm(i, a, b, beta=0), i, rand(3, 4), rand(4, 5), grad=False)
    check(lambda m, i, a, b: m.baddbmm(i, a, b, beta=0), np.full((2, 3, 5), np.inf), rand(2, 3, 4, dtype=F64),
          rand(2, 4, 5, dtype=F64), grad=False)


def test_products_inplace_and_out():
    def inplace(m, i, a, b):
        r = i.clone()
        r.addmm_(a, b, beta=0.5)
        r[0].addmv_(a.mT, b[:, 0], alpha=2)
        r.addr_(a[:, 0], b[0])
        r.unsqueeze(0).baddbmm_(a.unsqueeze(0), b.unsqueeze(0))
        r.addbmm_(a.unsqueeze(0), b.unsqueeze(0))
        return r
    check(inplace, rand(3, 5), rand(3, 4), rand(4, 5))

    def out(m, i, a, b):
        o = m.empty(3, 5)
        m.addmm(i, a, b, out=o)
        return o
    check(out, rand(3, 5), rand(3, 4), rand(4, 5), grad=False)


@pytest.mark.parametrize("fn,shapes,dtypes", [
    (lambda m, i, a, b: m.addmm(i, a, b), [(3, 5), (3, 4), (5, 5)], None),
    (lambda m, i, a, b: m.addmm(i, a, b), [(4, 5), (3, 4), (4, 5)], None),
    (lambda m, i, a, b: m.addmm(i, a, b), [(3, 5), (3, 4), (4, 5)], ["float64", None, None]),
    (lambda m, i, a, b: m.addmm(i, a, b), [(3, 5), (3, 4, 1), (4, 5)], None),
    (lambda m, i, a, b: m.addmv(i, a, b), [(3,), (3, 4), (5,)], None),
    (lambda m, i, a, b: m.baddbmm(i, a, b), [(2, 3, 5), (2, 3, 4), (3, 4, 5)], None),
    (lambda m, i, a, b: m.addr(i, a, b), [(3, 4), (3, 1), (4,)], None),
])
def test_product_errors(fn, shapes, dtypes):
    check_raises(fn, *[rand(*s, seed=i) for i, s in enumerate(shapes)], dtypes=dtypes)


def test_integer_float_scalars():
    ints = [rand(2, 2, dtype="int64", seed=i) for i in range(3)]
    check(lambda m, i, a, b: m.addmm(i, a, b, alpha=2.5, beta=1.7), *ints, grad=False)
    check(lambda m, i, a, b: m.addbmm(i, a[None], b[None], alpha=2.5), *ints, grad=False)
    check_raises(lambda m, i, a, b: m.addr(i, a[0], b[0], alpha=0.5), *ints)


# ---------------------------------------------------------------------------------------- outer, cross

@pytest.mark.parametrize("dtypes", [None, ["int64", "float32"]])
def test_outer(dtypes):
    check(lambda m, a, b: m.outer(a, b), rand(3), rand(4, seed=1), dtypes=dtypes)
    check(lambda m, a, b: m.ger(a, b), rand(0), rand(4, seed=1))
    check_raises(lambda m, a, b: m.outer(a, b), rand(2, 2), rand(4))


@pytest.mark.parametrize("s1,s2,kw", [
    ((4, 3), (4, 3), {}), ((3,), (3,), {}), ((2, 1, 3), (4, 3), {}), ((3, 5), (3, 5), {"dim": 0}),
    ((0, 3), (0, 3), {}), ((2, 3, 3), (2, 3, 3), {"dim": -2}),
])
def test_linalg_cross(s1, s2, kw):
    check(lambda m, a, b: m.linalg.cross(a, b, **kw), rand(*s1, dtype=F64), rand(*s2, dtype=F64, seed=1))


def test_cross_default_dim():
    check(lambda m, a, b: m.cross(a, b), rand(3, 4), rand(3, 4, seed=1), warns=False)
    check(lambda m, a, b: m.cross(a, b, dim=1), rand(4, 3), rand(4, 3, seed=1))
    check(lambda m, a, b: a.cross(b, dim=-1), rand(4, 3), rand(4, 3, seed=1))


def test_cross_warns_once():
    from numtorch._ops import matrix
    matrix._cross_warned.clear()
    with pytest.warns(UserWarning, match="without specifying the dim"):
        numtorch.cross(numtorch.ones(3), numtorch.ones(3))


@pytest.mark.parametrize("s1,s2,kw,dtypes", [
    ((4, 2), (4, 2), {}, None), ((3, 3), (3,), {}, None), ((3,), (3,), {"dim": 1}, None),
    ((3,), (3,), {}, ["int64", "float32"]),
])
def test_cross_errors(s1, s2, kw, dtypes):
    check_raises(lambda m, a, b: m.linalg.cross(a, b, **kw), rand(*s1), rand(*s2), dtypes=dtypes)


# ---------------------------------------------------------------------------------------- trace, diag

@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (0, 0)])
def test_trace(shape):
    check(lambda m, a: m.trace(a), rand(*shape))
    check(lambda m, a: a.trace(), rand(*shape, dtype="int32"), grad=False)
    check(lambda m, a: a.trace(), rand(*shape, dtype="bool"), grad=False)
    check_raises(lambda m, a: m.trace(a), rand(3))


@pytest.mark.parametrize("shape,k", [((3,), 0), ((3,), 2), ((3,), -1), ((0,), 1), ((3, 4), 0), ((3, 4), 1),
                                     ((3, 4), -2), ((3, 4), 7), ((4, 3), 0)])
def test_diag(shape, k):
    check(lambda m, a: m.diag(a, k), rand(*shape))
    check(lambda m, a: a.diag(k), rand(*shape, dtype="int64"), grad=False)
    check(lambda m, a: m.diag(a.mT if a.ndim == 2 else a, k), rand(*shape))


def test_diag_errors_and_node():
    check_raises(lambda m, a: m.diag(a), rand(2, 2, 2))
    a = numtorch.ones(3, 3, requires_grad=True)
    assert numtorch.diag(a).grad_fn.name() == "DiagonalBackward0_copy"
    assert numtorch.diag(a[0]).grad_fn.name() == "DiagEmbedBackward0"


@pytest.mark.parametrize("shape,kw", [((3,), {}), ((2, 3), {}), ((2, 3), {"offset": 1}), ((2, 3),
                                                                                          {"offset": -2}),
                                      ((2, 3), {"dim1": 0, "dim2": 2}), ((2, 3), {"dim1": -1, "dim2": 0}),
                                      ((0, 3), {}), ((2, 0), {"offset": 1})])
def test_diag_embed(shape, kw):
    check(lambda m, a: m.diag_embed(a, **kw), rand(*shape))
    check(lambda m, a: a.diag_embed(**kw), rand(*shape, dtype="int64"), grad=False)


def test_diag_embed_error():
    check_raises(lambda m, a: m.diag_embed(a, dim1=1, dim2=1), rand(2, 3))
    check_raises(lambda m, a: m.diag_embed(a, dim1=4), rand(2, 3))


@pytest.mark.parametrize("shape,k", [((3,), 0), ((2, 2), 1), ((), -1), ((0,), 0)])
def test_diagflat(shape, k):
    check(lambda m, a: m.diagflat(a, k), rand(*shape))
    check(lambda m, a: a.diagflat(k), rand(*shape))


# ---------------------------------------------------------------------------------------- einsum

EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->", [(3, 4)]), ("i,j->ij", [(3,), (4,)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]), ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("i...->...", [(3, 2, 4)]), ("ij,ij,ij->i", [(3, 4), (3, 4), (3, 4)]), ("iij->j", [(2, 2, 3)]),
    ("ba", [(3, 4)]), ("i,i", [(0,), (0,)]), ("ij->ji", [(3, 4)]), ("", [()]), (",ij->ij", [(), (2, 3)]),
    ("i j , j k -> i k", [(3, 4), (4, 5)]), ("ij,kj->ik", [(3, 4), (5, 4)]), ("ijk->kji", [(2, 3, 4)]),
    ("ij,k->", [(2, 3), (4,)]), ("...,...", [(2, 3), (3,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e[0] for e in EINSUM])
def test_einsum(eq, shapes):
    data = [rand(*s, dtype=F64, seed=i) for i, s in enumerate(shapes)]
    check(lambda m, *xs: m.einsum(eq, *xs), *data)
    check(lambda m, *xs: m.einsum(eq, list(xs)), *data)


# Exact for one contraction; torch rounds to bfloat16 between the pairwise steps of longer chains.
@pytest.mark.parametrize("eq,shapes,tol", [("ij,jk->ik", [(3, 4), (4, 5)], 0), ("ij->j", [(3, 4)], 0),
                                           ("ij,ij,ij->i", [(3, 4), (3, 4), (3, 4)], 1e-2)])
def test_einsum_bfloat16(eq, shapes, tol):
    data = [rand(*s, dtype="float32", seed=i) for i, s in enumerate(shapes)]
    check(lambda m, *xs: m.einsum(eq, *[x.bfloat16() for x in xs]), *data, atol=tol, rtol=tol)


def test_einsum_sublist_and_int():
    check(lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]), rand(2, 3), rand(3, 4, seed=1))
    check(lambda m, a, b: m.einsum(a, [Ellipsis, 0], b, [Ellipsis, 0]), rand(2, 3), rand(2, 3, seed=1))
    check(lambda m, a, b: m.einsum("ij,jk", a, b), rand(2, 3, dtype="int64"), rand(3, 4, dtype="int64"),
          grad=False)
    z = [rand(2, 3) + 1j * rand(2, 3, seed=4), rand(3, 4, seed=1) - 1j * rand(3, 4, seed=2)]
    check(lambda m, a, b: m.einsum("ij,jk", a, b), *z)


@pytest.mark.parametrize("eq,shapes,dtypes", [
    ("ij,jk", [(2, 3), (4, 5)], None), ("ij", [(2, 3, 4)], None), ("ij,jk", [(2, 3)], None),
    ("i,i", [(2,), (2,)], ["int64", "float32"]), ("ij->k", [(2, 3)], None), ("i", [(2,), (2,)], None),
])
def test_einsum_errors(eq, shapes, dtypes):
    check_raises(lambda m, *xs: m.einsum(eq, *xs), *[rand(*s, seed=i) for i, s in enumerate(shapes)],
                 dtypes=dtypes)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(3, 4), (4, 2)]), ("ii->i", [(3, 3)]),
                                       ("bij,bj->bi", [(2, 3, 4), (2, 4)]), ("ij->", [(2, 3)]),
                                       ("i,j,k->ijk", [(2,), (3,), (2,)])])
def test_einsum_gradgradcheck(eq, shapes):
    xs = [numtorch.tensor(rand(*s, dtype=F64, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
    assert gradcheck(lambda *a: numtorch.einsum(eq, *a), xs)
    assert gradgradcheck(lambda *a: numtorch.einsum(eq, *a), xs)


# ---------------------------------------------------------------------------------------- tensordot, kron

@pytest.mark.parametrize("s1,s2,dims", [((3, 4, 5), (4, 5, 2), 2), ((3, 4), (4, 5), 1), ((3,), (4,), 0),
                                        ((3, 4, 5), (5, 3, 2), ([0, 2], [1, 0])), ((2, 3), (3, 2), ([1],
                                                                                                    [0])),
                                        ((2, 3), (2, 3), ([0, 1], [0, 1])), ((0, 3), (3, 2), 1),
                                        ((2, 3), (3, 2), ([1], [0]))])
def test_tensordot(s1, s2, dims):
    check(lambda m, a, b: m.tensordot(a, b, dims), rand(*s1), rand(*s2, seed=1))


def test_tensordot_errors():
    check_raises(lambda m, a, b: m.tensordot(a, b, 1), rand(3, 4), rand(3, 4))
    check_raises(lambda m, a, b: m.tensordot(a, b, 1), rand(4), rand(4), dtypes=["int64", None])
    check_raises(lambda m, a, b: m.tensordot(a, b, -1), rand(4), rand(4))


@pytest.mark.parametrize("s1,s2", [((2, 3), (4, 5)), ((3,), (2,)), ((2, 2), (3,)), ((), (3,)), ((2, 1,
                                                                                                 3), (2, 2)),
                                   ((0, 2), (2, 2))])
def test_kron(s1, s2):
    check(lambda m, a, b: m.kron(a, b), rand(*s1), rand(*s2, seed=1))
    check(lambda m, a, b: a.kron(b), rand(*s1, dtype="int64"), rand(*s2, dtype="int32", seed=1), grad=False)


def test_tensordot_kron_gradgrad():
    a = numtorch.tensor(rand(2, 3, dtype=F64), requires_grad=True)
    b = numtorch.tensor(rand(3, 2, dtype=F64, seed=1), requires_grad=True)
    for fn in (lambda x, y: numtorch.tensordot(x, y, 1), numtorch.kron):
        assert gradcheck(fn, (a, b))
        assert gradgradcheck(fn, (a, b))


# ---------------------------------------------------------------------------------------- cdist

@pytest.mark.parametrize("s1,s2", [((4, 3), (5, 3)), ((2, 4, 3), (2, 5, 3)), ((2, 1, 4, 3), (3, 5, 3)),
                                   ((0, 3), (2, 3)), ((3, 0), (2, 0))])
@pytest.mark.parametrize("p", [2.0, 1.0, math.inf, 0.0, 3.0, 0.5])
def test_cdist(s1, s2, p):
    check(lambda m, a, b: m.cdist(a, b, p=p), rand(*s1, dtype=F64), rand(*s2, dtype=F64, seed=1))


def test_cdist_zero_distance_grad_and_errors():
    x = rand(3, 2, dtype=F64)
    check(lambda m, a, b: m.cdist(a, b), x, x.copy())
    check_raises(lambda m, a, b: m.cdist(a, b), rand(3), rand(3, 3))
    check_raises(lambda m, a, b: m.cdist(a, b), rand(3, 2), rand(3, 3))
    check_raises(lambda m, a, b: m.cdist(a, b, p=-1), rand(3, 2), rand(3, 2))
    check_raises(lambda m, a, b: m.cdist(a, b), rand(3, 2, dtype="int64"), rand(3, 2, dtype="int64"))


def test_cdist_gradgradcheck():
    a = numtorch.tensor(rand(3, 2, dtype=F64), requires_grad=True)
    b = numtorch.tensor(rand(4, 2, dtype=F64, seed=1), requires_grad=True)
    for p in (1.0, 2.0, 3.0):
        assert gradcheck(lambda x, y: numtorch.cdist(x, y, p=p), (a, b))
    # the matrix-product form is differentiable twice; torch's _cdist_backward kernel is not
    assert gradgradcheck(lambda x, y: numtorch.cdist(x, y, compute_mode="use_mm_for_euclid_dist"), (a, b))
    g = numtorch.autograd.grad(numtorch.cdist(a, b).sum(), a, create_graph=True)[0]
    assert g.grad_fn.name() == "CdistBackwardBackward0"
    with pytest.raises(NotImplementedError, match="the derivative for '_cdist_backward' is not implemented."):
        g.sum().backward()


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                                  "donot_use_mm_for_euclid_dist"])
@pytest.mark.parametrize("rows", [(5, 4), (30, 4), (3, 26), (0, 30)])
@pytest.mark.parametrize("p", [2.0, 1.0])
def test_cdist_compute_modes(mode, rows, p):
    # p=2 with more than 25 rows (or always, by request) takes torch's matrix-product form: its rounding,
    # its 1e-30 clamp and its twice-differentiable graph
    torch = need_torch()
    x1, x2 = rand(2, rows[0], 3, dtype=F64), rand(rows[1], 3, dtype=F64, seed=1)
    if rows[0] and rows[1]:
        x2[0] = x1[1, 0]
    res = []
    for lib in (torch, numtorch):
        a, b = lib.tensor(x1, requires_grad=True), lib.tensor(x2, requires_grad=True)
        d = lib.cdist(a, b, p=p, compute_mode=mode)
        ga, gb = lib.autograd.grad(d.sum(), (a, b), create_graph=True)
        try:
            gg = lib.autograd.grad(ga.sum(), a, allow_unused=True)[0]
            gg = None if gg is None else gg.detach().numpy()
        except NotImplementedError as e:
            gg = str(e)
        res.append([d.detach().numpy(), ga.detach().numpy(), gb.detach().numpy(), gg])
    for t, n in zip(res[0][:3], res[1][:3]):
        np.testing.assert_allclose(n, t, rtol=1e-9, atol=1e-12)
    if isinstance(res[0][3], str) or res[0][3] is None:
        assert res[1][3] == res[0][3]
    else:
        np.testing.assert_allclose(res[1][3], res[0][3], rtol=1e-9, atol=1e-12)


def test_cdist_bad_compute_mode():
    check_raises(lambda m, a: m.cdist(a, a, compute_mode="mm"), rand(3, 2))


# ---------------------------------------------------------------------------------------- meshgrid, indices

@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("shapes", [[(3,), (4,)], [(2,), (3,), (4,)], [(3,)], [(), (2,)], [(0,), (3,)]])
def test_meshgrid(indexing, shapes):
    data = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check(lambda m, *xs: m.meshgrid(*xs, indexing=indexing), *data, strides=True)
    check(lambda m, *xs: m.meshgrid(list(xs), indexing=indexing), *data)


def test_meshgrid_default_and_errors():
    check(lambda m, a, b: m.meshgrid(a, b), rand(3), rand(2), warns=False)
    from numtorch._ops import matrix
    matrix._meshgrid_warned.clear()
    with pytest.warns(UserWarning, match="indexing"):
        numtorch.meshgrid(numtorch.ones(2), numtorch.ones(3))
    check_raises(lambda m, a, b: m.meshgrid(a, b, indexing="ij"), rand(3, 2), rand(2))
    check_raises(lambda m, a, b: m.meshgrid(a, b, indexing="ij"), rand(3), rand(2), dtypes=[None, "float64"])
    check_raises(lambda m, a, b: m.meshgrid(a, b, indexing="xx"), rand(3), rand(2))


@pytest.mark.parametrize("row,col,off", [(3, 3, 0), (4, 3, 1), (3, 5, -1), (0, 3, 0), (3, 3, 10), (3, 3, -10),
                                         (1, 1, 0)])
def test_tri_indices(row, col, off):
    check(lambda m: m.tril_indices(row, col, off), grad=False)
    check(lambda m: m.triu_indices(row, col, off), grad=False)
    check(lambda m: m.tril_indices(row, col, off, dtype=m.int32), grad=False)


# ---------------------------------------------------------------------------------------- counting

def test_bincount():
    x = np.array([1, 2, 2, 5, 0], np.int64)
    check(lambda m, a: m.bincount(a), x, grad=False)
    check(lambda m, a: a.bincount(minlength=8), x, grad=False)
    check(lambda m, a, w: m.bincount(a, w), x, rand(5), grad=False)
    check(lambda m, a, w: m.bincount(a, w), x, rand(5, dtype=F64), grad=False)
    check(lambda m, a, w: m.bincount(a, w), x, rand(5, dtype="int32"), grad=False)
    check(lambda m, a: m.bincount(a), np.zeros(0, np.int64), grad=False)
    check(lambda m, a: m.bincount(a, minlength=3), np.zeros(0, np.uint8), grad=False)
    check_raises(lambda m, a: m.bincount(a), np.array([-1, 2]))
    check_raises(lambda m, a: m.bincount(a), rand(3))
    check_raises(lambda m, a: m.bincount(a), np.ones((2, 2), np.int64))


@pytest.mark.parametrize("kw", [{}, {"bins": 4}, {"bins": 5, "min": -1, "max": 1}, {"bins": 3, "min": 1,
                                                                                    "max": 1}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histc(kw, dtype):
    check(lambda m, a: m.histc(a, **kw), rand(20, dtype=dtype), grad=False)
    check(lambda m, a: a.histc(**kw), rand(3, 4, dtype=dtype), grad=False)
    check(lambda m, a: m.histc(a, **kw), rand(0, dtype=dtype), grad=False)


def test_histc_errors():
    check_raises(lambda m, a: m.histc(a), rand(3, dtype="int64"))
    check_raises(lambda m, a: m.histc(a, bins=-1), rand(3))
    check_raises(lambda m, a: m.histc(a, min=2, max=1), rand(3))


# ---------------------------------------------------------------------------------------- assembling

@pytest.mark.parametrize("shapes", [[(2, 3), (1, 2)], [(3,), (), (2, 2)], [(0, 2), (2, 0)], [(2, 2)]])
def test_block_diag(shapes):
    check(lambda m, *xs: m.block_diag(*xs), *[rand(*s, seed=i) for i, s in enumerate(shapes)])


def test_block_diag_promotion_and_errors():
    check(lambda m, a, b: m.block_diag(a, b), rand(2, 2, dtype="int32"), rand(2), dtypes=[None, None])
    check(lambda m: m.block_diag(), grad=False)
    check_raises(lambda m, a: m.block_diag(a), rand(2, 2, 2))


@pytest.mark.parametrize("shapes", [[(3,), (2,)], [(2,), (2,), (3,)], [(3,)], [(0,), (2,)]])
def test_cartesian_prod(shapes):
    check(lambda m, *xs: m.cartesian_prod(*xs), *[rand(*s, seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("n,r,rep", [(4, 2, False), (4, 3, False), (4, 2, True), (3, 0, False), (3, 5, False),
                                     (0, 2, False), (3, 1, True), (3, 3, True)])
def test_combinations(n, r, rep):
    check(lambda m, a: m.combinations(a, r, rep), rand(n))
    check(lambda m, a: m.combinations(a, r=r, with_replacement=rep), rand(n, dtype="int64"), grad=False)


@pytest.mark.parametrize("shape,kw", [((5,), {}), ((5,), {"n": 2}), ((3, 4), {"dim": 0}), ((3, 4), {"n": 3}),
                                      ((3, 4), {"n": 6}), ((3, 4), {"n": 0}), ((2, 3), {"dim": -2, "n": 1})])
def test_diff(shape, kw):
    check(lambda m, a: m.diff(a, **kw), rand(*shape))
    check(lambda m, a: a.diff(**kw), rand(*shape, dtype="int64"), grad=False)
    check(lambda m, a: a.diff(**kw), rand(*shape, dtype="bool"), grad=False)


def test_diff_prepend_append():
    check(lambda m, a, p, q: m.diff(a, prepend=p, append=q), rand(3, 4), rand(3, 1, seed=1), rand(3, 2,
                                                                                                  seed=2))
    check(lambda m, a, p: m.diff(a, dim=0, n=2, prepend=p), rand(3, 4), rand(2, 4, seed=1))
    check_raises(lambda m, a: m.diff(a), rand())


@pytest.mark.parametrize("n,N,inc", [(4, None, False), (4, 2, True), (3, 5, False), (0, None, False),
                                     (3, 0, False), (3, 1, True)])
def test_vander(n, N, inc):
    # torch's own vander derivative trips its in-place check: compare values here, gradients by gradcheck.
    check(lambda m, a: m.vander(a, N, inc), rand(n, dtype=F64), grad=False)
    x = numtorch.tensor(rand(n, dtype=F64), requires_grad=True)
    if N != 0:
        assert gradgradcheck(lambda t: numtorch.vander(t, N, inc), (x,))
    check(lambda m, a: m.vander(a, N=N, increasing=inc), rand(n, dtype="int32"), grad=False)
    if N != 0 and n:
        check(lambda m, a: m.linalg.vander(a, N=N), rand(n, dtype=F64), grad=False)


def test_vander_errors():
    check_raises(lambda m, a: m.vander(a), rand(2, 2))
    check_raises(lambda m, a: m.linalg.vander(a), rand())


# ---------------------------------------------------------------------------------------- torch.* aliases

@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 2, 2), (1, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inverse_det_slogdet(shape, dtype):
    a = rand(*shape, dtype=dtype) + 3 * np.eye(shape[-1], dtype=dtype)
    tol = {"atol": 1e-4, "rtol": 1e-4} if dtype == "float32" else {}
    check(lambda m, x: m.inverse(x), a, **tol)
    check(lambda m, x: x.inverse(), a, **tol)
    check(lambda m, x: m.det(x), a, **tol)
    check(lambda m, x: x.det(), a, **tol)
    check(lambda m, x: m.slogdet(x), a, **tol)
    check(lambda m, x: m.logdet(x), a, **tol)
    check(lambda m, x: x.logdet(), -a, **tol)


def test_svd_alias():
    a = rand(4, 3, dtype=F64)
    res = run_both(lambda m, x: m.svd(x), a)
    (t, *_), (n, *_) = res["torch"], res["numtorch"]
    assert type(n).__name__ == "svd" and n._fields == ("U", "S", "V")
    np.testing.assert_allclose(n.S.numpy(), t.S.numpy())
    np.testing.assert_allclose((n.U * n.S) @ n.V.mT.numpy(), a, atol=1e-12)
    full = numtorch.svd(numtorch.tensor(a), some=False)
    assert tuple(full.U.shape) == (4, 4) and tuple(full.V.shape) == (3, 3)
    check(lambda m, x: m.svd(x, compute_uv=False), a)
    check(lambda m, x: x.svd(compute_uv=False).S, rand(2, 3, 5))


def test_pinverse_matrix_power_exp():
    a = rand(4, 3, dtype=F64)
    check(lambda m, x: m.pinverse(x), a)
    check(lambda m, x: x.pinverse(rcond=0.5), a)
    sq = rand(2, 3, 3, dtype=F64) / 2
    for n in (0, 1, 2, 3, 5, -1, -2):
        check(lambda m, x: m.matrix_power(x, n), sq + np.eye(3))
        check(lambda m, x: x.matrix_power(n), sq + np.eye(3))
    check(lambda m, x: m.matrix_exp(x), sq)
    check(lambda m, x: x.matrix_exp(), 10 * sq)
    check(lambda m, x: m.matrix_exp(x), rand(3, 3))
    check_raises(lambda m, x: m.matrix_power(x, 2), rand(2, 3))


def test_deprecated_aliases():
    s = _spd(3)
    check(lambda m, x: m.cholesky(x), s, warns=False)
    check(lambda m, x: x.cholesky(upper=True), s, warns=False)
    res = run_both(lambda m, x: m.qr(x), rand(4, 3, dtype=F64))
    np.testing.assert_allclose(res["numtorch"][0].Q.numpy(), res["torch"][0].Q.numpy(), atol=1e-12)
    a, b, c = rand(2, 3), rand(3, 4, seed=1), rand(4, 2, seed=2)
    check(lambda m, x, y, z: m.chain_matmul(x, y, z), a, b, c, warns=False)


@pytest.mark.parametrize("fn", [
    lambda x: numtorch.inverse(x), lambda x: numtorch.det(x), lambda x: numtorch.logdet(x),
    lambda x: numtorch.slogdet(x)[1], lambda x: numtorch.matrix_exp(x),
    lambda x: numtorch.matrix_power(x, -2),
    lambda x: numtorch.pinverse(x), lambda x: numtorch.trace(x), lambda x: numtorch.diag(x, 1),
    lambda x: numtorch.diag_embed(x, 1), lambda x: numtorch.addmm(x, x, x, beta=0.5, alpha=2),
    lambda x: numtorch.baddbmm(x.unsqueeze(0), x.unsqueeze(0), x.unsqueeze(0)),
    lambda x: numtorch.addbmm(x, x.expand(2, 3, 3), x.expand(2, 3, 3)),
    lambda x: numtorch.addmv(x[0], x, x[1]), lambda x: numtorch.addr(x, x[0], x[1]),
    lambda x: numtorch.linalg.cross(x, x.flip(0), dim=0), lambda x: numtorch.block_diag(x, x[0]),
    lambda x: numtorch.svd(x).S,
])
def test_gradgradcheck(fn):
    x = numtorch.tensor(rand(3, 3, dtype=F64) + 3 * np.eye(3), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
