"""torch.* linear-algebra entry points against torch: cholesky_solve/inverse, triangular_solve, lu,
lu_solve, lu_unpack, geqrf, orgqr, ormqr (values and gradients)."""
import warnings

import numpy as np
import pytest

from conftest import check, check_raises, need_torch, rand


def _spd(*batch, n=4, seed=0):
    a = rand(*batch, n, n, dtype="float64", seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _chol(*batch, n=4, seed=0):
    return np.linalg.cholesky(_spd(*batch, n=n, seed=seed))


@pytest.mark.parametrize("fn, data", [
    (lambda m, b, l: m.cholesky_solve(b, l), (rand(4, 2, dtype="float64"), _chol())),
    (lambda m, b, l: m.cholesky_solve(b, l.mT, upper=True), (rand(4, 3, dtype="float64"), _chol())),
    (lambda m, b, l: b.cholesky_solve(l), (rand(2, 4, 2, dtype="float64"), _chol(2))),
    (lambda m, l: m.cholesky_inverse(l), (_chol(),)),
    (lambda m, l: l.mT.cholesky_inverse(upper=True), (_chol(3),)),
    (lambda m, b, a: m.triangular_solve(b, a.triu() + 3 * m.eye(4, dtype=a.dtype)),
     (rand(4, 2, dtype="float64"), rand(4, 4, dtype="float64", seed=1))),
    (lambda m, b, a: b.triangular_solve(a.tril() + 3 * m.eye(4, dtype=a.dtype), upper=False, transpose=True),
     (rand(2, 4, 3, dtype="float64"), rand(4, 4, dtype="float64", seed=1))),
    (lambda m, b, a: m.triangular_solve(b, a, unitriangular=True), (rand(4, 2, dtype="float64"),
                                                                    rand(4, 4, dtype="float64", seed=1))),
])
def test_cholesky_triangular(fn, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, *data, atol=1e-9, rtol=1e-8, warns=False)


def test_lu_family():
    a = rand(2, 4, 4, dtype="float64")
    b = rand(2, 4, 3, dtype="float64", seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda m, a: m.lu(a), a, warns=False, atol=1e-12)
        check(lambda m, a: a.lu(get_infos=True), a, warns=False, atol=1e-12)
        check(lambda m, a, b: m.lu_solve(b, *m.lu(a)), a, b, warns=False, atol=1e-10)
        check(lambda m, a, b: b.lu_solve(*a.lu()), a, b, warns=False, atol=1e-10)
        check(lambda m, a: m.lu_unpack(*m.lu(a)), a, warns=False, atol=1e-12)
        check(lambda m, a: m.lu_unpack(*m.lu(a[..., :3]), unpack_pivots=False), a, warns=False, atol=1e-12)
        check(lambda m, a: tuple(m.lu(m.zeros(2, 2), get_infos=True)), a, grad=False, warns=False)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (2, 4, 3)])
def test_householder_trio(shape):
    # geqrf's reflectors are unique up to LAPACK's sign convention, which NumPy and torch share.
    check(lambda m, a: tuple(m.geqrf(a)), rand(*shape, dtype="float64"), grad=False, atol=1e-12)
    check(lambda m, a: m.orgqr(*m.geqrf(a)), rand(*shape, dtype="float64"), grad=False, atol=1e-12)
    m_ = shape[-2]
    for left, transpose in ((True, False), (True, True), (False, False), (False, True)):
        other = rand(*shape[:-2], m_, 2, dtype="float64", seed=3) if left else \
            rand(*shape[:-2], 2, m_, dtype="float64", seed=3)
        check(lambda m, a, c: m.ormqr(*m.geqrf(a), c, left, transpose), rand(*shape, dtype="float64"), other,
              grad=False, atol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda m, a: m.cholesky_solve(a[0], a), lambda m, a: m.cholesky_solve(a, a.float()),
    lambda m, a: m.triangular_solve(a, a[:, :2]), lambda m, a: m.cholesky_inverse(a[0]),
    lambda m, a: m.geqrf(a[0]),
])
def test_errors(fn):
    check_raises(fn, rand(3, 3, dtype="float64"))


def _same_up_to_sign(n, t):
    # Singular vectors are unique up to sign; LAPACK builds (NumPy's and torch's) may pick either.
    n, t = n.numpy(), t.numpy()
    signs = np.sign(np.sum(n * t, axis=-2, keepdims=True))
    np.testing.assert_allclose(n * signs, t, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda m, a: m.svd_lowrank(a, q=5), lambda m, a: m.svd_lowrank(a.mT, q=4, niter=0),
    lambda m, a: m.pca_lowrank(a), lambda m, a: m.pca_lowrank(a, q=3, center=False),
    lambda m, a: m.svd_lowrank(a, 3, M=a.mean(0, keepdim=True)),
    lambda m, a: m.svd_lowrank(m.stack([a, a * 2]), q=4),
])
def test_lowrank(fn):
    import numtorch
    torch = need_torch()
    a = np.random.default_rng(0).normal(size=(20, 8)) @ np.random.default_rng(1).normal(size=(8, 12))
    res = []
    for m in (torch, numtorch):
        m.manual_seed(0)
        res.append(fn(m, m.tensor(a)))
        res[-1] = (*res[-1], m.rand(2))  # the sketch consumed the same draws
    (tu, ts, tv, tr), (nu, ns, nv, nr) = res
    np.testing.assert_allclose(ns.numpy(), ts.numpy(), rtol=1e-8)
    _same_up_to_sign(nu, tu)
    _same_up_to_sign(nv, tv)
    np.testing.assert_array_equal(nr.numpy(), tr.numpy())


def test_lowrank_errors():
    check_raises(lambda m, a: m.pca_lowrank(a, q=10), rand(4, 5))
    check_raises(lambda m, a: m.pca_lowrank(a, niter=-1), rand(4, 5))
