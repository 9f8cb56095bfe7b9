"""``torch.poisson`` and ``torch.binomial`` with torch's CPU samplers, bit for bit.

torch draws one element after another from its generator: rates below 10 multiply 53-bit uniforms until
the product falls to ``exp(-rate)``; rates of 10 and more use Hoermann's transformed rejection (PTRS),
two uniforms per attempt. How many words an element consumes depends on the values drawn, so the
elements form a chain, like randperm's swaps: the uniforms are drawn in bulk and one tight scalar loop
walks the chain with glibc's math (Python's ``math`` module), then the generator is advanced by exactly
the number of words used. ``binomial`` works the same way with torch's inversion (small means) and BTRS
samplers.
"""
import math

import numpy as np

from .. import _dtype
from ..random import _gen
from .._tensor import Tensor
from ._registry import FUNCTIONS, call, register

_INT64_MIN = -(1 << 63)


def _ptrs_setup(lam):
    slam = math.sqrt(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    return a, b, math.log(invalpha), vr, math.log(lam)


def _floor_int64(x):
    """``(int64_t) floor(x)``; C's conversion of NaN or out-of-range values yields INT64_MIN on x86-64."""
    if x != x or abs(x) >= 9.223372036854775807e18:
        return _INT64_MIN
    return math.floor(x)


def _walk(rates, u):
    """Samples for ``rates`` from the uniform stream ``u``; returns (samples, uniforms used) or None."""
    out = []
    pos, end = 0, len(u)
    log, lgamma, exp = math.log, math.lgamma, math.exp
    for lam in rates:
        if lam >= 10:
            a, b, log_inv, vr, loglam = _ptrs_setup(lam)
            while True:
                if pos + 2 > end:
                    return None
                uu, v = u[pos] - 0.5, u[pos + 1]
                pos += 2
                us = 0.5 - abs(uu)
                k = _floor_int64(((2 * a / us + b) * uu + lam + 0.43))
                if us >= 0.07 and v <= vr:
                    break
                if k < 0 or (us < 0.013 and v > us):
                    continue
                if log(v) + log_inv - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1.0):
                    break
            out.append(k)
        elif lam == 0:
            out.append(0)
        else:
            enlam = exp(-lam)
            k, prod = 0, 1.0
            while True:
                if pos >= end:
                    return None
                prod *= u[pos]
                pos += 1
                if prod > enlam:
                    k += 1
                else:
                    break
            out.append(k)
    return out, pos


def _sample(gen, rates):
    small = rates[rates < 10]
    need = int(small.sum()) + small.size + 3 * (rates.size - small.size) + 64
    return _chain(gen, need, lambda u: _walk(rates.tolist(), u))


def _chain(gen, need, walk):
    """Run ``walk`` on a bulk draw of 53-bit uniforms (redrawing more if it runs out, signalled by None),
    then leave the generator exactly as many words on as the walk consumed."""
    bits = gen._bits
    saved, fresh = bits.state, gen._fresh
    while True:
        res = walk(gen.uniform64(need).tolist())
        if res is not None:
            break
        bits.state, gen._fresh = saved, fresh
        need *= 4
    bits.state, gen._fresh = saved, fresh
    gen.words(2 * res[1])
    return np.array(res[0], np.float64)


def _poisson(xp, lam, generator=None):
    rates = np.ascontiguousarray(np.asarray(lam), np.float64).reshape(-1)
    if rates.size and not bool((rates >= 0).all()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    samples = _sample(_gen(generator), rates)
    out = samples.astype(np.float32) if lam.dtype in (_dtype.float16._np, _dtype.bfloat16._np) else samples
    return xp.asarray(out.astype(lam.dtype).reshape(lam.shape))


def _poisson_backward(grad, input, out, generator=None):
    return (grad.new_zeros(input.shape),)


_OP = register("poisson", _poisson, _poisson_backward, save=(0,), method=False, function=False)


def poisson(input, generator=None):
    """Returns a tensor of the same size as input with each element sampled from a Poisson distribution."""
    if not isinstance(input, Tensor):
        name = type(input).__name__
        raise TypeError(f"poisson(): argument 'input' (position 1) must be Tensor, not {name}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{input.dtype._legacy}'")
    return call(_OP, (input,), {"generator": generator})


FUNCTIONS["poisson"] = poisson


# ---------------------------------------------------------------------------------------- binomial

# Stirling series tails log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2] for k < 10.
_TAILS = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
          0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
          0.00925546218271273, 0.00833056343336287)


