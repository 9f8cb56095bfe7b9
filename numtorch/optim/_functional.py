"""In-place array kernels shared by the optimizers, rounding as torch's CPU kernels do.

torch's vectorised CPU kernels for ``add(alpha=)``, ``addcmul`` and ``lerp`` use a fused multiply-add.
With a scalar factor that is exactly BLAS's ``?axpy`` (``y += a * x``, checked once at run time to round
once), called directly on contiguous float32/float64 arrays. Without a usable ``?axpy``, float32 uses a
matrix-vector product (``[1, s] @ [[c], [a]]``, also one fused multiply-add per element in OpenBLAS,
checked the same way) and float64 plain NumPy. An element-wise product of two arrays (``addcmul``) is
formed exactly in float64 and rounded once for float32. Contiguous arrays are processed in blocks
through per-thread scratch buffers, so temporaries stay in cache and are never allocated per call.
Python scalars are cast to the tensor's compute type first (float32 for float32 and half tensors).
"""
import numpy as np

from .. import _blas
from .._ops._scratch import scratch as _scratch

# Below this size the float64 path is as fast as the BLAS call and its two copies.
_GEMV_MIN = 2048
# Blocks this size keep an update's operands and temporaries in a core's L2 cache between operations.
_BLOCK = 1 << 15
_F32 = np.dtype(np.float32)
_FAST = (np.dtype(np.float32), np.dtype(np.float64))
_blas_fma = None
_axpy = {}


def xp_of(a):
    """The array module of ``a``."""
    if type(a) is np.ndarray:
        return np
    import cupy
    return cupy


def real(a):
    """A 1-d-or-more view of ``a``, real for a complex array (torch's view_as_real for the update)."""
    if a.ndim == 0:
        # Arithmetic on 0-d arrays yields scalars; a (1,) view keeps every intermediate an array.
        a = a.reshape(1)
    if a.dtype.kind != "c":
        return a
    return a.view(a.real.dtype)


def sc(a, v):
    """The Python scalar ``v`` in the compute type torch uses against array ``a``."""
    return float(v) if a.dtype == np.float64 else np.float32(v)


def scratch(slot, n, dtype):
    """A 1-d per-thread array of ``n`` elements for a temporary (see ``_ops._scratch``)."""
    return _scratch("optim_" + slot, (n,), dtype)


def _stack(n, dtype):
    """A (2, n) scratch array, reused across calls (one per thread and dtype, grown as needed)."""
    return scratch("stack", 2 * n, dtype).reshape(2, n)


def blocks(n):
    """Slices covering ``range(n)`` in blocks of at most ``_BLOCK`` elements."""
    return [slice(i, min(n, i + _BLOCK)) for i in range(0, n, _BLOCK)]


def flat(out, *arrays):
    """The 1-d views of ``out`` and ``arrays`` when all are C-contiguous NumPy float32/float64 arrays of one
    shape and dtype (the kernels' fast path), else ``None``."""
    if type(out) is not np.ndarray or out.dtype not in _FAST or not out.flags.c_contiguous:
        return None
    for a in arrays:
        if (type(a) is not np.ndarray or a.shape != out.shape or a.dtype != out.dtype
                or not a.flags.c_contiguous):
            return None
    return [out.reshape(-1)] + [a.reshape(-1) for a in arrays]


def axpy_for(dtype):
    """BLAS's fused ``y += alpha * x`` for ``dtype`` (see ``_blas``), or ``None``."""
    fn = _axpy.get(dtype, False)
    if fn is False:
        lib = _blas.library()
        fn = _axpy[dtype] = lib.axpy(dtype) if lib is not None else None
    return fn


def _gemv(rows, s, out):
    """``out = rows[0] + s * rows[1]`` with one rounding per element (a BLAS matrix-vector product)."""
    np.matmul(np.array([1, s], out.dtype), rows, out=out.reshape(-1))


