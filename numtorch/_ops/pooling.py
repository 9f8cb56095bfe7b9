"""Pooling: max/avg pooling over strided window views, adaptive pooling, max unpooling, power-average
pooling (each with its derivative, written in tensor ops so double backward works)."""
import itertools
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import FUNCTIONS, call, register
from .indexing import _add_at
from .layouts import empty_format, in_format, suggest_format
from .pointwise import _reject, _upcast, kernel_error
from .shape import to_format


def _f(name):
    return FUNCTIONS[name]


def _shape_x(shape):
    return "x".join(map(str, shape))


def _tup(v, n, what, fn):
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            many = {2: "two", 3: "three"}[n]
            raise RuntimeError(f"{fn}: {what} must either be a single int, or a tuple of {many} ints")
        return tuple(int(x) for x in v)
    return (int(v),) * n


def _strides(stride, kernel, n, fn):
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        return kernel
    return _tup(stride, n, "stride", fn)


def out_len(size, k, s, p, d, ceil):
    """Output length of a pooling window sweep, as torch computes it (ceil_mode drops a last window that
    would start in the right padding)."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    o = span // s + 1
    if ceil and (o - 1) * s >= size + p:
        o -= 1
    return o


def _check_dims(x, n, fn):
    a = x._data
    if a.ndim not in (n + 1, n + 2):
        dims = f"{n + 1}D or {n + 2}D"
        raise RuntimeError(f"non-empty {dims} (batch mode) tensor expected for input")
    if 0 in a.shape[-n - 1:] and a.ndim == n + 2 and 0 in a.shape[1:]:
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(a.shape)}")
    if a.ndim == n + 1 and 0 in a.shape:
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for input")


def _geometry(x, n, kernel_size, stride, padding, dilation, ceil, fn, avg=False):
    k = _tup(kernel_size, n, "kernel_size", fn)
    s = _strides(stride, k, n, fn)
    p = _tup(padding, n, "padding", fn)
    d = _tup(dilation, n, "dilation", fn)
    _check_dims(x, n, fn)
    if min(k) <= 0 and not avg:
        raise RuntimeError(f"kernel size should be greater than zero, but got {_kw('kernel', k)}")
    if min(s) <= 0:
        raise RuntimeError("stride should not be zero")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got {_kw('dilation', d)}")
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p[0] if min(p) == p[0] else min(p)}")
    for pi, ki, di in zip(p, k, d):
        if pi > ki // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pi}, "
                               f"kernel_size={ki} and dilation={di}")
    size = x._data.shape[-n:]
    outs = tuple(out_len(*a, ceil) for a in zip(size, k, s, p, d))
    if min(outs) < 1:
        chans = x._data.shape[-n - 1]
        raise RuntimeError(f"Given input size: ({_shape_x((chans,) + size)}). Calculated output size: "
                           f"({_shape_x((chans,) + outs)}). Output size is too small")
    return k, s, p, d, outs


def _kw(name, vals):
    axes = "THW"[-len(vals):]
    return " ".join(f"{name}{ax}: {v}" for ax, v in zip(axes, vals))


def _padded(xp, a, n, k, s, p, d, outs, fill):
    """``a`` padded on its last ``n`` dims so every window of the sweep lies inside."""
    size = a.shape[-n:]
    need = tuple(max((o - 1) * si + di * (ki - 1) + 1, L + pi) for o, si, di, ki, L, pi
                 in zip(outs, s, d, k, size, p))
    if all(pi == 0 for pi in p) and need == size:
        return a
    buf = xp.full(a.shape[:-n] + need, fill, dtype=a.dtype)
    buf[(Ellipsis,) + tuple(slice(pi, pi + L) for pi, L in zip(p, size))] = a
    return buf


def _windows(xp, a, n, k, s, d, outs):
    """Strided view of shape (*lead, *outs, *k) over the last ``n`` dims of ``a``."""
    st = a.strides[-n:]
    shape = a.shape[:-n] + tuple(outs) + tuple(k)
    strides = a.strides[:-n] + tuple(x * si for x, si in zip(st, s)) + tuple(x * di for x, di in zip(st, d))
    return xp.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)


def _low(dtype):
    if dtype.kind == "f" or dtype.kind == "V":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


# -------------------------------------------------------------------------------------------- max pooling

def _flat_index(xp, n, arg, k, s, p, d, outs, size):
    """Flat input-plane index of each window's chosen element (``arg`` indexes the flattened window)."""
    idx = 0
    rem = arg
    for j in range(n):
        inner = math.prod(k[j + 1:])
        kj = rem // inner
        rem = rem - kj * inner
        shape = [1] * n
        shape[j] = outs[j]
        start = (xp.arange(outs[j], dtype=np.int64) * s[j] - p[j]).reshape(shape)
        idx = idx * size[j] + (start + kj * d[j])
    return idx


