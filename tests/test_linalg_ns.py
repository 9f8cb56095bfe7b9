"""torch.linalg against the torch oracle: values (non-unique factors through reconstruction or gauge-invariant
functions), dtypes, batched and empty shapes, errors, gradients, gradcheck/gradgradcheck in float64."""
import math

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from conftest import check, check_raises, rand, run_both, to_np

F64 = "float64"
SHAPES = [(3, 3), (2, 4, 4), (2, 1, 3, 3), (0, 3, 3), (1, 1)]
DTYPES = ["float32", "float64", "complex64", "complex128"]


def _mat(*shape, dtype=F64, seed=0, shift=0.0):
    a = rand(*shape, dtype="float64", seed=seed)
    if dtype.startswith("complex"):
        a = a + 1j * rand(*shape, dtype="float64", seed=seed + 7)
    if shift:
        a = a + shift * np.eye(shape[-1])
    return a.astype(dtype)


def _hpd(*shape, dtype=F64, seed=0):
    a = _mat(*shape, dtype=dtype, seed=seed)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _tol(dtype):
    return {"atol": 1e-4, "rtol": 1e-3} if dtype in ("float32", "complex64") else {"atol": 1e-8, "rtol": 1e-6}


def _t(a):
    return numtorch.tensor(a, requires_grad=True)


# ---------------------------------------------------------------------------------------- inverses, det

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_inv_det_solve(shape, dtype):
    a = _mat(*shape, dtype=dtype, shift=3)
    b = _mat(*shape[:-1], 2, dtype=dtype, seed=3)
    tol = _tol(dtype)
    L = lambda m: m.linalg  # noqa: E731
    check(lambda m, x: L(m).inv(x), a, **tol)
    check(lambda m, x: L(m).inv_ex(x), a, **tol)
    check(lambda m, x: L(m).det(x), a, **tol)
    check(lambda m, x: L(m).slogdet(x), a, **tol)
    check(lambda m, x, y: L(m).solve(x, y), a, b, **tol)
    check(lambda m, x, y: L(m).solve(x, y[..., 0]), a, b, **tol)
    check(lambda m, x, y: L(m).solve(x, y.mT, left=False), a, b, **tol)
    check(lambda m, x, y: L(m).solve_ex(x, y), a, b, **tol)


def test_solve_broadcast_and_vectors():
    check(lambda m, a, b: m.linalg.solve(a, b), _mat(2, 3, 3, shift=3), _mat(3, 4, seed=1))
    check(lambda m, a, b: m.linalg.solve(a, b), _mat(3, 3, shift=3), _mat(2, 3, 4, seed=1))
    check(lambda m, a, b: m.linalg.solve(a, b), _mat(2, 3, 3, shift=3), _mat(3, seed=1))


