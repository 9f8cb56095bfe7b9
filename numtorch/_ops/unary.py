"""Unary math ops: exponentials, trigonometry, special functions, rounding, classification, softmax."""
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ._registry import DEFAULT, FUNCTIONS, INT_TO_FLOAT, NONE, call, call_inplace, register
from .limited import kernel_error
from .pointwise import _need_tensor, _reject, _upcast, public
from .reduction import norm_dims

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_NO_BOOL = (_dtype.BOOL,)
_NO_COMPLEX = (_dtype.COMPLEX,)
_INTS = (_dtype.BOOL, _dtype.INT)


def _alias(alias, name, inplace=True):
    FUNCTIONS[alias] = FUNCTIONS[name]
    setattr(Tensor, alias, getattr(Tensor, name))
    if inplace:
        setattr(Tensor, alias + "_", getattr(Tensor, name + "_"))


def _unary(name, fwd, bwd=None, *, promote=INT_TO_FLOAT, save=(0,), save_out=False, node=None, inplace=True,
           aliases=(), fast=None):
    op = register(name, fwd, bwd, nin=1, promote=promote, save=save, save_out=save_out, node=node,
                  inplace=inplace, fast=fast)
    for a in aliases:
        _alias(a, name, inplace)
    return op


def _zeros(grad):
    return FUNCTIONS["zeros_like"](grad)


def _ufunc(fn):
    """A forward calling ``fn(xp, x)`` with half types widened to float32, as torch's CPU kernels do."""
    return lambda xp, a: fn(xp, _upcast(a))


def _special(name, kernel, fn):
    """A forward for a real special function computed in float64 (complex inputs are not supported)."""
    def fwd(xp, a):
        _reject(kernel, NP2DT[a.dtype], _NO_COMPLEX)
        return fn(xp, a.astype(np.float64))
    return fwd


# ---------------------------------------------------------------------------------------- exp / log

_unary("exp2", _ufunc(lambda xp, x: xp.exp2(x)), lambda g, a, out: g * (out * _LN2).conj(), save=(),
       save_out=True, fast=np.exp2)
_unary("expm1", _ufunc(lambda xp, x: xp.expm1(x)), lambda g, a, out: g * (out + 1).conj(), save=(),
       save_out=True, fast=np.expm1)
_unary("log2", _ufunc(lambda xp, x: xp.log2(x)), lambda g, a, out: g / (a * _LN2).conj(), fast=np.log2)
_unary("log10", _ufunc(lambda xp, x: xp.log10(x)), lambda g, a, out: g / (a * _LN10).conj(), fast=np.log10)
_unary("log1p", _ufunc(lambda xp, x: xp.log1p(x)), lambda g, a, out: g / (a + 1).conj(),
       node="Log1PBackward0", fast=np.log1p)
_unary("rsqrt", _ufunc(lambda xp, x: 1 / xp.sqrt(x)), lambda g, a, out: g * (out.pow(3) * -0.5).conj(),
       save=(), save_out=True)


# ---------------------------------------------------------------------------------------- trigonometry

_unary("tan", _ufunc(lambda xp, x: xp.tan(x)), lambda g, a, out: g * (out * out + 1).conj(), save=(),
       save_out=True, fast=np.tan)
_unary("asin", _ufunc(lambda xp, x: xp.arcsin(x)), lambda g, a, out: g * (1 - a * a).rsqrt().conj(),
       aliases=("arcsin",), fast=np.arcsin)
_unary("acos", _ufunc(lambda xp, x: xp.arccos(x)), lambda g, a, out: g * -(1 - a * a).rsqrt().conj(),
       aliases=("arccos",), fast=np.arccos)
_unary("atan", _ufunc(lambda xp, x: xp.arctan(x)), lambda g, a, out: g / (a * a + 1).conj(),
       aliases=("arctan",), fast=np.arctan)
_unary("sinh", _ufunc(lambda xp, x: xp.sinh(x)), lambda g, a, out: g * a.cosh().conj(), fast=np.sinh)
_unary("cosh", _ufunc(lambda xp, x: xp.cosh(x)), lambda g, a, out: g * a.sinh().conj(), fast=np.cosh)
_unary("asinh", _ufunc(lambda xp, x: xp.arcsinh(x)), lambda g, a, out: g * (a * a + 1).rsqrt().conj(),
       aliases=("arcsinh",), fast=np.arcsinh)
