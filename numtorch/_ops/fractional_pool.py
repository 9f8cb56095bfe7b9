"""Fractional max pooling (Graham 2014): pseudo-random window starts drawn from ``torch.rand`` samples."""
import math

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from .pooling import _carry, _gather_op

_OPS = {n: _gather_op(n, f"FractionalMaxPool{n}DBackward0") for n in (2, 3)}
_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _starts(samples, in_size, out_size, pool):
    """Window starts per (batch, plane): ATen's interval formula, evaluated in the input's float type."""
    dt = samples.dtype.type
    n, c = samples.shape
    seq = np.empty((n, c, out_size), np.int64)
    if out_size > 1:
        alpha = dt(in_size - pool) / dt(out_size - 1)
        i = np.arange(out_size - 1).astype(samples.dtype)
        # float products truncated to int, exactly as the C++ static_cast<int> does
        seq[..., :-1] = (((i + samples[..., None]) * alpha).astype(np.int64)
                         - (samples * alpha).astype(np.int64)[..., None])
    if out_size > 0:
        seq[..., -1] = in_size - pool
    return seq


def _check(x, n, pool, out, samples):
    fn = f"fractional_max_pool{n}d"
    if x.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"{fn}(): Expected {n + 1}D or {n + 2}D tensor, but got: {list(x.shape)}")
    for d in range(1 if x.dim() == n + 2 else 0, x.dim()):
        if x.shape[d] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, "
                               "but got"
                               f"{list(x.shape)} with dimension {d} being empty.")
    prefix = fn if n == 2 else f"{fn}_out"
    for name, k, o, i in zip(_AXES[n], pool, out, x.shape[-n:]):
        # ATen's 3-D check is strict where the 2-D one is not
        if o + k - 1 > i or (n == 3 and o + k - 1 == i):
            raise RuntimeError(f"{prefix}(): pool {name} {k} too large relative to input {name} {i}")
    batch = x.shape[0] if x.dim() == n + 2 else 1
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    if samples.shape[2] != n:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {n}; got {samples.shape[2]}.")
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != x.shape[-n - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.requires_grad and grad_mode.state.enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           "'random_samples'. "
                           "This input cannot have requires_grad True.")


def _pool_arrays(a, samples, n, pool, out):
    """Maxima and flat plane indices; ties keep the first element, a NaN wins (the last one seen)."""
    nb, c, size = a.shape[0], a.shape[1], a.shape[-n:]
    window, first = 0, 0
    for d in range(n):
        # 2-D samples list width before height; 3-D ones are in (time, height, width) order
        st = _starts(samples[:nb, :, (1 - d) if n == 2 else d], size[d], out[d], pool[d])
        stride = math.prod(size[d + 1:])
        shape = [nb, c] + [1] * (2 * n)
        shape[2 + d], shape[2 + n + d] = out[d], pool[d]
        window = window + (st[..., None] + np.arange(pool[d])).reshape(shape) * stride
        first = first + (st * stride).reshape(shape[:2 + n])
    k = math.prod(pool)
    if k == 0:  # empty windows: ATen's initial -inf and the window's start
        return np.full(first.shape, -np.inf, a.dtype), first
    idx = np.broadcast_to(window, (nb, c) + tuple(out) + tuple(pool)).reshape(nb, c, math.prod(out), k)
    vals = np.take_along_axis(a.reshape(nb, c, math.prod(size)), idx.reshape(nb, c, math.prod(out) * k), -1)
    vals = vals.reshape(idx.shape)
    nan = np.isnan(vals)
    pick = np.where(nan.any(-1), k - 1 - np.argmax(nan[..., ::-1], -1), np.argmax(vals, -1))[..., None]
    shape = (nb, c) + tuple(out)
    best = np.take_along_axis(vals, pick, -1).reshape(shape)
    return best, np.take_along_axis(idx, pick, -1).reshape(shape)


def _fractional(x, n, kernel_size, output_size, output_ratio, return_indices, samples):
    fn = f"fractional_max_pool{n}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # torch's 2-D form takes len() of the ratio, so a bare float is a TypeError there
        if n == 2 and len(output_ratio) > 2:
            raise ValueError(f"{fn} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _tuple(output_ratio, n)
        output_size = [int(x.size(d - n) * r) for d, r in enumerate(ratio)]
    if samples is None:
        from .random import rand
        batch = 1 if x.dim() == n + 1 else x.size(0)
        samples = rand(batch, x.size(-n - 1), n, dtype=x.dtype, device=x.device)
    pool, out = _tuple(kernel_size, n), _tuple(output_size, n)
    _check(x, n, pool, out, samples)
    if x.dtype.is_complex or not x.dtype.is_floating_point:
        raise RuntimeError(f'"{fn}_out_frame" not implemented for \'{str(x.dtype)[6:].capitalize()}\'')
    a = x._data if x.dim() == n + 2 else x._data[None]
    vals, idx = _pool_arrays(a, np.asarray(samples._data), n, pool, out)
    if x.dim() == n + 1:
        vals, idx = vals[0], idx[0]
    if not (x.requires_grad and grad_mode.state.enabled):
        res, idx_t = Tensor._wrap(vals), Tensor._wrap(idx)
    else:
        res, idx_t = _carry(_OPS[n], x, vals, idx)
    return res, idx_t


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """2D fractional max pooling; returns ``(output, indices)``."""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """3D fractional max pooling; returns ``(output, indices)``."""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """2D fractional max pooling with pseudo-random, overlapping windows."""
    out = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio, return_indices,
                                             _random_samples)
    return out if return_indices else out[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """3D fractional max pooling with pseudo-random, overlapping windows."""
    out = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio, return_indices,
                                             _random_samples)
    return out if return_indices else out[0]

