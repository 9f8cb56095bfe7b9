"""Shape ops: views (view, reshape, expand, transpose, permute, squeeze, ...), cat, stack, copies.

Slicing views, splits and reordering copies live in slicing.py."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import DEFAULT, FUNCTIONS, broadcast_error, call, register
from .layouts import (cat_format, channels_last_contiguous, check_format, empty_format, format_named, has_format,
                      like_format)
from .pointwise import public
from .reduction import norm_dims


def _dim(d, ndim):
    """Wrap one dim; a 0-d tensor accepts 0 and -1 as torch does."""
    return norm_dims(d, ndim)[0] if ndim else norm_dims(d, 0) and 0


def size_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(s if isinstance(s, int) else s.__index__() for s in shape)


def _lst(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def infer_shape(shape, numel):
    """Resolve a single -1 in ``shape`` against ``numel``, with torch's errors."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = _prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_lst(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{_lst(shape)}' is invalid for input of size {numel}")
    return shape


def _reshape_array(a, shape):
    # NumPy's no-copy reshape follows the same stride rules as torch's view.
    if type(a) is np.ndarray:
        return np.reshape(a, shape, copy=False)
    return a._reshape(shape) if hasattr(a, "_reshape") else a.reshape(shape)


def _can_view(a, shape):
    try:
        _reshape_array(a, shape)
    except (ValueError, AttributeError):
        return False
    return True


# ---------------------------------------------------------------------------------------- strided arrays

def _root(a):
    while isinstance(a.base, type(a)):
        a = a.base
    return a


def _ptr(a):
    return a.__array_interface__["data"][0] if type(a) is np.ndarray else a.data.ptr


def _offset(a):
    """Offset of ``a``'s first element in its root buffer, in elements."""
    return (_ptr(a) - _ptr(_root(a))) // a.itemsize


def _extent(shape, strides, offset):
    """Elements a geometry needs from its storage (0 when it has no element)."""
    if 0 in shape:
        return 0
    return offset + sum((n - 1) * s for n, s in zip(shape, strides)) + 1


def strided(xp, a, shape, strides, offset):
    """A view of ``a``'s storage with the given geometry (in elements, relative to the storage start)."""
    isz = a.itemsize
    root = _root(a)
    shape, bstrides = tuple(shape), tuple(s * isz for s in strides)
    if type(a) is np.ndarray:
        if root.flags.c_contiguous or root.flags.f_contiguous:
            return np.ndarray(shape, a.dtype, buffer=root, offset=offset * isz, strides=bstrides)
        # A root that is not one block of memory: step from ``a`` itself (offsets here never go backwards).
        delta = (offset - _offset(a)) * isz
        start = np.lib.stride_tricks.as_strided(a, (delta + 1,), (1,))[delta:] if delta else a
        return np.lib.stride_tricks.as_strided(start.view(a.dtype) if delta else a, shape, bstrides)
    return xp.ndarray(shape, a.dtype, memptr=a.data + (offset - _offset(a)) * isz, strides=bstrides)



# ---------------------------------------------------------------------------------------- view / reshape

def _view(xp, a, shape):
    shape = infer_shape(shape, a.size)
    try:
        return _reshape_array(a, shape)
    except (ValueError, AttributeError):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) "
                           "instead.") from None


def _reshape_backward(grad, a, out, shape):
    return grad.reshape(a.shape)


_VIEW = register("view", _view, _reshape_backward, view=True, method=False, function=False)


def _reshape_copy(xp, a, shape):
    return xp.ascontiguousarray(a).reshape(infer_shape(shape, a.size))


_RESHAPE_COPY = register("_unsafe_view", _reshape_copy, _reshape_backward, node="UnsafeViewBackward0",
                         method=False, function=False)


def view(self, *shape):
    """A view of this tensor with a new shape (or, given a dtype, reinterpreted bits)."""
    first = shape[0] if len(shape) == 1 else None
    if first is not None and not isinstance(first, (tuple, list, int)) and not hasattr(first, "__index__"):
        from .conversion import view_dtype
        return view_dtype(self, first)
    return call(_VIEW, (self, size_args(shape)), {})


def reshape(input, *shape):
    """Same data with a new shape: a view when strides allow it, otherwise a copy."""
    shape = infer_shape(size_args(shape), input._data.size)
    if _can_view(input._data, shape):
        return call(_VIEW, (input, shape), {})
    return call(_RESHAPE_COPY, (input, shape), {})


Tensor.view = view
public(reshape)