_unary("acosh", _ufunc(lambda xp, x: xp.arccosh(x)), lambda g, a, out: g * (a * a - 1).rsqrt().conj(),
       aliases=("arccosh",), fast=np.arccosh)
_unary("atanh", _ufunc(lambda xp, x: xp.arctanh(x)), lambda g, a, out: g / (1 - a * a).conj(),
       aliases=("arctanh",), fast=np.arctanh)


def _deg(name, factor):
    def fwd(xp, a):
        if a.dtype.kind == "c":
            raise RuntimeError(f"{name} is not supported for complex tensors.")
        return _upcast(a) * factor
    _unary(name, fwd, lambda g, a, out: g * factor, save=(), node=f"{name[:3].capitalize()}2"
           f"{name[4:].capitalize()}Backward0")


_deg("deg2rad", math.pi / 180)
_deg("rad2deg", 180 / math.pi)


def _sinc(xp, a):
    x = _upcast(a) * math.pi
    safe = xp.where(x == 0, 1, x)
    return xp.where(x == 0, 1, xp.sin(safe) / safe)


def _sinc_backward(g, a, out):
    px = a * math.pi
    d = (px * px.cos() - px.sin()) / (px * a)
    return g * FUNCTIONS["where"](a == 0, 0.0, d).conj()


_unary("sinc", _sinc, _sinc_backward)


# ---------------------------------------------------------------------------------------- float64 kernels
# Vectorised special functions in float64 (no SciPy): series and continued fractions for erf, Stirling and
# asymptotic series after upward recurrence for lgamma/digamma/polygamma, Halley steps for erfinv.

_SQRT_PI = math.sqrt(math.pi)
_ERF_SPLIT = 2.5
# B_2k / (2k (2k - 1)): the Stirling series of lgamma.
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# B_2k / (2k): the asymptotic series of digamma.
_PSI = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
# B_2k: Bernoulli numbers for trigamma and the Euler-Maclaurin tail of the Hurwitz zeta function.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _poly(z, coefs):
    r = 0.0
    for c in reversed(coefs):
        r = r * z + c
    return r


def _exp_neg_sq(xp, x):
    # exp(-x*x) keeping full relative precision: x*x is split into an exact product and a small rest.
    hi = xp.round(x * 1024.0) / 1024.0
    lo = x - hi
    return xp.exp(-hi * hi) * xp.exp(-lo * (hi + x))


def _erf_series(xp, x):
    # erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (2n+1)!!: positive terms, no cancellation.
    x2 = 2 * x * x
    term = x
    total = x
    for k in range(40):
        term = term * x2 / (2 * k + 3)
        total = total + term
    return total * xp.exp(-x * x) * (2 / _SQRT_PI)


def _erfc_fraction(xp, x):
    # Laplace's continued fraction for erfc, accurate for x >= 2.5.
    x = xp.minimum(x, 30.0)
    f = x
    for k in range(40, 0, -1):
        f = x + (k / 2) / f
    return _exp_neg_sq(xp, x) / (_SQRT_PI * f)


def _piecewise(xp, x, cond, f_true, f_false):
    """f_true on the elements where ``cond`` holds, f_false on the others, each evaluated only there."""
    r = xp.empty_like(x)
    r[cond] = f_true(x[cond])
    rest = ~cond
    r[rest] = f_false(x[rest])
    return r


def _erf64(xp, x):
    def far(v):
        return xp.copysign(1 - _erfc_fraction(xp, xp.abs(v)), v)
    return _piecewise(xp, x, xp.abs(x) < _ERF_SPLIT, lambda v: _erf_series(xp, v), far)


def _erfc64(xp, x):
    def far(v):
        tail = _erfc_fraction(xp, xp.abs(v))
        return xp.where(v > 0, tail, 2 - tail)
    return _piecewise(xp, x, xp.abs(x) < _ERF_SPLIT, lambda v: 1 - _erf_series(xp, v), far)


def _erfinv64(xp, y):
    ay = xp.abs(y)
    w = -xp.log((1 - ay) * (1 + ay))
    # Winitzki's closed form (relative error ~1e-3) as the starting point.
    t = 2 / (math.pi * 0.147) - w / 2
    x = xp.sqrt(xp.sqrt(t * t + w / 0.147) - t)
    tail = ay >= 0.5
    # Near |y| = 1 solve erfc(x) = 1 - |y| instead: 1 - |y| is exact there, erf(x) - |y| is not.
    target = xp.where(tail, 1 - ay, ay)
    for _ in range(3):
        scale = _exp_neg_sq(xp, x) * (2 / _SQRT_PI)
        f = _piecewise(xp, x, tail, lambda v: -_erfc64(xp, v), lambda v: _erf64(xp, v))
        u = (f - xp.where(tail, -target, target)) / scale
        x = x - u / (1 + x * u)
    x = xp.where(ay == 1, math.inf, x)
    return xp.copysign(x, y)


