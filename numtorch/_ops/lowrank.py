"""Randomised low-rank factorisations: ``svd_lowrank`` and ``pca_lowrank`` (Halko, Martinsson and
Tropp 2009: a Gaussian sketch, subspace iterations with QR, then a small SVD). The sketch is drawn from
the default generator with ``randn``, so a seeded run gives torch's factors."""
from .. import _dtype
from ._registry import FUNCTIONS
from .pointwise import public

_F = FUNCTIONS


def _float_dtype(A):
    return A.dtype if A.dtype.is_floating_point or A.dtype.is_complex else _dtype.float32


def _range_basis(A, q, niter, M):
    """Q with q orthonormal columns whose span approximates the range of ``A - M``."""
    from ..linalg import qr
    sketch = _F["randn"](A.shape[-1], q, dtype=_float_dtype(A), device=A.device)

    def times(X, B):
        return X @ B if M is None else X @ B - M @ B

    def times_h(X, B):
        return X.mH @ B if M is None else X.mH @ B - M.mH @ B
    Q = qr(times(A, sketch)).Q
    for _ in range(2 if niter is None else niter):
        Q = qr(times_h(A, Q)).Q
        Q = qr(times(A, Q)).Q
    return Q


def _svd_lowrank(A, q, niter, M):
    from ..linalg import svd
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    wide = m < n
    if wide:
        A = A.mH
        M = None if M is None else M.mH
    Q = _range_basis(A, q, niter, M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if wide else (U, S, V)


def svd_lowrank(A, q=6, niter=2, M=None):
    """Approximate SVD ``(U, S, V)`` of ``A`` (or ``A - M``) of rank ``q`` by randomised range finding."""
    return _svd_lowrank(A, q, niter, M)


def pca_lowrank(A, q=None, center=True, niter=2):
    """Approximate principal components ``(U, S, V)`` of the rows of ``A`` (centred first by default)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter, None)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter, None)


public(svd_lowrank, method=False)
public(pca_lowrank, method=False)
