"""Indexing: ``Tensor.__getitem__``/``__setitem__`` with torch's rules, and the gather/scatter family.

Basic indices (ints, slices, None, Ellipsis) are applied one by one as view ops (select, slice,
unsqueeze), as torch does, so the result shares memory and in-place writes through it go through
CopySlices. The remaining index tensors go to one advanced-indexing op whose derivative scatter-adds.
"""
import operator
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import call, check_inplace, check_overlap, inplace_with_grad, register
from .pointwise import public
from .reduction import norm_dims

_state = grad_mode.state

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
          "float32": "float", "float64": "double", "float16": "double", "bfloat16": "double"}


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
        return Tensor._wrap(self._xp.asarray(value).astype(self._data.dtype))
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


# ---------------------------------------------------------------------------------------- shared checks

_CNAME = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
          "uint8": "unsigned char",
          "float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
          "bool": "bool"}


def _need_tensor(x, name, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {_type_name(x)}")
    return x


def _check_index_dtype(index, name, int32=True, msg=None):
    dt = index._data.dtype
    if dt == np.int64 or int32 and dt == np.int32:
        return index._data
    raise RuntimeError(msg or f"{name}(): Expected dtype int64 for index")


def _bounds(idx, n, dim, exc=RuntimeError, prefix="", lo=None):
    if idx.size:
        bad = (idx < (-n if lo is None else lo)) | (idx >= n)
        if bad.any():
            raise exc(f"{prefix}index {int(idx[bad].ravel()[0])} is out of bounds for dimension {dim} with "
                      f"size {n}")


def _same_dtype(self, src, msg):
    if src.dtype is not self.dtype:
        raise RuntimeError(msg.format(self.dtype._legacy, src.dtype._legacy))


def _vector_index(index, name):
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {index.ndim} with type: "
                         f"{index.dtype._legacy} and size: {_shape_str(index.shape)}")
    return index._data.reshape(-1)


def _dim_slice(dim):
    return (slice(None),) * dim


def _pair(name, op, prep, overlap=None):
    """Expose ``op`` as ``numtorch.<name>``, ``Tensor.<name>`` and ``Tensor.<name>_`` through ``prep``.

    ``prep(self, *args, **kwargs)`` validates and returns (tensor inputs, other args, into) where
    ``into(xp, data)`` writes the result into ``data`` in place."""
    def out_of_place(input, *args, **kwargs):
        tensors, rest, _ = prep(input, *args, **kwargs)
        return call(op, (input,) + tensors + rest, {})

    def in_place(self, *args, **kwargs):
        tensors, rest, into = prep(self, *args, **kwargs)
        return _inplace(self, op, tensors, rest, into, overlap)

    out_of_place.__name__ = name
    out_of_place.__doc__ = prep.__doc__
    in_place.__doc__ = f"In-place version of ``{name}``."
    public(out_of_place, inplace=in_place)
    return out_of_place


def _copy_fwd(into):
    def fwd(xp, a, *args):
        return into(xp, a.copy(), *args)
    return fwd


# ---------------------------------------------------------------------------------------- gather / scatter

def _dim_index(xp, idx, dim):
    """Index arrays addressing ``a[i0, .., idx[i], .., in]`` for every position ``i`` of ``idx``."""
    n = idx.ndim
    return tuple(idx if d == dim else xp.arange(s).reshape((-1,) + (1,) * (n - d - 1))
                 for d, s in enumerate(idx.shape))


def _gather(xp, a, dim, idx):
    if a.ndim == 0:
        return a.reshape(1)[idx.reshape(1)].reshape(idx.shape)
    return a[_dim_index(xp, idx, dim)]


def _gather_backward(grad, a, out, dim, idx):
    from .creation import zeros
    return call(_SCATTER_ADD, (zeros(a.shape, dtype=grad.dtype, device=grad.device), grad, dim, idx), {})


_GATHER = register("_gather", _gather, _gather_backward, node="GatherBackward0", method=False, function=False)


