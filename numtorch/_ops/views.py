"""Views beyond reshaping: strided views (unfold, diagonal, as_strided), in-place metadata changes
(squeeze_, t_, ...), resize_, and the CopySlices node that rewires a base after a view is written."""
import numpy as np

from .._tensor import Tensor, _contiguous_strides, bump
from ..autograd import grad_mode
from ..autograd.graph import Node, _seq, edge
from ._registry import FUNCTIONS, call, check_inplace, register, tensor_method
from .shape import (SQUEEZE, _dim, _extent, _lst, _offset, _root, _t, _transpose, size_args, squeeze_args,
                    strided)

_state = grad_mode.state


# ---------------------------------------------------------------------------------------- CopySlices

def _apply_chain(t, chain):
    for op, rest, kwargs in chain:
        t = call(op, (t,) + tuple(rest), dict(kwargs))
    return t


class CopySlices(Node):
    """Gradient of ``base`` after a view of it was overwritten in place with a computed value."""

    __slots__ = ("_chain",)

    def name(self):
        return "torch::autograd::CopySlices"

    def _apply(self, grads):
        g = grads[0]
        from . import creation
        with grad_mode.no_grad():
            mask = creation.ones_like(g, memory_format=_contiguous())
            _apply_chain(mask, self._chain)._data[...] = 0
        g_base = g * mask
        g_value = _apply_chain(g.contiguous(), self._chain)
        return [g_base, g_value]


def _contiguous():
    from .. import contiguous_format
    return contiguous_format


def copy_slices(base, view, value):
    """``view`` (of ``base``) now holds ``value``'s data: route base's gradient through a CopySlices node."""
    node = CopySlices.__new__(CopySlices)
    node._seq = next(_seq)
    node._chain = view._view_chain()
    node.next_functions = (edge(base) if base._requires_grad else (None, 0), edge(value))
    base._grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    view._regenerate_view()


def check_view_inplace(view):
    """torch refuses in-place writes that autograd records into outputs of multi-view ops (split, unbind)."""
    kind = view.__dict__.get("_multi_view")
    if kind is not None:
        raise RuntimeError(f"Output {view._output_nr} of {kind} is a view and is being modified "
                           "inplace. This "
                           "view is the output of a function that returns multiple views. Such "
                           "functions do not "
                           "allow the output views to be modified inplace. You should replace the inplace "
                           "operation by an out-of-place one.")


# ---------------------------------------------------------------------------------------- strided views



def _restride(xp, g, src, dst):
    # Scatter-add g (laid out by geometry src) into a flat buffer, then gather it by geometry dst.
    length = max(_extent(*src), _extent(*dst), 1)
    buf = xp.zeros(length, g.dtype)
    idx_src, idx_dst = _indices(xp, *src), _indices(xp, *dst)
    if g.size:
        xp.add.at(buf, idx_src.reshape(-1), g.reshape(-1))
    return buf[idx_dst]


