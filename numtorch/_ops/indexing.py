"""Indexing: ``Tensor.__getitem__``/``__setitem__`` and ``index_put`` with torch's rules.

Basic indices (ints, slices, None, Ellipsis) are applied one by one as view ops (select, slice,
unsqueeze), as torch does, so the result shares memory and in-place writes through it go through
CopySlices. The remaining index tensors go to one advanced-indexing op whose derivative scatter-adds.
"""
import operator
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, make_view, uses_new
from ..autograd import grad_mode
from . import _registry, float8, limited, slicing as _slicing
from ._registry import call, check_inplace, check_overlap, inplace_with_grad, register
from .pointwise import public

_state = grad_mode.state
uses_new(globals())  # binds _new

SEQ_WARNING = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
               "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
               "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
               "a different result (Triggered internally at "
               "/__w/pytorch/pytorch/torch/csrc/autograd/python_variable_indexing.cpp:349.)")
UINT8_WARNING = ("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead. "
                 "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/IndexingUtils.h:37.)")
ZERO_DIM_MSG = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                "C++ to convert a 0-dim tensor to a number")
_SEQ_ITEMS = (Tensor, list, tuple, range, np.ndarray, slice, str)


def _type_name(x):
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _np_index(idx):
    return tuple(slice(None) if a is None else a for a in idx)


def _add_at(xp, dst, idx, values):
    if hasattr(xp.add, "at"):
        xp.add.at(dst, idx, values)
    else:
        import cupyx
        cupyx.scatter_add(dst, idx, values)


# ---------------------------------------------------------------------------------------- view ops

def _alias(xp, a):
    return a.view()


_ALIAS = register("_alias", _alias, lambda g, a, out: g, view=True, node="AliasBackward0", method=False,
                  function=False)


def _slice_fwd(xp, a, dim, start, stop, step):
    return a[(slice(None),) * dim + (slice(start, stop, step),)]


def _slice_backward(grad, a, out, dim, start, stop, step):
    return call(_SLICE_BWD, (grad, a.shape, dim, start, stop, step), {})


def _slice_bwd_fwd(xp, g, shape, dim, start, stop, step):
    z = xp.zeros(shape, g.dtype)
    z[(slice(None),) * dim + (slice(start, stop, step),)] = g
    return z


def _slice_bwd_backward(gg, g, out, shape, dim, start, stop, step):
    return call(_SLICE, (gg, dim, start, stop, step), {})


_SLICE = register("_slice", _slice_fwd, _slice_backward, view=True, node="SliceBackward0", method=False,
                  function=False)
_SLICE_BWD = register("_slice_backward", _slice_bwd_fwd, _slice_bwd_backward, node="SliceBackwardBackward0",
                      method=False, function=False)


def _select(t, dim, i, pos):
    if t.ndim == 0:
        raise IndexError(ZERO_DIM_MSG)
    n = t._data.shape[dim]
    i = operator.index(i)
    if i < -n or i >= n:
        raise IndexError(f"index {i} is out of bounds for dimension {pos} with size {n}")
    return t.select(dim, i)


def _slice(t, dim, s, optimize):
    n = t._data.shape[dim]
    if s.step is not None:
        step = operator.index(s.step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step < 0:
            raise ValueError("step must be greater than zero")
    start, stop, step = s.indices(n)
    stop = max(stop, start)
    if optimize and start == 0 and stop == n and step == 1:
        return t
    return call(_SLICE, (t, dim, start, stop, step), {})


# ---------------------------------------------------------------------------------------- parsing

def _items(index):
    """The index as a tuple of items; short non-tuple sequences holding sequences/slices count as tuples."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, (list, range)) and len(index) < 32:
        for x in index:
            if isinstance(x, _SEQ_ITEMS) or x is None or x is Ellipsis:
                warnings.warn(SEQ_WARNING, UserWarning, stacklevel=3)
                return tuple(index)
    return (index,)


def _to_index_tensor(x, t):
    """A sequence or ndarray index as a tensor: bool/uint8 kept as masks, everything else int64."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, str):
        raise TypeError("new(): invalid data type 'str'")
    if not isinstance(x, (list, tuple, range, np.ndarray)):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                         f"valid indices (got {_type_name(x)})")
    arr = np.asarray(x)
    if arr.dtype.kind in "USO":
        raise TypeError(f"new(): invalid data type '{arr.dtype.kind == 'U' and 'str' or _type_name(x)}'")
    if arr.dtype != np.bool_ and arr.dtype != np.uint8:
        arr = arr.astype(np.int64)
    return Tensor._wrap(t._xp.asarray(arr))


