"""Reducing scatters: ``scatter_reduce`` and ``index_reduce`` (sum, prod, mean, amax, amin, include_self).

Both run one kernel: ``index_reduce`` is ``scatter_reduce`` with its 1-D index spread over the source.
The derivatives follow torch's: prod divides out the reduced value with explicit care for zeros, and
amax/amin share the gradient evenly among the entries equal to the result.
"""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from . import limited
from ._registry import call
from .scatter import (_GATHER, _SCATTER_ADD, _SCATTER_VAL, _bounds, _check_index_dtype, _dim_index, _dim_of,
                      _gather_checks, _need_tensor, _pair, _same_dtype, _src_grad, _vector_index, register)

_SCATTER_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_INDEX_REDUCES = ("prod", "mean", "amax", "amin")
# torch also takes the internal names "max"/"min" for scatter_reduce.
_ALIASES = {"max": "amax", "min": "amin"}
_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}
_BETA_WARNING = ("index_reduce() is in beta and the API may change at any time. (Triggered internally at "
                 "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:1523.)")
_beta_warned = []


def _identity(reduce, dt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt.kind == "f" or dt == _dtype.bfloat16._np:
        return -np.inf if reduce == "amax" else np.inf
    if dt.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dt)
    return info.min if reduce == "amax" else info.max


def _reduce_into(xp, d, src, dim, idx, reduce, include_self):
    if d.ndim == 0:
        _reduce_into(xp, d.reshape(1), src.reshape(-1), dim, idx.reshape(-1), reduce, include_self)
        return d
    pos = _dim_index(xp, idx, dim)
    src = src.reshape(src.shape or (1,))[tuple(slice(0, s) for s in idx.shape)]
    if not include_self:
        d[pos] = _identity(reduce, d.dtype)
    getattr(xp, _UFUNC[reduce]).at(d, pos, src)
    if reduce == "mean":
        count = _counts(xp, d.shape, pos, include_self, d.dtype)
        if d.dtype.kind in "fcV" or d.dtype == _dtype.bfloat16._np:
            d[...] = d / count
        else:
            d[...] = xp.floor_divide(d, count)
    return d


def _counts(xp, shape, pos, include_self, dt):
    """How many values each position of the result averages (1 where none arrived)."""
    count = xp.zeros(shape, dt)
    xp.add.at(count, pos, 1)
    if include_self:
        count += 1
    count[count == 0] = 1
    return count


def _scatter_reduce(xp, a, src, dim, idx, reduce, include_self):
    return _reduce_into(xp, a.copy(), src, dim, idx, reduce, include_self)


def _reduce_backward(grad, a, src, out, dim, idx, reduce, include_self):
    gather = lambda t: call(_GATHER, (t, dim, idx), {})  # noqa: E731
    if reduce == "sum":
        g_self, g_src = grad, gather(grad)
    elif reduce == "mean":
        xp = grad._xp
        pos = _dim_index(xp, xp.asarray(idx).reshape(idx.shape or (1,)), dim)
        count = _counts(xp, a.shape or (1,), pos, include_self, grad._data.dtype).reshape(a.shape)
        g_self = grad / Tensor._wrap(count)
        g_src = gather(g_self)
    elif reduce == "prod":
        g_self, g_src = _prod_grads(grad, a, src, out, dim, idx, include_self, gather)
    else:
        value = gather(out)
        self_hit = a.eq(out).to(grad.dtype)
        src_hit = src[tuple(slice(0, s) for s in idx.shape)].eq(value).to(grad.dtype)
        share = grad / call(_SCATTER_ADD, (self_hit, src_hit, dim, idx), {})
        g_self = self_hit * share
        g_src = src_hit * gather(share)
    if not include_self:
        g_self = call(_SCATTER_VAL, (g_self, dim, idx, 0), {})
    return g_self, _src_grad(g_src, src, "ScatterReduce")


def _prod_grads(grad, a, src, out, dim, idx, include_self, gather):
    # Zeros cannot be divided out: a lone zero gets the product of the others, recomputed without it.
    src = src[tuple(slice(0, s) for s in idx.shape)]
    masked_self = a.masked_fill(a.eq(0), 1)
    g_self = grad * call(_SCATTER_RED, (masked_self, src, dim, idx, "prod", include_self), {}) / masked_self
    src_zero = src.eq(0)
    zeros = call(_SCATTER_ADD, (a.new_zeros(a.shape), src_zero.to(a.dtype), dim, idx), {})
    single = src_zero & gather(zeros).eq(1)
    others = call(_SCATTER_RED, (a, src.masked_fill(single, 1), dim, idx, "prod", include_self), {})
    g_src = gather(grad * others).where(single, gather(grad * out) / src.masked_fill(src_zero, 1))
    return g_self, g_src


