"""Reductions: sum, mean, and the dim helpers every reduction shares."""
import math

import numpy as np

from .. import _dtype
from .._dtype import to_dtype
from ..autograd import grad_mode
from . import limited
from ._registry import call, register
from ._sumorder import ordered_sum
from .. import _config


def norm_dims(dim, ndim):
    """Normalise ``dim`` (None, int or sequence) to a sorted tuple of non-negative axes, torch's errors."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    out = []
    for d in dims:
        d = d.__index__() if not isinstance(d, int) else d
        if d < lo or d > hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
        d = d % ndim if ndim else 0
        if d in out:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        out.append(d)
    return tuple(sorted(out))


def keepdim_shape(shape, dims):
    """``shape`` with the reduced ``dims`` put back as size 1 (all dims when ``dims`` is None)."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _axes(a, dim):
    dims = norm_dims(dim, a.ndim)
    # An empty dim list reduces over everything, as in torch; 0-d inputs have no axis to name.
    if not dims or a.ndim == 0:
        return None
    return dims


def expand_back(grad, in_shape, dim, keepdim):
    """Broadcast a reduction's gradient back over the reduced dims of ``in_shape``."""
    if dim is None and grad._data.ndim == 0:
        return grad.expand(in_shape)
    dims = norm_dims(dim, len(in_shape)) or None
    if not keepdim and in_shape != ():
        grad = grad.reshape(keepdim_shape(in_shape, dims))
    return grad.expand(in_shape)


def _target(a, dtype, what):
    """The result dtype of sum/mean over array ``a``, and ``a`` cast to it."""
    if dtype is not None:
        dt = to_dtype(dtype)._np
    elif a.dtype.kind in "biu":
        if what == "mean":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {_dtype.NP2DT[a.dtype]._legacy}")
        dt = np.dtype(np.int64)
    else:
        dt = a.dtype
    limited.check_np("sum_cpu", dt)
    if a.dtype.kind == "c" and dt.kind != "c":
        a = a.real
    return dt, a


def _acc(dt):
    # torch accumulates reduced-precision floats in float32.
    return np.float32 if dt == np.float16 or dt == _dtype.bfloat16._np else dt


def _sum(xp, a, dim=None, keepdim=False, *, dtype=None):
    dt, a = _target(a, dtype, "sum")
    axes = _axes(a, dim)
    r = ordered_sum(xp, a, axes, keepdim, dt) if _config.EXACT_SUM[0] or _config.EXACT_HERE.on else None
    if r is None:
        r = xp.sum(a, axis=axes, keepdims=keepdim, dtype=_acc(dt))
    return xp.asarray(r).astype(dt, copy=False)


def _sum_backward(grad, a, out, dim=None, keepdim=False, *, dtype=None):
    return expand_back(grad, a.shape, dim, keepdim)


def _mean(xp, a, dim=None, keepdim=False, *, dtype=None):
    dt, a = _target(a, dtype, "mean")
    axes = _axes(a, dim)
    n = a.size if axes is None else math.prod(a.shape[d] for d in axes)
    # sum / count: NumPy's mean warns on empty input, torch quietly gives NaN.
    total = ordered_sum(xp, a, axes, keepdim, dt) if _config.EXACT_SUM[0] or _config.EXACT_HERE.on else None
    if total is None:
        total = xp.sum(a, axis=axes, keepdims=keepdim, dtype=_acc(dt))
    r = total / n if n else total * np.nan
    return xp.asarray(r).astype(dt, copy=False)


def _mean_backward(grad, a, out, dim=None, keepdim=False, *, dtype=None):
    dims = norm_dims(dim, len(a.shape)) if a.shape else None
    n = 1
    for d in dims or range(len(a.shape)):
        n *= a.shape[d]
    return expand_back(grad, a.shape, dim, keepdim) / n


def _all(fwd):
    def full(xp, a, *, dtype=None):
        # The common case (a float32/float64 tensor, no dtype) costs one ndarray method call.
        if dtype is None and (a.dtype.char == "f" or a.dtype.char == "d"):
            if _config.EXACT_SUM[0] or _config.EXACT_HERE.on:
                r = ordered_sum(xp, a, None, False, a.dtype)
            else:
                r = None
            r = a.sum() if r is None else r
            return r if fwd is _sum else (r / a.size if a.size else r * np.nan)
        return fwd(xp, a, None, False, dtype=dtype)
    return full


def _all_bwd(bwd):
    return lambda grad, a, out, *, dtype=None: bwd(grad, a, out, None, False, dtype=dtype)


_SUM0 = register("_sum_all", _all(_sum), _all_bwd(_sum_backward), node="SumBackward0", method=False,
                 function=False)
_SUM1 = register("_sum_dim", _sum, _sum_backward, node="SumBackward1", method=False, function=False,
                 contiguous=True)
_MEAN0 = register("_mean_all", _all(_mean), _all_bwd(_mean_backward), node="MeanBackward0", method=False,
                  function=False)
_MEAN1 = register("_mean_dim", _mean, _mean_backward, node="MeanBackward1", method=False, function=False,
                  contiguous=True)


def _reduce(op0, op1, input, dim, keepdim, dtype, out):
    kw = {}
    if dtype is None and out is not None:
        # A reduction computes straight into its out= tensor's dtype.
        dtype = out.dtype
    if dtype is not None:
        norm_dims(dim, input.ndim)
        dtype = to_dtype(dtype)
        if dtype._cat < _dtype.FLOAT and input.requires_grad and grad_mode.state.enabled:
            raise RuntimeError(f"Autograd not support dtype: {dtype._legacy}")
        kw["dtype"] = dtype
    if out is not None:
        kw["out"] = out
    if dim is None and not keepdim:
        return call(op0, (input,), kw)
    return call(op1, (input, dim, keepdim), kw)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements, over all or the given dims."""
    return _reduce(_SUM0, _SUM1, input, dim, keepdim, dtype, out)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of elements, over all or the given dims."""
    return _reduce(_MEAN0, _MEAN1, input, dim, keepdim, dtype, out)


def sum_to_size(self, *size):
    """Sum this tensor down to ``size`` (the inverse of broadcasting ``size`` to this shape)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = self.shape
    lead = len(shape) - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    g = self.sum(dims, keepdim=True) if dims else self
    return g.reshape(size) if lead else g