def view_as(self, other):
    """``self.view(other.size())``."""
    return view(self, other.shape)


def reshape_as(self, other):
    """``self.reshape(other.size())``."""
    return reshape(self, other.shape)


Tensor.view_as = view_as
Tensor.reshape_as = reshape_as


def flatten(input, start_dim=0, end_dim=-1):
    """Flattens dims ``start_dim`` through ``end_dim`` into one."""
    nd = input.ndim
    if nd == 0:
        return input.reshape(1)
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return input.reshape(tuple(shape[:s]) + (_prod(shape[s:e + 1]),) + tuple(shape[e + 1:]))


def unflatten(input, dim, sizes):
    """Expands dimension ``dim`` into ``sizes`` (one of them may be -1)."""
    d = _dim(dim, input.ndim)
    sizes = size_args((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[d]
    if -1 not in sizes and _prod(sizes) != n:
        raise RuntimeError(f"unflatten: Provided sizes {_lst(sizes)} don't multiply up to the size of "
                           f"dim {dim} "
                           f"({n}) in the input tensor")
    sizes = infer_shape(sizes, n)
    return view(input, tuple(input.shape[:d]) + sizes + tuple(input.shape[d + 1:]))


def ravel(input):
    """A contiguous flattened tensor (a view when possible)."""
    return input.contiguous().view(-1)


public(flatten)
public(unflatten)
public(ravel)


# ---------------------------------------------------------------------------------------- expand / broadcast

def _expand_shape(shape, sizes, tname):
    nd = len(sizes)
    if nd < len(shape):
        raise RuntimeError(f"expand(torch.{tname}{{{_lst(shape)}}}, size={_lst(sizes)}): the number of sizes "
                           f"provided ({nd}) must be greater or equal to the number of dimensions in "
                           "the tensor "
                           f"({len(shape)})")
    full = []
    for i, s in enumerate(sizes):
        j = i - (nd - len(shape))
        cur = shape[j] if j >= 0 else 1
        if s == -1:
            if j < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            s = cur
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {_lst(sizes)}")
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {_lst(sizes)}.  "
                               f"Tensor sizes: {_lst(shape)}")
        full.append(s)
    return tuple(full)


def _tname(a):
    return _dtype.NP2DT[a.dtype]._legacy + "Type"


def _expand(xp, a, shape):
    full = _expand_shape(a.shape, shape, _tname(a))
    lead = len(full) - a.ndim
    isz = a.itemsize
    # torch keeps the stride of dims that are not expanded (even of size 1); new and expanded dims get 0.
    strides = [0] * lead + [s // isz if n == m else 0 for n, m, s in zip(a.shape, full[lead:], a.strides)]
    if a.size == 0 or 0 in full:
        return xp.broadcast_to(a, full)
    return strided(xp, a, full, strides, _offset(a))


_EXPAND = register("expand", _expand, lambda g, a, out, shape: g, view=True, method=False, function=False)


def expand(self, *sizes):
    """A broadcast view of this tensor with singleton dims expanded to ``sizes`` (-1 keeps a size)."""
    return call(_EXPAND, (self, size_args(sizes)), {})


def expand_as(self, other):
    """``self.expand(other.size())``."""
    return expand(self, other.shape)


def broadcast_to(input, size):
    """Broadcast ``input`` to ``size``."""
    return expand(input, size_args((size,)))


def broadcast_shapes(*shapes):
    """The shape that all ``shapes`` broadcast to, as a torch.Size."""
    from .._size import Size
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    out = [1] * max((len(s) for s in shapes), default=0)
    for k, s in enumerate(shapes):
        for i in range(1, len(s) + 1):
            n = s[-i]
            if n < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {_lst(s)}")
            if out[-i] == 1 or n == out[-i]:
                out[-i] = n
            elif n != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {-i}! Mismatching "
                                   f"argument at index {k} had {s}; but expected shape should be "
                                   "broadcastable "
                                   f"to {_lst(out)}")
    return Size(out)


def _infer_size(shapes):
    """The broadcast shape, with torch's error for tensors: the running shape against the first tensor
    that does not fit, naming the rightmost mismatching dimension."""
    try:
        return broadcast_shapes(*shapes)
    except RuntimeError:
        out = ()
        for s in shapes:
            try:
                out = broadcast_shapes(out, s)
            except RuntimeError:
                broadcast_error([tuple(out), s])
        raise


def broadcast_tensors(*tensors):
    """Broadcasts ``tensors`` to a common shape (views; inputs already of that shape are returned as is)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = _infer_size([tuple(t.shape) for t in tensors])
    return tuple(t if t.shape == shape else expand(t, shape) for t in tensors)


Tensor.expand = expand
Tensor.expand_as = expand_as
public(broadcast_to)
public(broadcast_tensors, method=False)
FUNCTIONS["broadcast_shapes"] = broadcast_shapes


# ---------------------------------------------------------------------------------------- permutations

def _transpose(xp, a, dim0, dim1):
    if a.ndim == 0:
        _dim(dim0, 0)
        _dim(dim1, 0)
        return a.view()
    axes = list(range(a.ndim))
    d0, d1 = _dim(dim0, a.ndim), _dim(dim1, a.ndim)
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return a.transpose(axes)


register("transpose", _transpose, lambda g, a, out, d0, d1: g.transpose(d0, d1), view=True)
FUNCTIONS["swapaxes"] = FUNCTIONS["swapdims"] = FUNCTIONS["transpose"]
Tensor.swapaxes = Tensor.swapdims = Tensor.transpose


def _t(xp, a):
    if a.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return a.T


register("t", _t, lambda g, a, out: g.t(), view=True)


def adjoint(input):
    """The conjugate transpose of the last two dims (a view)."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. Got "
                           f"{input.ndim}-D tensor.")
    out = input.transpose(-2, -1)
    return out.conj() if input.is_complex() else out