def _shift_up(xp, x, limit, step):
    """Raise x to at least ``limit`` by unit steps, accumulating ``step(z)`` over the skipped points."""
    acc = xp.zeros_like(x)
    z = x
    for _ in range(int(limit) + 1):
        low = z < limit
        if not xp.any(low):
            break
        acc = acc + xp.where(low, step(xp.where(low, z, limit)), 0.0)
        z = xp.where(low, z + 1, z)
    return z, acc


def _frac_part(xp, x):
    # x - round(x) in [-0.5, 0.5]: sin(pi x) and tan(pi x) computed from it keep their precision.
    return x - xp.round(x)


def _lgamma64(xp, x):
    neg = x < 0
    z0 = xp.where(neg, 1 - x, x)
    z, logs = _shift_up(xp, xp.where(xp.isfinite(z0), z0, 20.0), 15, lambda v: xp.log(v))
    inv = 1 / z
    r = (z - 0.5) * xp.log(z) - z + 0.5 * math.log(2 * math.pi) + inv * _poly(inv * inv, _STIRLING) - logs
    refl = xp.log(math.pi / xp.abs(xp.sin(math.pi * _frac_part(xp, x)))) - r
    r = xp.where(neg, refl, r)
    return xp.where(xp.isinf(x), math.inf, xp.where(x != x, x, r))


def _digamma_pos(xp, z0):
    z, inv_sum = _shift_up(xp, z0, 10, lambda v: 1 / v)
    inv2 = 1 / (z * z)
    return xp.log(z) - 0.5 / z - inv2 * _poly(inv2, _PSI) - inv_sum


def _digamma64(xp, x):
    neg = x < 0
    fin = xp.isfinite(x)
    z0 = xp.where(fin, xp.where(neg, 1 - x, x), 1.0)
    z0 = xp.where(z0 == 0, 1.0, z0)
    r = _digamma_pos(xp, z0)
    refl = r - math.pi / xp.tan(math.pi * _frac_part(xp, x))
    r = xp.where(neg, xp.where(x == xp.round(x), math.nan, refl), r)
    # digamma(+0) = -inf and digamma(-0) = +inf, as torch.
    r = xp.where(x == 0, xp.copysign(xp.asarray(math.inf), -x), r)
    return xp.where(fin, r, xp.where(x > 0, math.inf, math.nan))


def _trigamma64(xp, x):
    refl = x < 0.5
    z0 = xp.where(refl, 1 - x, x)
    z, inv_sum = _shift_up(xp, xp.where(xp.isfinite(z0), z0, 20.0), 10, lambda v: 1 / (v * v))
    inv = 1 / z
    inv2 = inv * inv
    r = inv + inv2 / 2 + inv * inv2 * _poly(inv2, _BERNOULLI[:7]) + inv_sum
    r = xp.where(z0 == math.inf, 0.0, r)
    # Like torch, the reflection uses sin(pi x) unreduced, so poles at negative integers are huge, not inf.
    s = xp.sin(math.pi * x)
    return xp.where(refl, math.pi ** 2 / (s * s) - r, xp.where(x != x, x, r))


def _hurwitz_zeta(xp, s, q):
    """zeta(s, q) = sum_k (q + k)^-s for an integer s >= 2 (Euler-Maclaurin after upward recurrence)."""
    pole = (q <= 0) & (q == xp.floor(q))
    q = xp.where(pole | ~xp.isfinite(q), 1.0, q)
    limit = 10 + s
    low = xp.maximum(limit - q, 0.0)
    start = xp.minimum(xp.ceil(low), 1e4)
    acc = xp.zeros_like(q)
    for k in range(int(start.max()) if start.size else 0):
        acc = acc + xp.where(k < start, (q + k) ** -s, 0.0)
    z = q + start
    tail = z ** (1 - s) / (s - 1) + z ** -s / 2
    rising = float(s)
    zpow = z ** (-s - 1)
    fact = 2.0
    for j, b in enumerate(_BERNOULLI, 1):
        tail = tail + b / fact * rising * zpow
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        fact *= (2 * j + 1) * (2 * j + 2)
        zpow = zpow / (z * z)
    return xp.where(pole, math.inf, acc + tail)


