"""torch.special: special functions. Aliases call the top-level ops; the others are vectorised float64
kernels (series, asymptotic expansions, continued fractions and Newton steps; no SciPy)."""
import math

import numpy as np

from . import _dtype
from ._dtype import NP2DT
from ._tensor import Tensor
from ._ops._registry import FUNCTIONS, INT_TO_FLOAT, OPS, _copy_into_out, call, call_inplace, register
from ._ops.pointwise import _need_tensor, _reject
from ._ops.bessel import hankel_pq
from ._ops.unary import _erfc64, _erfinv64, _exp_neg_sq, _lgamma64

__all__ = ["bessel_j0", "bessel_j1", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2",
           "expit", "expm1", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax",
           "xlog1py", "xlogy", "zeta"]

_SQRT2 = math.sqrt(2.0)
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)
_COMPLEX = (_dtype.COMPLEX,)


def _kw(out):
    return {} if out is None else {"out": out}


def _top(name, *args, out=None, **kwargs):
    """Call the top-level op ``name`` (looked up at call time: it may live in another module)."""
    return FUNCTIONS[name](*args, **kwargs, **_kw(out))


def _check(kernel, npdtype, half=True):
    """torch's dtype support of a special-function kernel: never complex, half types only where allowed."""
    dt = NP2DT[npdtype]
    _reject(kernel, dt, _COMPLEX)
    if not half and dt in (_dtype.float16, _dtype.bfloat16):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dt._legacy}\'')


def _working(a):
    # torch computes half types in float32 and float32 in float32: overflow happens where it does in torch.
    return np.float64 if a.dtype == np.float64 else np.float32


def _kernel(kernel, fn, half=True):
    """A forward applying float64 ``fn(xp, x)``; the registry casts the result to the promoted dtype."""
    def fwd(xp, a):
        _check(kernel, a.dtype, half)
        with np.errstate(all="ignore"):
            return fn(xp, a.astype(np.float64))
    return fwd


def _unary(name, fwd, bwd, node, save=(0,), save_out=False):
    return register(name, fwd, bwd, nin=1, promote=INT_TO_FLOAT, save=save, save_out=save_out, node=node,
                    method=False, function=False)


# ---------------------------------------------------------------------------------------- aliases

def expit(input, *, out=None):
    """Computes the expit (logistic sigmoid) of ``input`` elementwise."""
    return _top("sigmoid", input, out=out)


def logit(input, eps=None, *, out=None):
    """Computes the logit of ``input``, clamped to [eps, 1 - eps] when ``eps`` is given."""
    return _top("logit", input, eps, out=out)


def erf(input, *, out=None):
    """Computes the error function of ``input``."""
    return _top("erf", input, out=out)


def erfc(input, *, out=None):
    """Computes the complementary error function of ``input``."""
    return _top("erfc", input, out=out)


def erfinv(input, *, out=None):
    """Computes the inverse error function of ``input`` on (-1, 1)."""
    return _top("erfinv", input, out=out)


def expm1(input, *, out=None):
    """Computes ``exp(input) - 1`` accurately for small ``input``."""
    return _top("expm1", input, out=out)


def exp2(input, *, out=None):
    """Computes ``2 ** input`` elementwise."""
    return _top("exp2", input, out=out)


def log1p(input, *, out=None):
    """Computes ``log(1 + input)`` accurately for small ``input``."""
    return _top("log1p", input, out=out)


def gammaln(input, *, out=None):
    """Computes the natural logarithm of the absolute value of the gamma function on ``input``."""
    return _top("lgamma", input, out=out)


def digamma(input, *, out=None):
    """Computes the logarithmic derivative of the gamma function on ``input``."""
    return _top("digamma", input, out=out)


psi = digamma


def polygamma(n, input, *, out=None):
    """Computes the n-th derivative of the digamma function on ``input``."""
    return _top("polygamma", n, input, out=out)


def sinc(input, *, out=None):
    """Computes the normalized sinc of ``input``: sin(pi x) / (pi x), 1 at 0."""
    return _top("sinc", input, out=out)


