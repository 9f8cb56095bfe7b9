"""In-place array kernels shared by the optimizers, rounding as torch's CPU kernels do.

torch's vectorised CPU kernels for ``add(alpha=)``, ``addcmul`` and ``lerp`` use a fused multiply-add;
float32 results are reproduced bit for bit by forming the product exactly in float64 and rounding once.
When one factor is a scalar, BLAS does the same faster: ``[1, s] @ [[c], [a]]`` is one fused multiply-add
per element in its matrix-vector kernels (checked once at run time; otherwise the float64 path is used).
Python scalars are cast to the tensor's compute type first (float32 for float32 and half tensors).
"""
import threading

import numpy as np

# Below this size the float64 path is as fast as the BLAS call and its two copies.
_GEMV_MIN = 2048
_GEMV_BLOCK = 1 << 20
_scratch = threading.local()
_blas_fma = None


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


def _stack(n, dtype):
    """A (2, n) scratch array, reused across calls (one per thread and dtype, grown as needed)."""
    bufs = _scratch.__dict__.setdefault("bufs", {})
    buf = bufs.get(dtype)
    if buf is None or buf.shape[1] < n:
        buf = bufs[dtype] = np.empty((2, n), dtype)
    return buf[:, :n]


def _gemv(rows, s, out):
    """``out = rows[0] + s * rows[1]`` with one rounding per element (a BLAS matrix-vector product)."""
    np.matmul(np.array([1, s], out.dtype), rows, out=out.reshape(-1))


def _gemv_blocks(out, s, fill):
    """``_gemv`` over ``out`` in bounded blocks; ``fill(rows, sl)`` writes both rows for a flat slice."""
    # Blocks keep the reused scratch small however large a parameter is.
    flat = out.reshape(-1)
    n = flat.size
    for start in range(0, n, _GEMV_BLOCK):
        sl = slice(start, min(n, start + _GEMV_BLOCK))
        rows = _stack(sl.stop - start, out.dtype)
        fill(rows, sl)
        _gemv(rows, s, flat[sl])
    return out


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


def _gemv_ok(out, *arrays):
    """Whether ``out`` (and same-shaped ``arrays``) can take the BLAS fused path."""
    return (type(out) is np.ndarray and out.dtype == np.float32 and out.size >= _GEMV_MIN
            and out.flags.c_contiguous and _blas_fuses()
            and all(a.shape == out.shape and a.flags.c_contiguous for a in arrays))


def fma(x, y, z, out):
    """``out = x * y + z`` rounded once."""
    if np.ndim(y) == 0 and _gemv_ok(out, x, z):
        zf, xf = z.reshape(-1), x.reshape(-1)
        return _gemv_blocks(out, y, lambda rows, sl: (np.copyto(rows[0], zf[sl]), np.copyto(rows[1], xf[sl])))
    xp = xp_of(out)
    if out.dtype == np.float64:
        return xp.add(xp.multiply(x, y), z, out=out)
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


def lerp_(a, b, weight):
    """``a.lerp_(b, weight)`` for a Python-number weight."""
    w = sc(a, weight)
    if _gemv_ok(a, b):
        af, bf = a.reshape(-1), b.reshape(-1)
        # torch's kernel anchors on the nearer end: a + w * diff, or b + (w - 1) * diff.
        near = af if abs(w) < 0.5 else bf

        def fill(rows, sl):
            np.subtract(bf[sl], af[sl], out=rows[1])
            np.copyto(rows[0], near[sl])
        return _gemv_blocks(a, w if abs(w) < 0.5 else w - 1, fill)
    diff = b - a
    if abs(w) < 0.5:
        return fma(w, diff, a, a)
    return fma(w - 1, diff, b, a)


def addcmul_(a, b, c, value, out=None):
    """``a + value * b * c`` into ``out`` (``a`` itself when None)."""
    if out is None:
        out = a
    if value != 1:
        b = b * sc(a, value)
    return fma(b, c, a, out)


def addcdiv_(a, b, c, value):
    """``a += value * b / c``."""
    xp = xp_of(a)
    # One temporary: (value * b) / c is formed in place before the add, as torch rounds it.
    q = xp.multiply(b, sc(a, value)) if value != 1 else xp.array(b, copy=True)
    xp.divide(q, c, out=q)
    a += q
    return a


def mul_(a, value):
    """``a *= value``."""
    a *= sc(a, value)
    return a