def _blas_fuses():
    """Whether this BLAS's float32 matrix-vector product rounds ``c + a * s`` once (checked once)."""
    global _blas_fma
    if _blas_fma is None:
        # An odd length also covers the kernels' scalar tail loop.
        n = _GEMV_MIN + 13
        rng = np.random.default_rng(0)
        a, c = rng.standard_normal((2, n)).astype(np.float32)
        s = np.float32(0.1234567)
        want = (a.astype(np.float64) * float(s) + c).astype(np.float32)
        rows = _stack(n, np.dtype(np.float32))
        rows[0], rows[1] = c, a
        got = np.empty_like(a)
        _gemv(rows, s, got)
        _blas_fma = bool(np.array_equal(got, want))
    return _blas_fma


def _scaled_add(s, x, y):
    """``y += s * x`` rounded once, for 1-d contiguous float arrays of one dtype (the fast path)."""
    fn = axpy_for(y.dtype)
    if fn is not None:
        fn(s, x, y)
    elif y.dtype == _F32 and y.size >= _GEMV_MIN and _blas_fuses():
        rows = _stack(y.size, y.dtype)
        np.copyto(rows[0], y)
        np.copyto(rows[1], x)
        _gemv(rows, s, y)
    elif y.dtype == _F32:
        wide = np.multiply(x, s, dtype=np.float64)
        wide += y
        np.copyto(y, wide)
    else:
        y += x * s


def lerp_(a, b, weight):
    """``a.lerp_(b, weight)`` for a Python-number weight."""
    w = sc(a, weight)
    views = flat(a, b)
    if views is not None:
        af, bf = views
        for sl in blocks(af.size):
            d = scratch("diff", sl.stop - sl.start, af.dtype)
            np.subtract(bf[sl], af[sl], out=d)
            # torch's kernel anchors on the nearer end: a + w * diff, or b + (w - 1) * diff.
            if abs(w) < 0.5:
                _scaled_add(w, d, af[sl])
            else:
                np.copyto(af[sl], bf[sl])
                _scaled_add(w - 1, d, af[sl])
        return a
    diff = b - a
    if abs(w) < 0.5:
        return fma(w, diff, a, a)
    return fma(w - 1, diff, b, a)


def addcmul_(a, b, c, value, out=None):
    """``a + value * b * c`` into ``out`` (``a`` itself when None)."""
    if out is None:
        out = a
    views = flat(out, a, b, c) if out.dtype == _F32 else None
    if views is None:
        if value != 1:
            b = b * sc(a, value)
        return fma(b, c, a, out)
    of, af, bf, cf = views
    s = sc(a, value)
    for sl in blocks(of.size):
        n = sl.stop - sl.start
        # value * b rounded to float32 first, as torch's kernel; then the exact product plus a, rounded once
        prod = scratch("prod", n, _F32)
        np.multiply(bf[sl], s, out=prod)
        wide, other = scratch("wide", n, np.float64), scratch("wide2", n, np.float64)
        np.copyto(wide, prod)
        np.copyto(other, cf[sl])
        wide *= other
        np.copyto(other, af[sl])
        wide += other
        np.copyto(of[sl], wide)
    return out


def fma(x, y, z, out):
    """``out = x * y + z`` rounded once."""
    if np.ndim(x) == 0:
        x, y = y, x
    if np.ndim(y) == 0:
        views = flat(out, x, z)
        if views is not None and not (out is not z and np.may_share_memory(x, out)):
            of, xf, zf = views
            if out is not z:
                np.copyto(of, zf)
            for sl in blocks(of.size):
                _scaled_add(y, xf[sl], of[sl])
            return out
    xp = xp_of(out)
    if out.dtype == np.float64:
        fn = axpy_for(out.dtype) if np.ndim(y) == 0 and xp is np else None
        if fn is None:
            return xp.add(xp.multiply(x, y), z, out=out)
        # strided or broadcast operands: BLAS's fused kernel on contiguous copies
        acc = np.array(np.broadcast_to(z, out.shape), dtype=np.float64, order="C")
        fn(float(y), np.ascontiguousarray(np.broadcast_to(x, out.shape), dtype=np.float64), acc)
        out[...] = acc
        return out
    wide = xp.multiply(x, y, dtype=np.float64)
    wide += z
    out[...] = wide
    return out