def _polygamma64(xp, n, x):
    if n == 0:
        return _digamma64(xp, x)
    if n == 1:
        return _trigamma64(xp, x)
    r = _hurwitz_zeta(xp, n + 1, x) * float(math.factorial(n)) * (1.0 if n % 2 else -1.0)
    return xp.where((x == math.inf) | (x != x), math.nan, r)


# ---------------------------------------------------------------------------------------- special functions

def _logit(xp, a, eps=None):
    _reject("logit_cpu", NP2DT[a.dtype], _NO_COMPLEX)
    x = _upcast(a)
    if eps is not None and eps >= 0:
        lo = x.dtype.type(eps)
        hi = x.dtype.type(1 - eps)
        x = xp.where(x < lo, lo, xp.where(x > hi, hi, x))
    return xp.log(x / (1 - x))


def _logit_backward(g, a, out, eps=None):
    d = g / (a * (1 - a))
    if eps is None or eps < 0:
        return FUNCTIONS["where"]((a < 0) | (a > 1), math.nan, d)
    return FUNCTIONS["where"]((a < eps) | (a > 1 - eps), 0.0, d)


_unary("logit", _logit, _logit_backward)


def _erf_backward(g, a, out):
    return g * (-a * a).exp() * (2 / math.sqrt(math.pi))


_unary("erf", _special("erf", "erf_vml_cpu", _erf64), _erf_backward)
_unary("erfc", _special("erfc", "erfc_vml_cpu", _erfc64), lambda g, a, out: -_erf_backward(g, a, out))
_unary("erfinv", _special("erfinv", "erfinv_vml_cpu", _erfinv64),
       lambda g, a, out: g * (out * out).exp() * (math.sqrt(math.pi) / 2), save=(), save_out=True)
_unary("lgamma", _special("lgamma", "lgamma_vml_cpu", _lgamma64), lambda g, a, out: g * a.digamma())
_unary("digamma", _special("digamma", "digamma", _digamma64),
       lambda g, a, out: g * FUNCTIONS["polygamma"](1, a))


def _polygamma(xp, a, n):
    dt = NP2DT[a.dtype]
    # torch's polygamma runs its digamma and trigamma kernels for n = 0 and 1
    _reject({0: "digamma", 1: "trigamma"}.get(n, "polygamma") if dt._limited else "polygamma", dt, _NO_COMPLEX)
    return _polygamma64(xp, n, a.astype(np.float64))


_POLYGAMMA = register("_polygamma", _polygamma, lambda g, a, out, n: g * FUNCTIONS["polygamma"](n + 1, a),
                      nin=1, promote=INT_TO_FLOAT, save=(0,), node="PolygammaBackward0", method=False,
                      function=False)


def _check_n(n):
    if not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")


def polygamma(n, input, *, out=None):
    """Computes the n-th derivative of the digamma function on ``input``."""
    _check_n(n)
    _need_tensor("polygamma", input, 2)
    return call(_POLYGAMMA, (input, n), {} if out is None else {"out": out})


def _polygamma_method(self, n):
    _check_n(n)
    return call(_POLYGAMMA, (self, n), {})


def _polygamma_(self, n):
    _check_n(n)
    return call_inplace(_POLYGAMMA, self, (n,), {})


FUNCTIONS["polygamma"] = polygamma
Tensor.polygamma = _polygamma_method
Tensor.polygamma_ = _polygamma_


# ---------------------------------------------------------------------------------------- rounding

def _rounder(name, ufunc, complex_msg=True):
    def fwd(xp, a):
        dt = NP2DT[a.dtype]
        if dt._cat == _dtype.COMPLEX and complex_msg:
            raise NotImplementedError(f"{name} is not supported for complex inputs")
        _reject(f"{name}_vml_cpu", dt, (_dtype.BOOL, _dtype.COMPLEX))
        if dt._cat == _dtype.INT:
            return a.copy()
        return ufunc(xp, _upcast(a))
    return fwd


_unary("ceil", _rounder("ceil", lambda xp, x: xp.ceil(x)), lambda g, a, out: _zeros(g), promote=DEFAULT,
       save=())
_unary("floor", _rounder("floor", lambda xp, x: xp.floor(x)), lambda g, a, out: _zeros(g), promote=DEFAULT,
       save=())
_unary("trunc", _rounder("trunc", lambda xp, x: xp.trunc(x)), lambda g, a, out: _zeros(g), promote=DEFAULT,
       save=(), aliases=("fix",))
