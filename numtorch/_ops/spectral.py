"""Spectral decompositions: SVD, pseudo-inverse, eigen-decompositions and QR (with derivatives)."""
import numpy as np

from .._tensor import Tensor
from ._registry import call, register
from .sorting import return_type
from .matrix import _f, _write
from .decomp import _SOLVE, _eye_batch, _mT, check_linalg, solve_triangular


# ---------------------------------------------------------------------------------------- svd / pinv

def _svd(xp, a, full_matrices=True):
    m, n = a.shape[-2:]
    if a.size == 0:
        k = min(m, n)
        mu, nv = (m, n) if full_matrices else (k, k)
        u = _eye_batch(xp, xp.zeros(a.shape[:-2] + (m, m), a.dtype))[..., :mu].copy()
        vh = _eye_batch(xp, xp.zeros(a.shape[:-2] + (n, n), a.dtype))[..., :nv, :].copy()
        return u, xp.zeros(a.shape[:-2] + (k,), a.real.dtype), vh
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return u, s.astype(a.real.dtype, copy=False), vh


def _svd_grad(a, u, s, vh, gu, gs, gvh):
    """Gradient of a reduced SVD A = U diag(S) Vh for given output gradients."""
    m, n = a.shape[-2:]
    k = s.shape[-1]
    eye = _f("eye")(k, dtype=s.dtype, device=s.device)
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye
    uhgu = u.mH @ gu
    vhgv = vh @ gvh.mH
    inner = ((uhgu - uhgu.mH) * s.unsqueeze(-2) + s.unsqueeze(-1) * (vhgv - vhgv.mH)) / e
    inner = inner * (1 - eye) + gs.diag_embed()
    if a.dtype.is_complex:
        inner = inner + (1j * uhgu.diagonal(0, -2, -1).imag / s).diag_embed()
    if m > n:
        gus = gu / s.unsqueeze(-2)
        return (u @ inner + gus - u @ (u.mH @ gus)) @ vh
    if m < n:
        sgvh = gvh / s.unsqueeze(-1)
        return u @ (inner @ vh + sgvh - (sgvh @ vh.mH) @ vh)
    return u @ inner @ vh


def _svd_backward(grads, a, out, full_matrices=True):
    gu, gs, gvh = grads
    u, s, vh = call(_SVD, (a, False), {})
    k = s.shape[-1]
    return (_svd_grad(a, u, s, vh, gu[..., :k], gs, gvh[..., :k, :]),)


_SVD = register("linalg_svd", _svd, _svd_backward, n_out=3, save=(0,), method=False, function=False)


def _svdvals(xp, a):
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (min(a.shape[-2:]),), a.real.dtype)
    return xp.linalg.svd(a, compute_uv=False).astype(a.real.dtype, copy=False)


def _svdvals_backward(g, a, out):
    u, s, vh = call(_SVD, (a, False), {})
    return ((u * g.unsqueeze(-2).to(u.dtype)) @ vh,)


