"""Resampling kernels for tensor images: torch's antialiased resize and 2-D grid sampling, on NumPy.

Both follow the float order of torch's CPU kernels (weights and sums in the image's float dtype) so
that images come out equal to torchvision's, not merely close.
"""
import numpy as np

from ..._ops._interp import cubic_taps, fma as _fma, linear_channels_last, linear_taps, separable


def _bilinear_filter(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0).astype(x.dtype)


def _bicubic_filter(x):
    # antialiased bicubic uses a = -0.5 (Keys / Pillow), not the -0.75 of plain bicubic
    a = x.dtype.type(-0.5)
    x = np.abs(x)
    near = _fma(_fma(x, a + 2, -(a + 3)) * x, x, 1)
    far = _fma(_fma(_fma(x, a, -5 * a), x, 8 * a), x, -4 * a)
    return np.where(x < 1, near, np.where(x < 2, far, 0)).astype(x.dtype)


def _aa_weights(in_size, out_size, mode, ft):
    """Per output index: first source index and normalised weights (padded with zeros to one width)."""
    ft = np.dtype(ft).type
    scale = ft(in_size) / ft(out_size)
    half = 1.0 if mode == "bilinear" else 2.0
    support = ft(half * float(scale)) if scale >= 1 else ft(half)
    width = int(np.ceil(support)) * 2 + 1
    invscale = ft(1.0 / float(scale)) if scale >= 1 else ft(1.0)
    center = (float(scale) * (np.arange(out_size) + 0.5)).astype(ft)
    lo = np.maximum(((center - support).astype(np.float64) + 0.5).astype(np.int64), 0)
    hi = np.minimum(((center + support).astype(np.float64) + 0.5).astype(np.int64), in_size)
    count = np.clip(hi - lo, 0, width)
    taps = np.arange(width)
    pos = (lo[:, None] + taps).astype(ft) - center[:, None]
    arg = ((pos.astype(np.float64) + 0.5) * float(invscale)).astype(ft)
    w = (_bilinear_filter if mode == "bilinear" else _bicubic_filter)(arg)
    w = np.where(taps < count[:, None], w, ft(0))
    total = w[:, 0].copy()
    for j in range(1, width):  # sequential float sum, as torch accumulates the weights
        total = total + w[:, j]
    w = np.where(total[:, None] != 0, w / np.where(total == 0, ft(1), total)[:, None], w)
    return lo, count, w


