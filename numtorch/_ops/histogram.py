"""Counting: ``bincount`` and ``histc``, ``histogram`` and ``histogramdd``."""
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from ._registry import call, register
from .pointwise import _need_tensor, _reject, public


# ---------------------------------------------------------------------------------------- counting

def _bincount(xp, a, w=None, minlength=0):
    _reject("bincount_cpu", NP2DT[a.dtype], (_dtype.FLOAT, _dtype.COMPLEX, _dtype.BOOL))
    if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if w is not None and w.shape != a.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    n = max(int(a.max()) + 1 if a.size else 0, minlength)
    if w is None:
        return xp.bincount(a, minlength=n).astype(np.int64)
    dt = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return xp.bincount(a, w.astype(np.float64), minlength=n).astype(dt)


_BINCOUNT = register("bincount", _bincount, nin=2, method=False, function=False)


def bincount(input, weights=None, minlength=0):
    """Count of each value in a 1-D tensor of non-negative ints (summing ``weights`` when given)."""
    _need_tensor("bincount", input)
    return call(_BINCOUNT, (input, weights, minlength), {})


public(bincount)


def _histc(xp, a, bins=100, min=0, max=0):
    _reject("histogram_cpu", NP2DT[a.dtype], (_dtype.BOOL, _dtype.INT))
    if bins <= 0:
        raise RuntimeError("torch.histogram(): bins must be > 0, but got " + f"{bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi or not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histogram(): max must be larger than min" if lo > hi else
                           f"range of [{lo}, {hi}] is not finite")
    x = a.astype(np.float64)
    keep = (x >= lo) & (x <= hi)
    pos = ((x[keep] - lo) * bins / (hi - lo)).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    return xp.bincount(pos, minlength=bins).astype(a.dtype)


register("histc", _histc)