_SVDVALS = register("linalg_svdvals", _svdvals, _svdvals_backward, save=(0,), node="LinalgSvdBackward0",
                    method=False, function=False)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh``."""
    check_linalg("linalg.svd", A, square=False)
    res = call(_SVD, (A, full_matrices), {} if out is None else {"out": out})
    return return_type("linalg_svd", ("U", "S", "Vh"))(res)


def svdvals(A, *, driver=None, out=None):
    """Singular values of ``A``, in descending order."""
    check_linalg("linalg.svdvals", A, square=False)
    return call(_SVDVALS, (A,), {} if out is None else {"out": out})


def svd(input, some=True, compute_uv=True, *, out=None):
    """Singular value decomposition ``input = U diag(S) V^H`` (returns V, not Vh)."""
    check_linalg("svd", input, square=False)
    if compute_uv:
        u, s, vh = call(_SVD, (input, not some), {})
        res = (u, s, vh.mH)
    else:
        s = call(_SVDVALS, (input,), {})
        m, n = input.shape[-2:]
        zeros = _f("zeros")
        batch = tuple(input.shape[:-2])
        res = (zeros(*batch, m, m, dtype=input.dtype), s, zeros(*batch, n, n, dtype=input.dtype))
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("svd", ("U", "S", "V"))(res)


def _pinv(xp, a, atol=None, rtol=None, hermitian=False):
    m, n = a.shape[-2:]
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (n, m), a.dtype)
    if hermitian:
        w, q = xp.linalg.eigh(a)
        s, u, vh = xp.abs(w), q, _mT(q).conj() * xp.sign(w)[..., :, None]
    else:
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
    smax = s.max(-1, keepdims=True)
    rt = (max(m, n) * np.finfo(s.dtype).eps if not atol else 0.0) if rtol is None else rtol
    tol = xp.maximum(0.0 if atol is None else atol, rt * smax)
    sinv = xp.where(s > tol, 1 / xp.where(s > tol, s, 1), 0)
    return (_mT(vh).conj() * sinv[..., None, :]) @ _mT(u).conj()


def _pinv_backward(g, a, out, atol=None, rtol=None, hermitian=False):
    p = out
    ph = p.mH
    gh = g.mH
    first = -(ph @ g @ ph)
    second = (gh @ p) @ ph - a @ (p @ ((gh @ p) @ ph))
    third = (ph @ p) @ gh - ((ph @ p) @ gh @ p) @ a
    return (first + second + third,)


_PINV = register("linalg_pinv", _pinv, _pinv_backward, save=(0,), save_out=True, method=False, function=False)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse, from the singular values above ``max(atol, rtol * sigma_max)``."""
    check_linalg("linalg.pinv", A, square=False)
    for t in (atol, rtol):
        if isinstance(t, Tensor):
            raise TypeError("numtorch.linalg.pinv takes Python float tolerances")
    return call(_PINV, (A, atol, rtol, hermitian), {} if out is None else {"out": out})


def pinverse(input, rcond=1e-15):
    """Pseudo-inverse with singular values below ``rcond * sigma_max`` dropped."""
    check_linalg("pinverse", input, square=False)
    return call(_PINV, (input, None, rcond, False), {})


# ---------------------------------------------------------------------------------------- eigen

def _eigh(xp, a, UPLO="L"):
    if a.size == 0:
        return xp.zeros(a.shape[:-1], a.real.dtype), a.copy()
    w, q = xp.linalg.eigh(a, UPLO=UPLO)
    return w.astype(a.real.dtype, copy=False), q


def _eigh_grad(q, w, gw, gq):
    k = w.shape[-1]
    eye = _f("eye")(k, dtype=w.dtype, device=w.device)
    e = w.unsqueeze(-2) - w.unsqueeze(-1) + eye
    m = q.mH @ gq
    # Only the skew-Hermitian part of Q^H gQ moves the eigenvectors of a Hermitian matrix.
    inner = (m - m.mH) / (2 * e) * (1 - eye) + gw.to(q.dtype).diag_embed()
    return q @ inner @ q.mH


def _eigh_backward(grads, a, out, UPLO="L"):
    w, q = call(_EIGH, (a, UPLO), {})
    return (_eigh_grad(q, w, grads[0], grads[1]),)


_EIGH = register("linalg_eigh", _eigh, _eigh_backward, n_out=2, save=(0,), method=False, function=False)


def _eigvalsh(xp, a, UPLO="L"):
    if a.size == 0:
        return xp.zeros(a.shape[:-1], a.real.dtype)
    return xp.linalg.eigvalsh(a, UPLO=UPLO).astype(a.real.dtype, copy=False)


def _eigvalsh_backward(g, a, out, UPLO="L"):
    w, q = call(_EIGH, (a, UPLO), {})
    return ((q * g.unsqueeze(-2).to(q.dtype)) @ q.mH,)


_EIGVALSH = register("linalg_eigvalsh", _eigvalsh, _eigvalsh_backward, save=(0,), node="LinalgEighBackward0",
                     method=False, function=False)


