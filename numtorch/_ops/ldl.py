"""``torch.linalg.ldl_factor``/``ldl_factor_ex``/``ldl_solve``: LAPACK's Bunch-Kaufman factorisation
(``?sytrf``/``?hetrf`` with the lower triangle) in LAPACK's compact form, and solves from it.

The pivoting decisions depend on the values as the factorisation proceeds, so the factorisation is one
loop over the columns (the algorithm's own sequential order) in which every matrix of a batch takes its
own next step, each update vectorised over the batch.
torch gives these no derivative.
"""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .decomp import check_linalg
from .matrix import _write
from .random import fma_real as _fma
from .sorting import return_type

_ALPHA = (1 + math.sqrt(17)) / 8


def _size(x, cplx):
    # LAPACK's pivot search on complex data compares |re| + |im| (its cabs1).
    return np.abs(x.real) + np.abs(x.imag) if cplx else np.abs(x)


def _masked(mask, new, old):
    with np.errstate(all="ignore"):
        return np.where(mask, new, old)


def _factor(a, herm):
    """Factor every matrix of ``a`` (B, n, n) in place; returns (1-based LAPACK pivots (B, n), info (B,)).

    The matrices step together: each has its own column ``k`` and pivot choice, taken through index
    arrays, and each update is the whole matrix under a mask of its trailing block (the masked-out
    entries keep their values exactly), so one loop over the columns serves the batch.
    """
    bsz, n = a.shape[:2]
    cplx = a.dtype.kind == "c"
    herm = herm and cplx
    piv = np.zeros((bsz, n), np.int32)
    info = np.zeros(bsz, np.int32)
    k = np.zeros(bsz, np.intp)
    idx = np.arange(n)
    while True:
        act = np.flatnonzero(k < n)
        if not act.size:
            return piv, info
        kb = k[act]
        kp, kstep, zero = _choose_pivots(a, act, kb, herm, cplx, info)
        kk = kb + kstep - 1
        swap = ~zero & (kp != kk)
        if swap.any():
            _swap_rows_cols(a, act[swap], kk[swap], kp[swap], herm)
        two = kstep == 2
        b, k2 = act[swap & two], kb[swap & two]
        if herm:
            diag = act[zero | swap | ~two], kb[zero | swap | ~two]
            a[diag + diag[1:]] = a[diag + diag[1:]].real
            keep = ~zero & ~swap & two
            for off in (0, 1):
                d = (act[keep], kb[keep] + off, kb[keep] + off)
                a[d] = a[d].real
        if b.size:
            sub, far = a[b, k2 + 1, k2].copy(), a[b, kp[swap & two], k2].copy()
            a[b, k2 + 1, k2], a[b, kp[swap & two], k2] = far, sub
        one = ~zero & ~two & (kb < n - 1)
        if one.any():
            _update_one(a, act[one], kb[one], herm, idx)
        pair = ~zero & two & (kb < n - 2)
        if pair.any():
            _update_two(a, act[pair], kb[pair], herm, idx)
        piv[act, kb] = np.where(two, -(kp + 1), kp + 1)
        piv[act[two], kb[two] + 1] = -(kp[two] + 1)
        k[act] += kstep


