"""Shape ops: views (view, reshape, expand, transpose, permute, squeeze, ...), cat, stack, clone."""
import numpy as np

from .._tensor import Tensor
from ._registry import DEFAULT, FUNCTIONS, call, register
from .pointwise import public
from .reduction import norm_dims


def _dim(d, ndim):
    return norm_dims(d, ndim)[0] if ndim else norm_dims(d, 0) and 0


def size_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(s.__index__() if not isinstance(s, int) else s for s in shape)


def infer_shape(shape, numel):
    """Resolve a single -1 in ``shape`` against ``numel``, with torch's errors."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


# ---------------------------------------------------------------------------------------- view / reshape

def _view(xp, a, shape):
    shape = infer_shape(shape, a.size)
    try:
        return xp.reshape(a, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None


def _reshape_backward(grad, a, out, shape):
    return grad.reshape(a.shape)


_VIEW = register("view", _view, _reshape_backward, view=True, method=False, function=False)
_RESHAPE_VIEW = register("_reshape_alias", _view, _reshape_backward, view=True, node="ViewBackward0",
                         method=False, function=False)


def _reshape_copy(xp, a, shape):
    return xp.reshape(a, infer_shape(shape, a.size)).copy()


_RESHAPE_COPY = register("_unsafe_view", _reshape_copy, _reshape_backward, node="UnsafeViewBackward0",
                         method=False, function=False)


def view(self, *shape):
    """A view of this tensor with a new shape (or, given a dtype, reinterpreted bits)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)) and not hasattr(shape[0], "__index__"):
        from .conversion import view_dtype
        return view_dtype(self, shape[0])
    return call(_VIEW, (self, size_args(shape)), {})


def reshape(input, *shape):
    """Same data with a new shape: a view when strides allow it, otherwise a copy."""
    shape = infer_shape(size_args(shape), input._data.size)
    try:
        np.reshape(input._data, shape, copy=False) if type(input._data) is np.ndarray else None
    except ValueError:
        return call(_RESHAPE_COPY, (input, shape), {})
    return call(_VIEW, (input, shape), {})


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


# ---------------------------------------------------------------------------------------- expand

def _expand(xp, a, shape):
    nd = len(shape)
    if nd < a.ndim:
        raise RuntimeError(f"expand(torch.{_tname(a)}{{[{', '.join(map(str, a.shape))}]}}, size=[{', '.join(map(str, shape))}]): "
                           "the number of sizes provided "
                           f"({nd}) must be greater or equal to the number of dimensions in the tensor ({a.ndim})")
    full = []
    for i, s in enumerate(shape):
        j = i - (nd - a.ndim)
        cur = a.shape[j] if j >= 0 else 1
        if s == -1:
            if j < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, shape))}].  "
                               f"Tensor sizes: [{', '.join(map(str, a.shape))}]")
        full.append(s)
    return xp.broadcast_to(a, tuple(full))


def _tname(a):
    from .._dtype import NP2DT
    return NP2DT[a.dtype]._legacy + "Type"


_EXPAND = register("expand", _expand, lambda g, a, out, shape: g, view=True, method=False, function=False)


def expand(self, *sizes):
    """A broadcast view of this tensor with singleton dims expanded to ``sizes`` (-1 keeps a size)."""
    return call(_EXPAND, (self, size_args(sizes)), {})


def expand_as(self, other):
    """``self.expand(other.size())``."""
    return expand(self, other.shape)


def broadcast_to(input, size):
    """Broadcast ``input`` to ``size``."""
    return expand(input, tuple(size))


Tensor.expand = expand
Tensor.expand_as = expand_as
public(broadcast_to)


# ---------------------------------------------------------------------------------------- permutations

def _transpose(xp, a, dim0, dim1):
    axes = list(range(a.ndim))
    if a.ndim == 0:
        norm_dims((dim0, dim1) if dim0 != dim1 else dim0, 0)
        return a.view()
    d0, d1 = norm_dims(dim0, a.ndim)[0], norm_dims(dim1, a.ndim)[0]
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


def _permute(xp, a, dims):
    if len(dims) != a.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    axes = [norm_dims(d, a.ndim)[0] for d in dims] if a.ndim else []
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


public(permute)


def _squeeze(xp, a, dim=None):
    if dim is None:
        return a.reshape(tuple(s for s in a.shape if s != 1))
    dims = norm_dims(dim, a.ndim) or ()
    if a.ndim == 0:
        return a.view()
    keep = tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1))
    return a.reshape(keep)


