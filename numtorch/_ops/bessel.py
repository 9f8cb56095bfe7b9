"""Bessel-type functions of ``torch.special`` beyond J0/J1/I0/I1: Y0, Y1, K0, K1 (plain and exponentially
scaled), the modified I0/I1 under their long names, the spherical j0 and Airy's Ai. torch gives them no
derivative and no half-precision kernels.

All are float64 NumPy kernels: power series near 0, quadrature of an integral representation in the
middle range (Gauss-Legendre or the trapezoidal rule, which converges geometrically for these smooth
integrands), and Hankel's asymptotic series for large arguments.
"""
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from ._registry import INT_TO_FLOAT, call, register
from .pointwise import _reject

_EULER = 0.5772156649015329
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(96)


def _harmonic(k):
    return sum(1.0 / j for j in range(1, k + 1))


# ---------------------------------------------------------------------------------------- K0, K1

def _k_series(x, nu):
    """K_nu for small x from the series of I_nu with the logarithmic term (nu in {0, 1})."""
    q = x * x / 4
    lg = np.log(x / 2)
    if nu == 0:
        term, i0, rest = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
        for k in range(1, 30):
            term = term * q / (k * k)
            i0 = i0 + term
            rest = rest + term * _harmonic(k)
        return -(lg + _EULER) * i0 + rest
    term = x / 2
    i1 = term
    # psi(k + 1) + psi(k + 2) = 2 H_k + 1 / (k + 1) - 2 gamma
    rest = term * (1 - 2 * _EULER)
    for k in range(1, 30):
        term = term * q / (k * (k + 1))
        i1 = i1 + term
        rest = rest + term * (2 * _harmonic(k) + 1 / (k + 1) - 2 * _EULER)
    return 1 / x + lg * i1 - rest / 2


def _k_scaled_integral(x, nu):
    """exp(x) K_nu(x) = int_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt by the trapezoidal rule, on a grid
    scaled to where the integrand lives (its width shrinks like 1/sqrt(x))."""
    top = np.arccosh(1 + 750 / x)
    h = top / 240
    t = np.multiply.outer(h, np.arange(241))
    w = np.ones(241)
    w[0] = 0.5
    f = np.exp(-x[..., None] * (np.cosh(t) - 1)) * np.cosh(nu * t)
    return (f @ w) * h


def _k_scaled(x, nu):
    small = x < 1
    xs = np.where(small, x, 1.0)
    xl = np.where(small, 1.0, x)
    series = _k_series(xs, nu) * np.exp(xs)
    big = xl > 700
    # Hankel's series for large x, where the quadrature would need a finer step.
    mu = 4.0 * nu * nu
    xa = np.where(big, xl, 1000.0)
    term, tot = np.ones_like(xa), np.ones_like(xa)
    for k in range(1, 12):
        term = term * (mu - (2 * k - 1) ** 2) / (8 * k * xa)
        tot = tot + term
    far = tot * np.sqrt(math.pi / (2 * xa))
    mid = _k_scaled_integral(np.where(big, 1.0, xl), nu)
    r = np.where(small, series, np.where(big, far, mid))
    r = np.where(x == 0, np.inf, r)
    r = np.where(x == np.inf, 0.0, r)
    return np.where(x < 0, np.nan, r)


def _k(x, nu):
    with np.errstate(over="ignore"):
        return _k_scaled(x, nu) * np.exp(-x)


# ---------------------------------------------------------------------------------------- Y0, Y1

def _y_series(x, nu):
    """Y_nu for small x: the log term times J_nu plus the digamma series."""
    q = -x * x / 4
    lg = np.log(x / 2) + _EULER
    if nu == 0:
        term, j0, rest = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
        for k in range(1, 40):
            term = term * q / (k * k)
            j0 = j0 + term
            rest = rest - term * _harmonic(k)
        return (2 / math.pi) * (lg * j0 + rest)
    term = x / 2
    j1 = term
    rest = term * 1.0
    for k in range(1, 40):
        term = term * q / (k * (k + 1))
        j1 = j1 + term
        rest = rest + term * (2 * _harmonic(k) + 1 / (k + 1))
    return (2 / math.pi) * (lg * j1 - 1 / x) - rest / math.pi


def _y_integral(x, nu):
    """Y_nu = 1/pi int_0^pi sin(x sin th - nu th) dth - 1/pi int_0^inf (e^{nu t} + (-1)^nu e^{-nu t})
    exp(-x sinh t) dt, both by 96-point Gauss-Legendre (the second over [0, asinh(60 / x)])."""
    th = (_GL_NODES + 1) * (math.pi / 2)
    a = np.sin(np.multiply.outer(x, np.sin(th)) - nu * th) @ _GL_WEIGHTS * (1 / 2)
    top = np.arcsinh(60 / x)
    t = np.multiply.outer(top, (_GL_NODES + 1) / 2)
    f = (np.exp(nu * t) + (-1) ** nu * np.exp(-nu * t)) * np.exp(-x[..., None] * np.sinh(t))
    b = (f @ _GL_WEIGHTS) * top / 2
    return a - b / math.pi


def hankel_pq(x, nu, terms=30):
    """P and Q of Hankel's asymptotic expansion of J_nu and Y_nu (x large)."""
    mu = 4.0 * nu * nu
    p, q, term = x * 0.0, x * 0.0, x * 0.0 + 1.0
    for k in range(terms):
        if k % 4 == 0:
            p = p + term
        elif k % 4 == 1:
            q = q + term
        elif k % 4 == 2:
            p = p - term
        else:
            q = q - term
        term = term * (mu - (2 * k + 1) ** 2) / (8 * (k + 1) * x)
    return p, q


