"""The older ``torch.*`` linear-algebra entry points, built on ``torch.linalg``: cholesky_solve,
cholesky_inverse, triangular_solve, lu, lu_solve, lu_unpack, and the Householder trio geqrf, orgqr, ormqr.
Being compositions of differentiable ops, their derivatives come from those ops."""
import warnings

import numpy as np

from .._tensor import Tensor
from ._registry import call, register
from .decomp import _mT, _solve_tri, check_linalg, solve_triangular
from .lu import _perm_matrix, _unpack, householder_product, lu_factor_ex, lu_solve as _linalg_lu_solve
from .matrix import _f, _write
from .pointwise import public
from .sorting import return_type


def _need(x, fn, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _batched(name, a, b):
    for t, what in ((a, "b"), (b, "A")):
        if t.ndim < 2:
            raise RuntimeError(f"{name}: Expected {what} to have at least 2 dimensions, but it has {t.ndim} "
                               "dimensions instead")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{name}: Expected b and A to have the same dtype, but found b of type "
                           f"{a.dtype._legacy} and A of type {b.dtype._legacy} instead.")


def _cholesky_solve(xp, b, l, upper):
    low = _mT(l).conj() if upper else l
    y = _solve_tri(xp, low, b, False)
    return _solve_tri(xp, _mT(low).conj(), y, True)


def _cholesky_solve_backward(g, b, l, out, upper):
    # torch differentiates through A = L L^H with the whole of L, not only its triangle.
    gb = call(_CHOLESKY_SOLVE, (g, l, upper), {})
    common = gb @ out.mH
    common = common + common.mH
    return gb, -(l @ common if upper else common @ l)


_CHOLESKY_SOLVE = register("cholesky_solve", _cholesky_solve, _cholesky_solve_backward, nin=2, save=(1,),
                           save_out=True, method=False, function=False)


def cholesky_solve(B, L, upper=False, *, out=None):
    """Solves ``A X = B`` for ``A = L L^H`` (``U^H U`` when ``upper``) from its Cholesky factor."""
    _need(B, "cholesky_solve", "input", 1)
    _need(L, "cholesky_solve", "input2", 2)
    _batched("cholesky_solve", B, L)
    check_linalg("cholesky_solve", L, arg="A")
    return call(_CHOLESKY_SOLVE, (B, L, bool(upper)), {} if out is None else {"out": out})


def cholesky_inverse(L, upper=False, *, out=None):
    """The inverse of ``A = L L^H`` (``U^H U`` when ``upper``) from its Cholesky factor."""
    _need(L, "cholesky_inverse", "input", 1)
    check_linalg("cholesky_inverse", L, arg="input")
    eye = _f("eye")(L.shape[-1], dtype=L.dtype, device=L.device).expand(L.shape)
    return cholesky_solve(eye, L, upper, out=out)


_TRI_WARNING = "\n".join([
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed in a "
    "future PyTorch release.",
    "torch.linalg.solve_triangular has its arguments reversed and does not return a copy of one of the "
    "inputs.",
    "X = torch.triangular_solve(B, A).solution",
    "should be replaced with",
    "X = torch.linalg.solve_triangular(A, B). (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2273.)"])
_tri_warned = []


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Solves ``A X = b`` (``A^T X = b`` when ``transpose``) for triangular ``A``; returns (X, A clone)."""
    _need(b, "triangular_solve", "input", 1)
    _need(A, "triangular_solve", "A", 2)
    if not _tri_warned:
        _tri_warned.append(True)
        warnings.warn(_TRI_WARNING, UserWarning, stacklevel=2)
    _batched("triangular_solve", b, A)
    check_linalg("triangular_solve", A, arg="A")
    tri = A.mT if transpose else A
    x = solve_triangular(tri, b, upper=upper != transpose, unitriangular=unitriangular)
    batch = np.broadcast_shapes(tuple(b.shape[:-2]), tuple(A.shape[:-2]))
    res = (x, A.expand(*batch, *A.shape[-2:]).clone())
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("triangular_solve", ("solution", "cloned_coefficient"))(res)


_LU_WARNING = "\n".join([
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be "
    "removed in a future PyTorch release.",
    "LU, pivots = torch.lu(A, compute_pivots)",
    "should be replaced with",
    "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)",
    "and",
    "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)",
    "should be replaced with",
    "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots) (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2073.)"])
_lu_warned = []


def lu(A, pivot=True, get_infos=False, out=None):
    """LU factorisation with partial pivoting: (LU, pivots) and, with ``get_infos``, the LAPACK infos."""
    if not _lu_warned:
        _lu_warned.append(True)
        warnings.warn(_LU_WARNING, UserWarning, stacklevel=2)
    packed, piv, info = lu_factor_ex(A, pivot=pivot)
    if get_infos:
        res = return_type("_lu_with_info", ("LU", "pivots", "info"))((packed, piv, info))
    else:
        res = (packed, piv)
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return res


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """Solves ``A X = b`` from A's packed LU factorisation and pivots (torch.lu's output)."""
    _need(b, "lu_solve", "input", 1)
    return _linalg_lu_solve(LU_data, LU_pivots, b, out=out)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """Unpacks torch.lu's output into the permutation P and the factors L and U (``A = P L U``)."""
    m, n = LU_data.shape[-2:]
    empty = _f("empty")(0, dtype=LU_data.dtype, device=LU_data.device)
    low, up = _unpack(LU_data, m, n) if unpack_data else (empty, empty)
    perm = _perm_matrix(LU_pivots, m, LU_data) if unpack_pivots else empty
    res = (perm, low, up)
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("lu_unpack", ("P", "L", "U"))(res)


def geqrf(input, *, out=None):
    """QR factorisation in LAPACK's compact form: R above the diagonal, Householder vectors below, and tau."""
    _need(input, "geqrf", "input", 1)
    check_linalg("geqrf", input, square=False, arg="input")
    a = np.asarray(input._data)
    m, n = a.shape[-2:]
    flat = a.reshape((-1, m, n))
    hs, taus = [], []
    for mat in flat:  # NumPy's raw QR takes one matrix at a time
        h, tau = np.linalg.qr(mat, mode="raw")
        hs.append(h.T)
        taus.append(tau)
    k = min(m, n)
    h = np.stack(hs).reshape(a.shape) if flat.shape[0] else np.empty(a.shape, a.dtype)
    tau = np.stack(taus).reshape(a.shape[:-2] + (k,)) if flat.shape[0] else np.empty(a.shape[:-2] + (k,))
    res = (Tensor._wrap(h.astype(a.dtype)), Tensor._wrap(tau.astype(a.dtype)))
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("geqrf", ("a", "tau"))(res)


def orgqr(input, tau):
    """The first n columns of Q from geqrf's Householder vectors (alias of linalg.householder_product)."""
    return householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """Multiplies ``other`` by the full Q of geqrf's Householder vectors (Q^H when ``transpose``)."""
    m = input.shape[-2]
    k = tau.shape[-1]
    pad = _f("zeros")(*input.shape[:-1], m - input.shape[-1], dtype=input.dtype, device=input.device) \
        if m > input.shape[-1] else None
    square = input if pad is None else _f("cat")([input, pad], -1)
    q = householder_product(square[..., :m], tau[..., :k])
    q = q.mH if transpose else q
    res = q @ other if left else other @ q
    return res if out is None else _write(out, res)


for _fn in (cholesky_solve, cholesky_inverse, triangular_solve, lu, lu_solve, geqrf, orgqr, ormqr):
    public(_fn)
public(lu_unpack, method=False)
