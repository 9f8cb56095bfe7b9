"""Linear-algebra core: LinAlgError, input checks, inverse, determinants, solvers and Cholesky."""
import math

import numpy as np

from .. import _dtype
from ._registry import call, register
from . import limited
from .pointwise import _need_tensor
from .sorting import return_type
from .matrix import _f, _shape_str, _write


# ---------------------------------------------------------------------------------------- decompositions

class LinAlgError(RuntimeError):
    """Error raised by torch.linalg functions when a matrix is singular or not positive-definite."""


# torch's class is torch._C._LinAlgError, exposed as torch.linalg.LinAlgError.
LinAlgError.__module__ = "torch._C"
LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
_LOW = (_dtype.float16, _dtype.bfloat16, _dtype.complex32)


def check_linalg(name, A, square=True, arg="A"):
    """torch's entry checks for linalg functions: a batch of (square) float or complex matrices."""
    _need_tensor(name, A)
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    dt = A.dtype
    if dt._limited:
        limited.check_linalg(name, A)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {dt._legacy}")
    if dt in _LOW or dt._limited:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {dt._legacy}")


def _first_bad(info, ndim):
    flat = np.asarray(info).reshape(-1)
    i = int(np.argmax(flat > 0))
    return ("" if ndim <= 2 else f"(Batch element {i}): "), int(flat[i])