def _tail(k):
    if k <= 9:
        return _TAILS[int(k)]
    sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / sq) / sq) / (k + 1)


class _OutOfDraws(Exception):
    pass


def _f32(x):
    return float(np.float32(x))


def _same(x):
    return x


def _btrs(n, p, draw, fl):
    """Hoermann's transformed rejection with squeeze (BTRS), in torch's variant. ``fl`` rounds where
    torch computes in the tensor's own (float) type before widening to double."""
    log, floor = math.log, math.floor
    sd = fl(math.sqrt(fl(fl(n * p) * fl(1 - p))))
    b = 1.15 + 2.53 * sd
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = fl(n * p) + 0.5
    v_r = 0.92 - 4.2 / b
    r = fl(p / fl(1 - p))
    alpha = (2.83 + 5.1 / b) * sd
    m = floor(fl(fl(n + 1) * p))
    while True:
        u = draw() - 0.5
        v = draw()
        us = 0.5 - abs(u)
        k = fl(floor((2 * a / us + b) * u + c))
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * log((m + 1) / (r * (n - m + 1))) + (n + 1) * log((n - m + 1) / (n - k + 1))
                 + (k + 0.5) * log(r * (n - k + 1) / (k + 1)) + _tail(m) + _tail(n - m) - _tail(k)
                 - _tail(n - k))
        if v <= bound:
            return k


def _inversion(n, p, draw, fl):
    """Counts geometric waiting times until they pass ``n`` trials."""
    total, count = 0.0, 0
    logq = fl(math.log1p(-p))
    while True:
        u = draw()
        total += math.ceil((math.log(u) if u > 0 else -math.inf) / logq)
        if total > n:
            return count
        count += 1


def _binomial_one(n, p, draw, fl):
    if n <= 0 or p <= 0:
        return 0.0
    if p >= 1:
        return n
    if p <= 0.5:
        return _btrs(n, p, draw, fl) if fl(n * p) >= 10 else _inversion(n, p, draw, fl)
    if p > 0.5:
        q = fl(1 - p)
        return n - (_btrs(n, q, draw, fl) if fl(n * q) >= 10 else _inversion(n, q, draw, fl))
    return math.nan


def _binomial_walk(counts, probs, u, fl):
    pos = [0]
    end = len(u)

    def draw():
        if pos[0] >= end:
            raise _OutOfDraws
        pos[0] += 1
        return u[pos[0] - 1]
    try:
        out = [_binomial_one(n, p, draw, fl) for n, p in zip(counts, probs)]
    except _OutOfDraws:
        return None
    return out, pos[0]


def binomial(count, prob, generator=None):
    """Samples from binomial distributions with ``count`` trials and success probabilities ``prob``."""
    for t, name, pos in ((count, "count", 1), (prob, "prob", 2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"binomial(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")
    dt = count.dtype
    if not dt.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: {dt._legacy}")
    if prob.dtype is not dt:
        raise RuntimeError(f"Found dtype {prob.dtype._legacy} but expected {dt._legacy}")
    if dt not in (_dtype.float32, _dtype.float64):
        raise NotImplementedError(f"\"binomial_cpu\" not implemented for '{dt._legacy}'")
    shape = tuple(count.shape)
    n = np.asarray(count._data, np.float64).reshape(-1)
    p = np.broadcast_to(np.asarray(prob._data, np.float64), shape).reshape(-1)
    fl = _f32 if dt is _dtype.float32 else _same
    out = _chain(_gen(generator), 4 * n.size + 64, lambda u: _binomial_walk(n.tolist(), p.tolist(), u, fl))
    return Tensor._wrap(out.astype(dt._np).reshape(shape))


FUNCTIONS["binomial"] = binomial