def _max_pool_arrays(xp, a, n, k, s, p, d, outs, need_idx=True):
    padded = _padded(xp, a, n, k, s, p, d, outs, _low(a.dtype))
    win = _windows(xp, padded, n, k, s, d, outs)
    offsets = list(itertools.product(*[range(ki) for ki in k]))
    if not need_idx:
        vals = win[(Ellipsis,) + offsets[0]].copy()
        for off in offsets[1:]:
            xp.maximum(vals, win[(Ellipsis,) + off], out=vals)
        return vals, None
    if padded is a and xp is np and a.dtype.kind == "f" and a.size:
        return _max_pool_planes(a, n, k, s, d, outs)
    # One strided pass per kernel offset instead of gathering whole windows: the windows' copy and an
    # argmax over a tiny last axis cost several times more.  Like torch's kernel, a later element wins
    # only if it is strictly larger or NaN, and padding never wins: a window of lowest values reports
    # its first element inside the input.
    vals = xp.full(win.shape[:a.ndim], _low(a.dtype), dtype=a.dtype)
    arg = xp.full(vals.shape, -1, dtype=np.int64)
    upd = xp.empty(vals.shape, dtype=bool)
    floating = a.dtype.kind in "fV"
    inside = _inside(xp, n, k, s, p, d, outs, a.shape[-n:]) if padded is not a else None
    for i, off in enumerate(offsets):
        cand = win[(Ellipsis,) + off]
        xp.greater(cand, vals, out=upd)
        if floating:
            upd |= xp.isnan(cand)
        if inside is None:
            if i == 0:
                upd[...] = True
        else:
            valid = inside(off)
            upd |= arg < 0
            upd &= valid
        xp.copyto(vals, cand, where=upd)
        xp.copyto(arg, i, where=upd)
    return vals, _flat_index(xp, n, arg, k, s, p, d, outs, a.shape[-n:])


def _max_pool_planes(a, n, k, s, d, outs):
    """Max pooling with indices when every window lies inside the input (NumPy floats).

    Each kernel offset's elements are first copied into a contiguous plane, so the comparisons run over
    long contiguous arrays; selections are branch-free (a maximum of candidate offsets, not a masked copy,
    which NumPy runs element by element with a branch on a random mask: 10x slower). The rule is torch's:
    a later element wins if strictly larger or NaN, so ties keep the first and the last NaN wins.
    """
    size = a.shape[-n:]
    lead = a.shape[:-n]
    m = math.prod(outs) * math.prod(lead)
    offsets = list(itertools.product(*[range(ki) for ki in k]))
    planes = np.empty((len(offsets),) + lead + tuple(outs), a.dtype)
    for t, off in enumerate(offsets):
        planes[t] = a[(Ellipsis,) + tuple(slice(o * di, o * di + si * (ni - 1) + 1, si)
                                          for o, di, si, ni in zip(off, d, s, outs))]
    planes = planes.reshape(len(offsets), m)
    strides = [math.prod(size[j + 1:]) for j in range(n)]
    vals = planes[0].copy()
    # flat in-plane offset of the winning element from its window's first one; it grows with the
    # kernel offset, so "take offset t where it wins" is a maximum
    pos = np.zeros(m, np.int32)
    upd, nan, cand = np.empty(m, bool), np.empty(m, bool), np.empty(m, np.int32)
    ties_keep_earlier = _maximum_keeps_second(a.dtype)
    for t in range(1, len(offsets)):
        c = planes[t]
        np.greater(c, vals, out=upd)
        upd |= np.isnan(c, out=nan)
        np.multiply(upd, np.int32(sum(o * di * st for o, di, st in zip(offsets[t], d, strides))), out=cand)
        np.maximum(pos, cand, out=pos)
        # equal values keep the earlier one's bits (+0.0 before -0.0): NumPy's maximum returns its second
        # operand on ties where checked, else the values are read back at the indices below
        np.maximum(c, vals, out=vals)
    start = 0
    for j in range(n):
        shape = [1] * n
        shape[j] = outs[j]
        start = start + (np.arange(outs[j], dtype=np.int64) * (s[j] * strides[j])).reshape(shape)
    idx = np.add(pos.reshape(lead + tuple(outs)), start, dtype=np.int64)
    if not ties_keep_earlier:
        planes_at = np.arange(math.prod(lead), dtype=np.int64).reshape(lead + (1,) * n) * math.prod(size)
        vals = np.take(a.reshape(-1), idx + planes_at)
    return vals.reshape(lead + tuple(outs)), idx


