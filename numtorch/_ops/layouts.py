"""Memory layouts: torch's memory formats (contiguous, channels-last) and the strides its copies and kernels
give their results (preserve-format copies, suggested formats, the gradient layout contract)."""
import math

import numpy as np


def dense(a):
    """Whether ``a`` is non-overlapping and dense (a permutation of a contiguous layout)."""
    dims = sorted((abs(s), n) for n, s in zip(a.shape, a.strides) if n != 1)
    expected = a.itemsize
    for s, n in dims:
        if s != expected:
            return False
        expected *= n
    return True


def empty_preserving(xp, a, np_dtype=None):
    """An empty array shaped like ``a`` with the strides torch's preserve_format gives: ``a``'s own when it
    is dense, else dense strides in ``a``'s stride order (dims of stride 0 keep their row-major place)."""
    np_dtype = a.dtype if np_dtype is None else np_dtype
    if a.size and a.flags.c_contiguous and 1 not in a.shape:
        return xp.empty(a.shape, np_dtype)
    if a.size == 0 or dense(a):
        return _dense_like(xp, a, np_dtype)
    strides, sizes = a.strides, a.shape
    # a larger stride (or, equal, a larger size) goes outward; a stride of 0 compares as equal, so
    # broadcast dims keep their row-major place
    perm = sort_dims(a.ndim, lambda d0, d1: _swap(sizes, (strides,), d0, d1))
    out = [0] * a.ndim
    step = 1
    for d in perm:
        out[d] = step
        step *= max(sizes[d], 1)
    isz = np.dtype(np_dtype).itemsize
    return strided_empty(xp, sizes, tuple(s * isz for s in out), np_dtype)


def strided_empty(xp, shape, strides, np_dtype):
    """An empty array of ``shape`` with the given byte strides (dense: one buffer of its size)."""
    buf = xp.empty(math.prod(shape), np_dtype)
    if xp is np:
        # a plain ndarray over buf (not as_strided's wrapper), so that storage() finds the buffer
        return np.ndarray(shape, np_dtype, buffer=buf, strides=strides)
    return xp.lib.stride_tricks.as_strided(buf, shape, strides)