@pytest.mark.parametrize("fn,data", [
    (lambda m, a: m.linalg.inv(a), [np.zeros((3, 3))]),
    (lambda m, a: m.linalg.inv(a), [np.zeros((2, 3, 3))]),
    (lambda m, a: m.linalg.inv(a), [np.ones((2, 3))]),
    (lambda m, a: m.linalg.inv(a), [np.ones(3)]),
    (lambda m, a: m.linalg.inv(a), [np.ones((2, 2), np.int64)]),
    (lambda m, a: m.linalg.det(a), [np.ones((2, 3))]),
    (lambda m, a, b: m.linalg.solve(a, b), [np.zeros((3, 3)), np.ones(3)]),
    (lambda m, a, b: m.linalg.solve(a, b), [np.eye(3), np.ones(4)]),
    (lambda m, a, b: m.linalg.solve(a, b), [np.eye(3), np.ones(3, np.float32)]),
    (lambda m, a: m.linalg.cholesky(a), [-np.eye(3)]),
    (lambda m, a: m.linalg.cholesky(a), [np.stack([np.eye(2), -np.eye(2)])]),
    (lambda m, a: m.linalg.eigh(a, UPLO="X"), [np.eye(2)]),
    (lambda m, a: m.linalg.qr(a, mode="x"), [np.eye(2)]),
    (lambda m, a: m.linalg.svd(a), [np.ones(3)]),
    (lambda m, a: m.linalg.multi_dot([a]), [np.eye(2)]),
    (lambda m, a: m.linalg.multi_dot([a, a[:1]]), [np.eye(2)]),
    (lambda m, a: m.linalg.matrix_norm(a), [np.ones(3)]),
    (lambda m, a: m.linalg.norm(a, 2), [np.ones((2, 2, 2))]),
    (lambda m, a: m.linalg.vecdot(a, a.float()), [np.ones(3)]),
    (lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True), [np.eye(3), np.ones((2, 3))]),
    (lambda m, a: m.linalg.lu_factor(a), [np.zeros((3, 3))]),
])
def test_errors(fn, data):
    res = run_both(fn, *data)
    te, ne = res["torch"][3], res["numtorch"][3]
    assert te is not None and ne is not None, (te, ne)
    if type(te).__name__ == "_LinAlgError":
        assert type(ne) is numtorch.linalg.LinAlgError, ne
    else:
        assert type(ne) is type(te), (ne, te)
    assert str(ne).split(":")[0] == str(te).split(":")[0]


def test_linalg_error_messages():
    assert issubclass(numtorch.linalg.LinAlgError, RuntimeError)
    with pytest.raises(numtorch.linalg.LinAlgError,
                       match=r"\(Batch element 1\): The diagonal element 2 is zero"):
        numtorch.linalg.inv(numtorch.tensor(np.stack([np.eye(3), np.diag([1.0, 0, 1])])))
    with pytest.raises(numtorch.linalg.LinAlgError,
                       match="leading minor of order 2 is not positive-definite"):
        numtorch.linalg.cholesky(numtorch.tensor(np.diag([1.0, -1, 1])))
    r = numtorch.linalg.inv_ex(numtorch.tensor(np.stack([np.eye(2), np.zeros((2, 2))])))
    assert r.info.tolist() == [0, 1] and r.info.dtype == numtorch.int32
    r = numtorch.linalg.cholesky_ex(numtorch.tensor(np.stack([np.eye(2), -np.eye(2)])))
    assert r.info.tolist() == [0, 1]


# ------------------------------------------------------------------------------------ triangular, cholesky

@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(upper, left, unit):
    a = _mat(2, 3, 3, shift=3)
    b = _mat(2, 3, 4, seed=2) if left else _mat(2, 4, 3, seed=2)
    check(lambda m, x, y: m.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit), a, b)
    x, y = _t(a), _t(b)
    fn = lambda p, q: numtorch.linalg.solve_triangular(p, q, upper=upper, left=left,
                                                       unitriangular=unit)  # noqa
    assert gradcheck(fn, (x, y)) and gradgradcheck(fn, (x, y))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape, dtype, upper):
    a = _hpd(*shape, dtype=dtype)
    check(lambda m, x: m.linalg.cholesky(x, upper=upper), a, **_tol(dtype))
    check(lambda m, x: m.linalg.cholesky_ex(x, upper=upper), a, **_tol(dtype))


# ---------------------------------------------------------------------------------------- decompositions

def _close(a, b, dtype=F64):
    np.testing.assert_allclose(to_np(a), to_np(b), **_tol(dtype))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 5, 3), (0, 3), (2, 0, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_svd(shape, dtype):
    a = _mat(*shape, dtype=dtype)
    check(lambda m, x: m.linalg.svdvals(x), a, **_tol(dtype))
    for full in (False, True):
        res = run_both(lambda m, x: m.linalg.svd(x, full_matrices=full), a)
        (t, *_), (n, *_) = res["torch"], res["numtorch"]
        assert type(n).__name__ == "linalg_svd"
        for x, y in zip(n, t):
            assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        _close(n.S, t.S, dtype)
        k = n.S.shape[-1]
        rec = (n.U[..., :k] * n.S.to(n.U.dtype).unsqueeze(-2)) @ n.Vh[..., :k, :]
        _close(rec, numtorch.tensor(a), dtype)
    if shape[-1] and shape[-2] and dtype.startswith("float"):
        # |U| and |Vh| do not depend on the sign of the singular vectors
        check(lambda m, x: [(u.abs(), v.abs()) for u, _, v in [m.linalg.svd(x, full_matrices=False)]][0], a,
              **_tol(dtype))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 3, 3)])