def _y(x, nu):
    small = x <= 2
    big = x > 25
    xs = np.where(small, x, 1.0)
    xm = np.where(small | big, 5.0, x)
    xb = np.where(big, np.minimum(x, 1e300), 30.0)
    p, q = hankel_pq(xb, nu)
    c, s = np.cos(xb), np.sin(xb)
    # sin and cos of chi = x - (nu / 2 + 1 / 4) pi from those of x.
    sin_chi = (s - c) / math.sqrt(2) if nu == 0 else -(s + c) / math.sqrt(2)
    cos_chi = (c + s) / math.sqrt(2) if nu == 0 else (s - c) / math.sqrt(2)
    far = (p * sin_chi + q * cos_chi) * np.sqrt(2 / (math.pi * xb))
    r = np.where(small, _y_series(xs, nu), np.where(big, far, _y_integral(xm, nu)))
    r = np.where(x == 0, -np.inf, r)
    return np.where((x < 0) | (x == np.inf), np.nan, r)


# ---------------------------------------------------------------------------------------- Airy Ai

def _airy_series(x):
    c1, c2 = 0.3550280538878172, 0.2588194037928068
    x3 = x ** 3
    f, g = np.ones_like(x), x.copy()
    tf, tg = np.ones_like(x), x.copy()
    for k in range(1, 60):
        tf = tf * x3 / ((3 * k - 1) * (3 * k))
        tg = tg * x3 / ((3 * k) * (3 * k + 1))
        f, g = f + tf, g + tg
    return c1 * f - c2 * g


def _airy_negative(x):
    """Ai(-z) for large z from the asymptotic series in zeta = 2/3 z^(3/2), cut at its smallest term."""
    z = -x
    zeta = 2 / 3 * z ** 1.5
    p, q = np.ones_like(z), np.zeros_like(z)
    u = 1.0
    term = np.ones_like(z)
    live = np.ones(z.shape, bool)
    last = np.ones_like(z)
    for k in range(1, 60):
        u = u * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k)
        term = term / zeta
        piece = u * term
        live &= piece < last
        last = piece
        piece = np.where(live, piece, 0.0)
        if k % 4 == 1:
            q = q + piece
        elif k % 4 == 2:
            p = p - piece
        elif k % 4 == 3:
            q = q - piece
        else:
            p = p + piece
    ang = zeta + math.pi / 4
    return (np.sin(ang) * p - np.cos(ang) * q) / (math.sqrt(math.pi) * z ** 0.25)


def _airy(x):
    near = (x >= -8) & (x <= 5)
    pos = x > 5
    neg = x < -8
    xp_ = np.where(pos, x, 6.0)
    zeta = 2 / 3 * xp_ ** 1.5
    k13 = _k_scaled_third(zeta)
    right = np.sqrt(xp_ / 3) / math.pi * k13 * np.exp(-zeta)
    left = _airy_negative(np.where(neg, x, -9.0))
    r = np.where(near, _airy_series(np.where(near, x, 0.0)), np.where(pos, right, left))
    return np.where(np.isinf(x) | np.isnan(x), np.nan, r)


def _k_scaled_third(z):
    return _k_scaled_integral(z, 1 / 3)


# ---------------------------------------------------------------------------------------- registration

def _forward(kernel, fn):
    def fwd(xp, a):
        dt = NP2DT[a.dtype]
        _reject(kernel, dt, (_dtype.COMPLEX,))
        if dt in (_dtype.float16, _dtype.bfloat16):
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{dt._legacy}'")
        with np.errstate(all="ignore"):
            return xp.asarray(fn(np.asarray(a, np.float64)))
    return fwd


def _spherical_j0(x):
    r = np.sin(x) / np.where(x == 0, 1.0, x)
    # sin(x)/x is 0 at infinity (torch), and 1 - x^2/6 near 0 avoids the 0/0.
    r = np.where(np.abs(x) < 0.5, 1 - x * x / 6 * (1 - x * x / 20 * (1 - x * x / 42 * (1 - x * x / 72))), r)
    return np.where(np.isinf(x), 0.0, r)


def _modified_i(nu):
    def fn(x):
        from ..special import _bessel_i_scaled
        ax = np.abs(x)
        r = np.exp(ax) * _bessel_i_scaled(np, x, nu)
        return np.sign(x) * r if nu else r
    return fn


_KERNELS = {
    "bessel_y0": lambda x: _y(x, 0), "bessel_y1": lambda x: _y(x, 1),
    "modified_bessel_k0": lambda x: _k(x, 0), "modified_bessel_k1": lambda x: _k(x, 1),
    "scaled_modified_bessel_k0": lambda x: _k_scaled(x, 0),
    "scaled_modified_bessel_k1": lambda x: _k_scaled(x, 1),
    "modified_bessel_i0": _modified_i(0), "modified_bessel_i1": _modified_i(1),
    "spherical_bessel_j0": _spherical_j0, "airy_ai": _airy,
}
OPS = {name: register("special_" + name, _forward(name + "_cpu", fn), None, promote=INT_TO_FLOAT,
                      method=False, function=False) for name, fn in _KERNELS.items()}


def _public(name):
    op = OPS[name]

    def fn(input, *, out=None):
        return call(op, (input,), {} if out is None else {"out": out})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Computes the {name.replace('_', ' ')} function of ``input``."
    return fn


PUBLIC = {name: _public(name) for name in _KERNELS}