def _choose_pivots(a, act, kb, herm, cplx, info):
    """Bunch-Kaufman's choice for the active matrices at their columns kb: (kp, kstep, zero column);
    records LAPACK's info (the first zero pivot, 1-based) for a zero or NaN column."""
    n = a.shape[-1]
    rows = np.arange(len(act))
    idx = np.arange(n)
    akk = a[act, kb, kb]
    # the comparisons run in double precision, as LAPACK's do on its real scalars
    absakk = (np.abs(akk.real) if herm else _size(akk, cplx)).astype(np.float64)
    col = _masked(idx > kb[:, None], _size(a[act, :, kb], cplx), -np.inf)
    imax = np.argmax(col, axis=1)
    colmax = col[rows, imax].astype(np.float64)
    last = kb == n - 1
    imax[last], colmax[last] = kb[last], 0.0
    # Python's max(absakk, colmax) keeps absakk unless colmax is larger (so a NaN colmax counts as 0)
    zero = (np.where(colmax > absakk, colmax, absakk) == 0) | np.isnan(absakk)
    first = zero & (info[act] == 0)
    info[act[first]] = kb[first] + 1
    kp, kstep = kb.copy(), np.ones(len(act), np.intp)
    need = ~zero & ~(absakk >= _ALPHA * colmax)
    if need.any():
        a_n, kb_n, im = act[need], kb[need], imax[need]
        seg = _masked((idx >= kb_n[:, None]) & (idx < im[:, None]), _size(a[a_n, im, :], cplx), -np.inf)
        below = _masked(idx > im[:, None], _size(a[a_n, :, im], cplx), -np.inf)
        r1, r2 = seg.max(axis=1).astype(np.float64), below.max(axis=1).astype(np.float64)
        rowmax = np.where(r2 > r1, r2, r1)
        dd = a[a_n, im, im]
        diag = (np.abs(dd.real) if herm else _size(dd, cplx)).astype(np.float64)
        cm = colmax[need]
        with np.errstate(all="ignore"):
            stay = absakk[need] >= _ALPHA * cm * (cm / rowmax)
        move = ~stay & (diag >= _ALPHA * rowmax)
        sel = np.flatnonzero(need)
        kp[sel[~stay]] = im[~stay]
        kstep[sel[~stay & ~move]] = 2
    return kp, kstep, zero


def _swap_rows_cols(a, b, kk, kp, herm):
    """Interchange rows and columns kk < kp of the trailing lower triangles of matrices ``b`` (LAPACK's
    order of moves)."""
    idx = np.arange(a.shape[-1])
    ca, cb, row = a[b, :, kk], a[b, :, kp], a[b, kp, :]
    below = idx > kp[:, None]
    ca, cb = np.where(below, cb, ca), np.where(below, ca, cb)
    mid = (idx > kk[:, None]) & (idx < kp[:, None])
    ca, row = np.where(mid, np.conj(row) if herm else row, ca), np.where(mid, np.conj(ca) if herm else ca, row)
    a[b, :, kk], a[b, :, kp], a[b, kp, :] = ca, cb, row
    if herm:
        a[b, kp, kk] = np.conj(a[b, kp, kk])
    d1, d2 = a[b, kk, kk], a[b, kp, kp]
    a[b, kk, kk], a[b, kp, kp] = d2, d1


def _update_one(a, b, kb, herm, idx):
    """LAPACK's ?syr/?her after a 1x1 pivot: a_ij + x_i * (alpha * x_j), alpha = -1/d, fused as in the
    BLAS kernel, over the trailing block; then the new L column x / d."""
    akk = a[b, kb, kb]
    r = 1 / (akk.real if herm else akk)
    x = a[b, :, kb]
    below = idx > kb[:, None]
    y = -r[:, None] * (np.conj(x) if herm else x)
    t = a[b]
    with np.errstate(all="ignore"):
        t = np.where(below[:, :, None] & below[:, None, :], _fma(x[:, :, None], y[:, None, :], t), t)
    t[np.arange(len(b)), :, kb] = _masked(below, x * r[:, None], x)
    if herm:
        t[:, idx, idx] = _masked(below, t[:, idx, idx].real, t[:, idx, idx])
    a[b] = t


