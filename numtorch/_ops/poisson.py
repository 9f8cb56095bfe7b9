"""``torch.poisson`` with torch's CPU sampler, bit for bit.

torch draws one element after another from its generator: rates below 10 multiply 53-bit uniforms until
the product falls to ``exp(-rate)``; rates of 10 and more use Hoermann's transformed rejection (PTRS),
two uniforms per attempt. How many words an element consumes depends on the values drawn, so the
elements form a chain, like randperm's swaps: the uniforms are drawn in bulk and one tight scalar loop
walks the chain with glibc's math (Python's ``math`` module), then the generator is advanced by exactly
the number of words used.
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
    bits = gen._bits
    saved, fresh = bits.state, gen._fresh
    small = rates[rates < 10]
    need = int(small.sum()) + small.size + 3 * (rates.size - small.size) + 64
    while True:
        res = _walk(rates.tolist(), gen.uniform64(need).tolist())
        if res is not None:
            break
        bits.state, gen._fresh = saved, fresh
        need *= 2
    # Rewind and consume exactly what torch would have, so later draws stay in step.
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