_TIES = {}


def _maximum_keeps_second(dtype):
    """Whether NumPy's maximum returns its second operand when both are zeros (checked once per dtype,
    over lengths covering its vector loop and its scalar tail)."""
    if dtype not in _TIES:
        neg, pos = np.full(67, -0.0, dtype), np.zeros(67, dtype)
        # the way the kernel calls it: in place into the second operand
        _TIES[dtype] = bool(np.all(np.signbit(np.maximum(pos, neg, out=neg.copy())))
                            and not np.any(np.signbit(np.maximum(neg, pos, out=pos.copy()))))
    return _TIES[dtype]


def _inside(xp, n, k, s, p, d, outs, size):
    """For a kernel offset, the mask over output positions whose element lies inside the input."""
    def valid(off):
        mask = True
        for j in range(n):
            pos = xp.arange(outs[j]) * s[j] - p[j] + off[j] * d[j]
            shape = [1] * n
            shape[j] = outs[j]
            mask = mask & ((pos >= 0) & (pos < size[j])).reshape(shape)
        return mask
    return valid


def _given(xp, a, idx, vals, unique=False, fmt=None):
    # The values were computed with their indices before the op was recorded; the op only carries them.
    return vals


def _scatter(grad, shape, idx, n, unique=False):
    """Gradient of a gather at flat plane indices ``idx``: summed into zeros of the input's ``shape``."""
    lead = len(shape) - n
    flat_shape = tuple(shape[:lead]) + (math.prod(shape[lead:]),)
    base = _f("zeros")(flat_shape, dtype=grad.dtype, device=grad.device)
    # Windows that cannot overlap pick distinct elements: a plain scatter (2.5x faster) then suffices.
    put = base.scatter if unique else base.scatter_add
    return put(-1, idx.flatten(lead), grad.flatten(lead)).reshape(shape)


def _scatter_unique(g, shape, idx, n):
    """``_scatter`` on NumPy arrays when the indices never repeat within a plane: one indexed store."""
    lead = math.prod(shape[:-n])
    plane = math.prod(shape[-n:])
    out = np.zeros(lead * plane, g.dtype)
    per = math.prod(idx.shape[len(shape) - n:])
    pos = idx.reshape(lead, per) + (np.arange(lead, dtype=np.int64) * plane)[:, None]
    out[pos] = g.reshape(lead, per)
    return out.reshape(shape)


def _gather_op(n, node):
    def bwd(grad, a, idx, out, vals, unique=False, fmt=None):
        # the input gradient takes the output's memory format ``fmt``
        if unique and type(grad._data) is np.ndarray and not (grad.requires_grad and grad_mode.state.enabled):
            g = _scatter_unique(grad._data, tuple(a.shape), idx._data, n)
            return Tensor._wrap(g if fmt is None else in_format(np, g, fmt)), None
        g = _scatter(grad, a.shape, idx, n, unique)
        return (g if fmt is None else to_format(g, fmt)), None
    return register(f"_pool_gather_{node}", _given, bwd, nin=2, save=(0, 1), node=node, method=False,
                    function=False, tied=True)


_MAX_POOL = {n: _gather_op(n, f"MaxPool{n}DWithIndicesBackward0") for n in (2, 3)}
_ADAPTIVE_MAX = {n: _gather_op(n, f"AdaptiveMaxPool{n}DBackward0") for n in (2, 3)}


def _carry(op, x, vals, idx, unique=False, fmt=None):
    if fmt is not None:
        xp = np if type(vals) is np.ndarray else _xp(vals)
        vals, idx = in_format(xp, vals, fmt), in_format(xp, idx, fmt)
    idx_t = Tensor._wrap(idx)
    return call(op, (x, idx_t, vals, unique, fmt), {}), idx_t