def test_svd_gradcheck(shape):
    x = _t(_mat(*shape))

    def fn(a):
        u, s, vh = numtorch.linalg.svd(a, full_matrices=False)
        return u @ vh * 2 + (u * s.unsqueeze(-2)) @ vh, s
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))
    assert gradcheck(numtorch.linalg.svdvals, (x,)) and gradgradcheck(numtorch.linalg.svdvals, (x,))


def test_svd_complex_grad():
    a = _mat(3, 3, dtype="complex128")

    def fn(m, x):
        u, s, vh = m.linalg.svd(x)
        return (u @ vh).abs(), s, (u[..., :1] * vh[..., :1, :]).real
    check(fn, a, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 3, 3), (1, 1)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(shape, dtype, uplo):
    a = _mat(*shape, dtype=dtype)
    check(lambda m, x: m.linalg.eigvalsh(x, UPLO=uplo), a, **_tol(dtype))
    res = run_both(lambda m, x: m.linalg.eigh(x, UPLO=uplo), a)
    (t, *_), (n, *_) = res["torch"], res["numtorch"]
    _close(n.eigenvalues, t.eigenvalues, dtype)
    assert str(n.eigenvectors.dtype) == str(t.eigenvectors.dtype)
    np.testing.assert_allclose(np.abs(np.sum(np.conj(to_np(n.eigenvectors)) * to_np(t.eigenvectors), -2)),
                               1, **_tol(dtype))


def test_eigh_grad():
    a = _mat(2, 4, 4)
    a = a + np.swapaxes(a, -1, -2)
    check(lambda m, x: m.linalg.eigh(x)[0], a)
    check(lambda m, x: [(w, v.abs()) for w, v in [m.linalg.eigh(x)]][0], a, atol=1e-8, rtol=1e-6)
    x = _t(a)
    # eigh reads one triangle only: check through a symmetric parametrisation
    assert gradcheck(lambda t: numtorch.linalg.eigvalsh(t + t.mT), (x,))
    assert gradgradcheck(lambda t: numtorch.linalg.eigvalsh(t + t.mT), (x,))
    assert gradcheck(lambda t: (numtorch.linalg.eigh(t + t.mT)[1] ** 2), (x,))


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 2, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_eig(shape, dtype):
    a = _mat(*shape, dtype=dtype)
    res = run_both(lambda m, x: m.linalg.eig(x), a)
    (t, *_), (n, *_) = res["torch"], res["numtorch"]
    for x, y in zip(n, t):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
    w, v = n
    _close(v * w.unsqueeze(-2), numtorch.tensor(a).to(v.dtype) @ v, dtype)
    check(lambda m, x: m.linalg.eigvals(x).abs().sort(-1)[0], a, **_tol(dtype))


def test_eig_grad():
    a = _mat(3, 3)
    check(lambda m, x: m.linalg.eigvals(x).abs(), a, atol=1e-8, rtol=1e-6)
    check(lambda m, x: [(w.real, (v * v.conj()).real) for w, v in [m.linalg.eig(x)]][0], a, atol=1e-8,
          rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 5, 3), (0, 3), (3, 0)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape, dtype, mode):
    a = _mat(*shape, dtype=dtype)
    grad = mode == "reduced" or (mode == "complete" and shape[-2] <= shape[-1])
    check(lambda m, x: m.linalg.qr(x, mode=mode), a, grad=grad, **_tol(dtype))


