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


def _sample_dirichlet(input, generator=None):
    """Dirichlet samples: serial Gamma draws in double (as torch's CPU kernel), normalized, clamped."""
    gen = _gen(generator)
    arr = input.detach().numpy()
    gam = np.maximum(_gamma_draws(gen, arr.astype(np.float64).reshape(-1).tolist(), False),
                     np.finfo(np.float64).tiny).reshape(arr.shape)
    ratio = (gam / gam.sum(-1, keepdims=True)).astype(arr.dtype)
    info = np.finfo(arr.dtype)
    return Tensor._wrap(np.clip(ratio, info.tiny, np.nextafter(arr.dtype.type(1), arr.dtype.type(0))))


def _beta_grad_alpha_small(x, alpha, beta, dg):
    factor = dg(alpha) - dg(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    res = x * np.power(1 - x, -beta) * series
    return np.where(np.isnan(res), 0.0, res)


def _beta_grad_beta_small(x, alpha, beta, dg):
    factor = dg(alpha + beta) - dg(beta)
    numer, betas, dbetas = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    res = -np.power(1 - x, 1 - beta) * series
    return np.where(np.isnan(res), 0.0, res)


def _beta_grad_alpha_mid(x, alpha, beta):
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    b2 = beta * beta
    poly = 47 * x * b2 * b2 + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * b2 * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * b2 + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
    pre_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    pre_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near = pre_num / (1 - x) * poly / pre_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * b2))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    axbx = alpha * (x - 1) + beta * x
    term1 = ((2 * alpha * alpha * (x - 1) + alpha * beta * (x - 1) - x * b2)
             / (np.sqrt(2 * alpha / beta) * np.power(total, 1.5) * axbx * axbx))
    term2 = 0.5 * np.log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / axbx
    term4 = np.power(beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x)), -1.5)
    far = stirling * prefactor * (term1 + term2 * (term3 + np.where(x < mean, term4, -term4)))
    return np.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


# Coefficients of torch's rational correction in dirichlet_grad_one, indexed [p/q][u power][a power][b power].
_DIRICHLET_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _dirichlet_rational(x, alpha, total, dg):
    u = np.log(x)
    a = np.log(alpha) - u
    b = np.log(total) - a
    pu, pa, pb = (np.stack([np.ones_like(v), v, v * v]) for v in (u, a, b))
    pb = np.concatenate([pb, (b * b * b)[None]])
    # sum over i, j, k of u^i a^j b^k c[.., i, j, k]
    p = np.einsum("in,jn,kn,ijk->n", pu, pa, pb, _DIRICHLET_C[0])
    q = np.einsum("in,jn,kn,ijk->n", pu, pa, pb, _DIRICHLET_C[1])
    return p / q * (x * (dg(total) - dg(alpha)) / (total - alpha))


def _dirichlet_grad(x, alpha, total):
    """Reparameterized gradient of Dirichlet samples ``x`` w.r.t. ``alpha`` (torch's approximation)."""
    arr = x.detach().numpy()
    xs, al, tot = (np.broadcast_to(t.detach().numpy(), arr.shape).reshape(-1) for t in (x, alpha, total))
    # torch picks the branch in the input precision, then evaluates (mostly) in double
    beta_s = tot - al
    boundary = tot * xs * (1 - xs)
    x64, a64, t64 = (v.astype(np.float64) for v in (xs, al, tot))
    b64 = t64 - a64

    def dg(v):
        return FUNCTIONS["digamma"](Tensor._wrap(np.asarray(v, np.float64))).numpy()
    with np.errstate(all="ignore"):
        small = _beta_grad_alpha_small(x64, a64, b64, dg)
        large = -_beta_grad_beta_small(1 - x64, b64, a64, dg)
        mid = _beta_grad_alpha_mid(x64, a64, b64)
        rational = _dirichlet_rational(x64, a64, t64, dg)
    res = np.where((xs <= 0.5) & (boundary < 2.5), small,
                   np.where((xs >= 0.5) & (boundary < 0.75), large,
                            np.where((al > 6) & (beta_s > 6), mid, rational)))
    return Tensor._wrap(res.astype(arr.dtype).reshape(arr.shape))


FUNCTIONS["_sample_dirichlet"] = _sample_dirichlet
FUNCTIONS["_dirichlet_grad"] = _dirichlet_grad
