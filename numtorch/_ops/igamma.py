"""Regularized incomplete gamma functions ``igamma`` (P) and ``igammac`` (Q), also
``torch.special.gammainc``/``gammaincc``, with torch's derivative in ``other`` (none in ``input``).

P(a, x) by its power series where x < a + 1 and Q(a, x) by Legendre's continued fraction (modified Lentz)
elsewhere; both loops stop once every element has converged.
"""
import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from ._registry import DEFAULT, FUNCTIONS, call, register
from .pointwise import _reject
from .unary import _lgamma64

_TINY = 1e-300
_EPS = 1e-16


def _prefactor(a, x):
    """x^a e^-x / Gamma(a), computed in logs."""
    return np.exp(a * np.log(x) - x - _lgamma64(np, a))


def _series_p(a, x):
    term = 1.0 / a
    total = term
    k = 0
    while k < 100000:
        k += 1
        term = term * x / (a + k)
        total = total + term
        if np.all(np.abs(term) <= np.abs(total) * _EPS):
            break
    return total * _prefactor(a, x)


def _fraction_q(a, x):
    b = x + 1 - a
    c = np.full_like(x, 1 / _TINY)
    d = 1 / b
    h = d
    k = 0
    while k < 100000:
        k += 1
        an = -k * (k - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1) <= _EPS):
            break
    return h * _prefactor(a, x)


def _igamma64(a, x, upper):
    """P(a, x) (``upper`` False) or Q(a, x), with torch's values at the edges of the domain."""
    bad = (a < 0) | (x < 0) | np.isnan(a) | np.isnan(x) | ((a == 0) & (x == 0))
    fin = ~bad & (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    use_series = fin & (x < a + 1)
    use_frac = fin & ~use_series
    p = np.zeros_like(x)
    q = np.zeros_like(x)
    if use_series.any():
        ps = _series_p(np.where(use_series, a, 1.0), np.where(use_series, x, 0.5))
        p = np.where(use_series, ps, p)
    if use_frac.any():
        qs = _fraction_q(np.where(use_frac, a, 1.0), np.where(use_frac, x, 2.0))
        q = np.where(use_frac, qs, q)
    p = np.where(use_frac, 1 - q, p)
    q = np.where(use_series, 1 - p, q)
    # Outside the interior: a == 0 or x == inf is all mass below x; x == 0 or a == inf none.
    full = ~bad & ~fin & ((a == 0) | (x == np.inf))
    p = np.where(full, 1.0, np.where(~bad & ~fin, 0.0, p))
    q = np.where(full, 0.0, np.where(~bad & ~fin, 1.0, q))
    r = q if upper else p
    return np.where(bad, np.nan, r)


def _forward(name, upper):
    def fwd(xp, a, x):
        dt = NP2DT[a.dtype]
        _reject(name + "_cpu", dt, (_dtype.COMPLEX, _dtype.INT, _dtype.BOOL))
        with np.errstate(all="ignore"):
            a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
            return xp.asarray(_igamma64(a64, x64, upper))
    return fwd


def _density(a, x):
    # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
    return (FUNCTIONS["xlogy"](a - 1, x) - x - FUNCTIONS["lgamma"](a)).exp()


def _igamma_backward(g, a, x, out):
    return None, g * _density(a, x)


def _igammac_backward(g, a, x, out):
    return None, -g * _density(a, x)


_IGAMMA = register("igamma", _forward("igamma", False), _igamma_backward, nin=2, promote=DEFAULT,
                   save=(0, 1), inplace=True)
_IGAMMAC = register("igammac", _forward("igammac", True), _igammac_backward, nin=2, promote=DEFAULT,
                    save=(0, 1), inplace=True)


def gammainc(input, other, *, out=None):
    """Computes the regularized lower incomplete gamma function P(input, other)."""
    return call(_IGAMMA, (input, other), {} if out is None else {"out": out})


def gammaincc(input, other, *, out=None):
    """Computes the regularized upper incomplete gamma function Q(input, other)."""
    return call(_IGAMMAC, (input, other), {} if out is None else {"out": out})