public(adjoint)


def _permute(xp, a, dims):
    if len(dims) != a.ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not "
                           "match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    axes = [_dim(d, a.ndim) for d in dims] if a.ndim else []
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return a.transpose(axes)


def _permute_backward(grad, a, out, dims):
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d % len(dims)] = i
    return grad.permute(inv)


_PERMUTE = register("permute", _permute, _permute_backward, view=True, method=False, function=False)


def permute(input, *dims):
    """A view with dimensions reordered as ``dims``."""
    return call(_PERMUTE, (input, size_args(dims)), {})


def movedim(input, source, destination):
    """Moves the dims in ``source`` to the positions in ``destination`` (a permuted view)."""
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({_lst(src)} dims) should "
                           f"contain the same number of dims as destination ({_lst(dst)} dims)")
    nd = input.ndim
    s = [_dim(d, nd) for d in src]
    t = [_dim(d, nd) for d in dst]
    for name, ds, raw in (("source", s, src), ("destination", t, dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({_lst(raw)})")
    order = [None] * nd
    for i, j in zip(s, t):
        order[j] = i
    rest = iter(d for d in range(nd) if d not in s)
    return permute(input, [o if o is not None else next(rest) for o in order])


public(permute)
public(movedim)
FUNCTIONS["moveaxis"] = movedim
Tensor.moveaxis = movedim


# ---------------------------------------------------------------------------------------- squeeze / unsqueeze

def squeeze_shape(shape, dim=None):
    if dim is None:
        return tuple(s for s in shape if s != 1)
    dims = norm_dims(dim, len(shape)) or ()
    return tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))


def _squeeze(xp, a, dim=None):
    return a.reshape(squeeze_shape(a.shape, dim))


def _squeeze_backward(grad, a, out, dim=None):
    return grad.reshape(a.shape)


def _squeeze_op(name, node):
    return register(name, _squeeze, _squeeze_backward, view=True, node=node, method=False, function=False)


# torch's overloads: all dims / one dim / several dims, then the same three for squeeze_.
SQUEEZE = {k: _squeeze_op(name, f"SqueezeBackward{k}") for k, name in enumerate(
    ("_squeeze", "_squeeze_dim", "_squeeze_dims", "_squeeze_", "_squeeze_dim_", "_squeeze_dims_"))}


def squeeze_args(dim):
    """Which squeeze overload (0: all, 1: one dim, 2: dims) torch picks, and its arguments."""
    if dim is None:
        return 0, ()
    if isinstance(dim, (tuple, list)):
        return 2, (tuple(dim),)
    return 1, (dim,)


def squeeze(input, dim=None):
    """Removes dimensions of size 1 (all, or those named in ``dim``)."""
    k, args = squeeze_args(dim)
    return call(SQUEEZE[k], (input,) + args, {})


def unsqueeze_shape(shape, dim):
    d = _dim(dim, len(shape) + 1)
    return tuple(shape[:d]) + (1,) + tuple(shape[d:])


def _unsqueeze(xp, a, dim):
    return a.reshape(unsqueeze_shape(a.shape, dim))


