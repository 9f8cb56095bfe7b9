"""In-place array kernels shared by the optimizers, rounding as torch's CPU kernels do.

torch's vectorised CPU kernels for ``add(alpha=)``, ``addcmul`` and ``lerp`` use a fused multiply-add;
float32 results are reproduced bit for bit by forming the product exactly in float64 and rounding once.
Python scalars are cast to the tensor's compute type first (float32 for float32 and half tensors).
"""
import numpy as np


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


def fma(x, y, z, out):
    """``out = x * y + z`` rounded once."""
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
    if value != 1:
        b = b * sc(a, value)
    a += b / c
    return a


def mul_(a, value):
    """``a *= value``."""
    a *= sc(a, value)
    return a