def _squeeze_backward(grad, a, out, dim=None):
    return grad.reshape(a.shape)


_SQUEEZE0 = register("_squeeze", _squeeze, _squeeze_backward, view=True, node="SqueezeBackward0",
                     method=False, function=False)
_SQUEEZE1 = register("_squeeze_dim", _squeeze, _squeeze_backward, view=True, node="SqueezeBackward1",
                     method=False, function=False)
_SQUEEZE2 = register("_squeeze_dims", _squeeze, _squeeze_backward, view=True, node="SqueezeBackward2",
                     method=False, function=False)


def squeeze(input, dim=None):
    """Removes dimensions of size 1 (all, or those named in ``dim``)."""
    if dim is None:
        return call(_SQUEEZE0, (input,), {})
    return call(_SQUEEZE1 if isinstance(dim, int) else _SQUEEZE2, (input, dim), {})


def _squeeze_(self, dim=None):
    return _reshape_inplace(self, squeeze(self.detach(), dim).shape)


def _unsqueeze(xp, a, dim):
    d = norm_dims(dim, a.ndim + 1)[0]
    return xp.expand_dims(a, d)


register("unsqueeze", _unsqueeze, lambda g, a, out, dim: g.squeeze(dim), view=True)


def _unsqueeze_(self, dim):
    return _reshape_inplace(self, unsqueeze_shape(self.shape, dim))


def unsqueeze_shape(shape, dim):
    d = norm_dims(dim, len(shape) + 1)[0]
    return tuple(shape[:d]) + (1,) + tuple(shape[d:])


def _reshape_inplace(self, shape):
    """squeeze_/unsqueeze_/t_/transpose_: change this tensor's own shape metadata, as torch does."""
    from ._registry import check_inplace
    check_inplace(self)
    self._data = np.reshape(self._data, shape, copy=False) if type(self._data) is np.ndarray else \
        self._data.reshape(shape)
    return self


public(squeeze, inplace=_squeeze_)
Tensor.unsqueeze_ = _unsqueeze_


def flatten(input, start_dim=0, end_dim=-1):
    """Flattens dims ``start_dim`` through ``end_dim`` into one."""
    nd = input.ndim
    if nd == 0:
        return input.reshape(1)
    s, e = norm_dims(start_dim, nd)[0], norm_dims(end_dim, nd)[0]
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return input.reshape(tuple(shape[:s]) + (n,) + tuple(shape[e + 1:]))


public(flatten)


# ---------------------------------------------------------------------------------------- copies

def _clone(xp, a, *, memory_format=None):
    return a.copy(order="K") if a.ndim else a.copy()


register("clone", _clone, lambda g, a, out, **kw: g)


def contiguous(self, memory_format=None):
    """This tensor if already contiguous, otherwise a contiguous copy."""
    if self.is_contiguous() and memory_format is None:
        return self
    return call(_CONTIG, (self,), {})


_CONTIG = register("_contiguous", lambda xp, a: xp.ascontiguousarray(a), lambda g, a, out: g,
                   node="CloneBackward0", method=False, function=False)
Tensor.contiguous = contiguous


def _cat(xp, *arrays, dim=0):
    arrays = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or list(arrays[:1])
    nd = arrays[0].ndim
    if nd == 0:
        raise RuntimeError(f"zero-dimensional tensor (at position 0) cannot be concatenated")
    d = norm_dims(dim, nd)[0]
    for i, a in enumerate(arrays):
        if a.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {a.ndim}")
        for k in range(nd):
            if k != d and a.shape[k] != arrays[0].shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{arrays[0].shape[k]} but got size {a.shape[k]} for tensor number {i} in "
                                   "the list.")
    return xp.concatenate(arrays, axis=d)


def _cat_backward(grad, *metas_out, dim=0):
    metas = metas_out[:-1]
    nd = max(len(m.shape) for m in metas)
    d = norm_dims(dim, nd)[0]
    grads, start = [], 0
    for m in metas:
        if len(m.shape) != nd:
            grads.append(None)
            continue
        n = m.shape[d]
        grads.append(grad.narrow(d, start, n))
        start += n
    return grads


_CAT = register("cat", _cat, _cat_backward, listin=True, promote=DEFAULT, method=False, function=False)


