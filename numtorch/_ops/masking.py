"""Flat and mask indexing: take, put, take_along_dim, masked_select, masked_fill, masked_scatter,
nonzero and argwhere."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._registry import broadcast_error, call, register
from . import limited
from .pointwise import public
from .indexing import _INDEX_ACC, _add_at, _broadcastable, _inplace, _shape_str, _zero
from .scatter import _CNAME, _copy_fwd, _dim_of, _fill_value, _need_tensor, _pair, _same_dtype, gather


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


def _masked_scatter_into(xp, d, m, src):
    m = xp.broadcast_to(m, d.shape)
    d[m] = src.reshape(-1)[:int(m.sum())]
    return d


def _masked_scatter(xp, a, m, src):
    shape = np.broadcast_shapes(a.shape, m.shape)
    return _masked_scatter_into(xp, xp.broadcast_to(a, shape).copy(), m, src)


def _masked_scatter_backward(grad, a, m, src, out):
    from .shape import cat
    picked = masked_select(grad, m)
    rest = src.numel() - picked.numel()
    g_src = cat([picked, grad.new_zeros(rest)]) if rest else picked
    return call(_MASKED_FILL, (grad, m, 0), {}), None, g_src.reshape(src.shape)


_MASKED_SCATTER = register("_masked_scatter", _masked_scatter, _masked_scatter_backward, nin=3, save=(1, 2),
                           node="MaskedScatterBackward0", method=False, function=False)


def _masked_scatter_args(self, mask, source):
    _need_tensor(mask, "masked_scatter", "mask", 2)
    _need_tensor(source, "masked_scatter", "source", 3)
    if mask.dtype is not _dtype.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype._legacy}")
    if source.dtype is not self.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{self.dtype._legacy} and {source.dtype._legacy}")
    if not _broadcastable(self._data.shape, mask._data.shape):
        broadcast_error((self._data.shape, mask._data.shape))
    shape = np.broadcast_shapes(self._data.shape, mask._data.shape)
    if int(np.broadcast_to(np.asarray(mask._data), shape).sum()) > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return shape


def masked_scatter(input, mask, source):
    """Copies elements of ``source`` in order into ``input`` where the boolean ``mask`` is True."""
    _masked_scatter_args(input, mask, source)
    return call(_MASKED_SCATTER, (input, mask, source), {})


def masked_scatter_(self, mask, source):
    """In-place version of ``masked_scatter``; ``mask`` must broadcast to this tensor's shape."""
    shape = _masked_scatter_args(self, mask, source)
    if shape != self._data.shape:
        raise RuntimeError(f"expand({mask.dtype._legacy}Type{{{list(mask.shape)}}}, "
                           f"size={list(self.shape)}): "
                           f"the number of sizes provided must be greater or equal to the number of "
                           f"dimensions in the tensor")
    m, src = mask._data, source._data
    into = lambda xp, a: _masked_scatter_into(xp, a, m, src)  # noqa: E731
    return _inplace(self, _MASKED_SCATTER, (mask, source), (), into)


public(masked_scatter, inplace=masked_scatter_)

# ---------------------------------------------------------------------------------------- nonzero

def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-D tensors."""
    limited.check("nonzero_count_cpu", input.dtype)
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