_ROUND = register("_round", _rounder("round", lambda xp, x: xp.rint(x), False), lambda g, a, out: _zeros(g),
                  nin=1, promote=DEFAULT, node="RoundBackward0", method=False, function=False)


def _round_decimals(xp, a, decimals):
    dt = NP2DT[a.dtype]
    if dt._limited and decimals == 0:
        # decimals=0 runs torch's plain rounding kernel, without round()'s shortcut for integers
        raise kernel_error("round_vml_cpu", dt)
    _reject("round_cpu", dt, (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX))
    x = _upcast(a)
    scale = np.power(x.dtype.type(10), x.dtype.type(abs(decimals)))
    if decimals < 0:
        return xp.rint(x / scale) * scale
    return xp.rint(x * scale) / scale


_ROUND_D = register("_round_decimals", _round_decimals, lambda g, a, out, decimals: _zeros(g), nin=1,
                    promote=DEFAULT, node="RoundBackward1", method=False, function=False)


def round(input, *, decimals=0, out=None):
    """Rounds ``input`` to the nearest integer (ties to even), or to ``decimals`` decimal places."""
    _need_tensor("round", input)
    kw = {} if out is None else {"out": out}
    if decimals == 0:
        return call(_ROUND, (input,), kw)
    return call(_ROUND_D, (input, decimals), kw)


def _round_(self, *, decimals=0):
    if decimals == 0:
        return call_inplace(_ROUND, self, (), {})
    return call_inplace(_ROUND_D, self, (decimals,), {})


public(round, inplace=_round_)


def _frac(xp, a):
    _reject("frac_cpu", NP2DT[a.dtype], (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX))
    x = _upcast(a)
    return x - xp.trunc(x)


_unary("frac", _frac, lambda g, a, out: g, promote=DEFAULT, save=())


# ---------------------------------------------------------------------------------------- sign and angle

def _sign(xp, a):
    if a.dtype.kind == "c":
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                                  "Please use torch.sgn instead.")
    if a.dtype == np.bool_:
        return a.copy()
    # NaN has sign 0 in torch, unlike NumPy.
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)


_unary("sign", _sign, lambda g, a, out: _zeros(g), promote=DEFAULT, save=())


def _signbit(xp, a):
    if a.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    if a.dtype.kind in "bu":
        return xp.zeros(a.shape, dtype=np.bool_)
    if a.dtype.kind == "i":
        return a < 0
    return xp.signbit(_upcast(a))


_unary("signbit", _signbit, promote=NONE, inplace=False)


def _angle(xp, a):
    if a.dtype.kind == "c":
        return xp.angle(a)
    if a.dtype.kind in "biu":
        a = a.astype(_dtype.get_default_dtype()._np)
    x = _upcast(a)
    r = xp.where(x < 0, x.dtype.type(math.pi), x.dtype.type(0))
    return xp.where(x != x, x, r).astype(a.dtype)


def _angle_backward(g, a, out):
    if not a.dtype.is_complex:
        return _zeros(g)
    return FUNCTIONS["where"](a == 0, 0.0, g * a / (a.abs() ** 2) * 1j)


_unary("angle", _angle, _angle_backward, promote=NONE, inplace=False)


def positive(input):
    """Returns ``input`` itself; raises for bool tensors, as unary plus does."""
    _need_tensor("positive", input)
    if input.dtype is _dtype.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


public(positive)


# ---------------------------------------------------------------------------------------- classification

def _classifier(name, real_fn, ints_value=False, complex_fn=None):
    def fwd(xp, a):
        kind = a.dtype.kind
        if kind in "biu":
            fill = xp.ones if ints_value else xp.zeros
            return fill(a.shape, dtype=np.bool_)
        if kind == "c":
            if complex_fn is None:
                raise RuntimeError(f"{name} does not support complex inputs.")
            return complex_fn(xp, a)
        return real_fn(xp, _upcast(a))
    _unary(name, fwd, promote=NONE, inplace=False)


_classifier("isnan", lambda xp, x: xp.isnan(x), complex_fn=lambda xp, z: xp.isnan(z))
_classifier("isinf", lambda xp, x: xp.isinf(x), complex_fn=lambda xp, z: xp.isinf(z))
_classifier("isfinite", lambda xp, x: xp.isfinite(x), True, lambda xp, z: xp.isfinite(z))
_classifier("isposinf", lambda xp, x: x == math.inf)
_classifier("isneginf", lambda xp, x: x == -math.inf)
_classifier("isreal", lambda xp, x: xp.ones(x.shape, dtype=np.bool_), True, lambda xp, z: z.imag == 0)


