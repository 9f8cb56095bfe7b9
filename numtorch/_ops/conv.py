"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d (torch.convolution), unfold (im2col), fold (col2im).

The sliding windows of the padded input are a strided view (N, C, *kernel, *out) (for stride 1, shifts
of the flattened image, so copies move long runs). Block by block -- a few images, or some output rows of
one image, about 1 MB of columns that stay in cache -- the windows are copied into a column matrix and one
GEMM per image lands the block's result in NCHW; the blocks run in two halves on two threads. The
transposed direction is a stride-1 convolution with the flipped kernel, or for strides a GEMM to columns
followed by a scatter-add per kernel offset (col2im). All three derivatives are these kernels again, so
double backward composes the same registered op.
"""
import collections
import itertools
import math
import threading

import numpy as np

from .. import _blas, _dtype
from .._warn import warn
from .._config import get_num_threads
from .._dtype import NP2DT
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _parallel
from ._scratch import MAX_BYTES, scratch
from ._registry import FUNCTIONS, call, register
from .layouts import channels_last_contiguous, empty_format, like_format, suggest_format

_state = grad_mode.state
_SPAN = (slice(None), slice(None))


# ------------------------------------------------------------------------------------------ array kernels

def _wide(a):
    # NumPy has no BLAS for 16-bit floats: accumulate them in float32, as torch's CPU kernels do.
    if a is not None and a.dtype.itemsize == 2 and a.dtype.kind in "fV":
        return a.astype(np.float32)
    return a


def _pad(xp, a, lo, hi, temporary=False):
    """Zero-pad (positive) or crop (negative) each spatial dim of ``a`` (N, C, *S) at both ends.

    A ``temporary`` copy (one that dies inside the kernel) goes into a buffer kept per thread and
    geometry: a fresh array page-faulted on first touch, and zeroing a border's short runs, each took
    longer than copying the interior; a kept buffer's border is zero already.
    """
    if not any(lo) and not any(hi):
        return a
    sp = a.shape[2:]
    new = tuple(n + l + h for n, l, h in zip(sp, lo, hi))
    shape = a.shape[:2] + new
    dst = tuple(slice(max(l, 0), n - max(h, 0)) for n, l, h in zip(new, lo, hi))
    src = tuple(slice(max(-l, 0), n - max(-h, 0)) for n, l, h in zip(sp, lo, hi))
    out = _kept_padded(shape, a.dtype, dst) if temporary and xp is np else None
    if out is not None:
        _copy(xp, out[_SPAN + dst], a[_SPAN + src])
        return out
    out = xp.empty(shape, a.dtype)
    _copy(xp, out[_SPAN + dst], a[_SPAN + src])
    _zero_border(out, dst)
    return out


def _zero_border(out, dst):
    # only the border is zeroed: filling the whole array first doubled the cost of padding
    for i, (d, n) in enumerate(zip(dst, out.shape[2:])):
        pre = (slice(None),) * (2 + i)
        if d.start:
            out[pre + (slice(0, d.start),)] = 0
        if d.stop < n:
            out[pre + (slice(d.stop, n),)] = 0


# the padded buffers a thread keeps: at most this many, of at most this many bytes together
_PADDED_KEPT = 8
_PADDED_BYTES = 2 * MAX_BYTES
_kept = threading.local()


def _kept_padded(shape, dtype, dst):
    """This thread's zero-bordered buffer for one padding geometry (the most recently used are kept), or
    None for one larger than a scratch buffer."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > MAX_BYTES:
        return None
    cache = _kept.__dict__.setdefault("buffers", collections.OrderedDict())
    key = (shape, dtype, tuple((d.start, d.stop) for d in dst))
    buf = cache.get(key)
    if buf is not None:
        cache.move_to_end(key)
        return buf
    while cache and (len(cache) >= _PADDED_KEPT
                     or sum(b.nbytes for b in cache.values()) + nbytes > _PADDED_BYTES):
        cache.popitem(last=False)
    buf = cache[key] = np.empty(shape, dtype)
    _zero_border(buf, dst)
    return buf


def _windows(xp, a, ks, stride, dilation, out):
    """The strided view (N, C, *ks, *out) of the sliding windows of ``a`` (N, C, *S)."""
    st = a.strides[2:]
    steps = tuple(s * d for s, d in zip(st, dilation)) + tuple(s * t for s, t in zip(st, stride))
    strides = a.strides[:2] + steps
    return xp.lib.stride_tricks.as_strided(a, a.shape[:2] + tuple(ks) + tuple(out), strides)


def _n_out(n, k, s, d):
    return (n - d * (k - 1) - 1) // s + 1