register("unsqueeze", _unsqueeze, lambda g, a, out, dim: g.squeeze(dim), view=True)
public(squeeze)


def atleast_1d(*tensors):
    """Views of the inputs with at least one dimension."""
    return _atleast(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """Views of the inputs with at least two dimensions."""
    return _atleast(tensors, _2d)


def _2d(t):
    if t.ndim == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if t.ndim == 1 else t


def _3d(t):
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if t.ndim == 2 else t


def atleast_3d(*tensors):
    """Views of the inputs with at least three dimensions."""
    return _atleast(tensors, _3d)


def _atleast(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return fn(tensors[0])
    if len(tensors) == 1:
        tensors = tensors[0]
    return tuple(fn(t) for t in tensors)


for _fn in (atleast_1d, atleast_2d, atleast_3d):
    public(_fn, method=False)


# ---------------------------------------------------------------------------------------- copies

def to_format(t, name):
    """Tensor ``t`` itself when its strides are torch's for memory format ``name`` (None: contiguous), else
    a copy (recorded as a clone) that has them: also for size-1 dims, where ``contiguous`` would keep ``t``."""
    if has_format(t._data, name):
        return t
    return call(_CLONE, (t,), {"memory_format": format_named(name or "contiguous_format")})


def _clone(xp, a, *, memory_format=None):
    if memory_format is not None and check_format("clone", memory_format).name == "contiguous_format":
        return xp.array(a, order="C", copy=True)
    if a.ndim == 0 and memory_format is None:
        return a.copy()
    out = like_format(xp, a, memory_format)
    out[...] = a
    return out


_CLONE = register("clone", _clone, lambda g, a, out, **kw: g)


_UNSET = object()  # contiguous(memory_format=None) is torch's TypeError, unlike leaving it out


def contiguous(self, memory_format=_UNSET):
    """This tensor if already contiguous in ``memory_format``, otherwise a copy that is."""
    if memory_format is _UNSET:
        if self.is_contiguous():
            return self
        return call(_CONTIG, (self,), {})
    check_format("contiguous", memory_format, optional=False)
    if self.is_contiguous(memory_format=memory_format):
        return self
    if memory_format.name == "preserve_format":
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return call(_CLONE, (self,), {"memory_format": memory_format})


_CONTIG = register("_contiguous", lambda xp, a: xp.ascontiguousarray(a), lambda g, a, out: g,
                   node="CloneBackward0", method=False, function=False)
Tensor.contiguous = contiguous


def is_channels_last(self, memory_format):
    """Whether strides follow the channels-last order (NHWC / NDHWC) for ``memory_format``."""
    return channels_last_contiguous(self.shape, self.stride(), memory_format.name)


def _cat(xp, *arrays, dim=0):
    fmt = cat_format(arrays)
    # Legacy behaviour: 1-D empty tensors are skipped whatever their shape.
    arrays = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or list(arrays[:1])
    for i, a in enumerate(arrays):
        if a.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    nd = arrays[0].ndim
    d = _dim(dim, nd)
    for i, a in enumerate(arrays):
        if a.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {a.ndim}")
        for k in range(nd):
            if k != d and a.shape[k] != arrays[0].shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{arrays[0].shape[k]} but got size {a.shape[k]} for tensor number {i} in "
                                   "the list.")
    shape = list(arrays[0].shape)
    shape[d] = sum(a.shape[d] for a in arrays)
    out = xp.empty(tuple(shape), arrays[0].dtype) if fmt is None else empty_format(xp, shape, arrays[0].dtype, fmt)
    xp.concatenate(arrays, axis=d, out=out)
    return out


def _cat_backward(grad, *metas_out, dim=0):
    metas = metas_out[:-1]
    d = _dim(dim, grad.ndim)
    grads, start = [], 0
    for m in metas:
        if len(m.shape) != grad.ndim:
            grads.append(grad.new_zeros(m.shape))
            continue
        n = m.shape[d]
        grads.append(grad.narrow(d, start, n))
        start += n
    return grads


_CAT = register("cat", _cat, _cat_backward, listin=True, promote=DEFAULT, method=False, function=False)


def _zero_link(xp, g, *links):
    return g.view()


def _zero_link_backward(grad, *metas_out):
    # the first input passes the gradient on; the tied tensors get zeros (autograd.graph._tied)
    return (grad,) + tuple(grad.new_zeros(m.shape) for m in metas_out[1:-1])


_ZERO_LINK = register("_zero_link", _zero_link, _zero_link_backward, listin=True, method=False,
                      function=False)
FUNCTIONS["_zero_link"] = lambda g, *links: call(_ZERO_LINK, ([g, *links],), {})


def unimplemented_derivative(kernel, node="torch::autograd::NotImplemented", error=RuntimeError):
    """``link(g, *tensors)`` for a derivative torch computes with ``kernel``, which has no derivative of its
    own: the result carries the graph to ``tensors`` (it requires grad, as torch's does) under a ``node``
    whose backward raises torch's error."""
    if error is RuntimeError:
        message = f"derivative for aten::{kernel} is not implemented"
    else:
        message = f"the derivative for '{kernel}' is not implemented."

    def bwd(grad, *metas_out):
        raise error(message)
    op = register(f"_unimplemented_{kernel}", lambda xp, g, *links: g.view(), bwd, listin=True, node=node,
                  method=False, function=False)

    def link(g, *tensors):
        tensors = [t for t in tensors if t.requires_grad]
        if not tensors or not grad_mode.state.enabled:
            return g
        return call(op, ([g, *tensors],), {})
    return link


def _tensor_list(tensors, name):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")


def _out_kw(dim, out, tensors, name):
    kw = {"dim": dim}
    if out is not None:
        dt = _dtype.result_type_of(list(tensors))
        if not _dtype.can_cast(dt, out.dtype):
            raise TypeError(f"torch.{name}(): input types can't be cast to the desired output type "
                            f"{out.dtype._legacy}")
        kw["out"] = out
    return kw


def cat(tensors, dim=0, *, out=None):
    """Concatenates ``tensors`` along an existing dimension ``dim``."""
    _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return call(_CAT, (tensors,), _out_kw(dim, out, tensors, "cat"))


def _stack(xp, *arrays, dim=0):
    first = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_lst(first)} at "
                               "entry 0 "
                               f"and {_lst(a.shape)} at entry {i}")
    nd = arrays[0].ndim
    d = _dim(dim, nd + 1)
    shape = first[:d] + (len(arrays),) + first[d:]
    if d < nd:
        fmt = cat_format(arrays)
        if fmt is not None:
            # torch stacks as a cat along ``dim`` split by a view, keeping the cat's layout
            out = _cat(xp, *arrays, dim=d).view()
            out.shape = shape
            return out
    else:
        # torch cats the inputs unsqueezed at the end (a new innermost dim of stride 1)
        fmt = cat_format(arrays, lambda a: (a.shape + (1,), a.strides + (a.itemsize,)))
    if fmt is None:
        r = xp.stack(arrays, axis=d)
        return r if r.flags.c_contiguous else xp.ascontiguousarray(r)
    return xp.stack(arrays, axis=d, out=empty_format(xp, shape, arrays[0].dtype, fmt))