def _gather_checks(self, dim, index, name, src=None):
    nd = self.ndim
    d = norm_dims(dim, nd)[0] if nd else norm_dims(dim, 0) and 0
    if index.ndim != nd and not (nd <= 1 and index.ndim <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {name} tensor")
    for k in range(index.ndim):
        too_big = k != d and nd and index.shape[k] > self.shape[k]
        if too_big or src is not None and index.shape[k] > src.shape[k]:
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {k} expected index "
                                   f"{_shape_str(index.shape)} "
                                   f"to be no larger than self {_shape_str(self.shape)} apart from "
                                   f"dimension {d}")
            raise RuntimeError(f"Expected index {_shape_str(index.shape)} to be no larger than self "
                               f"{_shape_str(self.shape)} apart from dimension {d} and to be no larger size "
                               f"than src {_shape_str(src.shape)}")
    return d


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Gathers values along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]`` for dim 0."""
    _need_tensor(index, "gather", "index", 3)
    idx = _check_index_dtype(index, "gather")
    d = _gather_checks(input, dim, index, "input")
    _bounds(idx, input.shape[d] if input.ndim else 1, d)
    return call(_GATHER, (input, d, idx), {} if out is None else {"out": out})


public(gather)


def _scatter_into(xp, d, src, dim, idx, reduce):
    if d.ndim == 0:
        d = d.reshape(1)
        idx = idx.reshape(-1)
    pos = _dim_index(xp, idx, dim)
    if isinstance(src, (int, float, complex, bool)):
        src = xp.asarray(src).astype(d.dtype)
        src = xp.broadcast_to(src, idx.shape)
    else:
        src = src.reshape(src.shape or (1,))[tuple(slice(0, s) for s in idx.shape)]
    if reduce == "add":
        _add_at(xp, d, pos, src)
    elif reduce == "multiply":
        xp.multiply.at(d, pos, src)
    else:
        d[pos] = src
    return d


def _scatter_src(xp, a, src, dim, idx, reduce=None):
    out = a.copy()
    _scatter_into(xp, out, src, dim, idx, reduce)
    return out


def _scatter_val(xp, a, dim, idx, value, reduce=None):
    out = a.copy()
    _scatter_into(xp, out, value, dim, idx, reduce)
    return out


def _scatter_src_backward(grad, a, src, out, dim, idx, reduce=None):
    g_src = _src_grad(call(_GATHER, (grad, dim, idx), {}), src, "Scatter")
    return call(_SCATTER_VAL, (grad, dim, idx, 0), {}), g_src


def _src_grad(g, src, node):
    # torch's derivative is gather(grad), of index's shape; torch's backward fails when src is larger
    # and needs a gradient, which a derivative here cannot tell apart, so src then gets none.
    return g if tuple(g.shape) == tuple(src.shape) else None


def _scatter_val_backward(grad, a, out, dim, idx, value, reduce=None):
    return call(_SCATTER_VAL, (grad, dim, idx, 0), {})


def _not_implemented(*args, **kwargs):
    raise RuntimeError("derivative for aten::scatter is not implemented")


_SCATTER_SRC = register("_scatter_src", _scatter_src, _scatter_src_backward, nin=2, node="ScatterBackward0",
                        method=False, function=False)
_SCATTER_VAL = register("_scatter_val", _scatter_val, _scatter_val_backward, node="ScatterBackward1",
                        method=False, function=False)
_SCATTER_SRC_R = register("_scatter_src_reduce", _scatter_src, _not_implemented, nin=2, node="NotImplemented",
                          method=False, function=False)
_SCATTER_VAL_R = register("_scatter_val_reduce", _scatter_val, _not_implemented, node="NotImplemented",
                          method=False, function=False)
SCATTER_REDUCE_WARNING = ("The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                          "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                          "reduction options. (Triggered internally at "
                          "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:225.)")


_warned_once = []  # torch gives this deprecation warning once per process


def _scatter_prep(self, dim, index, src=None, value=None, *, reduce=None):
    _need_tensor(index, "scatter", "index", 2)
    if src is None:
        src = value
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    idx = _check_index_dtype(index, "scatter")
    tensor_src = isinstance(src, Tensor)
    if tensor_src:
        _same_dtype(self, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    d = _gather_checks(self, dim, index, "self", src if tensor_src else None)
    _bounds(idx, self.shape[d] if self.ndim else 1, d)
    if not tensor_src:
        op = _SCATTER_VAL if reduce is None else _SCATTER_VAL_R
        return op, (), (d, idx, src, reduce), lambda xp, a: _scatter_into(xp, a, src, d, idx, reduce)
    if reduce is not None and not _warned_once:
        _warned_once.append(True)
        warnings.warn(SCATTER_REDUCE_WARNING, UserWarning, stacklevel=4)
    s = src._data
    op = _SCATTER_SRC if reduce is None else _SCATTER_SRC_R
    return op, (src,), (d, idx, reduce), lambda xp, a: _scatter_into(xp, a, s, d, idx, reduce)


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """Writes ``src`` (a tensor or a number) into ``input`` at ``index`` along ``dim``."""
    op, tensors, rest, _ = _scatter_prep(input, dim, index, src, value, reduce=reduce)
    return call(op, (input,) + tensors + rest, {})


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """In-place version of ``scatter``."""
    op, tensors, rest, into = _scatter_prep(self, dim, index, src, value, reduce=reduce)
    return _inplace(self, op, tensors, rest, into)


public(scatter, inplace=scatter_)


def _scatter_add_backward(grad, a, src, out, dim, idx):
    return grad, _src_grad(call(_GATHER, (grad, dim, idx), {}), src, "ScatterAdd")


_SCATTER_ADD = register("_scatter_add", lambda xp, a, s, dim, idx: _scatter_src(xp, a, s, dim, idx, "add"),
                        _scatter_add_backward, nin=2, node="ScatterAddBackward0", method=False,
                        function=False)


def _scatter_add_prep(self, dim, index, src):
    """Adds ``src`` into ``input`` at ``index`` along ``dim`` (duplicates accumulate)."""
    _need_tensor(index, "scatter_add", "index", 2)
    _need_tensor(src, "scatter_add", "src", 3)
    idx = _check_index_dtype(index, "scatter_add")
    _same_dtype(self, src, "scatter(): Expected self.dtype to be equal to src.dtype")
    d = _gather_checks(self, dim, index, "self", src)
    _bounds(idx, self.shape[d] if self.ndim else 1, d)
    s = src._data
    return (src,), (d, idx), lambda xp, a: _scatter_into(xp, a, s, d, idx, "add")


_pair("scatter_add", _SCATTER_ADD, _scatter_add_prep)


# ---------------------------------------------------------------------------------------- index_* along a dim

def _dim_of(self, dim):
    return norm_dims(dim, self.ndim)[0] if self.ndim else norm_dims(dim, 0) and 0


def _index_select(xp, a, dim, idx):
    if a.ndim == 0:
        return a.reshape(1)[idx].reshape(())
    return xp.take(a, idx, axis=dim)


def _index_select_backward(grad, a, out, dim, idx):
    from .creation import zeros
    return call(_INDEX_ADD, (zeros(a.shape, dtype=grad.dtype, device=grad.device), grad, dim, idx, 1), {})


_INDEX_SELECT = register("_index_select", _index_select, _index_select_backward, node="IndexSelectBackward0",
                         method=False, function=False)


def index_select(input, dim, index, *, out=None):
    """The entries of ``input`` along ``dim`` at the positions in the 1-D ``index``."""
    _need_tensor(index, "index_select", "index", 3)
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    msg = "index_select(): Expected dtype int32 or int64 for index"
    idx = _check_index_dtype(index, "index_select", msg=msg)
    d = _dim_of(input, dim)
    n = input.shape[d] if input.ndim else 1
    bad = idx[(idx < 0) | (idx >= n)]
    if bad.size:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} axis_dim={n}")
    return call(_INDEX_SELECT, (input, d, idx.reshape(-1)), {} if out is None else {"out": out})


public(index_select)


def _index_add_into(xp, d, src, dim, idx, alpha):
    if d.ndim == 0:
        d, src = d.reshape(1), src.reshape(1)
    _add_at(xp, d, _dim_slice(dim) + (idx,), src if alpha == 1 else src * alpha)
    return d


def _index_add_backward(grad, a, src, out, dim, idx, alpha):
    g = call(_INDEX_SELECT, (grad, dim, idx), {})
    return grad, (g if alpha == 1 else g * alpha)


_INDEX_ADD = register("_index_add", _copy_fwd(_index_add_into), _index_add_backward, nin=2,
                      node="IndexAddBackward0", method=False, function=False)


def _along_dim_checks(self, dim, index, source, name):
    d = _dim_of(self, dim)
    idx = _vector_index(index, name)
    n = idx.shape[0]
    if source.ndim and source.shape[d if source.ndim > d else 0] != n:
        raise RuntimeError(f"{name}(): Number of indices ({n}) should be equal to source.size(dim): "
                           f"({source.shape[d]}), for dim: {d}")
    return d, idx


def _index_add_prep(self, dim, index, source, *, alpha=1):
    """Adds ``alpha * source`` into ``input`` at the positions ``index`` along ``dim``."""
    dt = index._data.dtype
    if dt != np.int64 and dt != np.int32:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype._legacy}")
    _same_dtype(self, source, "index_add_(): self ({}) and source ({}) must have the same scalar type")
    d, idx = _along_dim_checks(self, dim, index, source, "index_add_")
    if idx.size and idx.min() < 0 and alpha != 1:
        raise IndexError("index out of range in self")
    _bounds(idx, self.shape[d] if self.ndim else 1, d, lo=0)
    s = source._data
    return (source,), (d, idx, alpha), lambda xp, a: _index_add_into(xp, a, s, d, idx, alpha)


index_add = _pair("index_add", _INDEX_ADD, _index_add_prep)


def _index_fill_into(xp, d, dim, idx, value):
    if d.ndim == 0:
        d = d.reshape(1)
    d[_dim_slice(dim) + (idx,)] = value
    return d


def _index_fill_t_into(xp, d, v, dim, idx):
    return _index_fill_into(xp, d, dim, idx, v.astype(d.dtype))


def _index_fill_backward(grad, a, out, dim, idx, value):
    return call(_INDEX_FILL, (grad, dim, idx, 0), {})


def _index_fill_t_backward(grad, a, v, out, dim, idx):
    g_value = call(_INDEX_SELECT, (grad, dim, grad._xp.unique(idx)), {}).sum()
    return call(_INDEX_FILL, (grad, dim, idx, 0), {}), g_value


_INDEX_FILL = register("_index_fill", _copy_fwd(_index_fill_into), _index_fill_backward,
                       node="IndexFillBackward0", method=False, function=False)
_INDEX_FILL_T = register("_index_fill_t", _copy_fwd(_index_fill_t_into), _index_fill_t_backward, nin=2,
                         node="IndexFillBackward1", method=False, function=False)


def _index_fill_args(self, dim, index, value):
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    d = _dim_of(self, dim)
    idx = _vector_index(index, "index_fill_")
    _bounds(idx, self.shape[d] if self.ndim else 1, d, IndexError)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    return d, idx


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the entries at ``index`` along ``dim`` set to ``value``."""
    d, idx = _index_fill_args(input, dim, index, value)
    if isinstance(value, Tensor):
        return call(_INDEX_FILL_T, (input, value, d, idx), {})
    return call(_INDEX_FILL, (input, d, idx, _fill_value(value, input)), {})