_SCATTER_RED = register("_scatter_reduce", _scatter_reduce, _reduce_backward, nin=2, save=(0, 1),
                        save_out=True, node="ScatterReduceBackward0", method=False, function=False)
_INDEX_RED = register("_index_reduce", _scatter_reduce, _reduce_backward, nin=2, save=(0, 1), save_out=True,
                      node="IndexReduceBackward0", method=False, function=False)


def _check_dtype(self, reduce, kernel):
    dt = self.dtype
    bad = dt is _dtype.bool and reduce not in ("sum", "prod") or dt.is_complex and reduce in ("amax", "amin")
    if bad:
        raise NotImplementedError(f"\"{kernel}{reduce}\" not implemented for '{dt._legacy}'")
    if dt._limited:
        # sum and prod run torch's plain scatter kernel
        limited.check("scatter_gather_tensor_cpu" if reduce in ("sum", "prod") else kernel + reduce, dt)


def _scatter_reduce_prep(self, dim, index, src, reduce, *, include_self=True):
    """Reduces all values from ``src`` into ``input`` at the indices in ``index`` along ``dim``."""
    _need_tensor(index, "scatter_reduce", "index", 2)
    _need_tensor(src, "scatter_reduce", "src", 3)
    reduce = _ALIASES.get(reduce, reduce)
    if reduce not in _SCATTER_REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    idx = _check_index_dtype(index, "scatter_reduce")
    _same_dtype(self, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    d = _gather_checks(self, dim, index, "self", src)
    _bounds(idx, self.shape[d] if self.ndim else 1, d)
    _check_dtype(self, reduce, "scatter_gather_tensor_cpu_reduce_")
    s, inc = src._data, bool(include_self)
    return (src,), (d, idx, reduce, inc), lambda xp, a: _reduce_into(xp, a, s, d, idx, reduce, inc)


def _index_reduce_prep(self, dim, index, source, reduce, *, include_self=True):
    """Reduces the slices of ``source`` into ``input`` at the positions ``index`` along ``dim``."""
    if not _beta_warned:
        _beta_warned.append(True)
        warnings.warn(_BETA_WARNING, UserWarning, stacklevel=4)
    if reduce not in _INDEX_REDUCES:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    dt = index._data.dtype
    if dt != np.int64 and dt != np.int32:
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype._legacy}")
    _same_dtype(self, source, "index_reduce_(): self ({}) and source ({}) must have the same scalar type")
    d = _dim_of(self, dim)
    idx = _vector_index(index, "index_reduce_")
    n = idx.shape[0]
    if source.ndim and source.shape[d if source.ndim > d else 0] != n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({n}) should be equal to source.size(dim): "
                           f"({source.shape[d]}), for dim: {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= (self.shape[d] if self.ndim else 1)):
        raise IndexError("index out of range in self")
    dt = self.dtype
    if dt._limited and reduce != "prod":
        # mean sums with add, amax/amin compare with maximum/minimum
        limited.check({"mean": "add_stub", "amax": "maximum_cpu", "amin": "minimum_cpu"}[reduce], dt)
    # torch's 1-D kernel covers fewer dtypes than its kernel over slices.
    if self.ndim <= 1 and (dt is _dtype.bool or dt.is_complex):
        raise NotImplementedError(f"\"index_func_\" not implemented for '{dt._legacy}'")
    if dt is _dtype.bool and reduce == "mean":
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
    if dt.is_complex and reduce in ("amax", "amin"):
        kernel = "maximum_cpu" if reduce == "amax" else "minimum_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dt._legacy}'")
    full = np.broadcast_to(idx.reshape((-1,) + (1,) * (source.ndim - d - 1)), source.shape) if source.ndim \
        else idx.reshape(())
    s, inc = source._data, bool(include_self)
    return (source,), (d, full, reduce, inc), lambda xp, a: _reduce_into(xp, a, s, d, full, reduce, inc)


scatter_reduce = _pair("scatter_reduce", _SCATTER_RED, _scatter_reduce_prep)
index_reduce = _pair("index_reduce", _INDEX_RED, _index_reduce_prep)
