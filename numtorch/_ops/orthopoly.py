"""Orthogonal polynomials of ``torch.special``: Chebyshev (T, U, V, W and shifted), Hermite (physicists'
and probabilists'), Laguerre and Legendre, evaluated at ``x`` for integer degrees ``n`` (tensors or
numbers, broadcast). torch gives them no derivative.

Each runs its three-term recurrence once up to the largest degree, all elements together; torch's
closed forms (cos(n acos x) and relatives for high degrees inside (-1, 1)) and its endpoint values are
reproduced where torch uses them.
"""
import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from ._registry import INT_TO_FLOAT, call, register
from .pointwise import _reject


def _recurrence(x, n, first, step):
    """Degree ``n`` (per element) of the sequence p0 = 1, p1 = ``first(x)``, p_{k+1} = ``step(k, x, p_k,
    p_{k-1})``."""
    out = np.where(n == 0, 1.0, first(x))
    top = int(n.max()) if n.size else 0
    prev, cur = np.ones_like(x), first(x)
    for k in range(1, top):
        prev, cur = cur, step(k, x, cur, prev)
        out = np.where(n == k + 1, cur, out)
    return out


def _two_x(k, x, p, q):
    return (x + x) * p - q


def _cheb_t(x, n):
    r = _recurrence(x, n, lambda x: x, _two_x)
    ac = np.arccos(np.clip(x, -1, 1))
    r = np.where((n > 6) & (np.abs(x) < 1), np.cos(n * ac), r)
    return np.where(np.abs(x) == 1, np.where((x > 0) | (n % 2 == 0), 1.0, -1.0), r)


def _cheb_u(x, n):
    r = _recurrence(x, n, lambda x: x + x, _two_x)
    ac = np.arccos(np.clip(x, -1, 1))
    s = np.sin(ac)
    closed = np.where(s != 0, np.sin((n + 1) * ac) / np.where(s != 0, s, 1),
                      (n + 1) * np.cos((n + 1) * ac) / x)
    r = np.where((n > 8) & (np.abs(x) < 1), closed, r)
    return np.where(np.abs(x) == 1, np.where((x > 0) | (n % 2 == 0), n + 1.0, -(n + 1.0)), r)


def _cheb_v(x, n):
    r = _recurrence(x, n, lambda x: x + x - 1, _two_x)
    ac = np.arccos(np.clip(x, -1, 1))
    odd_end = np.where(n % 2 == 0, n + n + 1.0, -(n + n + 1.0))
    closed = np.where(np.sin(ac / 2) != 1, np.cos((n + 0.5) * ac) / np.cos(ac / 2), odd_end)
    r = np.where((n > 8) & (np.abs(x) < 1), closed, r)
    return np.where(np.abs(x) == 1, np.where(x > 0, 1.0, odd_end), r)


def _cheb_w(x, n):
    r = _recurrence(x, n, lambda x: x + x + 1, _two_x)
    ac = np.arccos(np.clip(x, -1, 1))
    end = np.where(x > 0, n + n + 1.0, np.where(n % 2 == 0, 1.0, -1.0))
    closed = np.where(np.cos(ac / 2) != 1, np.sin((n + 0.5) * ac) / np.sin(ac / 2), end)
    r = np.where((n > 8) & (np.abs(x) < 1), closed, r)
    return np.where(np.abs(x) == 1, end, r)


def _shifted(fn):
    return lambda x, n: fn(x + x - 1, n)


def _hermite_h(x, n):
    return _recurrence(x, n, lambda x: x + x, lambda k, x, p, q: (x + x) * p - (k + k) * q)


def _hermite_he(x, n):
    return _recurrence(x, n, lambda x: x, lambda k, x, p, q: x * p - k * q)


def _laguerre(x, n):
    r = _recurrence(x, n, lambda x: 1 - x, lambda k, x, p, q: ((k + k + 1 - x) * p - k * q) / (k + 1))
    return np.where(np.abs(x) == 0, 1.0, r)


def _legendre(x, n):
    r = _recurrence(x, n, lambda x: x, lambda k, x, p, q: ((k + k + 1) * x * p - k * q) / (k + 1))
    return np.where(np.abs(x) == 1, np.where((x > 0) | (n % 2 == 0), 1.0, -1.0), r)


def _forward(kernel, fn):
    def fwd(xp, x, n):
        dt = NP2DT[np.result_type(x, n)]
        _reject(kernel, dt, (_dtype.COMPLEX,))
        if dt in (_dtype.float16, _dtype.bfloat16):
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{dt._legacy}'")
        xs, ns = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(n))
        # torch truncates the degree to an integer; negative degrees give 0.
        deg = np.trunc(np.nan_to_num(ns.astype(np.float64))).astype(np.int64)
        with np.errstate(all="ignore"):
            r = fn(xs, np.maximum(deg, 0))
        r = np.where(deg < 0, 0.0, r)
        return xp.asarray(r)
    return fwd


_NAMES = {
    "chebyshev_polynomial_t": _cheb_t, "chebyshev_polynomial_u": _cheb_u,
    "chebyshev_polynomial_v": _cheb_v, "chebyshev_polynomial_w": _cheb_w,
    "shifted_chebyshev_polynomial_t": _shifted(_cheb_t), "shifted_chebyshev_polynomial_u": _shifted(_cheb_u),
    "shifted_chebyshev_polynomial_v": _shifted(_cheb_v), "shifted_chebyshev_polynomial_w": _shifted(_cheb_w),
    "hermite_polynomial_h": _hermite_h, "hermite_polynomial_he": _hermite_he,
    "laguerre_polynomial_l": _laguerre, "legendre_polynomial_p": _legendre,
}
OPS = {name: register("special_" + name, _forward(name + "_cpu", fn), None, nin=2, promote=INT_TO_FLOAT,
                      scalars=True, method=False, function=False) for name, fn in _NAMES.items()}


def _public(name):
    op = OPS[name]

    def fn(input, n, *, out=None):
        return call(op, (input, n), {} if out is None else {"out": out})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Computes the {name.replace('_', ' ')} of degree ``n`` at ``input``."
    return fn


PUBLIC = {name: _public(name) for name in _NAMES}