def _conv_arrays(xp, x, w, stride, lo, hi, dilation, groups, bias=None):
    """y[n, o, j] = sum over c, k of w[o, c, k] * x_padded[n, c, s*j + d*k] (+ bias[o]): im2col and one
    batched GEMM."""
    xpd = _pad(xp, x, lo, hi, temporary=True)
    ks = w.shape[2:]
    out = tuple(_n_out(n, k, s, d) for n, k, s, d in zip(xpd.shape[2:], ks, stride, dilation))
    n, c = x.shape[:2]
    kc = c // groups * math.prod(ks)
    wm = w.reshape(groups, w.shape[0] // groups, kc)
    if _flat_ok(xpd, stride, out):
        v, rows, lf = _flat_windows(xp, xpd, ks, dilation, out)
        return _columns_gemm(xp, wm, v, len(ks), out, rows, bias)
    return _columns_gemm(xp, wm, _windows(xp, xpd, ks, stride, dilation, out), len(ks), out, bias=bias)


# Cache blocking: the columns of a block of images (or of some output rows of one image) are copied into
# a buffer of about this size, which stays in the core's L2 cache for the GEMM that reads it back. Whole-
# batch column matrices ran 2-5x slower: their copy and their GEMM each streamed them through memory.
_BLOCK_BYTES = 1 << 20


def _plan(v, nd, kc):
    """Blocks (first image, end image, first row, end row) over the windows view v (N, C, *K, R, *S)."""
    n, r = v.shape[0], v.shape[2 + nd]
    row_bytes = kc * math.prod(v.shape[3 + nd:]) * v.itemsize
    if row_bytes * r <= _BLOCK_BYTES:
        m, t = max(1, _BLOCK_BYTES // (row_bytes * r)), r
    else:
        m, t = 1, max(1, _BLOCK_BYTES // row_bytes)
    return [(i, min(n, i + m), a, min(r, a + t)) for i in range(0, n, m) for a in range(0, r, t)], m * t


def _fill(slot, v, nd, size, i, j, a, b):
    """The columns of images [i, j) and rows [a, b) of the windows view v, copied into this thread's
    scratch buffer ``slot`` (of ``size`` elements)."""
    block = v[(slice(i, j),) + (slice(None),) * (1 + nd) + (slice(a, b),)]
    cols = scratch(slot, (size,), v.dtype)[:block.size].reshape(block.shape)
    np.copyto(cols, block)
    return cols


def _columns_gemm(xp, wm, v, nd, out, rows=None, bias=None):
    """``wm @ columns`` (+ ``bias`` per output channel) for every image: wm (groups, og, kc), v the windows
    view (N, C, *K, R, *S) of an output (N, groups * og, *out); ``rows`` places the stride-1 flat windows'
    positions on that grid."""
    n, c = v.shape[:2]
    groups, og, kc = wm.shape
    tail = v.shape[2 + nd:]
    length = math.prod(tail)

    def grid(y):
        return y.reshape(y.shape[:2] + out) if rows is None else _on_grid(xp, y, out, rows)

    if xp is not np or v.dtype != wm.dtype or v.size * v.itemsize < 2 * _BLOCK_BYTES:
        with _blas.single_threaded():
            y = xp.matmul(wm, v.reshape(n, groups, kc, length)).reshape(n, groups * og, length)
        final = xp.empty((n, groups * og) + out, y.dtype)
        _copy(xp, final, grid(y), bias)
        return final
    tasks, rows_per_block = _plan(v, nd, kc)
    per_row = math.prod(tail[1:])
    ks = v.shape[2:2 + nd]
    cols_size = c * math.prod(ks) * rows_per_block * per_row
    # each block's GEMM writes its slice of the flat output; the grid is taken once at the end (taking it
    # block by block, while in cache, measured slower)
    y = np.empty((n, groups * og, length), v.dtype) if rows is None else scratch(
        "conv_flat_out", (n, groups * og, length), v.dtype)

    def work(part):
        for i, j, a, b in part:
            cols = _fill("conv_cols", v, nd, cols_size, i, j, a, b)
            dst = y[i:j, :, a * per_row:b * per_row].reshape(j - i, groups, og, -1)
            np.matmul(wm, cols.reshape(j - i, groups, kc, -1), out=dst)
    _split(work, tasks)
    if rows is None:
        final = y.reshape((n, groups * og) + out)
        if bias is not None:
            _copy(np, final, final, bias)
        return final
    final = np.empty((n, groups * og) + out, y.dtype)
    # the bias is added on the way onto the grid: one pass over the output instead of two
    _copy(np, final, grid(y), bias)
    return final


def _columns_gemm_t(xp, gm, v, nd, kc):
    """The weight gradient: the sum over images and positions of gm (N, groups, og, L) times the columns
    of the windows view v (N, C, *K, R, *S) transposed; (groups, og, kc)."""
    n, c = v.shape[:2]
    groups, og = gm.shape[1:3]
    length = gm.shape[3]
    if xp is not np or v.dtype != gm.dtype or v.size * v.itemsize < 2 * _BLOCK_BYTES:
        order = (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, v.ndim))
        cols = v.transpose(order).reshape(groups, kc, n * length)
        gt = gm.transpose(1, 2, 0, 3).reshape(groups, og, n * length)
        # (cols @ g.T).T: with the long (batch x positions) axis inner, OpenBLAS runs this orientation 5x
        # faster than g @ cols.T
        with _blas.single_threaded():
            return xp.matmul(cols, gt.swapaxes(1, 2)).swapaxes(1, 2)
    tasks, rows_per_block = _plan(v, nd, kc)
    tail = v.shape[2 + nd:]
    per_row = math.prod(tail[1:])
    ks = v.shape[2:2 + nd]

    cols_size = c * math.prod(ks) * rows_per_block * per_row

    def work(part):
        acc = np.zeros((groups, kc, og), gm.dtype)
        for i, j, a, b in part:
            cols = _fill("conv_cols", v, nd, cols_size, i, j, a, b)
            g = gm[i:j, :, :, a * per_row:b * per_row]
            # one (kc x positions) @ (positions x og) product per image: OpenBLAS ran these skinny
            # products 1.5-2x faster over one image's positions than over several images' at once
            acc += np.matmul(cols.reshape(j - i, groups, kc, -1), g.swapaxes(-1, -2)).sum(0)
        return acc
    return sum(_split(work, tasks)).swapaxes(1, 2)


def _copy(xp, dst, src, bias=None):
    """``dst[...] = src (+ bias per channel)``; large NumPy copies in two halves on two threads (the
    output-grid copies run at a fraction of memory speed, and two cores halve them)."""
    shift = None if bias is None else bias.reshape((-1,) + (1,) * (dst.ndim - 2))

    def one(d, s):
        if shift is not None:
            xp.add(s, shift, out=d)
        elif xp is np:
            np.copyto(d, s)
        else:
            d[...] = s
    n = dst.shape[0] if dst.ndim else 0
    if xp is not np or n < 2 or dst.nbytes < _BLOCK_BYTES:
        one(dst, src)
        return

    def work(part):
        for sl in part:
            one(dst[sl], src[sl])
    _split(work, [slice(0, n // 2), slice(n // 2, n)])


def _split(work, tasks):
    """``work`` over the blocks, split over the intra-op threads (copies must go through np.copyto:
    ``a[...] = b`` from a strided view keeps the GIL), BLAS single-threaded meanwhile."""
    return _parallel.split(work, tasks, blas_single=True)


def _flat_ok(xpd, stride, out):
    return len(out) > 1 and xpd.size > 0 and min(out) > 0 and all(s == 1 for s in stride)


def _flat_windows(xp, xpd, ks, dilation, out):
    """Stride-1 windows as shifts of the flattened padded image: a view (N, C, *K, lf).

    Output position j sits at flat index sum(j_i * rows_i), so each kernel offset is one shift and the
    column copy moves long contiguous runs (the extra positions between image rows are dropped later).
    """
    xpd = xp.ascontiguousarray(xpd)
    rows = tuple(math.prod(xpd.shape[3 + i:]) for i in range(len(ks)))
    lf = sum((o - 1) * r for o, r in zip(out, rows)) + 1
    it = xpd.itemsize
    strides = xpd.strides[:2] + tuple(d * r * it for d, r in zip(dilation, rows)) + (it,)
    return xp.lib.stride_tricks.as_strided(xpd, xpd.shape[:2] + tuple(ks) + (lf,), strides), rows, lf


def _on_grid(xp, flat, out, rows):
    """The view (N, C, *out) of the output grid inside flat rows (N, C, lf)."""
    it = flat.itemsize
    strides = flat.strides[:2] + tuple(r * it for r in rows)
    return xp.lib.stride_tricks.as_strided(flat, flat.shape[:2] + tuple(out), strides)


def _scatter_ranges(n_in, k, s, d, lo, size):
    """Per kernel offset: (destination slice in the output, source slice of input positions) or None."""
    res = []
    for i in range(k):
        first = max(0, -((i * d - lo) // s))
        stop = min(n_in, (size - 1 + lo - i * d) // s + 1)
        if stop <= first:
            res.append(None)
            continue
        start = i * d + s * first - lo
        res.append((slice(start, start + s * (stop - first - 1) + 1, s), slice(first, stop)))
    return res


def _conv_t_arrays(xp, x, w, stride, lo, hi, dilation, groups):
    """The adjoint of _conv_arrays in x: one batched GEMM to columns, then col2im (cropped by lo/hi)."""
    n, cin = x.shape[:2]
    sp, ks = x.shape[2:], w.shape[2:]
    cg = w.shape[1]
    size = tuple((i - 1) * s + d * (k - 1) + 1 - a - b
                 for i, k, s, d, a, b in zip(sp, ks, stride, dilation, lo, hi))
    if all(s == 1 for s in stride) and len(ks) > 1 and x.size and min(size) > 0:
        return _flipped_conv(xp, x, w, lo, size, dilation, groups)
    wm = w.reshape(groups, cin // groups, cg * math.prod(ks)).transpose(0, 2, 1)
    xr = x.reshape(n, groups, cin // groups, math.prod(sp))
    per_image = groups * cg * math.prod(ks) * math.prod(sp)
    if xp is not np or wm.dtype != xr.dtype or n * per_image * xr.itemsize < 2 * _BLOCK_BYTES:
        with _blas.single_threaded():
            cols = xp.matmul(wm, xr)
        cols = cols.reshape((n, groups * cg) + ks + sp)
        return _col2im(xp, cols, stride, dilation, lo, size)
    y = np.empty((n, groups * cg) + tuple(size), xr.dtype)
    m = max(1, _BLOCK_BYTES // (per_image * xr.itemsize))

    # a block of images at a time: its columns stay in cache between the GEMM and the scatter-add
    def work(part):
        for i, j in part:
            cols = scratch("conv_t_cols", (m * per_image,), xr.dtype)[:(j - i) * per_image]
            cols = cols.reshape((j - i, groups, cg * math.prod(ks), math.prod(sp)))
            np.matmul(wm, xr[i:j], out=cols)
            _col2im_into(np, y[i:j], cols.reshape((j - i, groups * cg) + ks + sp), stride, dilation, lo)
    _split(work, [(i, min(n, i + m)) for i in range(0, n, m)])
    return y


def _flipped_conv(xp, x, w, lo, size, dilation, groups):
    # With stride 1 the adjoint is a plain convolution with the kernel flipped and its channel axes
    # swapped: one im2col GEMM instead of a GEMM to columns plus a scatter-add.
    nd = len(size)
    ks = w.shape[2:]
    cin, cg = w.shape[:2]
    wf = w.reshape((groups, cin // groups, cg) + ks).swapaxes(1, 2).reshape((groups * cg, cin // groups) + ks)
    wf = wf[_SPAN + (slice(None, None, -1),) * nd]
    left = tuple(d * (k - 1) - a for d, k, a in zip(dilation, ks, lo))
    right = tuple(m + d * (k - 1) - n - a for m, d, k, n, a in zip(size, dilation, ks, x.shape[2:], left))
    return _conv_arrays(xp, x, wf, (1,) * nd, left, right, dilation, groups)


def _col2im(xp, cols, stride, dilation, lo, size):
    """Sum columns (N, C, *K, *L) into an image (N, C, *size) with its origin at ``lo`` (padded coords)."""
    y = xp.empty(cols.shape[:2] + tuple(size), cols.dtype)
    _col2im_into(xp, y, cols, stride, dilation, lo)
    return y


def _col2im_into(xp, y, cols, stride, dilation, lo):
    """_col2im into the existing array ``y`` (overwritten)."""
    size = y.shape[2:]
    nd = len(size)
    ks, sp = cols.shape[2:2 + nd], cols.shape[2 + nd:]
    y[...] = 0
    per_dim = [_scatter_ranges(*args) for args in zip(sp, ks, stride, dilation, lo, size)]
    # One strided add per kernel offset (k*k of them): the fastest col2im layout NumPy offers.
    for off in itertools.product(*[range(k) for k in ks]):
        parts = [r[i] for r, i in zip(per_dim, off)]
        if None in parts:
            continue
        y[_SPAN + tuple(p[0] for p in parts)] += cols[_SPAN + off + tuple(p[1] for p in parts)]


def _conv_w_arrays(xp, x, g, ks, stride, lo, hi, dilation, groups):
    """dw[o, c, k] = sum over n, j of g[n, o, j] * x_padded[n, c, s*j + d*k]: one GEMM over (n, j)."""
    xpd = _pad(xp, x, lo, hi, temporary=True)
    out = g.shape[2:]
    n, c = x.shape[:2]
    o = g.shape[1]
    kc = c // groups * math.prod(ks)
    if _flat_ok(xpd, stride, out):
        v, rows, lf = _flat_windows(xp, xpd, ks, dilation, out)
        if xp is np:
            gf = scratch("conv_flat_grad", (n, o, lf), g.dtype)
            gf.fill(0)
        else:
            gf = xp.zeros((n, o, lf), g.dtype)
        _copy(xp, _on_grid(xp, gf, out, rows), g)
    else:
        v = _windows(xp, xpd, ks, stride, dilation, out)
        gf = g.reshape(n, o, math.prod(out))
    dw = _columns_gemm_t(xp, gf.reshape(n, groups, o // groups, gf.shape[-1]), v, len(ks), kc)
    return dw.reshape((o, c // groups) + tuple(ks))


# ------------------------------------------------------------------------------------ the registered op

def _reject_dtype(dt, nd, transposed):
    # torch's CPU kernels: transposed ones take floats and int64 only, the others every type but bool.
    limited = NP2DT[dt]._limited
    if transposed and (dt == np.bool_ or (dt.kind in "iu" and dt != np.int64) or limited):
        name = f"slow_conv_transpose{3 if nd == 3 else 2}d_out_cpu"
    elif dt == np.bool_ or limited:
        name = "compute_columns3d" if nd == 3 else "slow_conv2d_cpu"
    else:
        return
    raise NotImplementedError(f"\"{name}\" not implemented for '{NP2DT[dt]._legacy}'")


def _convolution(xp, x, w, b, stride, lo, hi, dilation, transposed, groups):
    _reject_dtype(x.dtype, len(lo), transposed)
    xw, ww = _wide(x), _wide(w)
    if not transposed:
        bias = None if b is None else _wide(b).astype(np.result_type(xw, ww), copy=False)
        y = _conv_arrays(xp, xw, ww, stride, lo, hi, dilation, groups, bias)
    else:
        y = _conv_t_arrays(xp, xw, ww, stride, lo, hi, dilation, groups)
        if b is not None:
            y += _wide(b).reshape((-1,) + (1,) * len(lo))
    y = y if y.dtype == x.dtype else y.astype(x.dtype)
    return _channels_last(xp, y) if _backend_last(x, w, stride, lo, hi, dilation, transposed, groups) else y


# ------------------------------------------------------------------------------------------ memory format

def _backend_last(x, w, stride, lo, hi, dilation, transposed, groups):
    """Whether torch's CPU convolution runs channels-last for these operands: its output and both
    gradients then are channels-last.

    Its kernels (oneDNN, and the slow 2-D ones) go channels-last when the input's or the weight's strides
    suggest that layout; the slow 3-D kernels, which float64 and small float32 problems take, never do. A
    1-D convolution is a 2-D one of height 1 on a contiguous copy of the input, so only the weight counts.
    """
    nd = x.ndim
    if x.shape[0] == 0 or x.shape[1] == 0:
        return False
    if nd == 3:
        ws = w.strides
        shape4 = (w.shape[0], w.shape[1], 1, w.shape[2])
        return suggest_format(shape4, (ws[0], ws[1], ws[2] * w.shape[2], ws[2])) is not None
    if suggest_format(x.shape, x.strides) is None and suggest_format(w.shape, w.strides) is None:
        return False
    return nd == 4 or _onednn(x, w, stride, lo, hi, dilation, transposed, groups)


def _onednn(x, w, stride, lo, hi, dilation, transposed, groups):
    """Whether torch's CPU convolution takes its oneDNN kernel rather than its slow ones (use_mkldnn)."""
    if transposed and any(a - b >= s for a, b, s in zip(lo, hi, stride)):
        return False  # output padding (lo - hi) as large as the stride
    if x.dtype.itemsize == 2 and x.dtype.kind in "fV":
        return True
    if x.dtype != np.float32:
        return False
    n, c, d, h = x.shape[:4]
    # "for some cases, native is faster": torch's own size heuristic
    return ((any(s != 1 for s in stride) or any(i != 1 for i in dilation) or n >= 16 or w.shape[-1] != 1
             or w.shape[-2] != 1 or get_num_threads() > 1)
            and (groups > 1 or (w.shape[-1] > 3 and w.shape[-2] > 3) or n > 1 or n * c * d * h > 20480))


def _channels_last(xp, a):
    """A copy of ``a`` (N, C, *S) with channels-last strides (C innermost, then S, then N)."""
    nd = a.ndim
    if nd in (4, 5):
        out = empty_format(xp, a.shape, a.dtype, "channels_last" if nd == 4 else "channels_last_3d")
    else:
        out = xp.empty((a.shape[0],) + a.shape[2:] + (a.shape[1],), a.dtype).transpose(0, 2, 1)
    _copy(xp, out, a)
    return out


def _convolution_backward(grad, x, w, b, out, stride, lo, hi, dilation, transposed, groups):
    gb = None if b is None else grad.sum([0] + list(range(2, grad.ndim)))
    need_graph = _state.enabled and (grad.requires_grad or x.requires_grad or w.requires_grad)
    need_x, need_w = x.requires_grad or need_graph, w.requires_grad or need_graph
    if x.is_complex():
        x, w = x.conj(), w.conj()
    ks = tuple(w.shape[2:])
    # The input gradient runs the op the other way (its end padding absorbs the rows the forward
    # dropped); the weight gradient correlates the non-transposed side's input with its output.
    back_hi = hi if transposed else _back_hi(x.shape[2:], grad.shape[2:], ks, stride, lo, dilation)
    inp, g = (grad, x) if transposed else (x, grad)
    args = (stride, lo, back_hi, dilation, not transposed, groups)
    if need_graph:
        gi = _conv_op(grad, w, None, *args)
        return gi, _weight_grad(inp, g, ks, stride, lo, hi, dilation, groups), gb
    xp = grad._xp
    gi = gw = None
    xa, wa = x._data, w._data
    # torch's gradients come in the layout its kernel ran in; an empty batch runs none, and its gradients
    # are zeros_like the operands ("like": their own strides)
    layout = "like" if 0 in xa.shape[:2] else _backend_last(xa, wa, stride, lo, hi, dilation, transposed, groups)
    if need_x:
        kernel = _conv_arrays if transposed else _conv_t_arrays
        gi = _grad_layout(xp, kernel(xp, _wide(grad._data), _wide(wa), stride, lo, back_hi, dilation, groups),
                          xa, layout)
    if need_w:
        w_layout = layout
        if (layout is True and wa.ndim == 4 and not _onednn(xa, wa, stride, lo, hi, dilation, transposed, groups)
                and channels_last_contiguous(wa.shape, wa.strides, "channels_last", wa.itemsize)):
            # torch's slow 2-D kernels fill a gradient laid out like the weight they made channels-last
            w_layout = "like"
        gw = _grad_layout(xp, _conv_w_arrays(xp, _wide(inp._data), _wide(g._data), ks, stride, lo, hi, dilation,
                                             groups), wa, w_layout)
    return gi, gw, gb


def _grad_layout(xp, g, like, layout):
    if layout == "like" and g.strides != like.strides:
        out = like_format(xp, like, None, g.dtype)
        out[...] = g
        g = out
    elif layout is True:
        g = _channels_last(xp, g)
    return _from(g)


def _back_hi(sp, out, ks, stride, lo, dilation):
    return tuple((j - 1) * s + d * (k - 1) + 1 - a - n
                 for j, s, d, k, a, n in zip(out, stride, dilation, ks, lo, sp))


def _from(a):
    return Tensor._wrap(a)


def _weight_grad(inp, g, ks, stride, lo, hi, dilation, groups):
    # A convolution of the input (channels as batch) with the output gradient (batch as channels),
    # stride and dilation swapped; it may overrun the kernel by the leftover rows, which are cut off.
    n, c = inp.shape[:2]
    o, nd = g.shape[1], len(ks)
    spatial = tuple(range(3, 3 + nd))
    a = inp.reshape((n, groups, c // groups) + tuple(inp.shape[2:])).permute((2, 1, 0) + spatial)
    a = a.reshape((c // groups, groups * n) + tuple(inp.shape[2:]))
    k = g.reshape((n, groups, o // groups) + tuple(g.shape[2:])).permute((1, 2, 0) + spatial)
    k = k.reshape((o, n) + tuple(g.shape[2:]))
    r = _conv_op(a, k, None, dilation, lo, hi, stride, False, groups)
    r = r[_SPAN + tuple(slice(0, j) for j in ks)]
    return r.permute((1, 0) + tuple(range(2, 2 + nd)))


_OP = register("_convolution_nd", _convolution, _convolution_backward, nin=3, save=(0, 1),
               node="ConvolutionBackward0", method=False, function=False)


def _conv_op(x, w, b, stride, lo, hi, dilation, transposed, groups):
    return call(_OP, (x, w, b, tuple(stride), tuple(lo), tuple(hi), tuple(dilation), transposed, groups), {})


# ------------------------------------------------------------------------------------- argument checks

_C10 = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
        "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
        "uint8": "unsigned char", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}
_AXES = {1: ("height", "width"), 2: ("height", "width"), 3: ("depth", "height", "width")}
_warned_same = []


def _ints(v, n, name, fn):
    """An int or a sequence of ints, as n values (torch's int-list arguments; one value is repeated)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * n
    if isinstance(v, (tuple, list)) and all(isinstance(i, (int, np.integer)) for i in v):
        v = tuple(int(i) for i in v)
        if len(v) == 1:
            return v * n
        if len(v) == n:
            return v
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                           f"the convolution dimensions, but got {name}={list(v)}")
    raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not {type(v).__name__}")


def _need_tensor(t, name, fn):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")


def _check_types(x, w, b):
    if x.dtype != w.dtype:
        raise RuntimeError(f"Input type (torch.{x.dtype._legacy}Tensor) and weight type "
                           f"(torch.{w.dtype._legacy}Tensor) should be the same or input should be a MKLDNN "
                           "tensor and weight is a dense tensor")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_C10.get(x.dtype._name, x.dtype._name)}) and bias type "
                           f"({_C10.get(b.dtype._name, b.dtype._name)}) should be the same")


def _check_params(stride, padding, dilation, output_padding, groups, transposed):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if transposed and any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_weight(x, w, b, groups, transposed):
    ws = list(w.shape)
    if ws[0] < 1:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension "
                           f"0, but got weight of size {ws} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{ws}] instead")
    want = ws[0] if transposed else ws[1] * groups
    if x.shape[1] != want:
        given = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {given}, weight of size {ws}, expected input{list(x.shape)} to have "
                           f"{want} channels, but got {x.shape[1]} channels instead")
    n_bias = ws[1] * groups if transposed else ws[0]
    if b is not None and (b.ndim != 1 or b.shape[0] != n_bias):
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(f"{given} of size {ws}, expected bias to be 1-dimensional with {n_bias} elements, "
                           f"but got bias of size {list(b.shape)} instead")


def _check_sizes(x, ks, lo, hi, dilation):
    padded = [n + a + b for n, a, b in zip(x.shape[2:], lo, hi)]
    kernel = [d * (k - 1) + 1 for k, d in zip(ks, dilation)]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                           "than actual input size")


def _check_output_padding(output_padding, stride, dilation):
    if all(p < s or p < d for p, s, d in zip(output_padding, stride, dilation)):
        return
    nd = len(stride)
    names = _AXES[nd]
    lead = (0, 1, 1) if nd == 1 else ()
    vals = [lead[:1] + tuple(output_padding), lead[1:2] + tuple(stride), lead[2:] + tuple(dilation)]
    parts = [f"{what}_{axis}: {v}" for what, vs in zip(("output_padding", "stride", "dilation"), vals)
             for axis, v in zip(names, vs)]
    raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                       + " ".join(parts))


def _same_padding(ks, stride, dilation):
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    total = [d * (k - 1) for k, d in zip(ks, dilation)]
    if any(t % 2 for t in total) and not _warned_same:
        # torch warns once per process (TORCH_WARN_ONCE).
        _warned_same.append(True)
        warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                      "zero-padded copy of the input be created", UserWarning, stacklevel=5)
    lo = tuple(t // 2 for t in total)
    return lo, tuple(t - a for t, a in zip(total, lo))


# ------------------------------------------------------------------------------------- public functions

def _run(x, w, b, stride, lo, hi, dilation, transposed, output_padding, groups):
    """Checks shared by every convolution entry point, then the registered op."""
    _check_params(stride, lo, dilation, output_padding, groups, transposed)
    _check_weight(x, w, b, groups, transposed)
    _check_types(x, w, b)
    ks = tuple(w.shape[2:])
    if transposed:
        _check_output_padding(output_padding, stride, dilation)
        hi = tuple(h - p for h, p in zip(hi, output_padding))
        size = [(n - 1) * s + d * (k - 1) + 1 - a - c
                for n, s, d, k, a, c in zip(x.shape[2:], stride, dilation, ks, lo, hi)]
        if any(n < 0 for n in size):
            given, calc = " x ".join(map(str, x.shape[2:])), " x ".join(map(str, size))
            raise RuntimeError(f"Given input size per channel: ({given}). Calculated output size per "
                               f"channel: ({calc}). Output size is too small")
    else:
        _check_sizes(x, ks, lo, hi, dilation)
    return _conv_op(x, w, b, stride, lo, hi, dilation, transposed, groups)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """Applies a 1-D, 2-D or 3-D convolution (or transposed convolution) over a batched input."""
    _need_tensor(input, "input", "convolution")
    _need_tensor(weight, "weight", "convolution")
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    nd = weight.ndim - 2
    stride, padding, dilation = (_ints(v, nd, name, "convolution") for v, name in
                                 ((stride, "stride"), (padding, "padding"), (dilation, "dilation")))
    output_padding = _ints(output_padding, nd, "output_padding", "convolution")
    if input.ndim != weight.ndim:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.ndim}-dimensional input of size "
                           f"{list(input.shape)} instead")
    return _run(input, weight, bias, stride, padding, padding, dilation, bool(transposed), output_padding,
                groups)


def _conv_entry(name, nd, input, weight, bias, stride, padding, dilation, groups, output_padding=None):
    _need_tensor(input, "input", name)
    _need_tensor(weight, "weight", name)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"{name}(): argument 'groups' must be int, not {type(groups).__name__}")
    n = weight.ndim - 2
    stride, dilation = _ints(stride, n, "stride", name), _ints(dilation, n, "dilation", name)
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    transposed = output_padding is not None
    if isinstance(padding, str) and not transposed:
        lo, hi = _string_padding(padding, weight.shape[2:], stride, dilation)
    else:
        lo = hi = _ints(padding, n, "padding", name)
    op = _ints(output_padding, n, "output_padding", name) if transposed else (0,) * n
    if input.ndim != weight.ndim:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {n} values to match "
                           f"the convolution dimensions, but got stride={[stride[0]] * nd}")
    y = _run(input, weight, bias, stride, lo, hi, dilation, transposed, op, int(groups))
    return y.squeeze(0) if unbatched else y


def _string_padding(padding, ks, stride, dilation):
    if padding == "valid":
        return (0,) * len(ks), (0,) * len(ks)
    if padding == "same":
        return _same_padding(ks, stride, dilation)
    raise RuntimeError(f"Invalid padding string: '{padding}'")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 1D convolution over an input signal composed of several input planes."""
    return _conv_entry("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 2D convolution over an input image composed of several input planes."""
    return _conv_entry("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 3D convolution over an input image composed of several input planes."""
    return _conv_entry("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Applies a 1D transposed convolution operator over an input signal composed of several input planes."""
    return _conv_entry("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation, groups,
                       output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Applies a 2D transposed convolution operator over an input image composed of several input planes."""
    return _conv_entry("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation, groups,
                       output_padding)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Applies a 3D transposed convolution operator over an input image composed of several input planes."""
    return _conv_entry("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation, groups,
                       output_padding)


for _fn in (convolution, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d):
    FUNCTIONS[_fn.__name__] = _fn


# ---------------------------------------------------------------------------------- unfold / fold (2-D)

def _im2col(xp, x, kernel_size, dilation, padding, stride):
    xpd = _pad(xp, x, padding, padding)
    out = tuple(_n_out(n, k, s, d) for n, k, s, d in zip(xpd.shape[2:], kernel_size, stride, dilation))
    v = _windows(xp, xpd, kernel_size, stride, dilation, out)
    return v.reshape(x.shape[0], x.shape[1] * math.prod(kernel_size), math.prod(out))


def _im2col_backward(grad, x, out, kernel_size, dilation, padding, stride):
    return (_col2im_op(grad, tuple(x.shape[2:]), kernel_size, dilation, padding, stride),)


def _col2im_arrays(xp, cols, output_size, kernel_size, dilation, padding, stride):
    blocks = tuple(_n_out(n + 2 * p, k, s, d)
                   for n, k, s, d, p in zip(output_size, kernel_size, stride, dilation, padding))
    n, ck = cols.shape[:2]
    c = ck // math.prod(kernel_size)
    cols = cols.reshape((n, c) + tuple(kernel_size) + blocks)
    return _col2im(xp, cols, stride, dilation, padding, output_size)


def _col2im_backward(grad, cols, out, output_size, kernel_size, dilation, padding, stride):
    return (_im2col_op(grad, kernel_size, dilation, padding, stride),)


_IM2COL = register("im2col", _im2col, _im2col_backward, node="Im2ColBackward0", method=False, function=False)
_COL2IM = register("col2im", _col2im_arrays, _col2im_backward, node="Col2ImBackward0", method=False,
                   function=False)


def _im2col_op(x, kernel_size, dilation, padding, stride):
    return call(_IM2COL, (x, kernel_size, dilation, padding, stride), {})


def _col2im_op(cols, output_size, kernel_size, dilation, padding, stride):
    return call(_COL2IM, (cols, output_size, kernel_size, dilation, padding, stride), {})


def _pair(v, name):
    v = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(v) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return tuple(int(i) for i in v)


def _window_args(kernel_size, dilation, padding, stride):
    ks, dl, pd, st = (_pair(v, n) for v, n in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                (padding, "padding"), (stride, "stride")))
    for vals, what, short, bad in ((ks, "kernel size", "kernel", lambda i: i <= 0),
                                   (st, "stride", "stride", lambda i: i <= 0),
                                   (dl, "dilation", "dilation", lambda i: i <= 0)):
        if any(bad(i) for i in vals):
            raise RuntimeError(f"{what} should be greater than zero, but got {short}_height: {vals[0]} "
                               f"{short}_width: {vals[1]}")
    if any(p < 0 for p in pd):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {pd[0]} pad_width: {pd[1]}")
    return ks, dl, pd, st


def _reject_ints(kernel, t):
    if t.dtype._cat == _dtype.INT or t.dtype._limited:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{t.dtype._legacy}'")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks from a batched input tensor."""
    _need_tensor(input, "input", "unfold")
    ks, dl, pd, st = _window_args(kernel_size, dilation, padding, stride)
    if input.ndim < 3:
        n = max(input.ndim, 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got 2)")
    if input.ndim > 4 or 0 in input.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    sp = input.shape[-2:]
    blocks = tuple(_n_out(n + 2 * p, k, s, d) for n, k, s, d, p in zip(sp, ks, st, dl, pd))
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(sp)}, kernel_size={ks}, dilation={dl}, "
                           f"padding={pd}, calculated shape of the array of sliding blocks as {blocks}, "
                           "but its components must be at least one.")
    _reject_ints("im2col_out_cpu", input)
    if input.ndim == 3:
        return _im2col_op(input.unsqueeze(0), ks, dl, pd, st).squeeze(0)
    return _im2col_op(input, ks, dl, pd, st)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine an array of sliding local blocks into a large containing tensor."""
    _need_tensor(input, "input", "fold")
    os_ = _pair(output_size, "output_size")
    ks, dl, pd, st = _window_args(kernel_size, dilation, padding, stride)
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    ck, n_blocks = input.shape[-2:]
    if ck % (ks[0] * ks[1]):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={ck} and kernel_size={ks}.")
    blocks = [_n_out(n + 2 * p, k, s, d) for n, k, s, d, p in zip(os_, ks, st, dl, pd)]
    if min(blocks) < 1 or blocks[0] * blocks[1] != n_blocks:
        raise RuntimeError(f"Given output_size={os_}, kernel_size={ks}, dilation={dl}, padding={pd}, "
                           f"stride={st}, expected size of input's dimension 2 to match the calculated "
                           f"number of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={n_blocks}.")
    _reject_ints("col2im_out_cpu", input)
    if input.ndim == 2:
        return _col2im_op(input.unsqueeze(0), os_, ks, dl, pd, st).squeeze(0)
    return _col2im_op(input, os_, ks, dl, pd, st)
