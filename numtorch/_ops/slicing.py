"""Slicing and reordering: narrow, select, unbind, split family, flip, roll, rot90, repeat, tile,
repeat_interleave, tril/triu, and the scatters that invert the slicing views."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._registry import FUNCTIONS, _camel, call, register, tensor_method
from . import limited
from .pointwise import public
from .reduction import norm_dims
from .layouts import empty_preserving
from .shape import _dim, _lst, cat, size_args, stack


# ---------------------------------------------------------------------------------------- slicing views

def _narrow(xp, a, dim, start, length):
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, a.ndim)
    n = a.shape[d]
    if start < -n or start > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    start = start % n if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = [slice(None)] * a.ndim
    idx[d] = slice(start, start + length)
    return a[tuple(idx)]


def _narrow_backward(grad, a, out, dim, start, length):
    d = _dim(dim, len(a.shape))
    start = start % a.shape[d] if start < 0 else start
    return pad_dim(grad, a.shape, d, start, a.shape[d] - start - length)


def pad_dim(grad, shape, d, before, after):
    """``grad`` with zeros ``before``/``after`` it along dim ``d`` (the adjoint of a slice)."""
    if not before and not after:
        return grad
    parts = []
    shape = list(shape)
    for n, keep in ((before, True), (0, False), (after, True)):
        if not keep:
            parts.append(grad)
        elif n:
            shape[d] = n
            parts.append(grad.new_zeros(shape))
    return cat(parts, d)


_NARROW = register("narrow", _narrow, _narrow_backward, view=True, node="SliceBackward0", method=False,
                   function=False)


def narrow(input, dim, start, length):
    """A view of ``length`` elements of dim ``dim`` from ``start``."""
    return call(_NARROW, (input, dim, start.__index__(), length.__index__()), {})


_NARROW_COPY = register("_narrow_copy", lambda xp, a, *args: _narrow(xp, a, *args).copy(), _narrow_backward,
                        node="NarrowCopyBackward0", method=False, function=False)


def narrow_copy(input, dim, start, length):
    """A copy of ``input.narrow(dim, start, length)``."""
    return call(_NARROW_COPY, (input, dim, start.__index__(), length.__index__()), {})


public(narrow)
public(narrow_copy)


def _select(xp, a, dim, index):
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, a.ndim)
    n = a.shape[d]
    if index < -n or index >= n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {_lst(a.shape)} at "
                         f"dimension {d}")
    idx = [slice(None)] * a.ndim
    idx[d] = index
    # The trailing Ellipsis keeps a 0-d result a view (NumPy would return a scalar copy).
    return a[tuple(idx) + (Ellipsis,)]


def _select_backward(grad, a, out, dim, index):
    d = _dim(dim, len(a.shape))
    index = index % a.shape[d]
    return pad_dim(grad.unsqueeze(d), a.shape, d, index, a.shape[d] - index - 1)


SELECT = register("_select", _select, _select_backward, view=True, node="SelectBackward0", method=False,
                  function=False)


def select(input, dim, index):
    """The slice at ``index`` of dim ``dim``, with that dim removed (a view)."""
    return call(SELECT, (input, dim, index.__index__()), {})


public(select)


def _multi(table, name, fwd, bwd, n, node):
    op = table.get(n)
    if op is None:
        op = table[n] = register(name, fwd, bwd, view=True, n_out=n, node=node, method=False, function=False)
    return op


def _as_single_views(outs, src, kind, op, args):
    """Outputs of a multi-view op replay as single views, and remember where they came from."""
    outs = outs if isinstance(outs, tuple) else (outs,)
    for o, a in zip(outs, args):
        if o._base is not None:
            o._view_src = (src, op, a, {})
            o._multi_view = kind
    return outs


def _one_or_tuple(parts):
    # A single-output op returns its array itself (the registry wraps one output).
    return parts[0] if len(parts) == 1 else tuple(parts)


def _unbind(xp, a, dim=0):
    return _one_or_tuple(list(xp.moveaxis(a, dim, 0)))


def _unbind_backward(grads, a, out, dim=0):
    return stack([grads] if isinstance(grads, Tensor) else grads, dim)


_UNBIND = {}


def unbind(input, dim=0):
    """Removes dimension ``dim``, returning a tuple of views along it."""
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _dim(dim, input.ndim)
    n = input.shape[d]
    outs = call(_multi(_UNBIND, "unbind", _unbind, _unbind_backward, n, "UnbindBackward0"), (input, d), {})
    return _as_single_views(outs, input, "Unbind", SELECT, [(d, i) for i in range(n)])


public(unbind)


def _split_fwd(xp, a, sizes, dim):
    bounds = np.cumsum(sizes)[:-1].tolist()
    return _one_or_tuple(xp.split(a, bounds, axis=dim))


def _split_backward(grads, a, out, sizes, dim):
    return grads if isinstance(grads, Tensor) else cat(grads, dim)


_SPLIT = {}
_SPLIT_SIZES = {}


def _split_views(tensor, sizes, d, table, node):
    name = "split" if node == "SplitBackward0" else "split_with_sizes"
    op = _multi(table, name, _split_fwd, _split_backward, len(sizes), node)
    outs = call(op, (tensor, tuple(sizes), d), {})
    starts = np.cumsum([0] + list(sizes[:-1])).tolist()
    return _as_single_views(outs, tensor, "Split", _NARROW, [(d, s, n) for s, n in zip(starts, sizes)])


def split_sizes(n, size):
    """Chunk sizes of torch's split(int): all ``size`` except a smaller last one (one chunk at least)."""
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if n == 0:
        return [0]
    return [min(size, n - i) for i in range(0, n, size)]