def _aa_pass(arr, axis, out_size, mode):
    in_size = arr.shape[axis]
    lo, count, w = _aa_weights(in_size, out_size, mode, arr.dtype)
    moved = np.moveaxis(arr, axis, -1)
    idx = np.minimum(lo[:, None] + np.arange(w.shape[1]), in_size - 1)
    # torch's compiled tap loop adds whole 16-byte blocks of products (rounded, in order) and contracts
    # the leftover taps into fused multiply-adds; reproduce which tap is which, per output index
    block = 16 // arr.dtype.itemsize
    blocked = block * ((count - 1) // block)
    out = moved[..., idx[:, 0]] * w[:, 0]
    for j in range(1, w.shape[1]):  # one vectorised step per filter tap, in torch's summation order
        src = moved[..., idx[:, j]]
        out = np.where(j <= blocked, out + src * w[:, j], _fma(src, w[:, j], out))
    return np.moveaxis(out.astype(arr.dtype, copy=False), -1, axis)


def _separable(one_pass, arr, size, mode):
    """Resize width first, then height, skipping an axis whose size does not change (as torch does)."""
    oh, ow = size
    if arr.shape[-1] != ow:
        arr = one_pass(arr, arr.ndim - 1, ow, mode)
    if arr.shape[-2] != oh:
        arr = one_pass(arr, arr.ndim - 2, oh, mode)
    return np.ascontiguousarray(arr)


def resize_antialias(arr, size, mode):
    """Antialiased bilinear/bicubic resize of a float (N, C, H, W) array."""
    return _separable(_aa_pass, arr, size, mode)


def grid_sample(arr, grid, mode):
    """grid_sample(align_corners=False, padding_mode='zeros') for float (N, C, H, W) and (N, h, w, 2)."""
    ft = arr.dtype.type
    n, c, h, w = arr.shape
    # torch's vectorised CPU kernel unnormalises as (g + 1) * (size / 2) - 0.5, contracted to an FMA
    x = _fma(grid[..., 0] + ft(1), ft(w / 2), ft(-0.5))
    y = _fma(grid[..., 1] + ft(1), ft(h / 2), ft(-0.5))
    flat = arr.reshape(n, c, h * w)

    def gather(ix, iy):
        inside = (ix > -1) & (ix < w) & (iy > -1) & (iy < h)
        lin = np.where(inside, iy * w + ix, 0).reshape(n, -1)
        vals = np.take_along_axis(flat, lin[:, None, :], axis=2).reshape(n, c, *ix.shape[1:])
        return np.where(inside[:, None], vals, ft(0))

    if mode == "nearest":
        return gather(np.rint(x).astype(np.int64), np.rint(y).astype(np.int64))
    x0, y0 = np.floor(x), np.floor(y)
    e_w, n_w = x - x0, y - y0
    w_w, s_w = ft(1) - e_w, ft(1) - n_w
    ix, iy = x0.astype(np.int64), y0.astype(np.int64)
    out = gather(ix, iy) * (s_w * w_w)[:, None]
    out = _fma(gather(ix + 1, iy), (s_w * e_w)[:, None], out)
    out = _fma(gather(ix, iy + 1), (n_w * w_w)[:, None], out)
    return _fma(gather(ix + 1, iy + 1), (n_w * e_w)[:, None], out)


def resize_plain(arr, size, mode, small_kernel):
    """Bilinear/bicubic resize without antialiasing (align_corners=False), in torch's float order.

    small_kernel: torch picks its channels-last bilinear kernel for small outputs (and single-threaded
    RGB), whose sum is ordered differently from the generic separable kernel.
    """
    make = linear_taps if mode == "bilinear" else cubic_taps
    tables = [make(n, o, False, None, arr.dtype.type) for n, o in zip(arr.shape[-2:], size)]
    if mode == "bilinear" and small_kernel:
        return linear_channels_last(arr, tables)
    return separable(arr, tables)


def resize_matrix(in_size, out_size, mode, antialias, ft):
    """Dense (out_size, in_size) matrix of one resize pass, for the backward of the linear map."""
    mat = np.zeros((out_size, in_size), dtype=ft)
    if in_size == out_size:
        return np.eye(in_size, dtype=ft)
    rows = np.arange(out_size)
    if antialias:
        lo, count, w = _aa_weights(in_size, out_size, mode, ft)
        for j in range(w.shape[1]):
            np.add.at(mat, (rows, np.minimum(lo + j, in_size - 1)), np.where(j < count, w[:, j], 0))
    else:
        make = linear_taps if mode == "bilinear" else cubic_taps
        for idx, w in make(in_size, out_size, False, None, np.dtype(ft).type):
            np.add.at(mat, (rows, idx), w)
    return mat


def grid_sample_backward(grad, grid, mode, in_shape):
    """Gradient of grid_sample with respect to its input: each output scatters back to its taps."""
    ft = grad.dtype.type
    n, c, h, w = in_shape
    x = _fma(grid[..., 0].astype(ft) + ft(1), ft(w / 2), ft(-0.5))
    y = _fma(grid[..., 1].astype(ft) + ft(1), ft(h / 2), ft(-0.5))
    out = np.zeros((n, c, h * w), dtype=ft)
    if mode == "nearest":
        corners = [(np.rint(x).astype(np.int64), np.rint(y).astype(np.int64), np.ones_like(x))]
    else:
        x0, y0 = np.floor(x), np.floor(y)
        e_w, n_w = x - x0, y - y0
        ix, iy = x0.astype(np.int64), y0.astype(np.int64)
        corners = [(ix, iy, (1 - n_w) * (1 - e_w)), (ix + 1, iy, (1 - n_w) * e_w),
                   (ix, iy + 1, n_w * (1 - e_w)), (ix + 1, iy + 1, n_w * e_w)]
    g = grad.reshape(n, c, -1)
    batch = np.arange(n)[:, None, None]
    chan = np.arange(c)[None, :, None]
    for cx, cy, wt in corners:
        inside = ((cx > -1) & (cx < w) & (cy > -1) & (cy < h)).reshape(n, 1, -1)
        lin = np.where(inside, (cy * w + cx).reshape(n, 1, -1), 0)
        np.add.at(out, (batch, chan, lin), np.where(inside, g * wt.reshape(n, 1, -1), 0))
    return out.reshape(in_shape)