def _update_two(a, b, kb, herm, idx):
    """The rank-2 update after a 2x2 pivot over the trailing block, and the two new L columns."""
    rows = np.arange(len(b))
    below = idx >= kb[:, None] + 2
    ck, ck1 = a[b, :, kb], a[b, :, kb + 1]
    with np.errstate(all="ignore"):
        if herm:
            d = np.abs(a[b, kb + 1, kb])
            d11, d22 = a[b, kb + 1, kb + 1].real / d, a[b, kb, kb].real / d
            tt = 1 / (d11 * d22 - 1)
            d21 = a[b, kb + 1, kb] / d
            d = tt / d
            wk = d[:, None] * (d11[:, None] * ck - d21[:, None] * ck1)
            wkp1 = d[:, None] * (d22[:, None] * ck1 - np.conj(d21)[:, None] * ck)
            u, v = np.conj(wk), np.conj(wkp1)
        else:
            d21 = a[b, kb + 1, kb]
            d11 = a[b, kb + 1, kb + 1] / d21
            d22 = a[b, kb, kb] / d21
            tt = 1 / (d11 * d22 - 1)
            d21 = tt / d21
            wk = d21[:, None] * (d11[:, None] * ck - ck1)
            wkp1 = d21[:, None] * (d22[:, None] * ck1 - ck)
            u, v = wk, wkp1
        block = below[:, :, None] & below[:, None, :]
        t = a[b]
        t = np.where(block, _fma(-ck[:, :, None], u[:, None, :], t), t)
        t = np.where(block, _fma(-ck1[:, :, None], v[:, None, :], t), t)
    if herm:
        t[:, idx, idx] = _masked(below, t[:, idx, idx].real, t[:, idx, idx])
    t[rows, :, kb] = _masked(below, wk, ck)
    t[rows, :, kb + 1] = _masked(below, wkp1, ck1)
    a[b] = t


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
    pivs, infos = _factor(flat, hermitian)
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
    """The matrices ``P L D L^T P^T`` that LAPACK's compact LDs (B, n, n) and pivots (B, n) describe."""
    bsz, n = ld.shape[:2]
    # LAPACK's product form: A = M D M^T with M = P1 L1 P2 L2 ..., one (P, L) per 1x1 or 2x2 pivot; every
    # matrix applies its own next factor at each pass (the pivot blocks differ between matrices)
    m = np.broadcast_to(np.eye(n, dtype=ld.dtype), ld.shape).copy()
    dmat = np.zeros_like(ld)
    idx = np.arange(n)
    k = np.zeros(bsz, np.intp)
    while True:
        act = np.flatnonzero(k < n)
        if not act.size:
            break
        kb = k[act]
        p = piv[act, kb]
        two = p < 0
        step = np.where(two, 2, 1)
        kp = np.abs(p) - 1
        dmat[act, kb, kb] = ld[act, kb, kb]
        b, k2 = act[two], kb[two]
        dmat[b, k2 + 1, k2 + 1] = ld[b, k2 + 1, k2 + 1]
        dmat[b, k2 + 1, k2] = ld[b, k2 + 1, k2]
        dmat[b, k2, k2 + 1] = np.conj(ld[b, k2 + 1, k2]) if herm else ld[b, k2 + 1, k2]
        last = kb + step - 1
        c1, c2 = m[act, :, last], m[act, :, kp]
        m[act, :, last], m[act, :, kp] = c2, c1
        below = idx >= (kb + step)[:, None]
        # both new columns come from the columns past the block, which neither update touches
        ups = []
        for off, sel in ((0, slice(None)), (1, two)):
            rows, cols = act[sel], kb[sel] + off
            v = np.where(below[sel], ld[rows, :, cols], 0)
            ups.append((rows, cols, np.matmul(m[rows], v[:, :, None])[:, :, 0]))
        for rows, cols, u in ups:
            m[rows, :, cols] += u
        k[act] += step
    adj = np.conj(np.swapaxes(m, -1, -2)) if herm else np.swapaxes(m, -1, -2)
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
    mats = _expand(lds, pvs, hermitian)
    x = np.linalg.solve(mats.reshape(batch + (n, n)), np.broadcast_to(b, batch + b.shape[-2:]))
    res = Tensor._wrap(x.astype(np.result_type(ld.dtype, b.dtype)))
    return res if out is None else _write(out, res)