def _last(a, n, three_d=True):
    """The memory format torch's CPU pooling kernels give the output (and the input gradient): the one the
    input's strides suggest; some 3-D kernels (``three_d`` False) are contiguous-only."""
    if n == 3 and not three_d:
        return None
    return suggest_format(a.shape, a.strides)


def _max_pool(x, n, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    fn = f"max_pool{n}d"
    k, s, p, d, outs = _geometry(x, n, kernel_size, stride, padding, dilation, ceil_mode, fn)
    a = x._data
    _reject(fn, NP2DT[a.dtype], (_dtype.BOOL, _dtype.COMPLEX))
    xp = np if type(a) is np.ndarray else _xp(a)
    need_idx = return_indices or (x._requires_grad and grad_mode.state.enabled)
    vals, idx = _max_pool_arrays(xp, a, n, k, s, p, d, outs, need_idx)
    fmt = _last(a, n)
    if idx is None:
        return Tensor._wrap(vals if fmt is None else in_format(xp, vals, fmt))
    unique = all(ki <= si for ki, si in zip(k, s)) and all(di == 1 for di in d)
    out, idx_t = _carry(_MAX_POOL[n], x, vals, idx, unique, fmt)
    return (out, idx_t) if return_indices else out


def _xp(a):
    import cupy
    return cupy


def _as_1d(name, fn, x, *args):
    # torch pools 1-d signals as 2-d planes of height 1.
    if x.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor for argument "
                           f"#1 'self' (while checking arguments for {name})")
    r = fn(x.unsqueeze(-2), *args)
    if isinstance(r, tuple):
        return tuple(t.squeeze(-2) for t in r)
    return r.squeeze(-2)