def test_qr_gradcheck():
    for shape in [(4, 3), (3, 4), (3, 3)]:
        x = _t(_mat(*shape))
        assert gradcheck(lambda t: tuple(numtorch.linalg.qr(t)), (x,))
        assert gradgradcheck(lambda t: tuple(numtorch.linalg.qr(t)), (x,))


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4), (2, 3, 3), (0, 2, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lu(shape, dtype):
    a = _mat(*shape, dtype=dtype)
    tol = _tol(dtype)
    check(lambda m, x: m.linalg.lu_factor(x), a, **tol)
    check(lambda m, x: m.linalg.lu_factor_ex(x), a, **tol)
    check(lambda m, x: m.linalg.lu(x), a, **tol)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(left, adjoint):
    a = _mat(2, 3, 3, shift=2)
    b = _mat(2, 3, 2, seed=1) if left else _mat(2, 2, 3, seed=1)

    def fn(m, x, y):
        lu, piv = m.linalg.lu_factor(x)
        return m.linalg.lu_solve(lu, piv, y, left=left, adjoint=adjoint)
    check(fn, a, b)


def test_lu_gradcheck():
    for shape in [(3, 3), (4, 3), (3, 4)]:
        x = _t(_mat(*shape))
        assert gradcheck(lambda t: numtorch.linalg.lu_factor(t)[0], (x,))
        assert gradgradcheck(lambda t: numtorch.linalg.lu_factor(t)[0], (x,))


# ---------------------------------------------------------------------------------------- solvers, pinv, rank

@pytest.mark.parametrize("shape,bshape", [((5, 3), (5, 2)), ((2, 5, 3), (2, 5, 2)), ((3, 3), (3, 1)),
                                          ((2, 5), (2, 2)), ((5, 3), (5,))])
@pytest.mark.parametrize("driver", [None, "gels", "gelsd", "gelss"])
def test_lstsq(shape, bshape, driver):
    if driver == "gels" and shape[-2] < shape[-1]:
        return
    a, b = _mat(*shape), _mat(*bshape, seed=1)
    check(lambda m, x, y: m.linalg.lstsq(x, y, driver=driver), a, b)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3), (0, 3)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_pinv_rank(shape, dtype):
    a = _mat(*shape, dtype=dtype)
    tol = _tol(dtype)
    check(lambda m, x: m.linalg.pinv(x), a, **tol)
    check(lambda m, x: m.linalg.matrix_rank(x), a, grad=False)
    low = (_mat(*shape[:-1], 1, dtype=dtype) @ _mat(1, shape[-1], dtype=dtype, seed=1))
    check(lambda m, x: m.linalg.matrix_rank(x), low, grad=False)
    check(lambda m, x: m.linalg.matrix_rank(x, atol=1.0, rtol=0.0), a, grad=False)
    check(lambda m, x: m.linalg.pinv(x, rtol=0.3), a, **tol)


def test_pinv_hermitian():
    a = _mat(3, 3)
    a = a + a.T
    check(lambda m, x: m.linalg.pinv(x, hermitian=True), a, grad=False)
    check(lambda m, x: m.linalg.matrix_rank(x, hermitian=True), a, grad=False)


# ---------------------------------------------------------------------------------------- norms

@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf])
@pytest.mark.parametrize("shape,dim", [((3, 4), (-2, -1)), ((2, 3, 4), (-2, -1)), ((2, 3, 4), (0, 2)),
                                       ((2, 3, 4), (2, 0))])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm(ord, shape, dim, keepdim):
    check(lambda m, x: m.linalg.matrix_norm(x, ord, dim, keepdim), _mat(*shape))
    check(lambda m, x: m.linalg.norm(x, ord, dim, keepdim), _mat(*shape))