def index_fill_(self, dim, index, value):
    """In-place version of ``index_fill``."""
    d, idx = _index_fill_args(self, dim, index, value)
    if isinstance(value, Tensor):
        v = value._data
        into = lambda xp, a: _index_fill_t_into(xp, a, v, d, idx)  # noqa: E731
        return _inplace(self, _INDEX_FILL_T, (value,), (d, idx), into, "index_fill_")
    value = _fill_value(value, self)
    into = lambda xp, a: _index_fill_into(xp, a, d, idx, value)  # noqa: E731
    return _inplace(self, _INDEX_FILL, (), (d, idx, value), into, "index_fill_")


def _fill_value(value, t):
    return t._xp.asarray(value).astype(t._data.dtype)


public(index_fill, inplace=index_fill_)


def _index_copy_into(xp, d, src, dim, idx):
    if d.ndim == 0:
        d, src = d.reshape(1), src.reshape(1)
    d[_dim_slice(dim) + (idx,)] = src
    return d


def _index_copy_backward(grad, a, src, out, dim, idx):
    return call(_INDEX_FILL, (grad, dim, idx, 0), {}), call(_INDEX_SELECT, (grad, dim, idx), {})


_INDEX_COPY = register("_index_copy", _copy_fwd(_index_copy_into), _index_copy_backward, nin=2,
                       node="IndexCopyBackward0", method=False, function=False)