def _finfo(dt):
    return _dtype.finfo(NP2DT[dt])


def _nan_to_num(xp, a, nan=0.0, posinf=None, neginf=None):
    if a.dtype.kind in "biu":
        return a.copy()
    if a.dtype.kind == "c":
        r = xp.empty(a.shape, a.dtype)
        r.real = _nan_to_num(xp, a.real, nan, posinf, neginf)
        r.imag = _nan_to_num(xp, a.imag, nan, posinf, neginf)
        return r
    info = _finfo(a.dtype)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    x = _upcast(a).astype(np.float64)
    r = xp.where(x != x, nan, xp.where(x == math.inf, hi, xp.where(x == -math.inf, lo, x)))
    return r.astype(a.dtype)


def _nan_to_num_backward(g, a, out, nan=0.0, posinf=None, neginf=None):
    return g * a.isfinite()


_unary("nan_to_num", _nan_to_num, _nan_to_num_backward, promote=NONE, node="NanToNumBackward0")


# ---------------------------------------------------------------------------------------- square

def square(input, *, out=None):
    """Returns the square of ``input`` elementwise."""
    _need_tensor("square", input)
    if input.dtype is _dtype.bool:
        input = input.to(_dtype.int64)
    return FUNCTIONS["pow"](input, 2, out=out)


def _square_(self):
    return self.pow_(2)


public(square, inplace=_square_)


# ---------------------------------------------------------------------------------------- softmax

def _softmax_dim(input, dim):
    return norm_dims(dim, input.dim())[0]


def _softmax_check(a, dim, prefix=""):
    dt = NP2DT[a.dtype]
    kernel = "softmax_lastdim_kernel_impl" if a.ndim == 0 or dim == a.ndim - 1 else "softmax_kernel_impl"
    _reject(prefix + kernel, dt, (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX))


def _shifted(xp, a, dim):
    x = _upcast(a)
    if x.size == 0 or x.ndim == 0:
        return x - x
    return x - x.max(axis=dim, keepdims=True)


def _softmax(xp, a, dim):
    _softmax_check(a, dim)
    e = xp.exp(_shifted(xp, a, dim))
    return (e / e.sum(axis=dim if a.ndim else None, keepdims=True)).astype(a.dtype, copy=False)


def log_sum_exp_shifted(xp, z, axis, dtype, last):
    """log(sum(exp(z))) over ``axis`` of the max-shifted float array ``z`` (kept dims). For a 16-bit
    ``dtype`` torch's last-dim kernel stores the sum and then its log in that type, rounding each."""
    s = xp.exp(z).sum(axis=axis, keepdims=True)
    if last and dtype != z.dtype:
        return xp.log(s.astype(dtype).astype(z.dtype)).astype(dtype).astype(z.dtype)
    return xp.log(s)


def _log_softmax(xp, a, dim):
    _softmax_check(a, dim, "log_")
    z = _shifted(xp, a, dim)
    r = z - log_sum_exp_shifted(xp, z, dim if a.ndim else None, a.dtype, a.ndim <= 1 or dim == a.ndim - 1)
    return r.astype(a.dtype, copy=False)


def _softmax_backward(g, a, out, dim):
    return out * (g - (g * out).sum(dim, keepdim=True))


def _log_softmax_backward(g, a, out, dim):
    return g - out.exp() * g.sum(dim, keepdim=True)


_SOFTMAX = register("_softmax", _softmax, _softmax_backward, nin=1, promote=NONE, save_out=True,
                    node="SoftmaxBackward0", method=False, function=False, contiguous=True)
_LOG_SOFTMAX = register("_log_softmax", _log_softmax, _log_softmax_backward, nin=1, promote=NONE,
                        save_out=True, node="LogSoftmaxBackward0", method=False, function=False, contiguous=True)


def _softmax_call(op, input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    return call(op, (input, _softmax_dim(input, dim)), {})


def softmax(input, dim, dtype=None):
    """Softmax over dimension ``dim``: exp(x) / exp(x).sum(dim), computed stably."""
    _need_tensor("softmax", input)
    return _softmax_call(_SOFTMAX, input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    """Logarithm of the softmax over dimension ``dim``, computed stably."""
    _need_tensor("log_softmax", input)
    return _softmax_call(_LOG_SOFTMAX, input, dim, dtype)


public(softmax)
public(log_softmax)