def split(tensor, split_size_or_sections, dim=0):
    """Splits into chunks of ``split_size`` (or of the given sizes) along ``dim``: views."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [s.__index__() for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               "tensor's size "
                               f"at dimension {d}), but got split_sizes={_lst(sizes)}")
        return _split_views(tensor, sizes, d, _SPLIT_SIZES, "SplitWithSizesBackward0")
    sizes = split_sizes(n, split_size_or_sections.__index__())
    return _split_views(tensor, sizes, d, _SPLIT, "SplitBackward0")


def split_with_sizes(input, split_sizes, dim=0):
    """Splits into pieces of the given sizes along ``dim``: views."""
    return split(input, list(split_sizes), dim)


def chunk(input, chunks, dim=0):
    """Splits into ``chunks`` pieces (the last may be smaller) along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _dim(dim, input.ndim)
    n = input.shape[d]
    if n == 0:
        return _split_views(input, [0] * chunks, d, _SPLIT_SIZES, "SplitWithSizesBackward0")
    return split(input, -(-n // chunks), d)


def _sections(tensor, indices_or_sections):
    if isinstance(indices_or_sections, Tensor):
        t = indices_or_sections
        if t.dtype._cat != _dtype.INT or t.dtype is _dtype.bool or t.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have integer dtype "
                               "and be "
                               f"a 0-D or 1-D tensor, but got a tensor with dtype {t.dtype} and "
                               f"{t.ndim} dims")
        return t.item() if t.ndim == 0 else t.tolist()
    if isinstance(indices_or_sections, (list, tuple)):
        return [i.__index__() for i in indices_or_sections]
    return indices_or_sections.__index__()


def tensor_split(input, indices_or_sections, dim=0):
    """Splits into views by a number of sections or at the given indices along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor "
                           "with 0 dims")
    d = _dim(dim, input.ndim)
    n = input.shape[d]
    spec = _sections(input, indices_or_sections)
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        q, r = divmod(n, spec)
        sizes = [q + 1] * r + [q] * (spec - r)
        starts = np.cumsum([0] + sizes[:-1]).tolist()
        return tuple(narrow(input, d, s, k) for s, k in zip(starts, sizes))
    bounds = [0] + spec + [n]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        a, b, _ = slice(a, b).indices(n)
        out.append(narrow(input, d, a, max(b - a, 0)))
    return tuple(out)


def _dir_split(input, spec, dim, name, min_dim):
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got "
                           "a tensor "
                           f"with {input.ndim} dimensions!")
    if isinstance(spec, int):
        n = input.shape[dim]
        if spec == 0 or n % spec:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {n} is not divisible by the split_size {spec}!")
    return tensor_split(input, spec, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-D inputs)."""
    return _dir_split(input, indices_or_sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    """``tensor_split`` along dim 0 of an at least 2-D tensor."""
    return _dir_split(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    """``tensor_split`` along dim 2 of an at least 3-D tensor."""
    return _dir_split(input, indices_or_sections, 2, "dsplit", 3)


for _fn in (split, split_with_sizes, chunk, tensor_split, hsplit, vsplit, dsplit):
    public(_fn)


# ---------------------------------------------------------------------------------------- reordering copies

def _flip(xp, a, dims):
    axes = norm_dims(dims, a.ndim) or ()
    limited.check_flip(a, axes)
    return xp.flip(a, axes).copy(order="K") if a.ndim and axes else a.copy()


_FLIP = register("flip", _flip, lambda g, a, out, dims: g.flip(dims), method=False, function=False)


def flip(input, dims):
    """A copy with the order of elements reversed along ``dims``."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    return call(_FLIP, (input, size_args((dims,))), {})


def _flip_method(self, *dims):
    return call(_FLIP, (self, size_args(dims)), {})


def fliplr(input):
    """Flips left/right (dim 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Flips up/down (dim 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll(xp, a, shifts, dims):
    if not dims:
        return xp.roll(a.reshape(-1), shifts[0]).reshape(a.shape)
    axes = [_dim(d, a.ndim) for d in dims]
    return xp.ascontiguousarray(xp.roll(a, shifts, axes))


def _roll_backward(grad, a, out, shifts, dims):
    return grad.roll([-s for s in shifts], dims)


_ROLL = register("roll", _roll, _roll_backward, method=False, function=False)


def roll(input, shifts, dims=None):
    """Rolls elements along ``dims`` by ``shifts`` (over the flattened tensor when ``dims`` is None)."""
    shifts = [shifts] if isinstance(shifts, int) else list(shifts)
    dims = [] if dims is None else [dims] if isinstance(dims, int) else list(dims)
    if not dims and len(shifts) != 1 or dims and len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return call(_ROLL, (input, tuple(shifts), tuple(dims)), {})


def _rot90(xp, a, k, dims):
    d0, d1 = _dim(dims[0], a.ndim), _dim(dims[1], a.ndim)
    k %= 4
    if k == 0:
        return xp.ascontiguousarray(a).copy()
    if k == 2:
        limited.check_flip(a, (d0, d1))
        return xp.flip(a, (d0, d1)).copy(order="K")
    limited.check_flip(a, (d1 if k == 1 else d0,))
    flipped = xp.flip(a, d1 if k == 1 else d0).copy(order="K")
    return xp.swapaxes(flipped, d0, d1)


_ROT90 = register("rot90", _rot90, lambda g, a, out, k, dims: g.rot90(-k, dims), method=False, function=False)


def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90 degrees ``k`` times in the plane of ``dims``."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    if _dim(dims[0], input.ndim) == _dim(dims[1], input.ndim):
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    return call(_ROT90, (input, k, dims), {})


for _fn in (flip, fliplr, flipud, roll, rot90):
    public(_fn)
Tensor.flip = _flip_method


# ---------------------------------------------------------------------------------------- repeats

def _repeat(xp, a, sizes):
    lead = len(sizes) - a.ndim
    return xp.ascontiguousarray(xp.tile(a.reshape((1,) * lead + a.shape), sizes))


def _repeat_backward(grad, a, out, sizes):
    shape = (1,) * (len(sizes) - len(a.shape)) + tuple(a.shape)
    split = []
    for r, s in zip(sizes, shape):
        split += [r, s]
    summed = grad.reshape(split).sum(tuple(range(0, 2 * len(sizes), 2))) if grad.numel() else None
    if summed is None:
        return grad.new_zeros(a.shape)
    return summed.reshape(a.shape)


_REPEAT = register("repeat", _repeat, _repeat_backward, method=False, function=False)


def repeat(self, *sizes):
    """Repeats this tensor along each dimension ``sizes`` times (a copy)."""
    sizes = size_args(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of "
                           "tensor")
    for s in sizes:
        if s < 0:
            shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{_lst([a * b for a, b in zip(sizes, shape)])}")
    return call(_REPEAT, (self, sizes), {})


def tile(input, dims):
    """Repeats ``input`` (``dims`` padded with leading ones to its rank)."""
    dims = size_args((dims,))
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


Tensor.repeat = repeat
public(tile)


def _ri_tensor(xp, a, reps, dim):
    return xp.repeat(a, reps, axis=dim)


def _ri_tensor_backward(grad, a, reps, out, dim):
    from .creation import tensor
    xp = reps._xp
    owner = xp.repeat(xp.arange(len(reps._data)), reps._data)
    onehot = xp.equal(owner[:, None], xp.arange(len(reps._data))[None, :]).astype(grad._data.dtype)
    g = grad.movedim(dim, -1).matmul(tensor(onehot, device=grad.device))
    return g.movedim(-1, dim), None


_RI = register("_repeat_interleave_tensor", _ri_tensor, _ri_tensor_backward, nin=2, save=(1,),
               node="IndexSelectBackward0", method=False, function=False)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element ``repeats`` times (along ``dim``, or over the flattened input)."""
    if repeats is None:
        return _repeat_counts(input)
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = _dim(dim, input.ndim)
    if isinstance(repeats, Tensor):
        n = input.shape[d] if input.ndim else 1
        if repeats.numel() == 1 and n != 1:
            repeats = repeats.reshape(1).expand(n)
        return call(_RI, (input, _check_repeats(repeats, n), d), {})
    r = repeats.item() if isinstance(repeats, Tensor) else repeats.__index__()
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    if input.ndim == 0:
        return input.reshape(1).expand(r).clone()
    shape = list(input.shape)
    shape.insert(d + 1, r)
    return input.unsqueeze(d + 1).expand(shape).clone(memory_format=_contig()).flatten(d, d + 1)


def _contig():
    from .. import contiguous_format
    return contiguous_format


def _check_repeats(repeats, n):
    if repeats.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if repeats.numel() != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{repeats.numel()} and input.size(0) = {n}")
    if repeats.numel() and bool((repeats._data < 0).any()):
        raise RuntimeError("repeats can not be negative")
    return repeats


def _repeat_counts(repeats):
    from .creation import tensor
    if repeats.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError("repeats has to be Long or Int tensor")
    xp = repeats._xp
    return tensor(xp.repeat(xp.arange(repeats.numel()), repeats._data), dtype=repeats.dtype)


public(repeat_interleave)


# ---------------------------------------------------------------------------------------- triangles

def _tri(fn):
    def fwd(xp, a, diagonal=0):
        if a.ndim < 2:
            raise RuntimeError(f"{fn}: input tensor must have at least 2 dimensions")
        return xp.ascontiguousarray(getattr(xp, fn)(a, diagonal))
    return fwd


register("tril", _tri("tril"), lambda g, a, out, diagonal=0: g.tril(diagonal), inplace=True)
register("triu", _tri("triu"), lambda g, a, out, diagonal=0: g.triu(diagonal), inplace=True)


# ---------------------------------------------------------------------------------------- view scatters

def _layout_like(xp, a):
    # The result has the layout of torch's clone of the input.
    return empty_preserving(xp, a) if a.ndim else xp.empty((), a.dtype)


def _embed(xp, a, src, sel, grad_sel=None):
    flat = xp.array(a, order="C", copy=True).reshape(-1)
    flat[xp.asarray(sel).reshape(-1)] = src.reshape(-1).astype(a.dtype)
    out = _layout_like(xp, a)
    out[...] = flat.reshape(a.shape)
    return out


def _embed_op(name):
    """Register ``name``: ``input`` with the elements at the flat positions ``sel`` replaced by ``src``."""
    def backward(grad, a, src, out, sel, grad_sel=None):
        # grad_sel: where the source's gradient is read when it differs from sel (as_strided addresses
        # the incoming gradient's own contiguous memory, as torch's derivative does).
        from .creation import tensor
        g_self = call(op, (grad, grad.new_zeros(()).expand(sel.shape), sel), {})
        take = sel if grad_sel is None else grad_sel
        g_src = grad.reshape(-1)[tensor(take.reshape(-1))].reshape(src.shape).to(src.dtype)
        return g_self, g_src
    op = register("_" + name, _embed, backward, nin=2, save=(1,), node=_camel(name) + "Backward0",
                  method=False, function=False)
    return op


def _positions(shape, view):
    """Flat (row-major) positions of the elements that ``view(grid)`` picks out of a tensor of ``shape``."""
    n = 1
    for s in shape:
        n *= s
    return np.array(view(np.arange(n, dtype=np.int64).reshape(shape)), copy=True)


def _check_src(src, sel):
    if tuple(src.shape) != sel.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{_lst(src.shape)}, slice size = {_lst(sel.shape)}")


def _scatter_into_view(op, input, src, view):
    sel = _positions(tuple(input.shape), view)
    _check_src(src, sel)
    return call(op, (input, src, sel), {})


_SELECT_SCATTER = _embed_op("select_scatter")
_SLICE_SCATTER = _embed_op("slice_scatter")
_DIAGONAL_SCATTER = _embed_op("diagonal_scatter")
_AS_STRIDED_SCATTER = _embed_op("as_strided_scatter")


def select_scatter(input, src, dim, index):
    """Embeds ``src`` into a copy of ``input`` at ``index`` along ``dim`` (the inverse of select)."""
    return _scatter_into_view(_SELECT_SCATTER, input, src, lambda g: _select(np, g, dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """Embeds ``src`` into a copy of ``input`` at the slice ``start:end:step`` of ``dim``."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _dim(dim, input.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into_view(_SLICE_SCATTER, input, src, lambda g: g[key])


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """Embeds ``src`` into a copy of ``input`` along the diagonal ``offset`` of ``dim1``/``dim2``."""
    return _scatter_into_view(_DIAGONAL_SCATTER, input, src,
                              lambda g: FUNCTIONS["diagonal"](Tensor._wrap(g), offset, dim1, dim2)._data)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """Embeds ``src`` into a copy of ``input`` where ``input.as_strided(size, stride, offset)`` looks."""
    size, stride = size_args((size,)), size_args((stride,))
    base = input.storage_offset()
    offset = base if storage_offset is None else storage_offset.__index__()
    FUNCTIONS["as_strided"](input, size, stride, offset)  # torch's geometry checks
    # The geometry addresses the memory of input's clone: map memory positions to row-major ones.
    logical = np.empty_like(_layout_like(np, np.asarray(input._data)), dtype=np.int64)
    logical[...] = np.arange(logical.size, dtype=np.int64).reshape(logical.shape)
    by_memory = logical.ravel(order="K")
    pos = np.full(size, offset - base, dtype=np.int64)
    for k, (n, st) in enumerate(zip(size, stride)):
        pos += (np.arange(n, dtype=np.int64) * st).reshape((-1,) + (1,) * (len(size) - k - 1))
    if pos.size and (pos.min() < 0 or pos.max() >= by_memory.size):
        raise RuntimeError(f"as_strided_scatter: sizes {_lst(size)}, strides {_lst(stride)} and storage "
                           f"offset {offset} reach outside the input tensor")
    sel = by_memory[pos]
    _check_src(src, sel)
    return call(_AS_STRIDED_SCATTER, (input, src, sel, pos), {})


for _fn in (select_scatter, slice_scatter, diagonal_scatter, as_strided_scatter):
    public(_fn)


def fill_diagonal_(self, fill_value, wrap=False):
    """Fills the main diagonal (all indices equal) with ``fill_value``; ``wrap`` continues a tall matrix's
    diagonal every ``ncols + 1`` rows."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    height, width = self.shape[0], self.shape[1]
    if self.ndim > 2 and any(s != height for s in self.shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    # Diagonal views (not as_strided) so that autograd's CopySlices maps the filled positions exactly.
    diag = self
    for _ in range(self.ndim - 1):
        diag = diag.diagonal(0, 0, 1)
    diag.fill_(fill_value)
    if wrap and self.ndim == 2 and height > width + 1:
        # torch's wrapped diagonal restarts every ncols + 1 rows.
        self[width + 1:].fill_diagonal_(fill_value, wrap=True)
    return self


def nonzero_static(input, *, size, fill_value=-1):
    """The first ``size`` rows of ``nonzero(input)``, padded with ``fill_value`` rows."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got size={size}")
    idx = FUNCTIONS["nonzero"](input)
    n = idx.shape[0]
    if n >= size:
        return idx[:size].clone()
    pad = FUNCTIONS["full"]((size - n, max(input.ndim, idx.shape[1])), fill_value, dtype=idx.dtype)
    return FUNCTIONS["cat"]([idx, pad])


tensor_method(fill_diagonal_)
public(nonzero_static)