@pytest.mark.parametrize("ord", [2, 1, 0, math.inf, -math.inf, 3.5, -1])
@pytest.mark.parametrize("shape,dim", [((3, 4), None), ((3, 4), 1), ((2, 3, 4), (0, 2)), ((5,), None),
                                       ((), None)])
def test_vector_norm(ord, shape, dim):
    check(lambda m, x: m.linalg.vector_norm(x, ord, dim), _mat(*shape) + 0.1)
    check(lambda m, x: m.linalg.vector_norm(x, ord, dim, keepdim=True), _mat(*shape, dtype="complex64") + 0.1)
    vector_case = shape and (isinstance(dim, int) or (dim is None and len(shape) == 1))
    if vector_case:
        check(lambda m, x: m.linalg.norm(x, ord, dim), _mat(*shape) + 0.1)


def test_norm_defaults_and_dtype():
    check(lambda m, x: m.linalg.norm(x), _mat(2, 3, 4))
    check(lambda m, x: m.linalg.norm(x, dim=(0, 1)), _mat(2, 3, 4))
    check(lambda m, x: m.linalg.vector_norm(x, dtype=m.float64), rand(3, 4))
    check(lambda m, x: m.linalg.matrix_norm(x, dtype=m.float64), rand(3, 4))
    check_raises(lambda m, x: m.linalg.vector_norm(x), rand(3, dtype="int64"))
    check_raises(lambda m, x: m.linalg.matrix_norm(x, ord=3), rand(3, 3))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf])
def test_cond(p):
    # torch's gradient of the inverse-based condition numbers trips its own in-place check.
    check(lambda m, x: m.linalg.cond(x, p), _mat(2, 3, 3, shift=2), grad=p in (None, 2, -2))
    x = _t(_mat(2, 3, 3, shift=2))
    assert gradcheck(lambda t: numtorch.linalg.cond(t, p), (x,))
    if p in (None, 2, -2):
        check(lambda m, x: m.linalg.cond(x, p), _mat(4, 3))


# ---------------------------------------------------------------------------------------- products, misc

@pytest.mark.parametrize("shapes", [[(2, 3), (3, 4)], [(3,), (3, 4), (4, 2)], [(2, 3), (3, 4), (4,)],
                                    [(3,), (3, 4), (4,)], [(5, 2), (2, 8), (8, 3), (3, 1)], [(0, 2), (2, 3)]])
def test_multi_dot(shapes):
    data = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check(lambda m, *xs: m.linalg.multi_dot(list(xs)), *data)


@pytest.mark.parametrize("s1,s2,dim", [((3, 4), (3, 4), -1), ((2, 3), (3,), -1), ((3, 4), (3, 4), 0)])
def test_vecdot_matmul_diagonal(s1, s2, dim):
    check(lambda m, a, b: m.linalg.vecdot(a, b, dim=dim), _mat(*s1), _mat(*s2, seed=1))
    z = [_mat(*s1, dtype="complex128"), _mat(*s2, dtype="complex128", seed=1)]
    check(lambda m, a, b: m.linalg.vecdot(a, b, dim=dim), *z)
    check(lambda m, a: m.linalg.diagonal(a, offset=1), _mat(2, 3, 4))
    check(lambda m, a, b: m.linalg.matmul(a, b), _mat(2, 3), _mat(3, 2))


def test_matrix_exp_power_ns():
    for scale in (0.1, 1.0, 20.0):
        check(lambda m, x: m.linalg.matrix_exp(x), _mat(2, 3, 3) * scale, rtol=1e-6, atol=1e-8)
    check(lambda m, x: m.linalg.matrix_exp(x), _mat(3, 3, dtype="complex128"))
    check(lambda m, x: m.linalg.matrix_power(x, 3), _mat(2, 3, 3))
    x = _t(_mat(3, 3))
    assert gradcheck(numtorch.linalg.matrix_exp, (x,)) and gradgradcheck(numtorch.linalg.matrix_exp, (x,))