def _indices(xp, shape, strides, offset):
    idx = xp.full(tuple(shape), offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        ax = [1] * len(shape)
        ax[d] = n
        idx = idx + (xp.arange(n) * s).reshape(ax)
    return idx


_RESTRIDE = register("_restride", _restride, lambda g, a, out, src, dst: call(_RESTRIDE, (g, dst, src), {}),
                     node="AsStridedBackwardBackward0", method=False, function=False)


def _relative_backward(grad, in_shape, out_geom):
    """Gradient of a view whose geometry ``out_geom`` is relative to a contiguous input of ``in_shape``."""
    return call(_RESTRIDE, (grad, out_geom, (tuple(in_shape), _contiguous_strides(in_shape), 0)), {})


def _unfold_geom(shape, strides, offset, dim, size, step):
    if not shape:
        if size > 1:
            raise RuntimeError(f"maximum size for tensor at dimension 0 is 1 but size is {size}")
        return (1,), (1,), offset
    n = shape[dim]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    new_shape = list(shape) + [size]
    new_shape[dim] = (n - size) // step + 1
    new_strides = list(strides) + [strides[dim]]
    new_strides[dim] = strides[dim] * step
    return tuple(new_shape), tuple(new_strides), offset


def _check_unfold(ndim, dim, size, step):
    d = _dim(dim, ndim)
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return d


def _unfold(xp, a, dim, size, step):
    d = _check_unfold(a.ndim, dim, size, step)
    isz = a.itemsize
    geom = _unfold_geom(a.shape, [s // isz for s in a.strides], _offset(a), d, size, step)
    return strided(xp, a, *geom)


def _unfold_backward(grad, a, out, dim, size, step):
    d = _dim(dim, len(a.shape))
    geom = _unfold_geom(a.shape, _contiguous_strides(a.shape), 0, d, size, step)
    return _relative_backward(grad, a.shape, geom)


register("unfold", _unfold, _unfold_backward, view=True, function=False)


def _diag_geom(shape, strides, offset, off, d1, d2):
    if off >= 0:
        n = max(min(shape[d1], shape[d2] - off), 0)
        start = offset + off * strides[d2] if n else offset
    else:
        n = max(min(shape[d1] + off, shape[d2]), 0)
        start = offset - off * strides[d1] if n else offset
    keep = [i for i in range(len(shape)) if i not in (d1, d2)]
    new_shape = tuple(shape[i] for i in keep) + (n,)
    return new_shape, tuple(strides[i] for i in keep) + (strides[d1] + strides[d2],), start


def _diag_dims(ndim, dim1, dim2):
    d1, d2 = _dim(dim1, ndim), _dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal(xp, a, offset=0, dim1=0, dim2=1):
    d1, d2 = _diag_dims(a.ndim, dim1, dim2)
    isz = a.itemsize
    return strided(xp, a, *_diag_geom(a.shape, [s // isz for s in a.strides], _offset(a), offset, d1, d2))


def _diagonal_backward(grad, a, out, offset=0, dim1=0, dim2=1):
    d1, d2 = _diag_dims(len(a.shape), dim1, dim2)
    geom = _diag_geom(a.shape, _contiguous_strides(a.shape), 0, offset, d1, d2)
    return _relative_backward(grad, a.shape, geom)


_DIAGONAL = register("diagonal", _diagonal, _diagonal_backward, view=True, method=False, function=False)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal (``offset`` above the main one) of the plane ``dim1``/``dim2``, as a last "
      "dim."""
    return call(_DIAGONAL, (input, offset, dim1, dim2), {})


tensor_method(diagonal)


def _as_strided(xp, a, size, stride, storage_offset, in_geom):
    return strided(xp, a, size, stride, storage_offset)


def _as_strided_backward(grad, a, out, size, stride, storage_offset, in_geom):
    return call(_RESTRIDE, (grad, (size, stride, storage_offset), in_geom), {})


_AS_STRIDED = register("as_strided", _as_strided, _as_strided_backward, view=True, method=False,
                       function=False)


def _check_geometry(t, size, stride, offset):
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{_lst(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {_lst(size)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    isz = t.element_size()
    need = _extent(size, stride, offset) * isz
    have = _root(t._data).nbytes
    if need > have:
        raise RuntimeError(f"setStorage: sizes {_lst(size)}, strides {_lst(stride)}, storage offset "
                           f"{offset}, and "
                           f"itemsize {isz} requiring a storage size of {need} are out of bounds for "
                           "storage of "
                           f"size {have}")


_AS_STRIDED_ = register("_as_strided_", _as_strided, _as_strided_backward, view=True,
                        node="AsStridedBackward1", method=False, function=False)


def _as_strided_call(op, input, size, stride, storage_offset):
    size, stride = size_args((size,)), size_args((stride,))
    offset = input.storage_offset() if storage_offset is None else storage_offset.__index__()
    _check_geometry(input, size, stride, offset)
    in_geom = (tuple(input.shape), input.stride(), input.storage_offset())
    return call(op, (input, size, stride, offset, in_geom), {})


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes, strides and offset (in elements)."""
    return _as_strided_call(_AS_STRIDED, input, size, stride, storage_offset)


def as_strided_(self, size, stride, storage_offset=None):
    """Sets this tensor's sizes, strides and offset in place."""
    return metadata_inplace(self, lambda t: _as_strided_call(_AS_STRIDED_, t, size, stride, storage_offset))


FUNCTIONS["as_strided"] = as_strided
FUNCTIONS["diagonal"] = diagonal
tensor_method(as_strided)
tensor_method(as_strided_)


# ---------------------------------------------------------------------------------------- in-place metadata

def metadata_inplace(self, view_fn):
    """squeeze_/unsqueeze_/t_/transpose_/as_strided_: this tensor takes the geometry (and, when recorded,
    the graph node) of ``view_fn(self)``, keeping its storage."""
    check_inplace(self)
    res = view_fn(self)
    if self._base is not None:
        before = Tensor._wrap(self._data)
        before._view_src = self._view_src
        before._base = self._base
        self._view_src = (before,) + res._view_src[1:]
    self._data = res._data
    bump(self)
    self._view_ver = self._vc[0]
    if res._grad_fn is not None:
        self._grad_fn = res._grad_fn
        self._output_nr = res._output_nr
    return self


def _squeeze_(self, dim=None):
    k, args = squeeze_args(dim)
    return metadata_inplace(self, lambda t: call(SQUEEZE[k + 3], (t,) + args, {}))


def _unsqueeze(xp, a, dim):
    return xp.expand_dims(a, _dim(dim, a.ndim + 1))


_UNSQUEEZE_ = register("_unsqueeze_", _unsqueeze, lambda g, a, out, dim: g.squeeze(dim), view=True,
                       node="UnsqueezeBackward1", method=False, function=False)
_T_ = register("_t_", _t, lambda g, a, out: g.t(), view=True, node="TBackward1", method=False, function=False)

_TRANSPOSE_ = register("_transpose_", _transpose, lambda g, a, out, d0, d1: g.transpose(d0, d1), view=True,
                       node="TransposeBackward1", method=False, function=False)


def unsqueeze_(self, dim):
    """In-place ``unsqueeze``."""
    return metadata_inplace(self, lambda t: call(_UNSQUEEZE_, (t, dim), {}))


def t_(self):
    """In-place ``t``."""
    if self.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return metadata_inplace(self, lambda t: call(_T_, (t,), {}))


def transpose_(self, dim0, dim1):
    """In-place ``transpose``."""
    return metadata_inplace(self, lambda t: call(_TRANSPOSE_, (t, dim0, dim1), {}))


Tensor.squeeze_ = _squeeze_
Tensor.squeeze_.__name__ = "squeeze_"
Tensor.unsqueeze_ = unsqueeze_
Tensor.t_ = t_
Tensor.transpose_ = Tensor.swapdims_ = Tensor.swapaxes_ = transpose_


# ---------------------------------------------------------------------------------------- resize_

@tensor_method
def resize_(self, *sizes, memory_format=None):
    """Resizes this tensor in place to ``sizes`` (contiguous), growing its storage when needed."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = size_args(sizes)
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {_lst(shape)}")
    d = self._data
    root = _root(d)
    offset = _offset(d) if d.size else self.storage_offset()
    need = offset + int(np.prod(shape, dtype=np.int64))
    if need * d.itemsize > root.nbytes or not root.flags.c_contiguous:
        root = _grown(self._xp, root, d, need)
        self._data = strided(self._xp, root, shape, _contiguous_strides(shape), offset)
    else:
        self._data = strided(self._xp, d, shape, _contiguous_strides(shape), offset)
    bump(self)
    return self


def _grown(xp, root, d, need):
    """A new zeroed storage of ``need`` elements holding the old storage's bytes as a prefix."""
    new = xp.zeros(need, d.dtype)
    old = xp.ascontiguousarray(root).reshape(-1).view(np.uint8)
    n = min(old.size, new.nbytes)
    new.view(np.uint8)[:n] = old[:n]
    return new


@tensor_method
def resize_as_(self, the_template, memory_format=None):
    """Resizes this tensor in place to the size of ``the_template``."""
    return resize_(self, tuple(the_template.shape))

