"""``torch.linalg.ldl_factor``/``ldl_factor_ex``/``ldl_solve``: LAPACK's Bunch-Kaufman factorisation
(``?sytrf``/``?hetrf`` with the lower triangle) in LAPACK's compact form, and solves from it.

The pivoting decisions depend on the values as the factorisation proceeds, so each matrix is factored by
one loop over its columns (the algorithm's own sequential order), every update inside it vectorised.
torch gives these no derivative.
"""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .decomp import check_linalg
from .matrix import _write
from .random import _fma64
from .sorting import return_type

_ALPHA = (1 + math.sqrt(17)) / 8


def _fma(x, y, z):
    """x * y + z rounded once for real data (as the optimised BLAS does); plain arithmetic for complex."""
    if z.dtype == np.float64:
        return _fma64(np.broadcast_to(x, z.shape), y, z)
    if z.dtype == np.float32:
        return (x.astype(np.float64) * y + z).astype(np.float32)
    return x * y + z


def _size(x, cplx):
    # LAPACK's pivot search on complex data compares |re| + |im| (its cabs1).
    return np.abs(x.real) + np.abs(x.imag) if cplx else np.abs(x)


def _swap_rows_cols(a, kk, kp, herm):
    """Interchange rows and columns kk < kp of the trailing lower triangle (LAPACK's order of moves)."""
    if kp + 1 < a.shape[0]:
        a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
    seg = a[kk + 1:kp, kk].copy()
    row = a[kp, kk + 1:kp].copy()
    a[kk + 1:kp, kk] = np.conj(row) if herm else row
    a[kp, kk + 1:kp] = np.conj(seg) if herm else seg
    if herm:
        a[kp, kk] = np.conj(a[kp, kk])
    a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]


def _factor(a, herm):
    """Factor one square matrix in place; returns (1-based LAPACK pivots, info)."""
    n = a.shape[0]
    cplx = a.dtype.kind == "c"
    herm = herm and cplx
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k].real) if herm else float(_size(a[k, k], cplx))
        if k < n - 1:
            col = _size(a[k + 1:, k], cplx)
            imax = k + 1 + int(np.argmax(col))
            colmax = float(col[imax - k - 1])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or math.isnan(absakk):
            info = info or k + 1
            kp = k
            if herm:
                a[k, k] = a[k, k].real
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                seg = _size(a[imax, k:imax], cplx)
                rowmax = float(seg.max())
                if imax < n - 1:
                    rowmax = max(rowmax, float(_size(a[imax + 1:, imax], cplx).max()))
                diag = abs(a[imax, imax].real) if herm else float(_size(a[imax, imax], cplx))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif diag >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:
                _swap_rows_cols(a, kk, kp, herm)
                if kstep == 2:
                    if herm:
                        a[k, k] = a[k, k].real
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            elif herm:
                a[k, k] = a[k, k].real
                if kstep == 2:
                    a[k + 1, k + 1] = a[k + 1, k + 1].real
            _update(a, k, kstep, herm)
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return piv, info


def _update(a, k, kstep, herm):
    """The rank-1 or rank-2 update of the trailing matrix and the scaling of the new L column(s)."""
    n = a.shape[0]
    if kstep == 1:
        if k < n - 1:
            x = a[k + 1:, k].copy()
            r = 1 / (a[k, k].real if herm else a[k, k])
            # LAPACK's ?syr/?her: a_ij + x_i * (alpha * x_j), alpha = -1/d, fused in the BLAS kernel.
            t = a[k + 1:, k + 1:]
            t[...] = _fma(x[:, None], (-r * (np.conj(x) if herm else x))[None, :], t)
            a[k + 1:, k] = x * r
            if herm:
                idx = np.arange(k + 1, n)
                a[idx, idx] = a[idx, idx].real
        return
    if k >= n - 2:
        return
    ck, ck1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
    if herm:
        d = abs(a[k + 1, k])
        d11, d22 = a[k + 1, k + 1].real / d, a[k, k].real / d
        tt = 1 / (d11 * d22 - 1)
        d21 = a[k + 1, k] / d
        d = tt / d
        wk = d * (d11 * ck - d21 * ck1)
        wkp1 = d * (d22 * ck1 - np.conj(d21) * ck)
        t = a[k + 2:, k + 2:]
        t[...] = _fma(-ck[:, None], np.conj(wk)[None, :], t)
        t[...] = _fma(-ck1[:, None], np.conj(wkp1)[None, :], t)
        idx = np.arange(k + 2, n)
        a[idx, idx] = a[idx, idx].real
    else:
        d21 = a[k + 1, k]
        d11 = a[k + 1, k + 1] / d21
        d22 = a[k, k] / d21
        t = 1 / (d11 * d22 - 1)
        d21 = t / d21
        wk = d21 * (d11 * ck - ck1)
        wkp1 = d21 * (d22 * ck1 - ck)
        t = a[k + 2:, k + 2:]
        t[...] = _fma(-ck[:, None], wk[None, :], t)
        t[...] = _fma(-ck1[:, None], wkp1[None, :], t)
    a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1