def _check_uplo(name, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices."""
    check_linalg("linalg.eigh", A)
    _check_uplo("linalg.eigh", UPLO)
    res = call(_EIGH, (A, UPLO), {} if out is None else {"out": out})
    return return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))(res)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of Hermitian matrices."""
    check_linalg("linalg.eigvalsh", A)
    _check_uplo("linalg.eigvalsh", UPLO)
    return call(_EIGVALSH, (A, UPLO), {} if out is None else {"out": out})


def _complex_of(dt):
    return np.complex64 if dt in (np.float32, np.complex64) else np.complex128


def _eig(xp, a):
    ct = _complex_of(a.dtype)
    if a.size == 0:
        return xp.zeros(a.shape[:-1], ct), xp.zeros(a.shape, ct)
    w, v = xp.linalg.eig(a)
    return w.astype(ct), v.astype(ct)


def _eig_backward(grads, a, out):
    gw, gv = grads
    w, v = call(_EIG, (a,), {})
    k = w.shape[-1]
    eye = _f("eye")(k, dtype=v.dtype, device=v.device)
    vhgv = v.mH @ gv
    vhgv = vhgv - (v.mH @ v) * vhgv.diagonal(0, -2, -1).real.to(v.dtype).unsqueeze(-2)
    e = (w.unsqueeze(-2) - w.unsqueeze(-1)).conj() + eye
    inner = vhgv / e * (1 - eye) + gw.diag_embed()
    return (call(_SOLVE, (v.mH, inner @ v.mH, True, False, False), {})[0],)


_EIG = register("linalg_eig", _eig, _eig_backward, n_out=2, save=(0,), method=False, function=False)


def _eigvals(xp, a):
    ct = _complex_of(a.dtype)
    if a.size == 0:
        return xp.zeros(a.shape[:-1], ct)
    return xp.linalg.eigvals(a).astype(ct)


def _eigvals_backward(g, a, out):
    w, v = call(_EIG, (a,), {})
    rhs = (g.unsqueeze(-1) * v.mH)
    return (call(_SOLVE, (v.mH, rhs, True, False, False), {})[0],)


_EIGVALS = register("linalg_eigvals", _eigvals, _eigvals_backward, save=(0,), node="LinalgEigBackward0",
                    method=False, function=False)


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of square matrices (always complex)."""
    check_linalg("linalg.eig", A)
    res = call(_EIG, (A,), {} if out is None else {"out": out})
    return return_type("linalg_eig", ("eigenvalues", "eigenvectors"))(res)


def eigvals(A, *, out=None):
    """Eigenvalues of square matrices (always complex)."""
    check_linalg("linalg.eigvals", A)
    return call(_EIGVALS, (A,), {} if out is None else {"out": out})


# ---------------------------------------------------------------------------------------- qr

def _qr(xp, a, mode="reduced"):
    m, n = a.shape[-2:]
    if a.size == 0:
        k = m if mode == "complete" else min(m, n)
        q = _eye_batch(xp, xp.zeros(a.shape[:-2] + (m, m), a.dtype))[..., :k].copy()
        r = xp.zeros(a.shape[:-2] + (k, n), a.dtype)
        return (xp.zeros((0,), a.dtype) if mode == "r" else q), r
    if mode == "r":
        return xp.zeros((0,), a.dtype), xp.linalg.qr(a, mode="r")
    q, r = xp.linalg.qr(a, mode=mode)
    return q, r


def _qr_square_grad(q, r, gq, gr):
    m = r @ gr.mH - gq.mH @ q
    low = m.tril(-1)
    sym = low + low.mH + m.diagonal(0, -2, -1).real.to(m.dtype).diag_embed()
    b = gq + q @ sym
    return solve_triangular(r.mH, b, upper=False, left=False)


def _qr_backward(grads, a, out, mode="reduced"):
    m, n = a.shape[-2:]
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                           "Please use linalg.qr(A, mode='reduced') if you are going to "
                           "differentiate through "
                           "linalg.qr.")
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")
    gq, gr = grads
    q, r = call(_QR, (a, mode), {})
    if m >= n:
        return (_qr_square_grad(q, r, gq, gr),)
    y = a[..., m:]
    gx = _qr_square_grad(q, r[..., :m], gq + y @ gr[..., m:].mH, gr[..., :m])
    return (_f("cat")([gx, q @ gr[..., m:]], -1),)


_QR = register("linalg_qr", _qr, _qr_backward, n_out=2, save=(0,), method=False, function=False)


def linalg_qr(A, mode="reduced", *, out=None):
    """QR decomposition ``A = Q R`` (mode 'reduced', 'complete' or 'r')."""
    check_linalg("linalg.qr", A, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    res = call(_QR, (A, mode), {} if out is None else {"out": out})
    return return_type("linalg_qr", ("Q", "R"))(res)


def qr(input, some=True, *, out=None):
    """QR decomposition (``some=False`` gives the complete Q)."""
    check_linalg("qr", input, square=False)
    res = call(_QR, (input, "reduced" if some else "complete"), {})
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("qr", ("Q", "R"))(res)
