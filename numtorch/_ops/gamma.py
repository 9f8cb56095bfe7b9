"""``torch._standard_gamma`` with torch's CPU sampler, bit for bit, and its reparameterized gradient.

torch draws each element in turn by Marsaglia-Tsang rejection, taking 53-bit uniforms and the cached
Box-Muller doubles of ``normal_distribution<double>`` from the generator; the number of draws per
element depends on the values drawn, so the elements form one serial chain (as in ``poisson``).
For float32 input torch keeps ``alpha`` (and ``alpha - 1/3``) in float, the rest in double.
"""
import math

import numpy as np

from ..random import _gen
from .._tensor import Tensor
from ._registry import FUNCTIONS, call, register
from .random import _normals64

_THIRD32 = float(np.float32(1.0) / np.float32(3.0))
_C0331 = float(np.float32(0.0331))
_F08, _F09, _F11 = (float(np.float32(c)) for c in (0.8, 0.9, 1.1))


def _gamma_one(alpha, f32, uniform, normal):
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        inv = float(np.float32(1.0) / np.float32(alpha)) if f32 else 1.0 / alpha
        scale *= math.pow(1 - uniform(), inv)
        alpha = float(np.float32(alpha) + np.float32(1.0)) if f32 else alpha + 1.0
    d = float(np.float32(alpha) - np.float32(_THIRD32)) if f32 else alpha - _THIRD32
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        y = 0.0
        while y <= 0:
            x = normal()
            y = 1.0 + c * x
        v = y * y * y
        u = 1 - uniform()
        xx = x * x
        if u < 1.0 - _C0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _gamma_draws(gen, alphas, f32):
    """Gamma(alpha, 1) for each alpha in turn from ``gen``, as torch's serial CPU kernel draws them."""
    def uniform():
        return float(gen.uniform64(1)[0])

    def normal():
        return float(_normals64(gen, 1)[0])
    return np.array([_gamma_one(a, f32, uniform, normal) for a in alphas], np.float64)


def _standard_gamma_fwd(xp, alpha, generator=None):
    flat = np.asarray(alpha).reshape(-1)
    samples = _gamma_draws(_gen(generator), flat.astype(np.float64).tolist(), flat.dtype != np.float64)
    out = samples.astype(alpha.dtype)
    # torch returns at least the dtype's smallest normal number, never an exact 0
    out = np.maximum(out, np.finfo(alpha.dtype).tiny)
    return xp.asarray(out.reshape(alpha.shape))


def _standard_gamma_bwd(grad, alpha, out, generator=None):
    return (grad * _standard_gamma_grad(alpha, out),)


_OP = register("_standard_gamma", _standard_gamma_fwd, _standard_gamma_bwd, save=(0,), save_out=True,
               method=False, function=False, node="StandardGammaBackward0")


def _standard_gamma(input, generator=None):
    """Samples from Gamma(input, 1) elementwise, reparameterizably."""
    if not isinstance(input, Tensor):
        raise TypeError(f"_standard_gamma(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"gamma_cpu\" not implemented for '{input.dtype._legacy}'")
    return call(_OP, (input,), {"generator": generator})


# Rational-approximation coefficients of torch's standard_gamma_grad_one (rows: powers of u).
_COEF_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915,
     -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326,
     0.00085092367, -1.5247877e-07]])


def _grad_small_x(alpha, x, digamma):
    numer = np.ones_like(x)
    denom = alpha.copy()
    s1, s2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-x / i)
        denom = denom + 1
        s1 = s1 + numer / denom
        s2 = s2 + numer / (denom * denom)
    pow_xa = np.power(x, alpha)
    pdf = np.power(x, alpha - 1) * np.exp(-x)
    cdf_alpha = (np.log(x) - digamma) * pow_xa * s1 - pow_xa * s2
    res = -cdf_alpha / pdf
    return np.where(np.isnan(res), 0.0, res)


def _grad_large_alpha(alpha, x):
    near = (_F09 * alpha <= x) & (x <= _F11 * alpha)
    n1 = 1 + 24 * alpha * (1 + 12 * alpha)
    n2 = 1440 * alpha * alpha + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
    saddle = n1 * n2 / (1244160 * (alpha * alpha) * (alpha * alpha))
    denom = np.sqrt(8 * alpha)
    term2 = denom / (alpha - x)
    term3 = np.power(x - alpha - alpha * np.log(x / alpha), -1.5)
    term23 = np.where(x < alpha, term2 - term3, term2 + term3)
    term1 = np.log(x / alpha) * term23 - np.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
    stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
    return np.where(near, saddle, -stirling * x * term1 / denom)


def _grad_rational(alpha, x):
    u, v = np.log(x / alpha), np.log(alpha)
    cv = _COEF_UV[0][:, None] + u * (_COEF_UV[1][:, None] + u * _COEF_UV[2][:, None])
    p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
    q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
    return np.exp(p / q)


def _standard_gamma_grad(input, x):
    """-(d/d alpha) CDF(x; alpha) / pdf(x; alpha) for Gamma(alpha, 1): the reparameterized gradient."""
    arr = input.detach().numpy()
    a = arr.astype(np.float64).reshape(-1)
    xs = np.broadcast_to(x.detach().numpy().astype(np.float64), arr.shape).reshape(-1)
    digamma = FUNCTIONS["digamma"](Tensor._wrap(a)).numpy()
    with np.errstate(all="ignore"):  # every branch is evaluated everywhere; the masks pick the valid one
        res = np.where(xs < _F08, _grad_small_x(a, xs, digamma),
                       np.where(a > 8.0, _grad_large_alpha(a, xs), _grad_rational(a, xs)))
    return Tensor._wrap(res.astype(arr.dtype).reshape(arr.shape))


FUNCTIONS["_standard_gamma"] = _standard_gamma
FUNCTIONS["_standard_gamma_grad"] = _standard_gamma_grad