def _check(name, A):
    if A.dtype in (_dtype.float16, _dtype.bfloat16):
        raise NotImplementedError(f"\"ldl_factor_kernel_cpu\" not implemented for '{A.dtype._legacy}'")
    check_linalg(name, A)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """LDL factorisation (Bunch-Kaufman pivoting) of symmetric or Hermitian matrices; also LAPACK's info."""
    _check("torch.linalg.ldl_factor_ex", A)
    data = np.asarray(A._data)
    n = data.shape[-1]
    flat = data.reshape(-1, n, n).copy()
    pivs = np.zeros(flat.shape[:-1], np.int32)
    infos = np.zeros(flat.shape[0], np.int32)
    for b in range(flat.shape[0]):  # each matrix pivots on its own values
        pivs[b], infos[b] = _factor(flat[b], hermitian)
    ld = np.tril(flat).reshape(data.shape)
    info = infos.reshape(data.shape[:-2])
    if check_errors and info.size and info.max() > 0:
        _raise("torch.linalg.ldl_factor_ex")
    res = (Tensor._wrap(ld), Tensor._wrap(pivs.reshape(data.shape[:-1])), Tensor._wrap(info))
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))(res)


def _raise(name):
    # torch 2.13 has no message for LAPACK's positive info here and fails an internal assert instead.
    raise RuntimeError(f"false INTERNAL ASSERT FAILED: {name}: Unknown error code: 1.")


def ldl_factor(A, *, hermitian=False, out=None):
    """LDL factorisation (Bunch-Kaufman pivoting) of symmetric or Hermitian matrices: (LD, pivots)."""
    ld, piv, info = ldl_factor_ex(A, hermitian=hermitian)
    if info.numel() and bool((info > 0).any()):
        _raise("torch.linalg.ldl_factor")
    res = (ld, piv)
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("linalg_ldl_factor", ("LD", "pivots"))(res)


def _expand(ld, piv, herm):
    """The matrix ``P L D L^T P^T`` that LAPACK's compact LD and pivots describe."""
    n = ld.shape[-1]
    dmat = np.zeros((n, n), ld.dtype)
    k = 0
    # LAPACK's product form: A = M D M^T with M = P1 L1 P2 L2 ..., one (P, L) per 1x1 or 2x2 pivot.
    factors = []
    while k < n:
        if piv[k] > 0:
            kp, step = piv[k] - 1, 1
            dmat[k, k] = ld[k, k]
        else:
            kp, step = -piv[k] - 1, 2
            dmat[k, k], dmat[k + 1, k + 1] = ld[k, k], ld[k + 1, k + 1]
            dmat[k + 1, k] = ld[k + 1, k]
            dmat[k, k + 1] = np.conj(ld[k + 1, k]) if herm else ld[k + 1, k]
        lk = np.eye(n, dtype=ld.dtype)
        lk[k + step:, k:k + step] = ld[k + step:, k:k + step]
        pk = np.arange(n)
        pk[[k + step - 1, kp]] = pk[[kp, k + step - 1]]
        factors.append((pk, lk))
        k += step
    m = np.eye(n, dtype=ld.dtype)
    for pk, lk in factors:
        m = m[:, pk] @ lk
    adj = m.conj().T if herm else m.T
    return m @ dmat @ adj


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """Solves ``A X = B`` from the LDL factorisation of A returned by ldl_factor."""
    _check("torch.linalg.ldl_solve", LD)
    if B.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(B.ndim, 1)}, "
                         f"{max(B.ndim, 1) - 1}], but got -2)")
    ld = np.asarray(LD._data)
    pv = np.asarray(pivots._data)
    b = np.asarray(B._data)
    n = ld.shape[-1]
    batch = np.broadcast_shapes(ld.shape[:-2], pv.shape[:-1], b.shape[:-2])
    lds = np.broadcast_to(ld, batch + (n, n)).reshape(-1, n, n)
    pvs = np.broadcast_to(pv, batch + (n,)).reshape(-1, n)
    mats = np.stack([_expand(x, p, hermitian) for x, p in zip(lds, pvs)]) if lds.shape[0] else lds
    x = np.linalg.solve(mats.reshape(batch + (n, n)), np.broadcast_to(b, batch + b.shape[-2:]))
    res = Tensor._wrap(x.astype(np.result_type(ld.dtype, b.dtype)))
    return res if out is None else _write(out, res)