def round(input, *, decimals=0, out=None):
    """Rounds ``input`` to ``decimals`` decimal places (ties to even)."""
    _need_tensor("special_round", input)
    # torch routes this through the ``decimals`` overload even for 0 (RoundBackward1, no integer inputs).
    return call(OPS["_round_decimals"], (input, decimals), _kw(out))


def xlogy(input, other, *, out=None):
    """Computes ``input * log(other)``, 0 where ``input`` is 0."""
    return _top("xlogy", input, other, out=out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """Computes the log of summed exponentials of ``input`` over ``dim``, stably."""
    return _top("logsumexp", input, dim, keepdim, out=out)


def softmax(input, dim, *, dtype=None):
    """Computes the softmax of ``input`` over ``dim``."""
    return _top("softmax", input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """Computes the log of the softmax of ``input`` over ``dim``."""
    return _top("log_softmax", input, dim, dtype=dtype)


def ndtr(input, *, out=None):
    """Computes the area under the standard Gaussian density from -inf to ``input``."""
    _need_tensor("special_ndtr", input)
    # Composed from erf as torch does, so rounding (and the loss of the far lower tail) is the same.
    r = (1 + FUNCTIONS["erf"](input * (1 / _SQRT2))) * 0.5
    return r if out is None else _into(out, r)


def _into(out, r):
    _copy_into_out(out, r.detach())
    return out


# ---------------------------------------------------------------------------------------- modified Bessel

def _bessel_i_scaled(xp, x, nu):
    """exp(-|x|) I_nu(|x|) for nu in {0, 1}: power series up to 20, Hankel's asymptotic series beyond."""
    ax = xp.abs(x)
    small = ax <= 20.0
    xs = xp.where(small, ax, 0.0)
    q = xs * xs / 4
    term = xp.ones_like(xs) if nu == 0 else xs / 2
    total = term
    for k in range(1, 64):
        term = term * q / (k * (k + nu))
        total = total + term
    series = total * xp.exp(-xs)
    xl = xp.where(small, 30.0, ax)
    mu = 4.0 * nu * nu
    term = xp.ones_like(xl)
    total = term
    for k in range(1, 32):
        term = term * ((2 * k - 1) ** 2 - mu) / (8 * k * xl)
        total = total + term
    return xp.where(small, series, total / xp.sqrt(2 * math.pi * xl))


def _exp_scaled(xp, a, scaled):
    wp = _working(a)
    return xp.exp(xp.abs(a).astype(wp)) * scaled.astype(wp)


def _i0(xp, a):
    _check("i0_vml_cpu", a.dtype)
    with np.errstate(all="ignore"):
        return _exp_scaled(xp, a, _bessel_i_scaled(xp, a.astype(np.float64), 0))


def _i1(xp, a):
    _check("i1_cpu", a.dtype)
    with np.errstate(all="ignore"):
        x = a.astype(np.float64)
        return _exp_scaled(xp, a, xp.sign(x) * _bessel_i_scaled(xp, x, 1))


def _i0e64(xp, x):
    return _bessel_i_scaled(xp, x, 0)


def _i1e64(xp, x):
    return xp.sign(x) * _bessel_i_scaled(xp, x, 1)


def _where(cond, a, b):
    return FUNCTIONS["where"](cond, a, b)


def _i1_backward(g, a, out):
    # I1'(x) = I0(x) - I1(x) / x, with the limit 1/2 at 0.
    return g * _where(a == 0, 0.5, call(_I0, (a,), {}) - out / a)


def _i1e_backward(g, a, out):
    return g * _where(a == 0, 0.5, call(_I0E, (a,), {}) - out * (a.sign() + 1 / a))


if "i0" in FUNCTIONS:
    _I0 = OPS["i0"]
else:
    _I0 = register("i0", _i0, lambda g, a, out: g * call(_I1, (a,), {}), nin=1, promote=INT_TO_FLOAT,
                   save=(0,), node="I0Backward0", inplace=True)
_I0E = _unary("special_i0e", _kernel("i0e_cpu", _i0e64),
              lambda g, a, out: g * (call(_I1E, (a,), {}) - a.sign() * out), "SpecialI0EBackward0",
              save_out=True)
_I1 = _unary("special_i1", _i1, _i1_backward, "SpecialI1Backward0", save_out=True)
_I1E = _unary("special_i1e", _kernel("i1e_cpu", _i1e64), _i1e_backward, "SpecialI1EBackward0", save_out=True)


def i0(input, *, out=None):
    """Computes the zeroth order modified Bessel function of the first kind of ``input``."""
    _need_tensor("special_i0", input)
    return call(_I0, (input,), _kw(out))


def i0e(input, *, out=None):
    """Computes the exponentially scaled zeroth order modified Bessel function: exp(-|x|) * i0(x)."""
    _need_tensor("special_i0e", input)
    return call(_I0E, (input,), _kw(out))


def i1(input, *, out=None):
    """Computes the first order modified Bessel function of the first kind of ``input``."""
    _need_tensor("special_i1", input)
    return call(_I1, (input,), _kw(out))


def i1e(input, *, out=None):
    """Computes the exponentially scaled first order modified Bessel function: exp(-|x|) * i1(x)."""
    _need_tensor("special_i1e", input)
    return call(_I1E, (input,), _kw(out))


# ---------------------------------------------------------------------------------- erfcx, ndtri, log_ndtr

def _laplace_fraction(xp, x):
    # Laplace's continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + ...))): erfcx(x) = 1 / (sqrt(pi) * f).
    f = x
    for k in range(48, 0, -1):
        f = x + (k / 2) / f
    return f


def _erfcx64(xp, x):
    far = x >= 2.5
    xf = xp.where(far, x, 2.5)
    tail = 1 / (_SQRT_PI * _laplace_fraction(xp, xp.minimum(xf, 1e150)))
    xn = xp.where(far, 0.0, xp.maximum(x, -30.0))
    # erfc(x) / exp(-x*x), with exp(-x*x) carried to full precision (it underflows to 0 below -26.6: inf).
    near = _erfc64(xp, xn) / _exp_neg_sq(xp, xn)
    return xp.where(far, xp.where(x == math.inf, 0.0, tail), near)


def _log_ndtr64(xp, x):
    t = x / _SQRT2
    lower = xp.log(_erfcx64(xp, -t) / 2) - t * t
    upper = xp.log1p(-_erfc64(xp, t) / 2)
    return xp.where(x < -1, lower, upper)


def _erfcinv_small(xp, c):
    """y >= 0 with erfc(y) = c for c in (0, 1]: Winitzki's estimate, then Newton steps on log(erfc)."""
    w = -xp.log(c * (2 - c))
    t = 2 / (math.pi * 0.147) - w / 2
    y = xp.sqrt(xp.sqrt(t * t + w / 0.147) - t)
    logc = xp.log(c)
    for _ in range(4):
        r = _erfcx64(xp, y)
        y = y + (xp.log(r) - y * y - logc) * r * (_SQRT_PI / 2)
    return y


def _ndtri64(xp, p):
    lo = p < 0.25
    hi = p > 0.75
    # 2p, 2 - 2p and 2p - 1 are exact where each is used; the tails keep their relative precision.
    c = xp.where(lo, 2 * p, xp.where(hi, 2 - 2 * p, 1.0))
    c = xp.where((c > 0) & (c <= 1), c, 1.0)
    tail = _erfcinv_small(xp, c) * _SQRT2
    mid = xp.where(lo | hi, 0.0, 2 * p - 1)
    r = xp.where(lo, -tail, xp.where(hi, tail, _erfinv64(xp, mid) * _SQRT2))
    r = xp.where(p == 0, -math.inf, xp.where(p == 1, math.inf, r))
    return xp.where((p < 0) | (p > 1), math.nan, r)


def _log_ndtr_backward(g, a, out):
    return g * (-(out + a * a / 2)).exp() / _SQRT_2PI


_ERFCX = _unary("special_erfcx", _kernel("erfcx_cpu", _erfcx64, half=False),
                lambda g, a, out: g * (2 * a * out - 2 / _SQRT_PI), "SpecialErfcxBackward0", save_out=True)
_LOG_NDTR = _unary("special_log_ndtr", _kernel("log_ndtr_cpu", _log_ndtr64, half=False), _log_ndtr_backward,
                   "SpecialLogNdtrBackward0", save_out=True)
_NDTRI = _unary("special_ndtri", _kernel("ndtri_cpu", _ndtri64, half=False),
                lambda g, a, out: g * (out * out / 2).exp() * _SQRT_2PI, "SpecialNdtriBackward0", save=(),
                save_out=True)


def erfcx(input, *, out=None):
    """Computes the scaled complementary error function ``exp(x**2) * erfc(x)`` of ``input``."""
    _need_tensor("special_erfcx", input)
    return call(_ERFCX, (input,), _kw(out))


def log_ndtr(input, *, out=None):
    """Computes the log of the area under the standard Gaussian density from -inf to ``input``."""
    _need_tensor("special_log_ndtr", input)
    return call(_LOG_NDTR, (input,), _kw(out))


def ndtri(input, *, out=None):
    """Computes the argument x for which the area under the Gaussian density from -inf to x is ``input``."""
    _need_tensor("special_ndtri", input)
    return call(_NDTRI, (input,), _kw(out))


# ---------------------------------------------------------------------------------------- entropy, xlog1py

def _entr(xp, a):
    _check("entr_cpu", a.dtype)
    x = a.astype(_working(a))
    with np.errstate(all="ignore"):
        r = xp.where(x > 0, -x * xp.log(x), xp.where(x == 0, 0.0, -math.inf))
    return xp.where(x != x, x, r)


_ENTR = _unary("special_entr", _entr, lambda g, a, out: g * -(1 + a.log()), "SpecialEntrBackward0")


def entr(input, *, out=None):
    """Computes the elementwise entropy ``-x * log(x)`` (0 at 0, -inf for negative ``input``)."""
    _need_tensor("special_entr", input)
    return call(_ENTR, (input,), _kw(out))


def _dtype_of(a, b):
    # One operand may be a Python number; the registry has already promoted the other's dtype.
    return a.dtype if hasattr(a, "dtype") else b.dtype


def _xlog1py(xp, a, b):
    dt = _dtype_of(a, b)
    _check("xlog1py_cpu", dt)
    wp = np.float64 if dt == np.float64 else np.float32
    x = xp.asarray(a).astype(wp)
    y = xp.asarray(b).astype(wp)
    with np.errstate(all="ignore"):
        r = xp.where(x == 0, 0.0, x * xp.log1p(y)).astype(wp)
    return xp.where(y != y, y, r)


def _xlog1py_backward(g, x, y, out):
    gx = gy = None
    if isinstance(x, Tensor):
        gx = call(_XLOG1PY, (g, y), {})
        mask = x == 0
        mask = mask & (y <= -1) if isinstance(y, Tensor) else (mask if y <= -1 else None)
        if mask is not None:
            gx = _where(mask, 0.0, gx)
    if isinstance(y, Tensor):
        gy = g * x / (y + 1)
    return gx, gy


_XLOG1PY = register("special_xlog1py", _xlog1py, _xlog1py_backward, nin=2, promote=INT_TO_FLOAT,
                    save=(0, 1), scalars=True, node="SpecialXlog1PyBackward0", method=False, function=False)


def _binary_args(name, input, other):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected a Tensor")
    return input, other


def xlog1py(input, other, *, out=None):
    """Computes ``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return call(_XLOG1PY, _binary_args("special_xlog1py", input, other), _kw(out))


# ---------------------------------------------------------------------------------------- zeta

# B_2k / (2k)!: the Euler-Maclaurin correction coefficients.
_EM = (1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160, -691 / 1307674368000, 1 / 74724249600,
       -3617 / 10670622842880000, 43867 / 5109094217170944000)


def _zeta64(xp, s, q):
    """Hurwitz zeta sum_k (q + k)^-s: direct terms until q + k >= 12, then Euler-Maclaurin."""
    s = xp.broadcast_to(s, xp.broadcast_shapes(s.shape, q.shape))
    q = xp.broadcast_to(q, s.shape)
    fin = xp.isfinite(q) & xp.isfinite(s)
    qf = xp.where(fin, q, 1.0)
    sf = xp.where(fin, s, 2.0)
    steps = xp.clip(xp.ceil(12 - qf), 0, 1e5)
    acc = xp.zeros(s.shape)
    for k in range(int(steps.max()) if steps.size else 0):
        acc = acc + xp.where(k < steps, (qf + k) ** -sf, 0.0)
    a = qf + steps
    tail = a ** (1 - sf) / (sf - 1) + a ** -sf / 2
    rising = sf
    power = a ** (-sf - 1)
    for j, c in enumerate(_EM):
        tail = tail + c * rising * power
        rising = rising * (sf + 2 * j + 1) * (sf + 2 * j + 2)
        power = power / (a * a)
    r = acc + tail
    pole = (q <= 0) & (q == xp.floor(q))
    r = xp.where(pole, math.inf, xp.where((q < 0) & (s != xp.floor(s)), math.nan, r))
    r = xp.where(fin, r, xp.where((s == math.inf) & (q == 1), 1.0, math.nan))
    r = xp.where(s == 1, math.inf, r)
    return xp.where(s < 1, math.nan, r)


def _zeta(xp, s, q):
    _check("zeta_cpu", _dtype_of(s, q), half=False)
    with np.errstate(all="ignore"):
        return _zeta64(xp, xp.asarray(s, dtype=np.float64), xp.asarray(q, dtype=np.float64))


def _zeta_backward(g, s, q, out):
    if isinstance(s, Tensor) and s.requires_grad:
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")
    gq = None
    if isinstance(q, Tensor):
        gq = g * -s * call(_ZETA, (s + 1, q), {})
    return None, gq


_ZETA = register("special_zeta", _zeta, _zeta_backward, nin=2, promote=INT_TO_FLOAT, save=(0, 1),
                 scalars=True, node="SpecialZetaBackward0", method=False, function=False)


def zeta(input, other, *, out=None):
    """Computes the Hurwitz zeta function ``sum_k (other + k) ** -input``."""
    return call(_ZETA, _binary_args("special_zeta", input, other), _kw(out))


# ---------------------------------------------------------------------------------------- multigammaln

def _mvlgamma_check(a, p):
    if a.dtype == np.bool_:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")


def _mvlgamma(xp, a, p):
    _mvlgamma_check(a, p)
    _reject("lgamma_vml_cpu", NP2DT[a.dtype], _COMPLEX)
    shifts = xp.arange(p, dtype=np.float64) / 2
    with np.errstate(all="ignore"):
        terms = _lgamma64(xp, a.astype(np.float64)[..., None] - shifts)
    return terms.sum(axis=-1) + p * (p - 1) / 4 * math.log(math.pi)


def _mvlgamma_backward(g, a, out, p):
    shifts = FUNCTIONS["arange"](p, dtype=a.dtype, device=a.device) / 2
    return g * FUNCTIONS["digamma"](a.unsqueeze(-1) - shifts).sum(-1)


_MVLGAMMA = register("_mvlgamma", _mvlgamma, _mvlgamma_backward, nin=1, promote=INT_TO_FLOAT, save=(0,),
                     node="MvlgammaBackward0", method=False, function=False)


def _mvlgamma_public(input, p):
    """Computes the multivariate log-gamma function with dimension ``p`` elementwise."""
    _need_tensor("mvlgamma", input)
    # Checked before the registry promotes a bool input to float.
    _mvlgamma_check(input._data, p)
    return call(_MVLGAMMA, (input, p), {})


def _mvlgamma_(self, p):
    _mvlgamma_check(self._data, p)
    return call_inplace(_MVLGAMMA, self, (p,), {})


if "mvlgamma" not in FUNCTIONS:
    _mvlgamma_public.__name__ = "mvlgamma"
    FUNCTIONS["mvlgamma"] = Tensor.mvlgamma = _mvlgamma_public
    Tensor.mvlgamma_ = _mvlgamma_


def multigammaln(input, p, *, out=None):
    """Computes the multivariate log-gamma function with dimension ``p`` elementwise."""
    r = FUNCTIONS["mvlgamma"](input, p)
    return r if out is None else _into(out, r)


# ---------------------------------------------------------------------------------------- Bessel J0, J1

def _bessel_j_series(xp, x, nu):
    h = x / 2
    q = -h * h
    term = xp.ones_like(x) if nu == 0 else h
    total = term
    for k in range(1, 40):
        term = term * q / (k * (k + nu))
        total = total + term
    return total


def _bessel_j_miller(xp, x):
    """J0 and J1 by Miller's backward recurrence, normalised with J0 + 2 (J2 + J4 + ...) = 1."""
    nxt = xp.zeros_like(x)
    cur = xp.full_like(x, 1e-30)
    norm = xp.zeros_like(x)
    for n in range(70, 0, -1):
        if n % 2 == 0:
            norm = norm + 2 * cur
        nxt, cur = cur, (2 * n / x) * cur - nxt
    norm = norm + cur
    return cur / norm, nxt / norm


def _bessel_j_asymptotic(xp, x, nu):
    """Hankel's expansion sqrt(2 / (pi x)) (P cos(chi) - Q sin(chi)), chi = x - (nu / 2 + 1 / 4) pi."""
    p, q = hankel_pq(x, nu, 60)
    c = xp.cos(x)
    s = xp.sin(x)
    # cos and sin of chi from those of x: exact shifts by multiples of pi/4, no extra argument reduction.
    cos_chi = (c + s) if nu == 0 else (s - c)
    sin_chi = (s - c) if nu == 0 else -(s + c)
    return (p * cos_chi - q * sin_chi) / xp.sqrt(math.pi * x)


def _bessel_j64(xp, x, nu):
    ax = xp.abs(x)
    small = ax <= 8
    mid = (ax > 8) & (ax < 25)
    near = _bessel_j_series(xp, xp.where(small, ax, 0.0), nu)
    j0, j1 = _bessel_j_miller(xp, xp.where(mid, ax, 10.0))
    far = _bessel_j_asymptotic(xp, xp.where(small | mid, 30.0, xp.minimum(ax, 1e300)), nu)
    r = xp.where(small, near, xp.where(mid, j1 if nu else j0, far))
    # torch's kernels give NaN at infinity (the limit would be 0).
    r = xp.where(ax == math.inf, math.nan, r)
    return xp.where(x < 0, -r, r) if nu else r


_J0 = _unary("special_bessel_j0", _kernel("bessel_j0_cpu", lambda xp, x: _bessel_j64(xp, x, 0), half=False),
             None, None)
_J1 = _unary("special_bessel_j1", _kernel("bessel_j1_cpu", lambda xp, x: _bessel_j64(xp, x, 1), half=False),
             None, None)


def bessel_j0(input, *, out=None):
    """Computes the Bessel function of the first kind of order 0 of ``input``."""
    _need_tensor("special_bessel_j0", input)
    return call(_J0, (input,), _kw(out))


def bessel_j1(input, *, out=None):
    """Computes the Bessel function of the first kind of order 1 of ``input``."""
    _need_tensor("special_bessel_j1", input)
    return call(_J1, (input,), _kw(out))


# Tier-3 families implemented in their own op modules.
from ._ops.bessel import PUBLIC as _BESSEL  # noqa: E402
from ._ops.igamma import gammainc, gammaincc  # noqa: E402,F401
from ._ops.orthopoly import PUBLIC as _POLYNOMIALS  # noqa: E402

globals().update(_BESSEL)
globals().update(_POLYNOMIALS)
__all__ += sorted(_BESSEL) + sorted(_POLYNOMIALS) + ["gammainc", "gammaincc"]
