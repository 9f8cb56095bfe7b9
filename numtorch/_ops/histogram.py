"""Counting: ``bincount`` and ``histc``, ``histogram`` and ``histogramdd``."""
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from ._registry import FUNCTIONS, call, register
from . import limited
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
    if a.dtype.kind == "c" and a.size and float(min) == float(max):
        # torch looks for the range (an aminmax) before the histogram kernel rejects the type
        _reject("aminmax_cpu", NP2DT[a.dtype], (_dtype.COMPLEX,))
    _reject("histogram_cpu", NP2DT[a.dtype], (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX))
    if bins <= 0:
        raise RuntimeError("torch.histogram(): bins must be > 0, but got " + f"{bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi or not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError("torch.histogram(): max must be larger than min" if lo > hi else
                           f"range of [{lo}, {hi}] is not finite")
    x = a.astype(np.float64)
    keep = (x >= lo) & (x <= hi)
    pos = ((x[keep] - lo) * bins / (hi - lo)).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    return xp.bincount(pos, minlength=bins).astype(a.dtype)


register("histc", _histc)


# ---------------------------------------------------------------------------------------- histogram(dd)

def _fmt(v):
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e16 else repr(float(v))


def _edges(data, d, bins, rng, dt):
    """Bin edges of dimension ``d``: a given tensor, or ``bins + 1`` evenly spaced over the range."""
    from .._tensor import Tensor
    if isinstance(bins, Tensor):
        if bins.dtype is not dt:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same "
                               f"dtype, but got input with dtype {_CNAMES.get(dt, dt._legacy)} and bins for "
                               f"dimension {d} with dtype {_CNAMES.get(bins.dtype, bins.dtype._legacy)}")
        if bins.ndim != 1 or bins.numel() < 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension and at least 1 "
                               f"element, but got {bins.ndim} dimensions")
        return bins.detach().clone()
    bins = int(bins)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension {d}")
    if rng is not None:
        lo, hi = float(rng[0]), float(rng[1])
    elif data.shape[0]:
        lo, hi = float(data[:, d].min()), float(data[:, d].max())
    else:
        lo, hi = 0.0, 0.0
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_fmt(lo)} max "
                           f"{_fmt(hi)} for dimension {d}")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{_fmt(lo)}, {_fmt(hi)}] is not "
                           "finite")
    if lo == hi:
        lo, hi = (0.0, 1.0) if rng is None and not data.shape[0] else (lo - 0.5, hi + 0.5)
    return FUNCTIONS["linspace"](lo, hi, bins + 1, dtype=dt)


_CNAMES = {_dtype.float32: "float", _dtype.float64: "double", _dtype.int64: "long int",
           _dtype.int32: "int"}


def _histogramdd(name, input, bins, rng, weight, density):
    from .._tensor import Tensor
    from .sorting import return_type
    dt = input.dtype
    if not dt.is_floating_point or dt in (_dtype.float16, _dtype.bfloat16):
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{dt._legacy}'")
    data = np.asarray(input._data)
    dims = data.shape[-1] if data.ndim else 1
    data = data.reshape(-1, dims)
    if isinstance(bins, (Tensor, int)) or hasattr(bins, "__index__"):
        bins = [bins] * dims
    if len(bins) != dims:
        raise RuntimeError(f"torch.histogramdd: expected {dims} sequences of bin edges for each of the "
                           f"{dims} dimensions of the input, but got {len(bins)}")
    if rng is not None and len(rng) != 2 * dims:
        raise RuntimeError(f"torch.histogramdd: for a {dims}-dimensional histogram range should have "
                           f"{2 * dims} elements, but got {len(rng)}")
    edges = [_edges(data, d, bins[d], None if rng is None else rng[2 * d:2 * d + 2], dt)
             for d in range(dims)]
    flat = np.zeros(data.shape[0], np.int64)
    keep = np.ones(data.shape[0], bool)
    for d, e in enumerate(edges):
        e = np.asarray(e._data)
        col = data[:, d]
        # upper_bound on the edges, the last edge closing the last bin (torch's binary search).
        pos = np.searchsorted(e, col, side="right") - 1
        pos = np.where(pos == e.size - 1, pos - 1, pos)
        keep &= (col >= e[0]) & (col <= e[-1])
        flat = flat * max(e.size - 1, 0) + np.clip(pos, 0, None)
    shape = tuple(max(e.numel() - 1, 0) for e in edges)
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape[:-1]) and name == "histogramdd":
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same "
                               "shape as the input tensor excluding its innermost dimension")
        w = np.asarray(weight._data).reshape(-1)[keep].astype(np.float64)
    hist = np.bincount(flat[keep], w, minlength=int(np.prod(shape))).astype(dt._np).reshape(shape)
    if density:
        widths = [np.diff(np.asarray(e._data)) for e in edges]
        vol = widths[0]
        for wd in widths[1:]:
            vol = np.multiply.outer(vol, wd)
        hist = (hist / (hist.sum(dtype=dt._np) * vol.astype(dt._np))).astype(dt._np)
    res = Tensor._wrap(hist)
    if name == "histogram":
        return return_type("histogram", ("hist", "bin_edges"))((res, edges[0]))
    return return_type("histogramdd", ("hist", "bin_edges"))((res, tuple(edges)))


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Computes a histogram of the values in ``input``; returns (hist, bin_edges)."""
    _need_tensor("histogram", input)
    limited.check("histogramdd", input.dtype)
    flat = input.reshape(-1, 1)
    res = _histogramdd("histogram", flat, [bins], range, weight, density)
    if out is not None:
        for o, r in zip(out, res):
            o.resize_(r.shape).copy_(r)
        return out
    return res


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """Computes a multi-dimensional histogram of the points in the rows of ``input``."""
    _need_tensor("histogramdd", input)
    limited.check("histogramdd", input.dtype)
    return _histogramdd("histogramdd", input, bins, range, weight, density)


public(histogram)
public(histogramdd, method=False)