def _count_specified(items):
    n = 0
    for x in items:
        if x is None or x is Ellipsis or isinstance(x, bool):
            continue
        if isinstance(x, Tensor) and x._data.dtype in (np.bool_, np.uint8):
            n += x.ndim
        else:
            n += 1
    return n


def _bool_index(t, flag):
    return Tensor._wrap(t._xp.arange(1 if flag else 0, dtype=np.int64))


def _apply(self, items, optimize):
    """Apply the basic items as views; return (view, recorded index tensors per dim, or None)."""
    nd = self._data.ndim
    spec = _count_specified(items)
    if spec > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    t, dim, adv = self, 0, {}
    for pos, x in enumerate(items):
        if _is_int(x):
            t = _select(t, dim, x, pos)
        elif isinstance(x, slice):
            t = _slice(t, dim, x, optimize)
            dim += 1
        elif x is None:
            t = t.unsqueeze(dim)
            dim += 1
        elif x is Ellipsis:
            dim += nd - spec
        elif isinstance(x, bool):
            t = t.unsqueeze(dim)
            adv[dim] = _bool_index(t, x)
            dim += 1
        else:
            ix = _to_index_tensor(x, t)
            kind = ix._data.dtype
            if ix.ndim == 0 and kind != np.bool_ and kind != np.uint8 and kind.kind in "iu":
                t = _select(t, dim, ix.item(), pos)
            elif ix.ndim == 0 and kind.kind in "biu":
                t = t.unsqueeze(dim)
                adv[dim] = _bool_index(t, bool(ix.item()))
                dim += 1
            else:
                adv[dim] = ix
                dim += ix.ndim if kind == np.bool_ or kind == np.uint8 else 1
    if not adv:
        return t, None
    return t, [adv.get(i) for i in range(max(adv) + 1)]


def _check_mask(mshape, shape, p):
    for i, m in enumerate(mshape):
        if p + i >= len(shape) or m != shape[p + i]:
            raise IndexError(f"The shape of the mask {_shape_str(mshape)} at index {i} does not match the "
                             f"shape of the indexed tensor {_shape_str(shape)} at index {p + i}")


def _check_bounds(a, n, dim):
    if a.size == 0:
        return
    bad = (a < -n) | (a >= n)
    if bad.any():
        v = a[bad].ravel()[0]
        raise IndexError(f"index {int(v)} is out of bounds for dimension {dim} with size {n}")


def prepare_indices(shape, entries, xp=np):
    """Masks -> integer index arrays, torch's dtype/shape/bounds checks; None keeps a whole dim."""
    out = []
    for e in entries:
        if e is None:
            out.append(None)
            continue
        d = e._data if isinstance(e, Tensor) else e
        if d.dtype == np.bool_ or d.dtype == np.uint8:
            if d.dtype == np.uint8:
                warnings.warn(UINT8_WARNING, UserWarning, stacklevel=4)
            _check_mask(d.shape, shape, len(out))
            out.extend(xp.nonzero(d) if d.ndim else (xp.arange(int(bool(d)), dtype=np.int64),))
        elif d.dtype == np.int64 or d.dtype == np.int32:
            out.append(d)
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if len(out) > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    arrays = [a for a in out if a is not None]
    try:
        np.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(_shape_str(a.shape) for a in arrays)) from None
    for i, a in enumerate(out):
        if a is not None:
            _check_bounds(a, shape[i], i)
    return tuple(out)


def index_shape(shape, idx):
    """The shape of ``a[idx]`` under the advanced-indexing rules (separated indices go first)."""
    pos = [i for i, a in enumerate(idx) if a is not None]
    b = np.broadcast_shapes(*[idx[i].shape for i in pos])
    if pos == list(range(pos[0], pos[-1] + 1)):
        return tuple(shape[:pos[0]]) + b + tuple(shape[pos[-1] + 1:])
    return b + tuple(s for i, s in enumerate(shape) if i not in pos)


# ---------------------------------------------------------------------------------------- index / index_put

def _index(xp, a, idx):
    return xp.ascontiguousarray(a[_np_index(idx)])