def _index_copy_prep(self, dim, index, source):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` replaced by ``source``'s."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {index.dtype._legacy}")
    _same_dtype(self, source, "index_copy_(): self and source expected to have the same dtype, but got "
                              "(self) {} "
                "and (source) {}")
    d = _dim_of(self, dim)
    idx = _vector_index(index, "index_copy_")
    if source.ndim and source.shape[d if source.ndim > d else 0] != idx.shape[0]:
        raise IndexError(f"index_copy_(): Number of indices ({idx.shape[0]}) should be equal to "
                         f"source.size(dim) ({source.shape[d]})")
    _bounds(idx, self.shape[d] if self.ndim else 1, d, IndexError, "index_copy_(): ")
    s = source._data
    return (source,), (d, idx), lambda xp, a: _index_copy_into(xp, a, s, d, idx)


_pair("index_copy", _INDEX_COPY, _index_copy_prep)


# ---------------------------------------------------------------------------------------- take / put

def _flat_bounds(idx, n):
    if idx.size:
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {int(idx[bad].ravel()[0])} on a tensor "
                             f"of {n} elements.")


def _take(xp, a, idx):
    return a.reshape(-1)[idx]


def _take_backward(grad, a, out, idx):
    from .creation import zeros
    return call(_PUT, (zeros(a.shape, dtype=grad.dtype, device=grad.device), grad, idx, True), {})


_TAKE = register("_take", _take, _take_backward, node="TakeBackward0", method=False, function=False)


def take(input, index):
    """The elements of ``input``, viewed as 1-D, at ``index``; the result has ``index``'s shape."""
    _need_tensor(index, "take", "index", 2)
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {index.dtype._legacy}")
    _flat_bounds(index._data, input._data.size)
    return call(_TAKE, (input, index._data), {})


public(take)


def _put_flat(xp, d, src, idx, accumulate):
    flat = d.reshape(-1)
    if accumulate:
        _add_at(xp, flat, idx.reshape(-1), src.reshape(-1))
    else:
        flat[idx.reshape(-1)] = src.reshape(-1)
    if not np.shares_memory(flat, d) and flat.size:
        d[...] = flat.reshape(d.shape)
    return d


def _put_backward(grad, a, src, out, idx, accumulate):
    g_self = grad if accumulate else call(_PUT, (grad, _zero(grad).expand(src.shape), idx, False), {})
    return g_self, call(_TAKE, (grad, idx), {}).reshape(src.shape)


_PUT = register("_put", _copy_fwd(_put_flat), _put_backward, nin=2, node="PutBackward0", method=False,
                function=False)


def _put_prep(self, index, source, accumulate=False):
    """A copy of ``input`` with ``source`` written at the flat positions ``index`` (or added there)."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {index.dtype._legacy}")
    _same_dtype(self, source, "put_(): self and source expected to have the same dtype, but got self.dtype "
                              "= {} "
                "and source.dtype = {}")
    if source._data.size != index._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    idx = index._data
    _flat_bounds(idx, self._data.size)
    s = source._data
    return (source,), (idx, accumulate), lambda xp, a: _put_flat(xp, a, s, idx, accumulate)


_pair("put", _PUT, _put_prep)


# ---------------------------------------------------------------------------------------- masks

def _check_mask_dtype(mask, name):
    if mask._data.dtype != np.bool_:
        if name == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{_CNAME.get(str(mask.dtype)[6:], str(mask.dtype)[6:])}")


def _masked_select(xp, a, m):
    a, m = xp.broadcast_arrays(a, m)
    return a[m]


def _masked_select_backward(grad, a, m, out):
    xp = m._xp
    shape = np.broadcast_shapes(tuple(a.shape), m._data.shape)
    idx = xp.nonzero(xp.broadcast_to(m._data, shape))
    return call(_INDEX_ACC, (grad, shape, idx), {}), None


OPS_MASKED_SELECT = register("masked_select", _masked_select, _masked_select_backward, nin=2, save=(1,),
                             method=False, function=False)


def masked_select(input, mask, *, out=None):
    """The 1-D tensor of ``input``'s elements where the (broadcast) boolean ``mask`` is True."""
    _need_tensor(mask, "masked_select", "mask", 2)
    _check_mask_dtype(mask, "masked_select")
    return call(OPS_MASKED_SELECT, (input, mask), {} if out is None else {"out": out})


def _masked_fill_into(xp, d, m, value):
    d[xp.broadcast_to(m, d.shape)] = value
    return d


def _masked_fill(xp, a, m, value):
    shape = np.broadcast_shapes(a.shape, m.shape)
    return _masked_fill_into(xp, xp.broadcast_to(a, shape).copy(), m, value)


def _masked_fill_t(xp, a, m, v):
    return _masked_fill(xp, a, m, v.astype(a.dtype))


def _masked_fill_backward(grad, a, m, out, value):
    return call(_MASKED_FILL, (grad, m, 0), {}), None


def _masked_fill_t_backward(grad, a, m, v, out):
    g_value = call(_MASKED_FILL, (grad, m.logical_not(), 0), {}).sum()
    return call(_MASKED_FILL, (grad, m, 0), {}), None, g_value


_MASKED_FILL = register("_masked_fill", _masked_fill, _masked_fill_backward, nin=2, save=(1,),
                        node="MaskedFillBackward0", method=False, function=False)
_MASKED_FILL_T = register("_masked_fill_t", _masked_fill_t, _masked_fill_t_backward, nin=3, save=(1,),
                          node="MaskedFillBackward1", method=False, function=False)


def _masked_fill_args(self, mask, value):
    _need_tensor(mask, "masked_fill", "mask", 2)
    _check_mask_dtype(mask, "masked_fill_")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        return _MASKED_FILL_T, (mask, value), ()
    return _MASKED_FILL, (mask,), (_fill_value(value, self),)


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where the boolean ``mask`` (broadcast) is True."""
    op, tensors, rest = _masked_fill_args(input, mask, value)
    return call(op, (input,) + tensors + rest, {})


def masked_fill_(self, mask, value):
    """Fills the elements of this tensor with ``value`` where ``mask`` is True, in place."""
    op, tensors, rest = _masked_fill_args(self, mask, value)
    shape = self._data.shape
    full = np.broadcast_shapes(shape, mask._data.shape) if _broadcastable(shape, mask._data.shape) else None
    if full is None:
        np.broadcast_shapes(shape, mask._data.shape)
    if full != shape:
        raise RuntimeError(f"output with shape {_shape_str(shape)} doesn't match the broadcast shape "
                           f"{_shape_str(full)}")
    m = mask._data
    v = rest[0] if rest else value._data.astype(self._data.dtype)
    return _inplace(self, op, tensors, rest, lambda xp, a: _masked_fill_into(xp, a, m, v), "masked_fill_")


public(masked_select)
public(masked_fill, inplace=masked_fill_)


# ---------------------------------------------------------------------------------------- nonzero

def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-D tensors."""
    d = input._data
    xp = input._xp
    if as_tuple:
        parts = xp.nonzero(d.reshape(-1) if d.ndim == 0 else d)
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in parts)
    res = Tensor._wrap(xp.argwhere(d).astype(np.int64))
    if out is not None:
        out._data = res._data
        out._bump()
        return out
    return res


def argwhere(input):
    """Indices of the non-zero elements, an (n, ndim) int64 tensor."""
    return nonzero(input)


public(nonzero)
public(argwhere)


def take_along_dim(input, indices, dim=None, *, out=None):
    """Gathers values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dims)."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _dim_of(input, dim)
    shape_i, shape_x = list(indices.shape), list(input.shape)
    shape_i[d] = shape_x[d] = 1
    if not _broadcastable(shape_i, shape_x):
        from ._registry import broadcast_error
        broadcast_error([tuple(input.shape), tuple(indices.shape)])
    b = list(np.broadcast_shapes(tuple(shape_i), tuple(shape_x)))
    bi, bx = list(b), list(b)
    bi[d], bx[d] = indices.shape[d], input.shape[d]
    return gather(input.expand(bx), d, indices.expand(bi))


public(take_along_dim)