def cat(tensors, dim=0, *, out=None):
    """Concatenates ``tensors`` along an existing dimension ``dim``."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"cat(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    kw = {"dim": dim}
    if out is not None:
        kw["out"] = out
    return call(_CAT, (tensors,), kw)


def _stack(xp, *arrays, dim=0):
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        first = arrays[0].shape
        for i, a in enumerate(arrays):
            if a.shape != first:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"[{', '.join(map(str, first))}] at entry 0 and [{', '.join(map(str, a.shape))}] "
                                   f"at entry {i}")
    d = norm_dims(dim, arrays[0].ndim + 1)[0]
    return xp.stack(arrays, axis=d)


def _stack_backward(grad, *metas_out, dim=0):
    d = norm_dims(dim, grad.ndim)[0]
    return grad.unbind(d)


_STACK = register("stack", _stack, _stack_backward, listin=True, promote=DEFAULT, method=False, function=False)


def stack(tensors, dim=0, *, out=None):
    """Stacks equally-shaped ``tensors`` along a new dimension ``dim``."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"stack(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    kw = {"dim": dim}
    if out is not None:
        kw["out"] = out
    return call(_STACK, (tensors,), kw)


public(cat, method=False)
public(stack, method=False)
FUNCTIONS["concat"] = FUNCTIONS["concatenate"] = cat


# ---------------------------------------------------------------------------------------- slicing views

def _narrow(xp, a, dim, start, length):
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = norm_dims(dim, a.ndim)[0]
    n = a.shape[d]
    if isinstance(start, Tensor):
        start = start.item()
    if start < -n or start > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    start = start % n if start < 0 else start
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = [slice(None)] * a.ndim
    idx[d] = slice(start, start + length)
    return a[tuple(idx)]


def _narrow_backward(grad, a, out, dim, start, length):
    d = norm_dims(dim, len(a.shape))[0]
    start = start % a.shape[d] if start < 0 else start
    return _pad_back(grad, a, d, start, a.shape[d] - start - length)


def _pad_back(grad, a, d, before, after):
    from . import creation
    parts = []
    shape = list(a.shape)
    if before:
        shape[d] = before
        parts.append(creation.zeros(shape, dtype=grad.dtype, device=grad.device))
    parts.append(grad)
    if after:
        shape[d] = after
        parts.append(creation.zeros(shape, dtype=grad.dtype, device=grad.device))
    return cat(parts, d) if len(parts) > 1 else grad


register("narrow", _narrow, _narrow_backward, view=True, node="SliceBackward0")


def _select(xp, a, dim, index):
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dims(dim, a.ndim)[0]
    n = a.shape[d]
    if index < -n or index >= n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, a.shape))}] at dimension {d}")
    idx = [slice(None)] * a.ndim
    idx[d] = index
    return a[tuple(idx)]


def _select_backward(grad, a, out, dim, index):
    d = norm_dims(dim, len(a.shape))[0]
    index = index % a.shape[d]
    return _pad_back(grad.unsqueeze(d), a, d, index, a.shape[d] - index - 1)


register("select", _select, _select_backward, view=True)


def _unbind(xp, a, dim=0):
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = norm_dims(dim, a.ndim)[0]
    return tuple(xp.moveaxis(a, d, 0))


def _unbind_backward(grads, a, out, dim=0):
    return stack(grads, dim)


def unbind(input, dim=0):
    """Removes dimension ``dim``, returning a tuple of views along it."""
    n = input.shape[norm_dims(dim, input.ndim)[0]] if input.ndim else 0
    op = _UNBIND.get(n)
    if op is None:
        op = _UNBIND[n] = register("unbind", _unbind, _unbind_backward, view=True, n_out=n, method=False,
                                   function=False)
    return call(op, (input, dim), {})


_UNBIND = {}
public(unbind)


def _split_sizes(n, split_size):
    if isinstance(split_size, int):
        if split_size <= 0 and not (split_size == 0 and n == 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        return [min(split_size, n - i) for i in range(0, n, split_size)] or [0]
    sizes = list(split_size)
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension 0), but got split_sizes={sizes}")
    return sizes


def split(tensor, split_size_or_sections, dim=0):
    """Splits into chunks of ``split_size`` (or of the given sizes) along ``dim``: views."""
    d = norm_dims(dim, tensor.ndim)[0]
    sizes = _split_sizes(tensor.shape[d], split_size_or_sections)
    out, start = [], 0
    for s in sizes:
        out.append(tensor.narrow(d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    """Splits into ``chunks`` pieces (the last may be smaller) along ``dim``."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = norm_dims(dim, input.ndim)[0]
    n = input.shape[d]
    size = -(-n // chunks) if n else 0
    return split(input, size if size else 1, d) if n else split(input, 0, d)


public(split)
public(chunk)
