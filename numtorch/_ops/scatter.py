"""The gather/scatter family: gather, scatter (src, value, reduce), scatter_add, scatter_reduce,
index_select, index_add, index_fill, index_copy and index_reduce, each with its derivative."""
import warnings

import numpy as np

from .._tensor import Tensor
from ._registry import call, register
from .pointwise import public
from .reduction import norm_dims
from .indexing import _add_at, _inplace, _shape_str, _type_name


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