def test_tensorinv_tensorsolve():
    a = _mat(4, 6, shift=0).reshape(4, 6)
    sq = _mat(6, 6, shift=3)
    check(lambda m, x: m.linalg.tensorinv(x.reshape(6, 2, 3), ind=1), sq)
    check(lambda m, x: m.linalg.tensorinv(x.reshape(2, 3, 6), ind=2), sq)
    check(lambda m, x, b: m.linalg.tensorsolve(x.reshape(2, 3, 6), b), sq, _mat(2, 3, seed=1))
    check(lambda m, x, b: m.linalg.tensorsolve(x.reshape(6, 2, 3), b, dims=(0,)), sq, _mat(2, 3, seed=1))
    check_raises(lambda m, x: m.linalg.tensorinv(x, ind=1), a)


def test_householder_product():
    a = _mat(4, 3)
    tau = rand(2, dtype=F64, seed=2)
    check(lambda m, x, t: m.linalg.householder_product(x, t), a, tau)
    x, t = _t(a), _t(tau)
    assert gradcheck(numtorch.linalg.householder_product, (x, t))


def test_return_types_and_nodes():
    x = _t(_mat(3, 3, shift=3))
    L = numtorch.linalg
    assert L.inv(x).grad_fn.name() == "LinalgInvExBackward0"
    assert L.det(x).grad_fn.name() == "LinalgDetBackward0"
    assert L.slogdet(x).logabsdet.grad_fn.name() == "LinalgSlogdetBackward0"
    assert L.svd(x).U.grad_fn.name() == "LinalgSvdBackward0"
    assert L.eigh(x).eigenvalues.grad_fn.name() == "LinalgEighBackward0"
    assert L.qr(x).Q.grad_fn.name() == "LinalgQrBackward0"
    assert L.cholesky(x @ x.mT).grad_fn.name() == "LinalgCholeskyExBackward0"
    assert L.solve(x, x).grad_fn.name() == "LinalgSolveExBackward0"
    assert L.pinv(x).grad_fn.name() == "LinalgPinvBackward0"
    assert L.matrix_exp(x).grad_fn.name() == "LinalgMatrixExpBackward0"
    assert L.vector_norm(x).grad_fn.name() == "LinalgVectorNormBackward0"
    assert L.lu_factor(x)._fields == ("LU", "pivots")
    assert L.lstsq(x, x)._fields == ("solution", "residuals", "rank", "singular_values")


@pytest.mark.parametrize("fn", [
    lambda x: numtorch.linalg.inv(x), lambda x: numtorch.linalg.det(x),
    lambda x: numtorch.linalg.slogdet(x)[1],
    lambda x: numtorch.linalg.solve(x, x[..., :2]), lambda x: numtorch.linalg.pinv(x[..., :2]),
    lambda x: numtorch.linalg.cholesky(x @ x.mT), lambda x: numtorch.linalg.cholesky(x @ x.mT, upper=True),
    lambda x: numtorch.linalg.eigvalsh(x + x.mT), lambda x: numtorch.linalg.matrix_norm(x, "nuc"),
    lambda x: numtorch.linalg.matrix_norm(x, 2), lambda x: numtorch.linalg.cond(x),
    lambda x: numtorch.linalg.multi_dot([x[0], x[1], x[0]]),
    lambda x: numtorch.linalg.lstsq(x, x[..., :1]).solution,
    lambda x: numtorch.linalg.tensorinv(x[0].reshape(3, 3, 1), ind=1),
    lambda x: numtorch.linalg.eigh(x + x.mT)[1].abs(), lambda x: numtorch.linalg.qr(x)[0],
    lambda x: numtorch.linalg.lu_factor(x)[0], lambda x: numtorch.linalg.matrix_exp(x / 3),
    lambda x: numtorch.linalg.solve_triangular(x, x, upper=False),
])
def test_gradgradcheck(fn):
    x = _t(_mat(2, 3, 3, shift=3))
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