def _stack_backward(grad, *metas_out, dim=0):
    return grad.unbind(_dim(dim, grad.ndim))


_STACK = register("stack", _stack, _stack_backward, listin=True, promote=DEFAULT, method=False,
                  function=False)


def stack(tensors, dim=0, *, out=None):
    """Stacks equally-shaped ``tensors`` along a new dimension ``dim``."""
    _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return call(_STACK, (tensors,), _out_kw(dim, out, tensors, "stack"))


def hstack(tensors, *, out=None):
    """Concatenates column-wise (along dim 1, or dim 0 for 1-D inputs)."""
    _tensor_list(tensors, "hstack")
    ts = atleast_1d(tuple(tensors))
    return cat(ts, 0 if ts and ts[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenates row-wise, after making every input at least 2-D."""
    _tensor_list(tensors, "vstack")
    return cat(atleast_2d(tuple(tensors)), 0, out=out)


def dstack(tensors, *, out=None):
    """Concatenates depth-wise (dim 2), after making every input at least 3-D."""
    _tensor_list(tensors, "dstack")
    return cat(atleast_3d(tuple(tensors)), 2, out=out)


def column_stack(tensors, *, out=None):
    """Stacks 0-d/1-D inputs as columns and concatenates along dim 1."""
    _tensor_list(tensors, "column_stack")
    ts = tuple(t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors)
    return cat(ts, 1, out=out)


for _fn in (cat, stack, hstack, vstack, dstack, column_stack):
    public(_fn, method=False)
FUNCTIONS["concat"] = FUNCTIONS["concatenate"] = cat
FUNCTIONS["row_stack"] = vstack
