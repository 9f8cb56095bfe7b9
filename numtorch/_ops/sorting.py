"""Sorting, selection and index-returning reductions: max/min, argmax, amax, sort, topk, median, mode,
unique, searchsorted, cummax, with torch's named-tuple return types."""
import math
import operator
import sys
import types

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import DEFAULT, FUNCTIONS, _copy_into_out, call, register
from .layouts import c_order
from . import limited
from .pointwise import kernel_error, public
from .reduction import norm_dims
from . import selection

# ---------------------------------------------------------------------------------------- return types

return_types = types.ModuleType("numtorch.return_types", "Named tuples returned by torch functions.")
sys.modules["numtorch.return_types"] = return_types
FUNCTIONS["return_types"] = return_types


class _ReturnType(tuple):
    """A tuple with named fields, printed as torch prints its ``torch.return_types`` structs."""

    _fields = ()

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__} takes a {len(cls._fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return type(self), (tuple(self),)


def return_type(name, fields=("values", "indices")):
    """Create (once) the named tuple type ``torch.return_types.<name>``."""
    cls = getattr(return_types, name, None)
    if cls is None:
        ns = {"_fields": tuple(fields), "__module__": "numtorch.return_types", "__slots__": ()}
        ns.update({f: property(operator.itemgetter(i)) for i, f in enumerate(fields)})
        cls = type(name, (_ReturnType,), ns)
        setattr(return_types, name, cls)
    return cls


for _name in ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin"):
    return_type(_name)
return_type("aminmax", ("min", "max"))


# ---------------------------------------------------------------------------------------- helpers

def _need_tensor(name, x, pos=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _reject(kernel, x, cats):
    dt = x.dtype
    if dt._cat in cats:
        raise kernel_error(kernel, dt)
    limited.check(kernel, dt)


def _no_complex(x, msg):
    if x.dtype.is_complex:
        raise RuntimeError(msg)


def _nonempty_dim(name, x, d, sep="()"):
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{name}{sep}: Expected reduction dim {d} to have non-zero size.")


def _rows(a, d):
    """``a`` with at least one dim (0-d becomes shape (1,)); the reduced axis stays ``d``."""
    return a.reshape(1) if a.ndim == 0 else a


def _isnan(xp, a):
    return a != a


def _out_pair(out, values, indices, tensors, name):
    if grad_mode.state.enabled and any(t.requires_grad for t in tensors):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    _copy_into_out(out[0], values)
    _copy_into_out(out[1], indices)
    return out


def _out_one(out, res, tensors, name):
    if out is None:
        return res
    if grad_mode.state.enabled and any(t.requires_grad for t in tensors):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    _copy_into_out(out, res)
    return out


# ---------------------------------------------------------------------------------------- value selection

def _take(xp, a, dim, keepdim, idx):
    """Values of ``a`` at ``idx`` (which has ``a``'s rank) along ``dim``."""
    if a.ndim == 0:
        return a.copy().reshape(idx.shape)
    v = xp.take_along_axis(a, idx, axis=dim)
    return v if keepdim else xp.squeeze(v, axis=dim)


def _scatter_back(add):
    # The gradient goes to the selected positions (summed where cummax selects one position many times).
    def bwd(grad, a, out, dim, keepdim, idx):
        if a.shape == ():
            return grad.reshape(())
        if not keepdim:
            grad = grad.unsqueeze(dim)
        i = Tensor._wrap(idx)
        z = grad.new_zeros(a.shape)
        return z.scatter_add(dim, i, grad) if add else z.scatter(dim, i, grad)
    return bwd


def _picker(node, add=False):
    # torch's selections allocate contiguous values and indices; sort's follow the input's layout
    return register(f"_pick_{node}", _take, _scatter_back(add), node=node, method=False, function=False,
                    contiguous=not node.startswith("Sort"))


_PICK = {n: _picker(n) for n in ("MaxBackward0", "MinBackward0", "SortBackward0", "SortBackward1",
                                 "TopkBackward0", "KthvalueBackward0", "MedianBackward1",
                                 "NanmedianBackward1", "ModeBackward0")}
_PICK["CummaxBackward0"] = _picker("CummaxBackward0", add=True)
_PICK["CumminBackward0"] = _picker("CumminBackward0", add=True)


def _selected(kind, node, input, d, keepdim, idx, out=None):
    """The named tuple (values, indices) of a selection along ``d`` at keepdim-shaped ``idx``."""
    if input.ndim == 0:
        idx = idx.reshape(idx.shape[d:] if idx.shape and idx.shape[d] != 1 else ())
    values = call(_PICK[node], (input, d, keepdim, idx), {})
    if input.ndim and not keepdim:
        idx = idx.squeeze(d)
    indices = Tensor._wrap(idx.astype(np.int64, copy=False) if kind == "sort" else
                           c_order(input._xp, idx.astype(np.int64, copy=False)))
    if out is not None:
        return _out_pair(out, values, indices, (input,), kind)
    return return_type(kind)((values, indices))


def _even_backward(grad, a, out, *args, **kwargs):
    """Full max/min/median: the gradient is shared evenly among the elements equal to the result."""
    hit = (a == out) | ((a != a) & (out != out))
    return grad * hit / hit.sum()


# ---------------------------------------------------------------------------------------- max / min

def _extreme_all(fn, name):
    def fwd(xp, a):
        if a.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        if a.dtype.kind == "c":
            raise NotImplementedError(f'"{name}_all" not implemented for \'{_dtype.NP2DT[a.dtype]._legacy}\'')
        return fn(a)
    return fwd


_MAX_ALL = register("_max_all", _extreme_all(np.max, "max"), _even_backward, save=(0,), save_out=True,
                    node="MaxBackward1", method=False, function=False)
_MIN_ALL = register("_min_all", _extreme_all(np.min, "min"), _even_backward, save=(0,), save_out=True,
                    node="MinBackward1", method=False, function=False)


def _binary_extreme(fn):
    def fwd(xp, a, b):
        if a.dtype.kind == "c":
            raise RuntimeError("maximum not implemented for complex tensors.")
        return fn(a, b)
    return fwd


def _extreme_backward(loses):
    # Equal inputs share the gradient; where a NaN makes the comparison false, both get all of it.
    def bwd(grad, a, b, out):
        half = FUNCTIONS["where"](a == b, grad / 2, grad)
        return half.masked_fill(loses(a, b), 0), half.masked_fill(loses(b, a), 0)
    return bwd


_MAXIMUM = register("_max_binary", _binary_extreme(np.maximum), _extreme_backward(operator.lt), nin=2,
                    promote=DEFAULT, save=(0, 1), node="MaximumBackward0", method=False, function=False)
_MINIMUM = register("_min_binary", _binary_extreme(np.minimum), _extreme_backward(operator.gt), nin=2,
                    promote=DEFAULT, save=(0, 1), node="MinimumBackward0", method=False, function=False)


def _arg_extreme(xp, a, d, largest):
    """Index of the first max (min) along ``d``, keepdim-shaped; NaN counts as the extreme."""
    r = _rows(a, d)
    i = xp.argmax(r, axis=d, keepdims=True) if largest else xp.argmin(r, axis=d, keepdims=True)
    return i.reshape(()) if a.ndim == 0 else i


def _extreme(name, all_op, bin_op, largest):
    def fn(input, dim=None, keepdim=False, *, other=None, out=None):
        _need_tensor(name, input)
        if isinstance(dim, Tensor) or other is not None:
            other = dim if other is None else other
            return call(bin_op, (input, other), {} if out is None else {"out": out})
        if dim is None:
            return _out_one(out, call(all_op, (input,), {}), (input,), name)
        d = input._wrap_dim(dim)
        _no_complex(input, f"{name}(): does not support complex input")
        limited.check(f"{name}_cpu", input.dtype)
        _nonempty_dim(name, input, d)
        idx = _arg_extreme(input._xp, input._data, d, largest)
        node = "MaxBackward0" if largest else "MinBackward0"
        return _selected(name, node, input, d, keepdim, idx, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {'maximum' if largest else 'minimum'} of ``input``, over all or along ``dim`` " \
                 "(with indices), or elementwise against ``other``."
    return public(fn)


# Bound under other names: the module itself still needs Python's max and min.
max_ = _extreme("max", _MAX_ALL, _MAXIMUM, True)
min_ = _extreme("min", _MIN_ALL, _MINIMUM, False)


# ---------------------------------------------------------------------------------------- argmax / argmin

def _argmax_like(name, largest):
    def fn(input, dim=None, keepdim=False, *, out=None):
        _need_tensor(name, input)
        if input.dtype is _dtype.bool:
            raise RuntimeError(f"{name}(): does not support bool input")
        _no_complex(input, f"{name}(): does not support complex input")
        limited.check(f"{name}_cpu", input.dtype)
        a, xp = input._data, input._xp
        if dim is None:
            if a.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            i = _arg_extreme(xp, a.reshape(-1), 0, largest)
            i = i.reshape((1,) * a.ndim if keepdim else ())
        else:
            d = input._wrap_dim(dim)
            _nonempty_dim(name, input, d)
            i = _arg_extreme(xp, a, d, largest)
            i = i if keepdim or a.ndim == 0 else i.squeeze(d)
        return _out_one(out, Tensor._wrap(i.astype(np.int64, copy=False)), (), name)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The index of the {'maximum' if largest else 'minimum'} value, over all or along ``dim``."
    return public(fn)


argmax = _argmax_like("argmax", True)
argmin = _argmax_like("argmin", False)


# ------------------------------------------------------------------------------------ amax / amin / aminmax

def _dims_of(dim, ndim):
    dims = norm_dims(() if dim is None else dim, ndim)
    return None if not dims or ndim == 0 else dims


def _check_extent(name, a, dims, sep="()"):
    if a.size:
        return
    if dims is None:
        if name == "aminmax":
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation "
                               "has no identity.")
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}{sep}: Expected reduction dim {d} to have non-zero size.")


def _not_complex(a, kernel):
    # torch's CPU kernels for these are not compiled for complex types
    if a.dtype.kind == "c":
        raise kernel_error(kernel, _dtype.NP2DT[a.dtype])
    limited.check_np(kernel, a.dtype)


def _amax_fwd(fn, name):
    def fwd(xp, a, dim=(), keepdim=False):
        _not_complex(a, "max_values_cpu" if name == "amax" else "min_values_cpu")
        dims = _dims_of(dim, a.ndim)
        _check_extent(name, a, dims)
        return fn(a, axis=dims, keepdims=keepdim)
    return fwd


def _amax_backward(grad, a, out, dim=(), keepdim=False):
    dims = _dims_of(dim, len(a.shape))
    if not keepdim and dims is not None:
        grad = grad.reshape(_keep_shape(a.shape, dims))
        out = out.reshape(grad.shape)
    hit = (a == out).to(grad.dtype)
    count = hit.sum(dims, keepdim=True) if dims is not None else hit.sum()
    return grad * hit / count


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


_AMAX = register("amax", _amax_fwd(np.max, "amax"), _amax_backward, save=(0,), save_out=True, contiguous=True)
_AMIN = register("amin", _amax_fwd(np.min, "amin"), _amax_backward, save=(0,), save_out=True, contiguous=True)


def _aminmax(xp, a, dim=None, keepdim=False):
    _not_complex(a, "aminmax_cpu")
    dims = None if dim is None else _dims_of(dim, a.ndim)
    _check_extent("aminmax", a, None if dim is None else dims, sep="")
    lo = xp.min(a, axis=dims, keepdims=keepdim)
    hi = xp.max(a, axis=dims, keepdims=keepdim)
    if dim is None and keepdim:
        lo, hi = lo.reshape((1,) * a.ndim), hi.reshape((1,) * a.ndim)
    return lo, hi


def _aminmax_backward(grads, a, out, dim=None, keepdim=False):
    kw = {} if dim is None else {"dim": dim}
    lo = a.detach().amin(**kw, keepdim=keepdim)
    hi = a.detach().amax(**kw, keepdim=keepdim)
    return _amax_backward(grads[0], a, lo, () if dim is None else dim, keepdim) + \
        _amax_backward(grads[1], a, hi, () if dim is None else dim, keepdim)


_AMINMAX = register("aminmax", _aminmax, _aminmax_backward, save=(0,), n_out=2, method=False, function=False)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """The minimum and maximum of ``input``, over all or along ``dim``."""
    _need_tensor("aminmax", input)
    kw = {} if dim is None else {"dim": dim}
    lo, hi = call(_AMINMAX, (input,), dict(kw, keepdim=keepdim))
    if out is not None:
        return _out_pair(out, lo, hi, (input,), "aminmax")
    return return_type("aminmax")((lo, hi))


public(aminmax)


# ---------------------------------------------------------------------------------------- sort family

def _argsort_arr(xp, a, d, descending):
    """Stable sort order along ``d``; NaN sorts as the largest value."""
    if not descending:
        return xp.argsort(a, axis=d, kind="stable")
    # Sorting the reversed row ascending and reversing back keeps equal elements in their original order.
    n = a.shape[d]
    i = xp.argsort(xp.flip(a, d), axis=d, kind="stable")
    return n - 1 - xp.flip(i, d)


def _sort_checks(input, dim):
    _need_tensor("sort", input)
    if input.dtype.is_complex:
        raise RuntimeError("Sort does not support complex dtypes on CPU")
    limited.check("sorting_kernel_method_name", input.dtype)
    return input._wrap_dim(dim)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorts ``input`` along ``dim``; returns the sorted values and their original indices."""
    if isinstance(dim, bool) and not isinstance(descending, bool):
        dim, descending = -1, dim
    d = _sort_checks(input, dim)
    idx = _argsort_arr(input._xp, _rows(input._data, d), d, descending)
    node = "SortBackward1" if stable else "SortBackward0"
    return _selected("sort", node, input, d, True, idx, out)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    d = _sort_checks(input, dim)
    idx = _argsort_arr(input._xp, _rows(input._data, d), d, descending)
    return Tensor._wrap(idx.reshape(input._data.shape).astype(np.int64, copy=False))


def msort(input, *, out=None):
    """Sorts ``input`` along its first dimension."""
    values = sort(input, 0).values
    return _out_one(out, values, (input,), "msort")


public(sort)
public(argsort)
public(msort)


def _as_rows(a, d):
    """``a`` with axis ``d`` last, as a 2-D array of rows."""
    return np.moveaxis(a, d, -1).reshape(-1, a.shape[d])


def _replay(a, idx, d, flags, pick):
    """``idx`` (along ``d``) with the rows marked in ``flags`` recomputed by ``pick(row)``, a replay of
    torch's unstable selection kernel; unmarked rows keep the vectorised answer."""
    todo = np.flatnonzero(flags).tolist()
    if not todo:
        return idx
    rows = _as_rows(a, d)
    moved = np.moveaxis(idx, d, -1)
    out = moved.reshape(rows.shape[0], -1).copy()
    for r in todo:
        out[r] = pick(rows[r])
    return np.moveaxis(out.reshape(moved.shape), -1, d)


def _adjacent_ties(sorted_vals):
    """Rows of an already sorted 2-D array that hold two equal neighbours (NaN equals NaN)."""
    x, y = sorted_vals[:, :-1], sorted_vals[:, 1:]
    return ((x == y) | ((x != x) & (y != y))).any(axis=1)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim``, with their indices."""
    _need_tensor("topk", input)
    if input.dtype is _dtype.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if input.dtype.is_complex:
        raise RuntimeError(" topk does not support complex dtypes on CPU")
    limited.check("topk_cpu", input.dtype)
    d = input._wrap_dim(dim)
    n = input.shape[d] if input.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    a = _rows(input._data, d)
    full = _argsort_arr(input._xp, a, d, largest)
    idx = full[(slice(None),) * d + (slice(0, k),)]
    if k and type(a) is np.ndarray:
        # Ties within the top k (or at its edge) and sorted=False orders follow torch's std:: algorithms.
        if not sorted and k * 64 > n:
            flags = np.ones(a.size // max(n, 1), bool)
        else:
            top = np.take_along_axis(_as_rows(a, d), _as_rows(full, d)[:, :k + 1], axis=1)
            flags = _adjacent_ties(top)
        idx = _replay(a, idx, d, flags, lambda row: selection.topk_row(row, k, largest, sorted))
    if input.ndim == 0:
        idx = idx.reshape(())
    return _selected("topk", "TopkBackward0", input, d, True, idx, out)


public(topk)


def _kth_index(xp, a, d, k):
    """Index of the ``k``-th smallest (0-based, keepdim-shaped) along ``d``, by a stable sort."""
    order = xp.argsort(a, axis=d, kind="stable")
    return xp.take_along_axis(order, k, axis=d) if hasattr(k, "shape") else \
        order[(slice(None),) * d + (slice(k, k + 1),)]


def _kth_checks(name, input, dim, kernel):
    _need_tensor(name, input)
    _reject(kernel, input, (_dtype.BOOL, _dtype.COMPLEX))
    d = input._wrap_dim(dim)
    return d


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` and its index."""
    d = _kth_checks("kthvalue", input, dim, "kthvalue_cpu")
    n = input.shape[d] if input.ndim else 1
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    a = _rows(input._data, d)
    idx = _kth_index(input._xp, a, d, k - 1)
    if type(a) is np.ndarray and a.size:
        # Among equal k-th values torch's quickselect decides which index is reported.
        rows = _as_rows(a, d)
        val = np.take_along_axis(rows, _as_rows(idx, d), axis=1)
        flags = (((rows == val) | ((rows != rows) & (val != val))).sum(axis=1) > 1)
        idx = _replay(a, idx, d, flags, lambda row: selection.quickselect_row(row, k - 1))
    return _selected("kthvalue", "KthvalueBackward0", input, d, keepdim, idx, out)


public(kthvalue)


# ---------------------------------------------------------------------------------------- median / mode

def _median_all(xp, a, ignore_nan):
    flat = a.reshape(-1)
    if ignore_nan:
        flat = flat[~_isnan(xp, flat)]
    if flat.size == 0 or (not ignore_nan and xp.any(_isnan(xp, flat))):
        return xp.asarray(np.nan, dtype=a.dtype)
    return xp.sort(flat)[(flat.size - 1) // 2]


_MEDIAN_ALL = register("_median_all", lambda xp, a: _median_all(xp, a, False), _even_backward, save=(0,),
                       save_out=True, node="MedianBackward0", method=False, function=False)
_NANMEDIAN_ALL = register("_nanmedian_all", lambda xp, a: _median_all(xp, a, True), _even_backward, save=(0,),
                          save_out=True, node="NanmedianBackward0", method=False, function=False)


def _median_index(xp, a, d, ignore_nan):
    """Keepdim-shaped index of the lower median along ``d`` (a stable sort's choice among ties)."""
    nan = _isnan(xp, a)
    n_nan = nan.sum(axis=d, keepdims=True)
    n = a.shape[d]
    if ignore_nan:
        # An all-NaN row answers NaN from the middle of the row.
        k = xp.where(n_nan == n, (n - 1) // 2, (n - n_nan - 1) // 2)
    else:
        # With NaN present the median is NaN: the first NaN in sorted order.
        k = xp.where(n_nan > 0, n - n_nan, (n - 1) // 2)
    return _kth_index(xp, a, d, k)


def _median_like(name, all_op, ignore_nan):
    node = "NanmedianBackward1" if ignore_nan else "MedianBackward1"

    def fn(input, dim=None, keepdim=False, *, out=None):
        _need_tensor(name, input)
        # torch 2.13's kernel names: the reduction over all elements, or along a dim (nanmedian's too)
        kernel = "median_cpu" if dim is None else "median_out"
        _reject(kernel, input, (_dtype.BOOL, _dtype.COMPLEX))
        if dim is None:
            return _out_one(out, call(all_op, (input,), {}), (input,), name)
        d = input._wrap_dim(dim)
        _nonempty_dim(name, input, d)
        idx = _median_index(input._xp, _rows(input._data, d), d, ignore_nan)
        return _selected(name, node, input, d, keepdim, idx, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = "The lower median of ``input``, over all or along ``dim`` (with its index)" + \
        (", ignoring NaN." if ignore_nan else ".")
    return public(fn)


median = _median_like("median", _MEDIAN_ALL, False)
nanmedian = _median_like("nanmedian", _NANMEDIAN_ALL, True)


def _mode_index(xp, a, d):
    """Keepdim-shaped index of the smallest most frequent value along ``d`` (its last occurrence)."""
    order = xp.argsort(a, axis=d, kind="stable")
    s = xp.take_along_axis(a, order, axis=d)
    s, order = xp.moveaxis(s, d, -1), xp.moveaxis(order, d, -1)
    n = s.shape[-1]
    pos = xp.broadcast_to(xp.arange(n), s.shape)
    change = s[..., 1:] != s[..., :-1]
    edge = xp.ones(s.shape[:-1] + (1,), dtype=bool)
    start = xp.maximum.accumulate(xp.where(xp.concatenate([edge, change], -1), pos, 0), axis=-1)
    end = xp.concatenate([change, edge], -1)
    freq = xp.where(end, pos - start + 1, 0)
    best = xp.argmax(freq, axis=-1)[..., None]
    return xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, d)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and its index."""
    _need_tensor("mode", input)
    _not_complex(input._data, "mode_cpu")
    d = input._wrap_dim(dim)
    _nonempty_dim("mode", input, d)
    a = _rows(input._data, d)
    if a.size == 0:
        idx = input._xp.zeros(_keep_shape(a.shape, (d,)), dtype=np.int64)
    else:
        idx = _mode_index(input._xp, a, d)
        if type(a) is np.ndarray:
            # std::sort is stable up to 16 elements; longer rows with a repeated mode, and rows with NaN
            # (which break its ordering), take torch's exact path.
            rows = _as_rows(a, d)
            val = np.take_along_axis(rows, _as_rows(idx, d), axis=1)
            flags = (rows != rows).any(axis=1)
            if rows.shape[1] > 16:
                flags |= (rows == val).sum(axis=1) > 1
            idx = _replay(a, idx, d, flags, lambda row: np.array([selection.mode_row(row)]))
    return _selected("mode", "ModeBackward0", input, d, keepdim, idx, out)


public(mode)


# ---------------------------------------------------------------------------------------- cummax / cummin

def _cum_index(xp, a, d, largest):
    acc = xp.maximum.accumulate if largest else xp.minimum.accumulate
    run = acc(a, axis=d)
    # torch moves the index on ties and on every NaN; a NaN, once seen, stays the running value.
    hit = (a == run) | _isnan(xp, a)
    shape = [1] * a.ndim
    shape[d] = a.shape[d]
    pos = xp.arange(a.shape[d]).reshape(shape)
    return xp.maximum.accumulate(xp.where(hit, pos, 0), axis=d)


def _cum_extreme(name, largest):
    node = "CummaxBackward0" if largest else "CumminBackward0"

    def fn(input, dim, *, out=None):
        _need_tensor(name, input)
        _not_complex(input._data, f"{name}_cpu")
        d = input._wrap_dim(dim)
        a = _rows(input._data, d)
        if a.size == 0:
            idx = input._xp.zeros(a.shape, dtype=np.int64)
        else:
            idx = _cum_index(input._xp, a, d, largest)
        return _selected(name, node, input, d, True, idx.reshape(input._data.shape), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The cumulative {'maximum' if largest else 'minimum'} along ``dim`` and its indices."
    return public(fn)


cummax = _cum_extreme("cummax", True)
cummin = _cum_extreme("cummin", False)


# ---------------------------------------------------------------------------------------- unique

def _no_derivative(name):
    def bwd(grad, *args, **kwargs):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return bwd


def _unique_flat(xp, a):
    flat = a.reshape(-1)
    order = xp.argsort(flat, kind="stable")
    s = flat[order]
    # NaNs never compare equal, so each is its own value, as in torch.
    new = xp.concatenate([xp.ones(min(s.size, 1), dtype=bool), s[1:] != s[:-1]])
    return s, order, new


def _unique_fwd(xp, a, sorted=True, return_inverse=False, return_counts=False):
    s, order, new = _unique_flat(xp, a)
    return _runs(xp, s, order, new, a.shape)


def _runs(xp, s, order, new, shape):
    """Values, inverse (input-shaped) and counts of the runs that start where ``new`` is set."""
    group = xp.cumsum(new) - 1
    inverse = xp.empty(s.shape[0], dtype=np.int64)
    inverse[order] = group
    starts = xp.nonzero(new)[0]
    counts = xp.diff(xp.concatenate([starts, xp.asarray([s.shape[0]])])).astype(np.int64)
    return s[new], inverse.reshape(shape), counts


def _unique_consecutive_fwd(xp, a, return_inverse=False, return_counts=False):
    flat = a.reshape(-1)
    new = xp.concatenate([xp.ones(min(flat.size, 1), dtype=bool), flat[1:] != flat[:-1]])
    return _runs(xp, flat, xp.arange(flat.size), new, a.shape)


def _unique_dim_fwd(xp, a, dim, consecutive=False, return_inverse=False, return_counts=False):
    moved = xp.moveaxis(a, dim, 0)
    rows = moved.reshape(moved.shape[0], math.prod(moved.shape[1:]))
    if consecutive:
        order = xp.arange(rows.shape[0])
    else:
        # Lexicographic order of the slices: sort by the last column first, the first column last.
        order = xp.lexsort(rows.T[::-1]) if rows.shape[1] else xp.arange(rows.shape[0])
    s = rows[order]
    diff = xp.any(s[1:] != s[:-1], axis=1)
    new = xp.concatenate([xp.ones(min(s.shape[0], 1), dtype=bool), diff])
    vals, inverse, counts = _runs(xp, s, order, new, (rows.shape[0],))
    shape = (vals.shape[0],) + moved.shape[1:]
    return xp.moveaxis(vals.reshape(shape), 0, dim), inverse, counts


_UNIQUE = register("_unique2", _unique_fwd, _no_derivative("_unique2"), n_out=3, nondiff=(1, 2),
                   node="Unique2Backward0", method=False, function=False)
_UNIQUE_C = register("_unique_consecutive", _unique_consecutive_fwd, _no_derivative("unique_consecutive"),
                     n_out=3, nondiff=(1, 2), node="UniqueConsecutiveBackward0", method=False, function=False)
_UNIQUE_DIM = register("_unique_dim", _unique_dim_fwd, _no_derivative("unique_dim"), n_out=3,
                       nondiff=(1, 2), node="UniqueDimBackward0", method=False, function=False)
_UNIQUE_CDIM = register("_unique_consecutive_dim", _unique_dim_fwd, _no_derivative("unique_consecutive"),
                        n_out=3, nondiff=(1, 2), node="UniqueConsecutiveBackward0", method=False,
                        function=False)


def _unique_result(res, return_inverse, return_counts):
    vals, inverse, counts = res
    out = (vals,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out if len(out) > 1 else vals


def _unique_dim(input, dim, consecutive, return_inverse, return_counts):
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = input._wrap_dim(dim)
    zeros = [i for i, s in enumerate(input.shape) if s == 0]
    if len(zeros) > 1:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot be applied ")
    if zeros and zeros[0] != d:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                           "applied")
    res = call(_UNIQUE_CDIM if consecutive else _UNIQUE_DIM, (input, d, consecutive), {})
    return _unique_result(res, return_inverse, return_counts)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The unique elements of ``input`` (sorted), optionally with inverse indices and counts."""
    _need_tensor("unique", input)
    if input.dtype.is_complex:
        raise kernel_error("unique" if dim is None else "unique_dim", input.dtype)
    limited.check("unique" if dim is None else "unique_dim", input.dtype)
    if dim is not None:
        return _unique_dim(input, dim, False, return_inverse, return_counts)
    return _unique_result(call(_UNIQUE, (input,), {}), return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses each run of equal consecutive elements to one."""
    _need_tensor("unique_consecutive", input)
    if input.dtype.is_complex:
        raise kernel_error("unique", input.dtype)
    limited.check("unique" if dim is None else "unique_dim", input.dtype)
    if dim is not None:
        return _unique_dim(input, dim, True, return_inverse, return_counts)
    return _unique_result(call(_UNIQUE_C, (input,), {}), return_inverse, return_counts)


public(unique)
public(unique_consecutive)


# ---------------------------------------------------------------------------------------- searchsorted

def _search(xp, seq, vals, right):
    """Insertion points of ``vals`` in the rows of sorted ``seq`` (1-D, or batched over leading dims)."""
    if seq.ndim == 1:
        return xp.searchsorted(seq, vals, side="right" if right else "left")
    # Batched: count the sequence elements before each value (the sequence is sorted).
    below = seq[..., None, :] <= vals[..., None] if right else ~(seq[..., None, :] >= vals[..., None])
    return below.sum(-1)


def _search_values(name, v, like):
    if isinstance(v, Tensor):
        return v, False
    if isinstance(v, (int, float, bool)):
        return FUNCTIONS["scalar_tensor"](v, dtype=_dtype.result_type_of((like, v)), device=like.device), True
    raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(v).__name__}")


def _check_side(side, right):
    if side is None:
        return right
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                           "while right was True")
    return side == "right"


def _check_batch(seq, vals):
    if seq.ndim != 1 and (seq.ndim != vals.ndim or seq.shape[:-1] != vals.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Indices where ``input`` would be inserted into the innermost dim of ``sorted_sequence``."""
    _need_tensor("searchsorted", sorted_sequence, 1, "sorted_sequence")
    vals, scalar = _search_values("searchsorted", input, sorted_sequence)
    right = _check_side(side, right)
    _check_batch(sorted_sequence, vals)
    seq, v = sorted_sequence._data, vals._data
    if sorter is not None:
        seq = sorted_sequence._xp.take_along_axis(seq, sorter._data, axis=-1)
    dt = _dtype.result_type_of((sorted_sequence, vals))
    limited.check("searchsorted_out_cpu", dt)
    dt = dt._np
    if seq.ndim == 0:
        seq = seq.reshape(1)
    r = _search(sorted_sequence._xp, seq.astype(dt, copy=False), v.astype(dt, copy=False), right)
    r = Tensor._wrap(sorted_sequence._xp.asarray(r).astype(np.int32 if out_int32 else np.int64))
    return _out_one(out, r, (), "searchsorted")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket of ``boundaries`` each element of ``input`` falls into."""
    _need_tensor("bucketize", boundaries, 2, "boundaries")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


public(searchsorted, method=False)
public(bucketize)