def _lu_arrays(xp, a):
    """Partial-pivoting LU as LAPACK's getrf: packed LU, 1-based int32 pivots, info."""
    *batch, m, n = a.shape
    k = min(m, n)
    lu = a.reshape(-1, m, n).copy()
    piv = xp.empty((lu.shape[0], k), np.int32)
    info = xp.zeros(lu.shape[0], np.int32)
    rows = xp.arange(lu.shape[0])
    for j in range(k):
        col = lu[:, j:, j]
        # LAPACK pivots complex columns on |re| + |im|.
        mag = xp.abs(col.real) + xp.abs(col.imag) if col.dtype.kind == "c" else xp.abs(col)
        p = j + xp.argmax(mag, axis=1)
        piv[:, j] = p + 1
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        d = lu[:, j, j]
        info = xp.where((info == 0) & (d == 0), j + 1, info)
        lu[:, j + 1:, j] /= xp.where(d == 0, 1, d)[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return lu.reshape(a.shape), piv.reshape(*batch, k), info.reshape(batch)


def _mT(x):
    return x.swapaxes(-1, -2)


def _info_zero(xp, a):
    return xp.zeros(a.shape[:-2], np.int32)


def _inv_ex(xp, a, check_errors=False):
    try:
        return xp.linalg.inv(a), _info_zero(xp, a)
    except np.linalg.LinAlgError:
        info = _lu_arrays(xp, a)[2]
    if check_errors:
        prefix, j = _first_bad(info, a.ndim)
        raise LinAlgError(f"linalg.inv: {prefix}The diagonal element {j} is zero, the inversion could not be "
                          "completed because the input matrix is singular.")
    eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    ok = (info == 0)[..., None, None]
    return xp.where(ok, xp.linalg.inv(xp.where(ok, a, eye)), xp.nan), info


def _inv_backward(grads, a, out, check_errors=False):
    g = grads[0]
    return (-(out.mH @ g @ out.mH),)


_INV = register("linalg_inv_ex", _inv_ex, _inv_backward, n_out=2, save_out=True, method=False, function=False)


def inv_ex(A, *, check_errors=False, out=None):
    """Inverse of square matrices, with an ``info`` tensor instead of an error when one is singular."""
    check_linalg("linalg.inv", A)
    res = call(_INV, (A, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_inv_ex", ("inverse", "info"))(res)


def inv(A, *, out=None):
    """Inverse of a square matrix (batched); raises LinAlgError when it is singular."""
    check_linalg("linalg.inv", A)
    res = call(_INV, (A, True), {})[0]
    return res if out is None else _write(out, res)


def _det(xp, a):
    return xp.asarray(xp.linalg.det(a)).astype(a.dtype, copy=False)


def _det_backward(g, a, out):
    inverse = call(_INV, (a, False), {})[0]
    return ((g * out.conj()).unsqueeze(-1).unsqueeze(-1) * inverse.mH,)


_DET = register("linalg_det", _det, _det_backward, save=(0,), save_out=True, method=False, function=False)


def det(A, *, out=None):
    """Determinant of square matrices."""
    check_linalg("linalg.det", A)
    return call(_DET, (A,), {} if out is None else {"out": out})


def _slogdet(xp, a):
    sign, logabs = xp.linalg.slogdet(a)
    return xp.asarray(sign).astype(a.dtype, copy=False), xp.asarray(logabs).astype(a.real.dtype, copy=False)


def _slogdet_backward(grads, a, out):
    g_sign, g_log = grads
    inverse = call(_INV, (a, False), {})[0]
    coef = g_log
    if a.dtype.is_complex:
        sign = call(_SLOGDET, (a,), {})[0]
        coef = g_log + 1j * (g_sign * sign.conj()).imag
    return (coef.unsqueeze(-1).unsqueeze(-1) * inverse.mH,)


_SLOGDET = register("linalg_slogdet", _slogdet, _slogdet_backward, n_out=2, save=(0,), method=False,
                    function=False)


def slogdet(A, *, out=None):
    """Sign and natural log of the absolute value of the determinant."""
    check_linalg("linalg.slogdet", A)
    res = call(_SLOGDET, (A,), {} if out is None else {"out": out})
    return return_type("slogdet", ("sign", "logabsdet"))(res)


def logdet(input):
    """Natural log of the determinant (NaN for negative determinants of real matrices)."""
    check_linalg("logdet", input)
    sign, logabs = call(_SLOGDET, (input,), {})
    if input.dtype.is_complex:
        return logabs + sign.log()
    return _f("where")(sign < 0, math.nan, logabs)


def _eye_batch(xp, a):
    return xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)


# ---------------------------------------------------------------------------------------- triangular/solve

def _tri_mask(xp, a, upper, unit):
    t = xp.triu(a) if upper else xp.tril(a)
    if unit:
        idx = xp.arange(a.shape[-1])
        t = t.copy()
        t[..., idx, idx] = 1
    return t


def _solve_arrays(xp, a, b):
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    if a.size == 0 or b.size == 0:
        return xp.zeros(batch + (a.shape[-1], b.shape[-1]), a.dtype)
    return xp.linalg.solve(a, b)


def _solve_tri(xp, a, b, upper, left=True, unitriangular=False):
    t = _tri_mask(xp, a, upper, unitriangular)
    with np.errstate(all="ignore"):
        try:
            if left:
                return _solve_arrays(xp, t, b)
            return _mT(_solve_arrays(xp, _mT(t), _mT(b)))
        except np.linalg.LinAlgError:
            # A zero on the diagonal: torch's triangular solver divides by it.
            inv = xp.linalg.pinv(t) * xp.inf
            return xp.matmul(inv, b) if left else xp.matmul(b, inv)


def _solve_tri_backward(g, a, b, out, upper, left=True, unitriangular=False):
    gb = solve_triangular(a.mH, g, upper=not upper, left=left, unitriangular=unitriangular)
    ga = -(gb @ out.mH) if left else -(out.mH @ gb)
    if unitriangular:
        ga = ga.triu(1) if upper else ga.tril(-1)
    else:
        ga = ga.triu() if upper else ga.tril()
    return ga, gb


_SOLVE_TRI = register("linalg_solve_triangular", _solve_tri, _solve_tri_backward, nin=2, save=(0,),
                      save_out=True, method=False, function=False)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solves ``A X = B`` (or ``X A = B``) for triangular ``A``."""
    check_linalg("linalg.solve_triangular", A)
    _need_tensor("linalg.solve_triangular", B, 2, "B")
    if B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if A.dtype != B.dtype:
        raise RuntimeError("linalg.solve_triangular: Expected A and B to have the same dtype, but "
                           "found A of "
                           f"type {A.dtype._legacy} and B of type {B.dtype._legacy} instead")
    k = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != k:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({_shape_str(A.shape[-2:])} and "
                           f"{_shape_str(B.shape[-2:])})")
    return call(_SOLVE_TRI, (A, B, upper, left, unitriangular), {} if out is None else {"out": out})


def _solve_ex(xp, a, b, left=True, vec=False, check_errors=False):
    if vec:
        b = b[..., None]
    if not left:
        a, b = _mT(a), _mT(b)
    try:
        x = _solve_arrays(xp, a, b)
        info = _info_zero(xp, a)
    except np.linalg.LinAlgError:
        info = _lu_arrays(xp, a)[2]
        if check_errors:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.")
        x = xp.full(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:], xp.nan, a.dtype)
    if not left:
        x = _mT(x)
    return (x[..., 0] if vec else x), xp.broadcast_to(info, x.shape[:-2]).copy()


def _solve_backward(grads, a, b, out, left=True, vec=False, check_errors=False):
    g = grads[0]
    gb = call(_SOLVE, (a.mH, g, left, vec, False), {})[0]
    if vec:
        ga = -gb.unsqueeze(-1) * out.conj().unsqueeze(-2)
    else:
        ga = -(gb @ out.mH) if left else -(out.mH @ gb)
    return ga, gb


_SOLVE = register("linalg_solve_ex", _solve_ex, _solve_backward, nin=2, n_out=2, save=(0,), save_out=True,
                  method=False, function=False)


def _solve_args(A, B, left):
    check_linalg("linalg.solve", A)
    _need_tensor("linalg.solve", B, 2, "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype._legacy} and B of type {B.dtype._legacy} instead")
    vec = B.ndim == 1 or (left and B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    k = A.shape[-1]
    n = B.shape[-1] if vec else (B.shape[-2] if left else B.shape[-1])
    if n != k:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({_shape_str(A.shape[-2:])} and "
                           f"{_shape_str(B.shape[-2:] if B.ndim > 1 else B.shape)})")
    return vec


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """Solution of ``A X = B`` with an ``info`` tensor instead of an error for singular ``A``."""
    vec = _solve_args(A, B, left)
    res = call(_SOLVE, (A, B, left, vec, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_solve_ex", ("result", "info"))(res)


def solve(A, B, *, left=True, out=None):
    """Solution of the square system ``A X = B`` (or ``X A = B``)."""
    vec = _solve_args(A, B, left)
    res = call(_SOLVE, (A, B, left, vec, True), {})[0]
    return res if out is None else _write(out, res)


# ---------------------------------------------------------------------------------------- cholesky

def _hermitian_from(xp, a, upper):
    low = xp.tril(_mT(a).conj() if upper else a)
    herm = low + _mT(xp.tril(low, -1)).conj()
    idx = xp.arange(a.shape[-1])
    herm[..., idx, idx] = herm[..., idx, idx].real
    return herm


def _cholesky_info(xp, h):
    n = h.shape[-1]
    info = xp.zeros(h.shape[:-2], np.int32)
    for k in range(n, 0, -1):
        d = xp.linalg.det(h[..., :k, :k]).real
        info = xp.where(~(d > 0), k, info)
    return info


def _cholesky_ex(xp, a, upper=False, check_errors=False):
    h = _hermitian_from(xp, a, upper)
    try:
        low = xp.linalg.cholesky(h)
        info = _info_zero(xp, a)
    except np.linalg.LinAlgError:
        info = _cholesky_info(xp, h)
        if check_errors:
            prefix, k = _first_bad(info, a.ndim)
            raise LinAlgError(f"linalg.cholesky: {prefix}The factorization could not be completed "
                              "because the "
                              f"input is not positive-definite (the leading minor of order {k} is not "
                              "positive-definite).")
        ok = (info == 0)[..., None, None]
        low = xp.where(ok, xp.linalg.cholesky(xp.where(ok, h, _eye_batch(xp, h))), 0)
    return (_mT(low).conj() if upper else low).astype(a.dtype, copy=False), info


def _cholesky_backward(grads, a, out, upper=False, check_errors=False):
    low = out.mH if upper else out
    gl = grads[0].mH if upper else grads[0]
    y = low.mH @ gl
    z = y.tril(-1) + 0.5 * y.diagonal(0, -2, -1).diag_embed()
    x = solve_triangular(low.mH, z, upper=True)
    ga = solve_triangular(low, x, upper=False, left=False)
    return (0.5 * (ga + ga.mH),)


_CHOLESKY = register("linalg_cholesky_ex", _cholesky_ex, _cholesky_backward, n_out=2, save_out=True,
                     method=False, function=False)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Cholesky factor of Hermitian positive-definite matrices, with an ``info`` tensor."""
    check_linalg("linalg.cholesky", A)
    res = call(_CHOLESKY, (A, upper, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_cholesky_ex", ("L", "info"))(res)


def linalg_cholesky(A, *, upper=False, out=None):
    """Cholesky factor ``L`` (``A = L L^H``) of Hermitian positive-definite matrices."""
    check_linalg("linalg.cholesky", A)
    res = call(_CHOLESKY, (A, upper, True), {})[0]
    return res if out is None else _write(out, res)