def _index_backward(grad, a, out, idx):
    return call(_INDEX_ACC, (grad, a.shape, idx), {})


def _index_acc(xp, g, shape, idx):
    z = xp.zeros(shape, g.dtype)
    _add_at(xp, z, _np_index(idx), g)
    return z


def _index_acc_backward(gg, g, out, shape, idx):
    return call(_INDEX, (gg, idx), {})


_INDEX = register("_index", _index, _index_backward, node="IndexBackward0", method=False, function=False)
_INDEX_ACC = register("_index_acc", _index_acc, _index_acc_backward, node="IndexPutBackward0", method=False,
                      function=False)


def _put_into(xp, d, v, idx, accumulate):
    rs = index_shape(d.shape, idx)
    if len(v.shape) > len(rs) or not _broadcastable(v.shape, rs) or np.broadcast_shapes(v.shape, rs) != rs:
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(v.shape)} cannot be "
                           f"broadcast to indexing result of shape {_shape_str(rs)}")
    if accumulate:
        _add_at(xp, d, _np_index(idx), xp.broadcast_to(v, rs))
    else:
        d[_np_index(idx)] = v
    return d


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _index_put(xp, a, v, idx, accumulate):
    return _put_into(xp, a.copy(), v, idx, accumulate)


def _index_put_backward(grad, a, v, out, idx, accumulate):
    g_self = grad if accumulate else call(_INDEX_PUT, (grad, _zero(grad), idx, False), {})
    return g_self, call(_INDEX, (grad, idx), {})


def _zero(t):
    return Tensor._wrap(t._xp.zeros((), t._data.dtype))


_INDEX_PUT = register("_index_put", _index_put, _index_put_backward, nin=2, node="IndexPutBackward0",
                      method=False, function=False)


EXPANDED_WARNING = ("Use of {} on expanded tensors is deprecated. Please clone() the tensor before "
                    "performing this operation. This also applies to advanced indexing e.g. tensor[{}] = {} "
                    "(Triggered internally at "
                    "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:{}.)")
_EXPANDED = {"index_put_": ("indices", "tensor", 976), "masked_fill_": ("mask", "scalar", 2450),
             "index_fill_": ("mask", "scalar", 1913)}


def _has_overlap(d):
    return any(s == 0 and n > 1 for n, s in zip(d.shape, d.strides))


def _inplace(self, op, tensors, rest, direct, name=None):
    """Run ``op`` in place on ``self``: directly on the data without grad, rewired through autograd with.

    ``name``: torch only warns (instead of raising) when this op writes into an expanded tensor."""
    check_inplace(self)
    if op.kernel is not None and self.dtype._limited:
        # torch puts a number under a single boolean mask with masked_fill_
        kernel = "masked_fill" if name and name.endswith("masked_fill_") else op.kernel
        limited.check_op(kernel, self.dtype, (self,) + tuple(tensors))
    if name is None:
        check_overlap(self._data)
    elif _has_overlap(self._data):
        for n in name.split(","):
            warnings.warn(EXPANDED_WARNING.format(n, *_EXPANDED[n]), UserWarning, stacklevel=3)
    if _state.enabled and (self._requires_grad or any(t._requires_grad for t in tensors)):
        return inplace_with_grad(self, lambda s: call(op, (s,) + tuple(tensors) + tuple(rest), {}))
    direct(self._xp, _writable(self._data))
    self._bump()
    return self


def _writable(d):
    # Expanded tensors are NumPy broadcast views, read-only by default; torch lets one write into them.
    if type(d) is np.ndarray and not d.flags.writeable:
        d = d.view()
        d.flags.writeable = True
    return d


def _index_list(indices, name):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' (position 1) must be tuple of Tensors, not "
                        f"{_type_name(indices)}")
    return [None if i is None else _to_index_tensor(i, Tensor._wrap(np.empty(0))) for i in indices]


def _put_name(entries, values):
    # torch runs a single boolean mask with a 0-d value through masked_fill_ (it warns for both).
    one_mask = len(entries) == 1 and entries[0] is not None and entries[0]._data.dtype == np.bool_
    return "index_put_,masked_fill_" if one_mask and values._data.ndim == 0 else "index_put_"


def _put_args(self, indices, values, name):
    if not isinstance(values, Tensor):
        raise TypeError(f"{name}(): argument 'values' (position 2) must be Tensor, not {_type_name(values)}")
    if values.dtype is not self.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self.dtype._legacy} for the destination and {values.dtype._legacy} for "
                           "the source.")
    return prepare_indices(self._data.shape, _index_list(indices, name), self._xp)