def add(a, b, alpha, out=None):
    """``a + alpha * b`` (torch's ``add`` with ``alpha``) into ``out`` (a new array when None)."""
    if out is None:
        out = xp_of(a).empty_like(a)
    if alpha == 1:
        return xp_of(a).add(a, b, out=out)
    return fma(b, sc(a, alpha), a, out)


def addcdiv_(a, b, c, value):
    """``a += value * b / c``."""
    views = flat(a, b, c)
    if views is not None:
        af, bf, cf = views
        s = sc(a, value)
        for sl in blocks(af.size):
            q = scratch("quot", sl.stop - sl.start, af.dtype)
            # (value * b) / c is rounded before the add, as torch rounds it
            np.multiply(bf[sl], s, out=q)
            np.divide(q, cf[sl], out=q)
            af[sl] += q
        return a
    xp = xp_of(a)
    q = xp.multiply(b, sc(a, value)) if value != 1 else xp.array(b, copy=True)
    xp.divide(q, c, out=q)
    a += q
    return a


def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, beta2, bias_correction2_sqrt, eps,
               step_size):
    """One Adam update in place, as torch's single-tensor Adam: ``exp_avg.lerp_(grad, 1 - beta1)``,
    ``exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)``, the AMSGrad maximum into
    ``max_exp_avg_sq`` when given, then
    ``param -= step_size * exp_avg / (sqrt(second moment) / bias_correction2_sqrt + eps)``.

    Every operation rounds as torch's except the ``addcmul``: torch fuses its multiply-add, here the
    product is rounded first, which leaves ~0.2% of the second moments 1 ulp from torch's. Emulating the
    fused rounding in float64 doubled the step's time, and could not make the parameters match torch's
    bit for bit anyway: torch's vectorised float32 sqrt is not correctly rounded (~0.6% of elements).
    """
    amsgrad = max_exp_avg_sq is not None
    views = flat(param, grad, exp_avg, exp_avg_sq, *((max_exp_avg_sq,) if amsgrad else ()))
    if views is None:
        lerp_(exp_avg, grad, 1 - beta1)
        mul_(exp_avg_sq, beta2)
        exp_avg_sq += grad * sc(exp_avg_sq, 1 - beta2) * grad
        second = exp_avg_sq
        if amsgrad:
            xp_of(second).maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            second = max_exp_avg_sq
        denom = xp_of(param).sqrt(second)
        denom /= sc(denom, bias_correction2_sqrt)
        denom += sc(denom, eps)
        return addcdiv_(param, exp_avg, denom, -step_size)
    pf, gf, mf, vf = views[:4]
    dtype = pf.dtype
    w, b2, s2 = sc(param, 1 - beta1), sc(param, beta2), sc(param, 1 - beta2)
    div, eps, s = sc(param, bias_correction2_sqrt), sc(param, eps), sc(param, -step_size)
    # the whole update runs block by block, so each block's operands stay in cache across the operations
    for sl in blocks(pf.size):
        n = sl.stop - sl.start
        g, m, v = gf[sl], mf[sl], vf[sl]
        tmp, q = scratch("diff", n, dtype), scratch("quot", n, dtype)
        np.subtract(g, m, out=tmp)
        _scaled_add(w, tmp, m)
        v *= b2
        np.multiply(g, s2, out=tmp)
        tmp *= g
        v += tmp
        if amsgrad:
            v = np.maximum(views[4][sl], v, out=views[4][sl])
        np.sqrt(v, out=tmp)
        tmp /= div
        tmp += eps
        np.multiply(m, s, out=q)
        q /= tmp
        pf[sl] += q
    return param


def mul_(a, value):
    """``a *= value``."""
    a *= sc(a, value)
    return a