def _one(v, what):
    return (1,) + _tup(v, 1, what, "max_pool1d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Applies a 1D max pooling over an input signal composed of several input planes."""
    st = None if stride is None or stride == [] else _one(stride, "stride")
    pad = (0,) + _tup(padding, 1, "padding", "")
    if isinstance(input, Tensor) and not return_indices:
        if input.dim() not in (2, 3):
            raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{list(input.shape)}")
        if not (input._requires_grad and grad_mode.state.enabled):
            # without indices to return or keep for a gradient, torch runs its own 1-D kernel (floats only)
            _reject("max_pool1d_impl", NP2DT[input._data.dtype], (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX))
    return _as_1d("max_pool1d", _max_pool, input, 2, _one(kernel_size, "kernel_size"), st, pad,
                  _one(dilation, "dilation"), ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Applies a 2D max pooling over an input signal composed of several input planes."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Applies a 3D max pooling over an input signal composed of several input planes."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Applies a 1D max pooling and returns the indices of the maxima too."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Applies a 2D max pooling and returns the indices of the maxima too."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """Applies a 3D max pooling and returns the indices of the maxima too."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -------------------------------------------------------------------------------------------- avg pooling

def _divisor(xp, size, k, s, p, outs, count_include_pad):
    """Per-window element counts (outer product over dims) that torch divides window sums by."""
    div = 1
    n = len(k)
    for j in range(n):
        start = xp.arange(outs[j], dtype=np.int64) * s[j] - p[j]
        end = xp.minimum(start + k[j], size[j] + p[j])
        if count_include_pad:
            cnt = end - start
        else:
            cnt = xp.minimum(end, size[j]) - xp.maximum(start, 0)
        shape = [1] * n
        shape[j] = outs[j]
        div = div * cnt.reshape(shape)
    return div


def _divide(xp, total, div, dtype):
    if dtype.kind in "iu":
        # C++ integer division truncates toward zero.
        q = xp.abs(total) // div
        return xp.where(total < 0, -q, q).astype(dtype)
    return (total / div).astype(dtype, copy=False)


def _avg_pool_fwd(xp, a, n, k, s, p, outs, cip, div):
    w = _upcast(a)
    padded = _padded(xp, w, n, k, s, p, (1,) * n, outs, 0)
    win = _windows(xp, padded, n, k, s, (1,) * n, outs)
    if w.dtype.kind in "fc":
        # torch adds a window's elements one by one in row-major order: one strided add per kernel offset
        # rounds as it does (NumPy's pairwise reduction over the window did not)
        total = None
        for off in np.ndindex(*k):
            term = win[(Ellipsis,) + off]
            total = term.copy() if total is None else xp.add(total, term, out=total)
    else:
        total = win.sum(axis=tuple(range(-n, 0)), dtype=np.int64)
    if div is None:
        div = _divisor(xp, a.shape[-n:], k, s, p, outs, cip)
    return in_format(xp, _divide(xp, total, div, a.dtype), _last(a, n, False))


def _avg_pool_bwd_fwd(xp, g, shape, n, k, s, p, outs, cip, div, fmt=None):
    if div is None:
        div = _divisor(xp, shape[-n:], k, s, p, outs, cip)
    # torch divides in float32 but stores each share, and adds the shares up, in a 16-bit input's own type
    gd = (_upcast(g) / div).astype(g.dtype, copy=False) if g.dtype.kind in "fV" else _upcast(g) / div
    size = shape[-n:]
    full = tuple(max((o - 1) * si + ki, L + pi) for o, si, ki, L, pi in zip(outs, s, k, size, p))
    buf = xp.zeros(tuple(shape[:-n]) + full, dtype=gd.dtype)
    # One strided add per kernel offset: windows overlap, so a single scatter would lose sums. The offsets
    # run backwards so that each input element gathers its shares in torch's order (by output position).
    for off in reversed(list(np.ndindex(*k))):
        sl = tuple(slice(o, o + si * (m - 1) + 1, si) for o, si, m in zip(off, s, outs))
        buf[(Ellipsis,) + sl] += gd
    crop = tuple(slice(pi, pi + L) for pi, L in zip(p, size))
    return in_format(xp, buf[(Ellipsis,) + crop].astype(g.dtype), fmt)


def _avg_pool_backward(grad, a, out, n, k, s, p, outs, cip, div):
    fmt = _last(a._data, n, False)
    return call(_AVG_BWD[n], (grad, tuple(a.shape), n, k, s, p, outs, cip, div, fmt), {})


def _avg_pool_bwd_backward(grad, g, out, shape, n, k, s, p, outs, cip, div, fmt=None):
    return call(_AVG[n], (grad, n, k, s, p, outs, cip, div), {})


_AVG = {n: register(f"_avg_pool{n}d", _avg_pool_fwd, _avg_pool_backward, node=f"AvgPool{n}DBackward0",
                    save=(0,), method=False, function=False, tied=True) for n in (2, 3)}
_AVG_BWD = {n: register(f"_avg_pool{n}d_backward", _avg_pool_bwd_fwd, _avg_pool_bwd_backward,
                        node=f"AvgPool{n}DBackwardBackward0", method=False, function=False) for n in (2, 3)}


def avg_pool_types(dt, n):
    """torch's average pooling kernels take floating types and int64 (3-D: float32, float64, int64)."""
    if n == 3:
        if dt not in (_dtype.float32, _dtype.float64, _dtype.int64):
            raise kernel_error("avg_pool3d_out_frame", dt)
    elif (dt._cat != _dtype.FLOAT or dt._limited) and dt is not _dtype.int64:
        raise kernel_error("avg_pool2d", dt)


def _avg_pool(x, n, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    fn = f"avg_pool{n}d"
    k, s, p, _, outs = _geometry(x, n, kernel_size, stride, padding, 1, ceil_mode, fn, avg=True)
    avg_pool_types(NP2DT[x._data.dtype], n)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return call(_AVG[n], (x, n, k, s, p, outs, bool(count_include_pad), divisor_override), {})


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Applies a 1D average pooling over an input signal composed of several input planes."""
    st = None if stride is None or stride == [] else _one(stride, "stride")
    return _as_1d("avg_pool1d", _avg_pool, input, 2, _one(kernel_size, "kernel_size"), st,
                  (0,) + _tup(padding, 1, "padding", ""), ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Applies 2D average-pooling operation in kH x kW regions by step size sH x sW steps."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Applies 3D average-pooling operation in kT x kH x kW regions by step size sT x sH x sW steps."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# --------------------------------------------------------------------------------------- adaptive pooling

def _adaptive_sizes(x, n, output_size, fn):
    a = x._data
    if a.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{fn}(): Expected {n + 1}D or {n + 2}D tensor, but got {list(a.shape)}")
    for i in range(1, a.ndim) if a.ndim == n + 2 else range(a.ndim):
        if a.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(a.shape)} with dimension {i} being empty")
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != n:
            raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {n}")
        size = a.shape[-n:]
        return tuple(size[i] if v is None else int(v) for i, v in enumerate(output_size))
    return (int(output_size),) * n


def _bounds(xp, size, out):
    i = xp.arange(out, dtype=np.int64)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _adaptive_avg_fwd(xp, a, n, outs):
    # torch's 3-D kernel sums and divides 16-bit inputs in their own type, its 2-D one in float32
    w = a if n == 3 else _upcast(a)
    size = a.shape[-n:]
    win, tables, ks = _adaptive_windows(xp, w, n, outs)
    lead = a.ndim - n
    # zeros past each window's end: adding them leaves a running sum unchanged
    mask = True
    for j in range(n):
        start, end = _bounds(xp, size[j], outs[j])
        shape = [1] * (2 * n)
        shape[j], shape[n + j] = outs[j], ks[j]
        mask = mask & (xp.arange(ks[j]) < (end - start)[:, None]).reshape(shape)
    flat = xp.where(mask, win, 0).reshape(win.shape[:lead + n] + (math.prod(ks),))
    # torch adds a window's elements one by one in row-major order (a running sum rounds as it does), then
    # divides by the window's extent along each dim in turn
    total = xp.cumsum(flat, axis=-1)[..., -1]
    fmt = _last(a, n, False)
    out = empty_format(xp, total.shape, total.dtype, fmt or "contiguous_format")
    out[...] = total
    extents = []
    for j in range(n):
        start, end = _bounds(xp, size[j], outs[j])
        shape = [1] * n
        shape[j] = outs[j]
        extents.append((end - start).reshape(shape).astype(out.dtype))
    # its channels-last kernel divides the channels that fill whole 32-byte vectors by the extents'
    # product, and the remaining channels one by one as above
    vec = out.shape[1] - out.shape[1] % (32 // out.itemsize) if fmt is not None else 0
    if vec:
        xp.divide(out[:, :vec], math.prod(extents), out=out[:, :vec])
    for e in extents:
        xp.divide(out[:, vec:], e, out=out[:, vec:])
    return out.astype(a.dtype, copy=False)


def _adaptive_avg_bwd_fwd(xp, g, shape, n, outs, fmt=None):
    """torch's adaptive-average derivative: each output's gradient divided by its window's extent along
    each dim in turn, then added into its window's inputs, output by output in row-major order -- all in
    the gradient's own type, as torch computes it (16-bit shares and sums are rounded at every step)."""
    size = tuple(shape[-n:])
    lead = math.prod(shape[:-n])
    delta = g
    index, valid = 0, True
    for j in range(n):
        start, end = _bounds(xp, size[j], outs[j])
        dims = [1] * n
        dims[j] = outs[j]
        delta = delta / (end - start).reshape(dims).astype(g.dtype)
        kmax = int((end - start).max()) if outs[j] else 1
        span = [1] * (2 * n)
        span[j], span[n + j] = outs[j], kmax
        offs = xp.arange(kmax)
        index = index * size[j] + xp.minimum(start[:, None] + offs, size[j] - 1).reshape(span)
        valid = valid & (offs < (end - start)[:, None]).reshape(span)
    # (output, window element) pairs in C order are torch's order of additions
    valid = xp.broadcast_to(valid, xp.broadcast_shapes(valid.shape, index.shape))
    pos = xp.broadcast_to(index, valid.shape)[valid]
    src = xp.broadcast_to(xp.arange(math.prod(outs)).reshape(tuple(outs) + (1,) * n), valid.shape)[valid]
    flat = xp.zeros((lead, math.prod(size)), g.dtype)
    _add_at(xp, flat, (slice(None), pos), xp.ascontiguousarray(delta).reshape(lead, math.prod(outs))[:, src])
    return in_format(xp, flat.reshape(shape), fmt)


def _adaptive_avg_backward(grad, a, out, n, outs):
    return call(_ADAPTIVE_AVG_BWD[n], (grad, tuple(a.shape), n, outs, _last(a._data, n, False)), {})


def _adaptive_avg_bwd_backward(grad, g, out, shape, n, outs, fmt=None):
    return call(_ADAPTIVE_AVG[n], (grad, n, outs), {})


_ADAPTIVE_AVG = {n: register(f"_adaptive_avg_pool{n}d", _adaptive_avg_fwd, _adaptive_avg_backward,
                             node=f"AdaptiveAvgPool{n}DBackward0", save=(0,), method=False, function=False,
                             tied=True)
                 for n in (2, 3)}
_ADAPTIVE_AVG_BWD = {n: register(f"_adaptive_avg_pool{n}d_backward", _adaptive_avg_bwd_fwd,
                                 _adaptive_avg_bwd_backward, node=f"AdaptiveAvgPool{n}DBackwardBackward0",
                                 method=False, function=False)
                     for n in (2, 3)}


def _adaptive_avg(x, n, output_size):
    fn = f"adaptive_avg_pool{n}d"
    outs = _adaptive_sizes(x, n, output_size, fn)
    _reject(fn, NP2DT[x._data.dtype], (_dtype.BOOL, _dtype.INT))
    if all(o == 1 for o in outs):
        # torch reduces to a global mean here (its graph shows MeanBackward1), complex types included;
        # for a channels-last input it restrides the result in place to channels-last
        out = x.mean(tuple(range(-n, 0)), keepdim=True)
        if _last(x._data, n) is not None:
            c = x.shape[1]
            out.as_strided_(out.shape, (c, 1) + (c,) * n)
        return out
    _reject(fn if n == 2 else fn + "_cpu", NP2DT[x._data.dtype], (_dtype.COMPLEX,))
    return call(_ADAPTIVE_AVG[n], (x, n, outs), {})


def adaptive_avg_pool1d(input, output_size):
    """Applies a 1D adaptive average pooling over an input signal composed of several input planes."""
    size = (1,) + _tup(output_size, 1, "output_size", "")
    return _as_1d("adaptive_avg_pool1d", _adaptive_avg, input, 2, size)


def adaptive_avg_pool2d(input, output_size):
    """Applies a 2D adaptive average pooling over an input signal composed of several input planes."""
    return _adaptive_avg(input, 2, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Applies a 3D adaptive average pooling over an input signal composed of several input planes."""
    return _adaptive_avg(input, 3, output_size)


def _adaptive_windows(xp, a, n, outs):
    """The adaptive windows of ``a`` gathered as (..., *outs, *k) with k each dim's longest window (short
    windows repeat their last element), the per-dim index tables (out, k), and the k."""
    size = a.shape[-n:]
    tables, ks = [], []
    for j in range(n):
        start, end = _bounds(xp, size[j], outs[j])
        kmax = int((end - start).max()) if outs[j] else 1
        tables.append(xp.minimum(start[:, None] + xp.arange(kmax), end[:, None] - 1))
        ks.append(kmax)
    index = []
    for j, t in enumerate(tables):
        shape = [1] * (2 * n)
        shape[j], shape[n + j] = t.shape
        index.append(t.reshape(shape))
    return a[(Ellipsis,) + tuple(index)], tables, ks


def _adaptive_max_arrays(xp, a, n, outs):
    size = a.shape[-n:]
    lead = a.ndim - n
    # a repeated last element leaves the maximum and its first position unchanged
    win, tables, ks = _adaptive_windows(xp, a, n, outs)
    flat = win.reshape(win.shape[:lead + n] + (math.prod(ks),))
    arg = flat.argmax(-1) if flat.size else xp.zeros(flat.shape[:-1], dtype=np.int64)
    vals = xp.take_along_axis(flat, arg[..., None], -1)[..., 0] if flat.size else flat[..., 0]
    idx, rem = 0, arg
    for j in range(n):
        inner = math.prod(ks[j + 1:])
        kj = rem // inner
        rem = rem - kj * inner
        shape = [1] * n
        shape[j] = outs[j]
        pos = tables[j][xp.arange(outs[j]).reshape(shape), kj]
        idx = idx * size[j] + pos
    return vals, xp.asarray(idx, dtype=np.int64)


def _adaptive_max(x, n, output_size, return_indices):
    fn = f"adaptive_max_pool{n}d"
    outs = _adaptive_sizes(x, n, output_size, fn)
    a = x._data
    _reject(fn, NP2DT[a.dtype], (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX))
    xp = np if type(a) is np.ndarray else _xp(a)
    vals, idx = _adaptive_max_arrays(xp, a, n, outs)
    out, idx_t = _carry(_ADAPTIVE_MAX[n], x, vals, idx, fmt=_last(a, n, False))
    return (out, idx_t) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Applies a 1D adaptive max pooling over an input signal composed of several input planes."""
    size = (1,) + _tup(output_size, 1, "output_size", "")
    return _as_1d("adaptive_max_pool1d", _adaptive_max, input, 2, size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Applies a 2D adaptive max pooling over an input signal composed of several input planes."""
    return _adaptive_max(input, 2, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Applies a 3D adaptive max pooling over an input signal composed of several input planes."""
    return _adaptive_max(input, 3, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """Applies a 1D adaptive max pooling and returns the indices of the maxima too."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """Applies a 2D adaptive max pooling and returns the indices of the maxima too."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """Applies a 3D adaptive max pooling and returns the indices of the maxima too."""
    return adaptive_max_pool3d(input, output_size, True)


# ----------------------------------------------------------------------------------------- lp pooling

def _lp_pool(x, n, norm_type, kernel_size, stride, ceil_mode):
    k = _tup(kernel_size, n, "kernel_size", f"lp_pool{n}d")
    pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[n]
    out = pool(x.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    mag = out.abs().clamp_min(0)
    return (out.sign() * mag).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies a 1D power-average pooling over an input signal composed of several input planes."""
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies a 2D power-average pooling over an input signal composed of several input planes."""
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies a 3D power-average pooling over an input signal composed of several input planes."""
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------------------------------- max unpooling

def _unpool_fwd(xp, a, idx, n, outs):
    lead = a.shape[:a.ndim - n]
    plane = math.prod(outs)
    flat_idx = idx.reshape(lead + (-1,))
    if flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= plane):
        bad = flat_idx[(flat_idx < 0) | (flat_idx >= plane)][0]
        raise RuntimeError(f"Found an invalid max index: {int(bad)} (output volumes are of size "
                           f"{_shape_x(outs)})")
    out = xp.zeros(lead + (plane,), dtype=a.dtype)
    xp.put_along_axis(out, flat_idx, a.reshape(lead + (-1,)), axis=-1)
    return in_format(xp, out.reshape(lead + tuple(outs)), _last(a, n, False))


def _unpool_backward(grad, a, idx, out, n, outs):
    lead = len(a.shape) - n
    return grad.flatten(lead).gather(-1, idx.flatten(lead)).reshape(a.shape), None


_UNPOOL = {n: register(f"_max_unpool{n}d", _unpool_fwd, _unpool_backward, nin=2, save=(1,),
                       node=f"MaxUnpool{n}DBackward0", method=False, function=False) for n in (2, 3)}


def _unpool_size(x, n, k, s, p, output_size):
    size = x.shape[-n:]
    default = tuple((L - 1) * si - 2 * pi + ki for L, si, pi, ki in zip(size, s, p, k))
    if output_size is None:
        return default
    out = tuple(int(v) for v in output_size)
    if len(out) == n + 2 or (len(out) == n + 1 and x.dim() == n + 1):
        out = out[-n:]
    if len(out) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
                         f"length of '{len(out)}'")
    for j, (o, dflt) in enumerate(zip(out, default)):
        lo, hi = dflt - s[j], dflt + s[j]
        if not lo < o < hi:
            raise ValueError(f'invalid output_size "{out}" (dim {j} must be between {lo} and {hi})')
    return out


def _max_unpool(x, indices, n, kernel_size, stride, padding, output_size, fn):
    k = _tup(kernel_size, n, "kernel_size", fn)
    s = _strides(stride, k, n, fn)
    p = _tup(padding, n, "padding", fn)
    outs = _unpool_size(x, n, k, s, p, output_size)
    if tuple(indices.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    return call(_UNPOOL[n], (x, indices, n, outs), {})


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of max_pool1d."""
    k = _tup(kernel_size, 1, "kernel_size", "max_unpool1d")
    s = _strides(stride, k, 1, "max_unpool1d")
    p = _tup(padding, 1, "padding", "max_unpool1d")
    outs = _unpool_size(input, 1, k, s, p, output_size)
    # torch unpools 1-d signals as (L, 1) planes.
    out = _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), 2, k + (1,), s + (1,), p + (0,),
                      outs + (1,), "max_unpool1d")
    return out.squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of max_pool2d."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of max_pool3d."""
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size, "max_unpool3d")