def index_put_(self, indices, values, accumulate=False):
    """Puts ``values`` into ``self`` at ``indices`` (a tuple of index tensors), optionally accumulating."""
    idx = _put_args(self, indices, values, "index_put_")
    v = values._data

    def direct(xp, d):
        _put_into(xp, d, v, idx, accumulate)
    name = _put_name(_index_list(indices, "index_put_"), values) if not accumulate else "index_put_"
    return _inplace(self, _INDEX_PUT, (values,), (idx, accumulate), direct, name)


def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``index_put_``."""
    idx = _put_args(input, indices, values, "index_put")
    return call(_INDEX_PUT, (input, values, idx, accumulate), {})


public(index_put, inplace=index_put_)


# ---------------------------------------------------------------------------------------- __getitem__

def getitem(self, index):
    """``self[index]``: basic indexing gives a view, advanced indexing (tensors, lists, masks) a copy."""
    if index.__class__ is int:
        d = self._data
        # the common t[i] outside autograd (a Dataset's items): the view directly, as select would make it
        if d.ndim and -d.shape[0] <= index < d.shape[0] and _registry.tf_hook is None and not (
                self._requires_grad and _state.enabled):
            out = _new(Tensor)
            out._data = d[index, ...]
            make_view(out, self, _slicing.SELECT, (0, index), {})
            return out
    if _is_int(index):
        return _select(self, 0, index, 0)
    if isinstance(index, slice):
        if self._data.ndim == 0:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        return _slice(self, 0, index, False)
    t, adv = _apply(self, _items(index), True)
    if adv is None:
        return call(_ALIAS, (t,), {}) if t is self else t
    return call(_INDEX, (t, prepare_indices(t._data.shape, adv, t._xp)), {})


# ---------------------------------------------------------------------------------------- __setitem__

_CTYPE = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
          "float32": "float", "float64": "double", "float16": "double", "bfloat16": "double",
          "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t"}


def _check_scalar(v, dt):
    """torch refuses a Python number that does not fit the destination type."""
    name = str(dt).split(".")[1]
    if dt.is_complex or dt is _dtype.bool:
        return
    bad = isinstance(v, (complex, np.complexfloating)) and not isinstance(v, (float, np.floating))
    if not bad and dt._cat == _dtype.INT:
        info = np.iinfo(dt._np)
        hi = info.max
        lo = -hi if info.min == 0 else info.min
        bad = not lo <= v <= hi
        if isinstance(v, (float, np.floating)):
            bad = bad or not np.isfinite(v)
    elif not bad and name == "float32":
        bad = np.isfinite(v) and abs(v) > np.finfo(np.float32).max
    if bad:
        raise RuntimeError(f"value cannot be converted to type {_CTYPE.get(name, name)} without overflow")


def _value_tensor(self, value):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        _check_scalar(value, self.dtype)
        if isinstance(value, complex) and not self.dtype.is_complex:
            value = value.real
        return Tensor._wrap(float8.astype(self._xp.asarray(value), self._data.dtype))
    raise TypeError(f"can't assign a {_type_name(value)} to a {self.type()}")


def _strip_ones(v):
    shape = v._data.shape
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return v.view(shape[k:]) if k else v


def _copy_to(dst, src):
    if dst._data.shape == src._data.shape:
        dst.copy_(src)
    elif src._data.ndim == 0:
        dst.fill_(src)
    else:
        dst.copy_(_strip_ones(src).expand(dst._data.shape))


def setitem(self, index, value):
    """``self[index] = value``: writes through a view (basic) or with ``index_put_`` (advanced)."""
    value = _value_tensor(self, value)
    if _is_int(index):
        _copy_to(_select(self, 0, index, 0), value)
        return
    t, adv = _apply(self, _items(index), True)
    if adv is None:
        _copy_to(t, value)
        return
    idx = prepare_indices(t._data.shape, adv, t._xp)
    if value.dtype is not t.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{t.dtype._legacy} for the destination and {value.dtype._legacy} for the source.")
    value = _strip_ones(value)
    v = value._data
    _inplace(t, _INDEX_PUT, (value,), (idx, False), lambda xp, d: _put_into(xp, d, v, idx, False),
             _put_name(adv, value))


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