def _dense_like(xp, a, np_dtype):
    out = xp.empty_like(a, dtype=np_dtype, order="K")
    want = a.strides if out.itemsize == a.itemsize else tuple(s // a.itemsize * out.itemsize for s in a.strides)
    if out.strides == want or min(want, default=0) < 0:
        return out
    # NumPy renumbers the strides of size-1 dims; torch keeps them (they tell channels-last from not)
    return strided_empty(xp, a.shape, want, np_dtype)


# ---------------------------------------------------------------------------------------- memory formats

_RANK = {"channels_last": 4, "channels_last_3d": 5}
_LAST = {4: ((0, 2, 3, 1), (0, 3, 1, 2)), 5: ((0, 2, 3, 4, 1), (0, 4, 1, 2, 3))}
_ORDER = {4: (1, 3, 2, 0), 5: (1, 4, 3, 2, 0)}


def check_format(name, memory_format, arg="memory_format", optional=True):
    """``memory_format`` (a torch.memory_format, or None where ``optional``), or torch's TypeError."""
    from .. import memory_format as fmt
    if (memory_format is not None or not optional) and not isinstance(memory_format, fmt):
        raise TypeError(f"{name}(): argument '{arg}' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")
    return memory_format


def suggest_format(shape, strides):
    """torch's suggest_memory_format: "channels_last" / "channels_last_3d" when the strides read as that
    layout (ambiguous ones, like size-1 channels at the smallest stride, read as contiguous), else None."""
    order = _ORDER.get(len(shape))
    if order is None or strides[1] == 0:
        return None
    least = 0
    for d in order:
        n, s = shape[d], strides[d]
        if n == 0 or s < least or (d == 0 and least == strides[1]):
            return None
        least = s * n if n > 1 else s
    return "channels_last" if len(shape) == 4 else "channels_last_3d"


def format_strides(shape, name):
    """The strides (in elements) of a fresh tensor of ``shape`` in memory format ``name``."""
    nd = len(shape)
    last = name in _RANK
    out, step = [0] * nd, 1
    for d in _ORDER[nd] if last else range(nd - 1, -1, -1):
        out[d] = step
        # torch's channels-last strides multiply sizes of 0 in as they are; contiguous ones count them as 1
        step *= shape[d] if last else max(shape[d], 1)
    return tuple(out)


def has_format(a, name):
    """Whether array ``a`` has exactly torch's strides for memory format ``name`` (None: contiguous)."""
    if name is None:
        if a.flags.c_contiguous and 1 not in a.shape:
            return True
        name = "contiguous_format"
    return a.strides == tuple(s * a.itemsize for s in format_strides(a.shape, name))


def c_order(xp, a):
    """``a`` with the strides of a fresh contiguous tensor, size-1 dims' included (copied when it is not
    row-major; re-strided, without a copy, when only size-1 strides differ)."""
    if a.ndim < 2:
        return a
    if not a.flags.c_contiguous:
        return xp.ascontiguousarray(a)
    if 1 in a.shape and not has_format(a, None):
        strides = tuple(s * a.itemsize for s in format_strides(a.shape, "contiguous_format"))
        return xp.lib.stride_tricks.as_strided(a, a.shape, strides)
    return a


def empty_format(xp, shape, np_dtype, name):
    """An empty array in memory format ``name`` ("contiguous_format", "channels_last", ...), with torch's
    strides; a wrong rank raises torch's error."""
    nd = len(shape)
    if name == "contiguous_format":
        return xp.empty(shape, np_dtype)
    if name not in _RANK:
        raise RuntimeError(f"unsupported memory format {_camel_format(name)}")
    if nd != _RANK[name]:
        raise RuntimeError(f"required rank {_RANK[name]} tensor to use {name} format")
    if 0 in shape:
        # NumPy zeroes an empty array's strides: set torch's
        isz = np.dtype(np_dtype).itemsize
        return strided_empty(xp, shape, tuple(s * isz for s in format_strides(shape, name)), np_dtype)
    to, back = _LAST[nd]
    return xp.empty(tuple(shape[d] for d in to), np_dtype).transpose(back)


def format_named(name):
    """The torch.memory_format object called ``name``."""
    from .. import channels_last, channels_last_3d, contiguous_format, preserve_format
    return {f.name: f for f in (channels_last, channels_last_3d, contiguous_format, preserve_format)}[name]


def _camel_format(name):
    return {"preserve_format": "Preserve", "contiguous_format": "Contiguous"}.get(name, name)


def like_format(xp, a, memory_format, np_dtype=None):
    """An empty array for ``a`` in ``memory_format`` (None means preserve), as torch's empty_like."""
    np_dtype = a.dtype if np_dtype is None else np_dtype
    if memory_format is None or memory_format.name == "preserve_format":
        return empty_preserving(xp, a, np_dtype)
    return empty_format(xp, a.shape, np_dtype, memory_format.name)


def in_format(xp, a, name):
    """``a`` itself when it has torch's strides for memory format ``name`` (None: contiguous), else a copy
    that has them."""
    if has_format(a, name):
        return a
    out = empty_format(xp, a.shape, a.dtype, name or "contiguous_format")
    out[...] = a
    return out


def grad_copy(xp, g, v, steal=True):
    """A fresh copy of gradient ``g`` for leaf ``v``, laid out as torch's AccumulateGrad lays out ``.grad``
    (its gradient layout contract): ``v``'s strides if ``v`` is dense, else contiguous. With ``steal``, a
    ``g`` that obeys the contract keeps its own strides, as torch takes such a gradient over as it is."""
    if g.strides == v.strides and g.shape == v.shape and g.flags.c_contiguous:
        return g.copy()
    fits = g.shape == v.shape and v.size and dense(v) and min(v.strides, default=0) >= 0
    if steal and (_obeys(g, v) if fits else g.flags.c_contiguous):
        out = _dense_like(xp, g, g.dtype) if g.ndim else xp.empty((), g.dtype)
    elif fits:
        out = strided_empty(xp, v.shape, tuple(s // v.itemsize * g.itemsize for s in v.strides), g.dtype)
    else:
        out = xp.empty(g.shape, g.dtype)
    out[...] = g
    return out


def _obeys(g, v):
    for n, a, b in zip(g.shape, g.strides, v.strides):
        if (a == 0) if n == 1 else (a != b // v.itemsize * g.itemsize):
            return False
    return True


def keep_layout(xp, r, a):
    """``r``, computed elementwise from ``a``, in the layout torch's elementwise kernels give it: NumPy's
    for a dense ``a``; for a strided one dense strides in ``a``'s order, size-1 dims placed as torch does."""
    if r.strides == a.strides or r.ndim != a.ndim or r.shape != a.shape or dense(a):
        return r
    out = empty_preserving(xp, a, r.dtype)
    if out.strides == r.strides:
        return r
    out[...] = r
    return out


def channels_last_contiguous(shape, strides, name, unit=1):
    """is_contiguous(memory_format=name) from a shape and strides (in units of ``unit``)."""
    nd = _RANK.get(name, 0)
    if len(shape) != nd:
        return False
    expected = unit
    for d in _ORDER[nd]:
        n = shape[d]
        if n != 1 and strides[d] != expected:
            return False
        expected *= n
    return True


def dense_format(a):
    """The memory format an array is contiguous in (contiguous first, as torch checks), or False."""
    if a.flags.c_contiguous:
        return None
    for name in ("channels_last_3d", "channels_last"):
        if channels_last_contiguous(a.shape, a.strides, name, a.itemsize):
            return name
    return False


def cat_format(arrays, geometry=None):
    """torch's output memory format for cat: the one every input's strides suggest, else contiguous
    (``geometry(a)`` gives the (shape, strides) to read instead of the array's own)."""
    fmt = None
    for i, a in enumerate(arrays):
        f = suggest_format(*(geometry(a) if geometry else (a.shape, a.strides)))
        if f is None or (i and f != fmt):
            return None
        fmt = f
    return fmt


# ------------------------------------------------------------------------------------ elementwise results

def sort_dims(nd, compare):
    """torch's dim order, innermost first: an insertion sort from the reversed dims that swaps a pair when
    ``compare(outer, inner)`` is 1, stops at -1 and leaves ties (0) where they are."""
    perm = list(range(nd - 1, -1, -1))
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = compare(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm


def _swap(shape, operands, d0, d1):
    """torch's TensorIterator comparison of two dims: the first operand whose strides differ (broadcast
    dims aside) decides; equal strides put the smaller dim inside."""
    for st in operands:
        s0, s1 = st[d0], st[d1]
        if s0 == 0 or s1 == 0:
            continue
        if s0 < s1:
            return -1
        if s0 > s1 or shape[d0] > shape[d1]:
            return 1
    return 0


def elementwise_result(xp, r, arrays):
    """``r`` (an elementwise result NumPy laid out its own way) with the strides torch's TensorIterator
    gives it: dims ordered by the operands' strides, the first operand deciding where they conflict."""
    shape, nd = r.shape, r.ndim
    operands = []
    for a in arrays:
        if not hasattr(a, "strides") or a.ndim == 0:
            continue
        lead = nd - a.ndim
        operands.append(tuple(0 if i < lead or (a.shape[i - lead] == 1 and shape[i] != 1) else a.strides[i - lead]
                              for i in range(nd)))
    perm = sort_dims(nd, lambda d0, d1: _swap(shape, operands, d0, d1))
    strides, step = [0] * nd, r.itemsize
    for d in perm:
        strides[d] = step
        step *= shape[d]
    strides = tuple(strides)
    if r.strides == strides:
        return r
    out = strided_empty(xp, shape, strides, r.dtype)
    out[...] = r
    return out
